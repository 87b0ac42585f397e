/**
 * The events behind a data-sync push. A pushed alarm names its device and time but no Link Visual
 * `eventId` (docs/protocol.md §13), so the events are read from `event/query` around the pushed time;
 * the push may come before the cloud has indexed the event, so the query is asked again a few times
 * while no event near the pushed time is listed.
 */
import type { LinkVisualClient } from '../client/client';
import { pause } from '../util/abort';
import { parseEvent, type CameraEvent } from './camera-event';

/** What a push says of an event: its device and (device) time in ms. */
export interface PushedAlarm {
  readonly iotId: string;
  /** Epoch ms; not a finite number: the cloud's now. */
  readonly time: number;
}

export interface PushedEventLookupOptions {
  /** True for events the caller already has: not returned (one near the pushed time still ends the retries). */
  readonly isKnown?: (event: CameraEvent) => boolean;
  readonly signal?: AbortSignal;
  /** Waits before asking again while the pushed event is not listed; default 0.25, 0.5, 1, 2, 4 s. */
  readonly retryDelaysMs?: readonly number[];
}

// The listed event matches the push when its time is this close to the pushed one (device and cloud clocks differ).
const MATCH_MS = 5_000;
// The window asked around the pushed time: a minute before (a late push), a little after (a fast device clock).
const BEFORE_MS = 60_000;
const AFTER_MS = 10_000;
const RETRY_DELAYS_MS: readonly number[] = [250, 500, 1000, 2000, 4000];

/** The new events (not `isKnown`) of the pushed alarm's device around its time, oldest first; [] when none turned up. */
export async function eventsOfPush(client: LinkVisualClient, alarm: PushedAlarm, options: PushedEventLookupOptions = {}): Promise<CameraEvent[]> {
  const delays = options.retryDelaysMs ?? RETRY_DELAYS_MS;
  const isKnown = options.isKnown ?? (() => false);
  for (let attempt = 0; ; attempt += 1) {
    const now = Math.floor(client.serverNow());
    const pushedAt = Number.isFinite(alarm.time) && alarm.time > 0 ? Math.floor(alarm.time) : now;
    const beginTime = Math.max(0, pushedAt - BEFORE_MS);
    const endTime = Math.max(beginTime, Math.max(pushedAt, now) + AFTER_MS);
    const items = await client.list('queryEvents', { iotId: alarm.iotId, beginTime, endTime }, { signal: options.signal });
    const listed = items.map((item) => parseEvent(alarm.iotId, item, pushedAt)).filter((event): event is CameraEvent => event !== undefined);
    const fresh = listed.filter((event) => !isKnown(event));
    const matched = listed.some((event) => Math.abs(event.eventTime - pushedAt) <= MATCH_MS);
    if (matched || attempt >= delays.length) return fresh.sort((a, b) => a.eventTime - b.eventTime);
    await pause(delays[attempt], options.signal);
  }
}
