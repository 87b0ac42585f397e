/** The alert picture of an event, fetched with the client's one media fetcher (size cap, type check, timeout). */
import type { LinkVisualClient } from '../client/client';
import { isPlainObject } from '../util/plain-object';
import { LinkVisualError } from '../gateway/errors';
import { pause } from '../util/abort';
import { PICTURE_URL_FALLBACK_MS, expiresAtFor } from '../media/url-expiry';
import type { CameraEvent } from './camera-event';

export interface AlertImage {
  readonly buffer: Buffer;
  readonly contentType: string;
  readonly url: string;
  /** When the picture URL stops working (ms since epoch). */
  readonly expiresAt: number;
}

export interface AlertImageOptions {
  readonly signal?: AbortSignal;
  /** Tries in all (a missing, expired or failing URL is asked for again). Default 3. */
  readonly attempts?: number;
  /** Pause before the second try, doubled after. Default 1 s. */
  readonly retryDelayMs?: number;
  /** Largest image accepted. Default 10 MiB. */
  readonly maxBytes?: number;
  /** Timeout of one fetch. Default the client's. */
  readonly timeoutMs?: number;
}

const BY_IDS_PATH = '/vision/customer/event/query/byeventids';

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function asError(error: unknown): LinkVisualError {
  return error instanceof LinkVisualError ? error : new LinkVisualError('MEDIA', error instanceof Error ? error.message : String(error));
}

// The event's picture URL as event/query/byeventids gives it now (a fresh signature).
async function lookUpPictureUrl(client: LinkVisualClient, event: CameraEvent, signal?: AbortSignal): Promise<string> {
  const data = await client.call('queryEventsByIds', { iotId: event.iotId, eventIds: [event.eventId], needAlarmPicture: true }, { signal });
  const list = isPlainObject(data) && Array.isArray(data.eventList) ? data.eventList : [];
  const found = list.find((item) => isPlainObject(item) && item.eventId === event.eventId);
  const url = isPlainObject(found) ? text(found.eventPicUrl) : undefined;
  if (!url) throw new LinkVisualError('NOT_READY', `event ${event.eventId} has no alert picture URL yet`, { path: BY_IDS_PATH, retryable: true });
  return url;
}

/**
 * Fetches the event's alert picture: its `eventPicUrl`, else (or once that URL expired) the URL
 * `event/query/byeventids` gives; transient failures are tried again a bounded number of times.
 */
export async function fetchAlertImage(client: LinkVisualClient, event: CameraEvent, options: AlertImageOptions = {}): Promise<AlertImage> {
  let url = text(event.fields.eventPicUrl);
  if (!url && event.fields.eventPicId === '') {
    throw new LinkVisualError('NOT_READY', `event ${event.eventId} has no alert picture`, { retryable: false });
  }
  const attempts = Math.max(1, options.attempts ?? 3);
  const retryDelayMs = options.retryDelayMs ?? 1000;
  let last: LinkVisualError | undefined;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    if (attempt > 0) await pause(retryDelayMs * 2 ** (attempt - 1), options.signal);
    if (options.signal?.aborted) throw new LinkVisualError('ABORTED', 'the image fetch was cancelled');
    try {
      url ??= await lookUpPictureUrl(client, event, options.signal);
      const media = await client.fetchMedia(url, { accept: ['image/'], maxBytes: options.maxBytes ?? 10 * 1024 * 1024, signal: options.signal, timeoutMs: options.timeoutMs });
      return { buffer: media.buffer, contentType: media.contentType, url, expiresAt: expiresAtFor(url, PICTURE_URL_FALLBACK_MS) };
    } catch (error) {
      const failure = asError(error);
      if (options.signal?.aborted || failure.code === 'ABORTED' || failure.code === 'CLOSED') throw failure;
      last = failure;
      if (failure.code === 'URL_EXPIRED' || failure.code === 'NOT_READY') url = undefined;
      else if (!failure.retryable) throw failure;
    }
  }
  throw last ?? new LinkVisualError('MEDIA', `event ${event.eventId}: no alert picture`);
}
