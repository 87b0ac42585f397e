/**
 * The recording of a camera event. An event is indexed a moment after it happens and its clip exists
 * only once the recording has ended, so this waits (within a deadline) for `event/query/byeventids`
 * to name the file, asking `vod/getbyeventid` when it does not.
 */
import type { LinkVisualClient } from '../client/client';
import { isPlainObject } from '../util/plain-object';
import { LinkVisualError } from '../gateway/errors';
import { pause } from '../util/abort';
import { pollDelay } from './poll-delay';

export interface EventRecording {
  readonly fileName: string;
  /** The event's time (ms since epoch), when the answer gave it. */
  readonly eventTime?: number;
}

export interface EventRecordingOptions {
  readonly signal?: AbortSignal;
  /** Epoch ms after which waiting stops with NOT_READY. */
  readonly deadline: number;
  /** Longest pause between two lookups. Default 2000 ms. */
  readonly maxPollMs?: number;
  /** Called before each pause with what is awaited. */
  readonly onWait?: (what: string) => void;
}

function firstFileName(data: unknown): string | undefined {
  const list = isPlainObject(data) && Array.isArray(data.vodList) ? data.vodList : [];
  for (const entry of list) if (isPlainObject(entry) && typeof entry.fileName === 'string' && entry.fileName !== '') return entry.fileName;
  return undefined;
}

function eventTimeOf(event: Record<string, unknown>): number | undefined {
  const text = typeof event.eventTimeUTC === 'string' ? event.eventTimeUTC : undefined;
  const ms = text ? Date.parse(text) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/** Waits until the event's recording exists and returns its file name. */
export async function findEventRecording(client: LinkVisualClient, iotId: string, eventId: string, options: EventRecordingOptions): Promise<EventRecording> {
  for (let attempt = 0; ; attempt += 1) {
    const found = await client.call('queryEventsByIds', { iotId, eventIds: [eventId] }, { signal: options.signal });
    const list = isPlainObject(found) && Array.isArray(found.eventList) ? found.eventList : [];
    const event = list.find((e): e is Record<string, unknown> => isPlainObject(e) && e.eventId === eventId);
    let waitingFor = 'event';
    if (event) {
      const eventTime = eventTimeOf(event);
      if (typeof event.eventFileName === 'string' && event.eventFileName !== '') return { fileName: event.eventFileName, eventTime };
      const fileName = firstFileName(await client.call('getVodUrlByEvent', { iotId, eventId }, { signal: options.signal }));
      if (fileName) return { fileName, eventTime };
      waitingFor = 'recording';
    }
    const left = options.deadline - Date.now();
    if (left <= 0) {
      const reason = waitingFor === 'event' ? 'was not found (not indexed yet?)' : 'has no recording yet (a clip exists once its recording ends)';
      throw new LinkVisualError('NOT_READY', `event ${eventId} ${reason} at the transcode timeout`, {
        path: '/vision/customer/event/query/byeventids',
        retryable: true,
      });
    }
    options.onWait?.(waitingFor === 'event' ? `event ${eventId} to be indexed` : `the recording of event ${eventId}`);
    await pause(Math.min(pollDelay(attempt, options.maxPollMs ?? 2000), left), options.signal); // the last lookup falls on the deadline
  }
}
