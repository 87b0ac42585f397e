/** Reading one device's events over a time window, page by page, oldest first. */
import type { LinkVisualClient } from '../client/client';
import { isPlainObject } from '../catalog/validate';
import { LinkVisualError } from '../gateway/errors';
import { byEventTime, parseEvent, type CameraEvent } from './camera-event';

/** One page of a scan. */
export interface EventPage {
  /** The page's events, by event time. */
  readonly events: readonly CameraEvent[];
  /** Every event with a time up to here has been returned by this page or an earlier one. */
  readonly scannedTo: number;
  /** True on the page that ends the window. */
  readonly last: boolean;
  /** The start of the window the scan covers (a scan gone on from an earlier poll: where that one began). */
  readonly from?: number;
  /** Where the scan goes on after this page (pages before the last): give it back as `beginTime` and `pageStart`. */
  readonly next?: { readonly beginTime: number; readonly pageStart: number };
}

export interface EventScan {
  readonly iotId: string;
  readonly beginTime: number;
  readonly endTime: number;
  /** The page to start at (a scan going on from a page's `next`). Default 0. */
  readonly pageStart?: number;
  /** 0 all, 1 motion, 2 sound, 3 human. */
  readonly eventType: number;
  /** Stop after this many pages (the caller resumes later from the last `scannedTo`). */
  readonly maxPages: number;
  /** Events per page, at most 100 (the API's limit). */
  readonly pageSize?: number;
  readonly signal?: AbortSignal;
}

const QUERY_PATH = '/vision/customer/event/query';

/**
 * Queries `event/query` for [beginTime, endTime], following `nextBeginTime` while `nextValid` (the
 * page index counts on when many events share the cursor's instant), and yields each page with how
 * far the scan is complete. Stops after `maxPages` without a `last` page.
 */
export async function* scanEvents(client: LinkVisualClient, scan: EventScan): AsyncGenerator<EventPage, void, undefined> {
  if (scan.beginTime > scan.endTime) {
    yield { events: [], scannedTo: scan.endTime, last: true };
    return;
  }
  const pageSize = Math.min(100, Math.max(1, scan.pageSize ?? 100));
  let begin = scan.beginTime;
  let pageStart = Math.max(0, Math.floor(scan.pageStart ?? 0));
  let scannedTo = scan.beginTime - 1;
  for (let pages = 0; pages < scan.maxPages; pages += 1) {
    const data = await client.call(
      'queryEvents',
      { iotId: scan.iotId, beginTime: begin, endTime: scan.endTime, eventType: scan.eventType, pageStart, pageSize },
      { signal: scan.signal },
    );
    if (data !== null && data !== undefined && !isPlainObject(data)) {
      throw new LinkVisualError('INVALID_RESPONSE', `${QUERY_PATH}: the answer is not an object`, { path: QUERY_PATH, retryable: true });
    }
    const list = isPlainObject(data) && Array.isArray(data.eventList) ? data.eventList : [];
    const events = byEventTime(list.map((item) => parseEvent(scan.iotId, item, scan.endTime)).filter((e): e is CameraEvent => e !== undefined));
    const more = isPlainObject(data) && data.nextValid === true;
    if (!more || list.length === 0) {
      yield { events, scannedTo: scan.endTime, last: true };
      return;
    }
    const next = data.nextBeginTime;
    if (typeof next === 'number' && Number.isFinite(next) && next > begin) {
      scannedTo = Math.max(scannedTo, Math.min(next - 1, scan.endTime));
      begin = next;
      pageStart = 0;
    } else {
      pageStart += 1; // more events at the cursor's instant than one page holds
    }
    yield { events, scannedTo, last: false, next: { beginTime: begin, pageStart } };
  }
}
