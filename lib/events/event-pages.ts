/**
 * Reading one device's events over a time window, page by page. The window stays fixed and pages are
 * counted by `pageStart` while the answer says `nextValid`: the cloud lists events newest first (the
 * apps) or oldest first (the reference), and `nextBeginTime` has no reliable meaning (docs/protocol.md
 * §7), so nothing here depends on either. Events are told apart by `eventId`; a page shifted by an
 * event indexed meanwhile repeats one, which is dropped, and no page is skipped.
 */
import type { LinkVisualClient } from '../client/client';
import { morePagesFollow } from '../client/paginate';
import { isPlainObject } from '../util/plain-object';
import { LinkVisualError } from '../gateway/errors';
import { parseEvent, type CameraEvent } from './camera-event';

/** One page of a scan. */
export interface EventPage {
  /** The page's events not seen earlier in the scan (in the answer's order; callers sort). */
  readonly events: readonly CameraEvent[];
  /** Every event with a time up to here has been returned: the window's end on the last page, nothing certain (its start − 1) before. */
  readonly scannedTo: number;
  /** True on the page that ends the window. */
  readonly last: boolean;
  /** The start of the window the scan covers (a scan gone on from an earlier poll: where that one began). */
  readonly from?: number;
  /** Where the scan goes on after this page (pages before the last): the same window, the next `pageStart`. */
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
  /** Stop after this many pages (the caller resumes later from the last page's `next`). */
  readonly maxPages: number;
  /** Events per page, at most 100 (the API's limit). */
  readonly pageSize?: number;
  /** The eventIds the scan has seen so far (kept across a resumed scan); filled in here. */
  readonly seen?: Set<string>;
  readonly signal?: AbortSignal;
}

const QUERY_PATH = '/vision/customer/event/query';

/**
 * Queries `event/query` for the fixed window [beginTime, endTime], `pageStart` 0, 1, 2 … while more
 * pages follow, and yields each page's new events. Stops after `maxPages` without a `last` page, and
 * with an error when two full pages in a row bring nothing new (a cloud that ignores `pageStart`).
 */
export async function* scanEvents(client: LinkVisualClient, scan: EventScan): AsyncGenerator<EventPage, void, undefined> {
  if (scan.beginTime > scan.endTime) {
    yield { events: [], scannedTo: scan.endTime, last: true };
    return;
  }
  const pageSize = Math.min(100, Math.max(1, scan.pageSize ?? 100));
  const seen = scan.seen ?? new Set<string>();
  let pageStart = Math.max(0, Math.floor(scan.pageStart ?? 0));
  let stale = 0;
  for (let pages = 0; pages < scan.maxPages; pages += 1) {
    const data = await client.call(
      'queryEvents',
      { iotId: scan.iotId, beginTime: scan.beginTime, endTime: scan.endTime, eventType: scan.eventType, pageStart, pageSize },
      { signal: scan.signal },
    );
    if (data !== null && data !== undefined && !isPlainObject(data)) {
      throw new LinkVisualError('INVALID_RESPONSE', `${QUERY_PATH}: the answer is not an object`, { path: QUERY_PATH, retryable: true });
    }
    const list = isPlainObject(data) && Array.isArray(data.eventList) ? data.eventList : [];
    const events: CameraEvent[] = [];
    for (const item of list) {
      const event = parseEvent(scan.iotId, item, scan.endTime);
      if (!event || seen.has(event.eventId)) continue;
      seen.add(event.eventId);
      events.push(event);
    }
    if (!isPlainObject(data) || list.length === 0 || !morePagesFollow(data, 'nextValid', list.length, pageSize)) {
      yield { events, scannedTo: scan.endTime, last: true };
      return;
    }
    stale = events.length === 0 && list.length >= pageSize ? stale + 1 : 0;
    if (stale >= 2) {
      throw new LinkVisualError('INVALID_RESPONSE', `${QUERY_PATH}: pages ${pageStart - 1} and ${pageStart} repeat earlier events; stopped to avoid a loop`, {
        path: QUERY_PATH,
        retryable: false,
      });
    }
    pageStart += 1;
    yield { events, scannedTo: scan.beginTime - 1, last: false, next: { beginTime: scan.beginTime, pageStart } };
  }
}
