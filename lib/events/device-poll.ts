/**
 * One poll of one device for the event scheduler (poller.ts): one `event/query` window that covers what
 * every subscriber of the device still needs, read page by page. The events of the window are held until
 * its last page and handed on whole, in time order, whatever order the cloud lists them in. A window
 * longer than the page limit goes on at the next poll, soon after; a failure backs the device off when
 * it will not pass by itself; a push's nudge is followed up until a poll finds its event.
 */
import type { LinkVisualClient } from '../client/client';
import { byEventTime, type CameraEvent } from './camera-event';
import { scanEvents, type EventPage } from './event-pages';
import type { EventSubscriber, PollReport } from './event-subscriber';
import { asError, safely } from './poll-guards';
import type { PollSlot } from './poll-slot';

/** What a device poll needs of its scheduler. */
export interface DevicePollContext {
  /** Pages one poll may read. */
  readonly maxPages: number;
  /** True while the subscriber is subscribed to the scheduler. */
  subscribed(subscriber: EventSubscriber): boolean;
  /** True once the scheduler is closed. */
  closed(): boolean;
  /** The schedule's clock (monotonic ms). */
  now(): number;
  /** Moves the slot on the schedule to `at`. */
  due(slot: PollSlot, at: number): void;
}

const CATCH_UP_DELAY_MS = 200;
// After a push, the event may not be indexed yet: polls follow at these delays until one finds it.
const NUDGE_RETRY_MS = [250, 500, 1000, 2000, 4000];
// Events of one unfinished window held at most; beyond it they are handed on early (nothing is lost, only their order).
const MAX_HELD_EVENTS = 20_000;
const MAX_PENALTY_MS = 10 * 60_000;
const TRANSIENT_CODES = new Set(['THROTTLED', 'TIMEOUT', 'NETWORK', 'GATEWAY', 'INVALID_RESPONSE']);

/** Polls the slot's device once for `subscribers`, hands the events on and reports; never rejects on a failed query. */
export async function pollDevice(slot: PollSlot, client: LinkVisualClient, subscribers: EventSubscriber[], signal: AbortSignal, context: DevicePollContext): Promise<void> {
  const { iotId } = slot;
  const startedAt = slot.lastStartAt;
  const live = () => subscribers.filter((s) => context.subscribed(s) && slot.subscribers.has(s));
  let begin = Infinity;
  for (const subscriber of subscribers) {
    try {
      begin = Math.min(begin, subscriber.windowStart(iotId));
    } catch {
      // a subscriber that cannot say is left out of this poll
    }
  }
  if (!Number.isFinite(begin)) return;
  const types = new Set(subscribers.map((s) => s.eventType));
  const eventType = types.size === 1 ? [...types][0] : 0;
  // Never skip the query: a window that seems not to have opened yet may only mean the clock offset is
  // stale (the local clock was just set back), and the answer's Date header sets it right.
  const beginTime = Math.max(0, Math.floor(begin));
  // A backlog larger than one poll's pages goes on where the last poll stopped; starting over from the
  // window start would read the same pages again and never get through a dense stretch.
  // Only the subscribers that had its first pages may go on with it, and only if none needs more.
  const resume = slot.resume;
  slot.resume = undefined;
  const resumable = resume !== undefined && resume.eventType === eventType && resume.from <= beginTime && subscribers.every((s) => resume.subscribers.has(s));
  // The window reaches as far as the server's clock may already be (the offset is known to about a second), so
  // a pushed event just raised is listed at once; it counts as scanned only up to serverPassed() (handOn).
  const serverLatest = Math.ceil(2 * client.serverNow() - client.serverPassed());
  const scan = resumable
    ? resume
    : { beginTime, pageStart: 0, endTime: Math.max(serverLatest, beginTime), from: beginTime, held: new Map<string, CameraEvent>(), seen: new Set<string>() };
  const { held } = scan;
  let events = 0;
  let pages = 0;
  let finished = false;
  let scannedTo = -Infinity;
  let latest = -Infinity; // the latest event time any page brought (a nudge waits for one from its push on)
  let next: EventPage['next'];
  // Hands the held events on as one page, in time order; `complete` when the window's last page was read.
  const handOn = (complete: boolean) => {
    // Nothing later than the server's time when it answered can exist yet: a window that reached past
    // it (the local clock was ahead) counts as scanned only up to then, or later events would be skipped.
    const to = complete ? Math.min(scan.endTime, client.serverPassed()) : scan.from - 1;
    if (complete) scannedTo = to;
    if (!complete && held.size === 0) return;
    const page: EventPage = { events: byEventTime([...held.values()]), scannedTo: to, last: complete, from: scan.from };
    held.clear();
    for (const subscriber of live()) {
      const own = subscriber.eventType === 0 ? page.events : page.events.filter((e) => e.eventType === subscriber.eventType);
      safely(() => subscriber.deliver(iotId, own === page.events ? page : { ...page, events: own }));
    }
  };
  try {
    for await (const found of scanEvents(client, { iotId, ...scan, eventType, maxPages: context.maxPages, seen: scan.seen, signal })) {
      next = found.next;
      pages += 1;
      events += found.events.length;
      finished = found.last;
      for (const event of found.events) {
        held.set(event.eventId, event);
        if (event.eventTime > latest) latest = event.eventTime;
      }
      if (!finished && held.size >= MAX_HELD_EVENTS) handOn(false);
    }
    if (finished && !signal.aborted) handOn(true);
  } catch (error) {
    if (context.closed() || signal.aborted) return;
    handOn(false); // what was found is handed on (the cursor takes it); the window starts over at the next poll
    const failure = asError(error);
    slot.failures += 1;
    if (!failure.retryable && !TRANSIENT_CODES.has(failure.code)) {
      // A refusal that will not pass by itself (unknown device, no permission): back off this device.
      const penalty = Math.min(MAX_PENALTY_MS, slot.periodMs * 2 ** (slot.failures - 1));
      context.due(slot, Math.max(slot.nextDueAt, context.now() + penalty));
    }
    afterNudgedPoll(slot, latest, context); // failed: the retry delays (and any penalty) apply
    const report: PollReport = { iotId, ok: false, at: Date.now(), events, pages, error: failure };
    for (const subscriber of live()) safely(() => subscriber.pollDone?.(report));
    return;
  }
  if (signal.aborted) return;
  afterNudgedPoll(slot, latest, context, startedAt);
  slot.failures = 0;
  slot.lastOkAt = Date.now();
  if (!finished) {
    if (next) slot.resume = { ...next, endTime: scan.endTime, eventType, from: scan.from, subscribers: new Set(subscribers), held, seen: scan.seen };
    context.due(slot, Math.min(slot.nextDueAt, context.now() + CATCH_UP_DELAY_MS));
  }
  const report: PollReport = { iotId, ok: true, at: slot.lastOkAt, scannedTo: finished ? scannedTo : undefined, events, pages, behind: !finished };
  for (const subscriber of live()) safely(() => subscriber.pollDone?.(report));
}

// A nudged device whose poll did not find the pushed event yet is polled again after the next retry delay.
function afterNudgedPoll(slot: PollSlot, latest: number, context: DevicePollContext, startedAt?: number): void {
  const nudge = slot.nudge;
  if (!nudge) return;
  // A push that came while this poll ran may be for an event its answer predates: only a later poll can tell.
  if (startedAt !== undefined && nudge.at >= startedAt) {
    context.due(slot, Math.min(slot.nextDueAt, context.now()));
    return;
  }
  // Event times are whole seconds: the pushed event may be listed up to a second before the push's time.
  if (latest >= nudge.since - 1000 || nudge.retry >= NUDGE_RETRY_MS.length) {
    slot.nudge = undefined;
    return;
  }
  context.due(slot, Math.min(slot.nextDueAt, context.now() + NUDGE_RETRY_MS[nudge.retry]));
  nudge.retry += 1;
}
