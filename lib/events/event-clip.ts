/** The cloud recording of an event as a playable URL (`vod/getbyeventid`), waiting a bounded time for it. */
import type { LinkVisualClient } from '../client/client';
import { isPlainObject } from '../util/plain-object';
import { LinkVisualError } from '../gateway/errors';
import { pause } from '../util/abort';
import { API_CODES } from '../gateway/api-codes';
import { VOD_URL_FALLBACK_MS, expiresAtFor } from '../media/url-expiry';
import type { CameraEvent } from './camera-event';

export interface EventClip {
  readonly url: string;
  /** When the URL stops working (ms since epoch). */
  readonly expiresAt: number;
  readonly fileName?: string;
  readonly beginTimeUTC?: string;
  readonly endTimeUTC?: string;
}

export interface EventClipOptions {
  readonly signal?: AbortSignal;
  /** Longest wait for the recording to exist (it does once it has ended). Default 60 s. */
  readonly waitMs?: number;
  /** First pause between look-ups, doubled up to `maxPollMs`. Default 2 s. */
  readonly pollMs?: number;
  /** Longest pause between look-ups. Default 10 s. */
  readonly maxPollMs?: number;
  readonly now?: () => number;
}

const VOD_PATH = '/vision/customer/vod/getbyeventid';
// "event not found": vod/getbyeventid may not know an event the query already lists.
const NOT_YET_API_CODES = new Set<number>([API_CODES.EVENT_NOT_FOUND.code]);

function asError(error: unknown): LinkVisualError {
  return error instanceof LinkVisualError ? error : new LinkVisualError('API_ERROR', error instanceof Error ? error.message : String(error));
}

function firstClip(data: unknown): EventClip | undefined {
  const list = isPlainObject(data) && Array.isArray(data.vodList) ? data.vodList : [];
  for (const item of list) {
    if (!isPlainObject(item) || typeof item.vodUrl !== 'string' || item.vodUrl === '') continue;
    const url = item.vodUrl;
    return {
      url,
      expiresAt: expiresAtFor(url, VOD_URL_FALLBACK_MS),
      ...(typeof item.fileName === 'string' ? { fileName: item.fileName } : {}),
      ...(typeof item.beginTimeUTC === 'string' ? { beginTimeUTC: item.beginTimeUTC } : {}),
      ...(typeof item.endTimeUTC === 'string' ? { endTimeUTC: item.endTimeUTC } : {}),
    };
  }
  return undefined;
}

/**
 * The playback URL of the event's recording. An empty playlist (the recording has not ended yet) or a
 * transient failure is asked again with growing pauses until `waitMs`; then NOT_READY (or the last
 * failure). A refusal such as "no event-triggered plan" ends at once.
 */
export async function fetchEventClip(client: LinkVisualClient, event: CameraEvent, options: EventClipOptions = {}): Promise<EventClip> {
  const now = options.now ?? Date.now;
  const deadline = now() + (options.waitMs ?? 60_000);
  const pollMs = options.pollMs ?? 2000;
  const maxPollMs = options.maxPollMs ?? 10_000;
  let last: LinkVisualError;
  for (let attempt = 0; ; attempt += 1) {
    try {
      const clip = firstClip(await client.call('getVodUrlByEvent', { iotId: event.iotId, eventId: event.eventId }, { signal: options.signal }));
      if (clip) return clip;
      last = new LinkVisualError('NOT_READY', `event ${event.eventId} has no recording yet (it exists once the recording has ended)`, { path: VOD_PATH, retryable: true });
    } catch (error) {
      const failure = asError(error);
      if (options.signal?.aborted || failure.code === 'ABORTED' || failure.code === 'CLOSED') throw failure;
      const notYet = failure.apiCode !== undefined && NOT_YET_API_CODES.has(failure.apiCode);
      if (!failure.retryable && !notYet) throw failure;
      last = failure;
    }
    const delay = Math.min(maxPollMs, pollMs * 2 ** attempt);
    if (now() + delay > deadline) throw last;
    await pause(delay, options.signal);
  }
}
