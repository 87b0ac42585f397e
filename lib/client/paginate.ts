/**
 * Reading a list operation page by page so that no order of the answer and no cursor value can skip
 * an item (docs/protocol.md §7): the caller's time window stays as given, pages are counted by the page
 * parameter, and items are told apart by the catalog's `idField`. A list that grows while it is read
 * shifts items between pages; with a fixed window that shows up as a repeat, which is dropped here,
 * never as a gap. `nextBeginTime` is not followed: its unit and meaning differ between readings.
 */
import type { Operation, PagingSpec } from '../catalog/types';
import { isPlainObject } from '../util/plain-object';
import { LinkVisualError } from '../gateway/errors';
import { numberOf } from '../gateway/numbers';

/** Fetches one page: the operation's `data` for these params. */
export type PageFetcher = (params: Record<string, unknown>) => Promise<unknown>;

export interface PaginateOptions {
  /** Stop with an error after this many pages (a server that never ends a list). Default 10,000. */
  readonly maxPages?: number;
}

function pageItems(operation: Operation, data: unknown, listField: string): unknown[] {
  if (data === null || data === undefined) return []; // the cloud answers `data: null` for an empty list
  if (!isPlainObject(data)) {
    throw new LinkVisualError('INVALID_RESPONSE', `${operation.path}: page is not an object`, { path: operation.path, retryable: true });
  }
  const list = data[listField];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) {
    throw new LinkVisualError('INVALID_RESPONSE', `${operation.path}: ${listField} is not a list`, { path: operation.path, retryable: true });
  }
  return list;
}

/** The key that identifies a list item: its `idField`, else the whole item (an item without an id is still not repeated). */
export function itemKey(paging: PagingSpec, item: unknown): string {
  if (isPlainObject(item)) {
    const id = item[paging.idField];
    if ((typeof id === 'string' && id !== '') || typeof id === 'number') return `id:${String(id)}`;
  }
  return `item:${JSON.stringify(item)}`;
}

/** Whether an answer says more pages follow: its `moreField` flag (boolean or "true"/"false") when it has one, else a full page. */
export function morePagesFollow(data: unknown, moreField: string | undefined, items: number, pageSize: number): boolean {
  const flag = moreField && isPlainObject(data) ? data[moreField] : undefined;
  if (flag === true || flag === 'true') return items > 0;
  if (flag === false || flag === 'false') return false;
  return items >= pageSize;
}

/**
 * Every item of every page, each once, in the order the pages bring them. Stops when the answer says
 * no more pages follow, on an empty page, once `totalField` items were covered, and with an error
 * when two full pages in a row bring nothing new (a server that ignores the page parameter).
 */
export async function* paginate(
  operation: Operation,
  params: Record<string, unknown>,
  fetchPage: PageFetcher,
  options: PaginateOptions = {},
): AsyncGenerator<unknown, void, undefined> {
  const paging = operation.paging;
  if (!paging) {
    throw new LinkVisualError('INVALID_PARAMS', `${operation.name} does not return pages`, { path: operation.path });
  }
  const maxPages = options.maxPages ?? 10_000;
  const pageSize = typeof params[paging.sizeParam] === 'number' ? (params[paging.sizeParam] as number) : paging.maxPageSize;
  const firstPage = typeof params[paging.pageParam] === 'number' ? (params[paging.pageParam] as number) : paging.pageBase;
  const seen = new Set<string>();
  let stale = 0;

  for (let pages = 0; ; pages += 1) {
    if (pages >= maxPages) {
      throw new LinkVisualError('INVALID_RESPONSE', `${operation.path}: more than ${maxPages} pages, stopped`, { path: operation.path });
    }
    const data = await fetchPage({ ...params, [paging.sizeParam]: pageSize, [paging.pageParam]: firstPage + pages });
    const items = pageItems(operation, data, paging.listField);
    let fresh = 0;
    for (const item of items) {
      const key = itemKey(paging, item);
      if (seen.has(key)) continue;
      seen.add(key);
      fresh += 1;
      yield item;
    }
    if (items.length === 0 || !morePagesFollow(data, paging.moreField, items.length, pageSize)) return;
    const total = paging.totalField && isPlainObject(data) ? numberOf(data[paging.totalField]) : undefined;
    if (total !== undefined && (pages + 1) * pageSize >= total) return;
    stale = fresh === 0 && items.length >= pageSize ? stale + 1 : 0;
    if (stale >= 2) {
      throw new LinkVisualError(
        'INVALID_RESPONSE',
        `${operation.path}: pages ${paging.pageParam} ${firstPage + pages - 1} and ${firstPage + pages} repeat earlier items; stopped to avoid a loop`,
        { path: operation.path, retryable: false },
      );
    }
  }
}

/** The time of a list item from the first of `timeFields` it carries (ms since the epoch), if any. */
export function itemTime(paging: PagingSpec, item: unknown): number | undefined {
  if (!isPlainObject(item)) return undefined;
  for (const field of paging.timeFields ?? []) {
    const ms = timeValue(item[field]);
    if (ms !== undefined) return ms;
  }
  return undefined;
}

/** A time as the cloud sends it: ms (number or numeric text), ISO text, or `yyyy-MM-dd HH:mm:ss` (read as UTC; only for ordering). */
export function timeValue(value: unknown): number | undefined {
  const numeric = numberOf(value);
  if (numeric !== undefined) return numeric;
  if (typeof value !== 'string' || value === '') return undefined;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$/.test(value) ? `${value.replace(' ', 'T')}Z` : value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The ms a real event id ends in (`<32 hex>_<ms>`, docs/protocol.md §8.5), finer than whole-second times; 0 for other ids. */
export function idSuffixMs(id: unknown): number {
  const match = typeof id === 'string' ? /_(\d{12,14})$/.exec(id) : null;
  return match ? Number(match[1]) : 0;
}

/**
 * A collected list oldest first by the catalog's time fields; within one time by the ms an id of the
 * cloud's form carries, else in the order read (stable). Items without a time follow the timed ones.
 */
export function oldestFirst(paging: PagingSpec, items: readonly unknown[]): unknown[] {
  if (!paging.timeFields || paging.timeFields.length === 0) return [...items];
  return items
    .map((item, index) => ({ item, index, time: itemTime(paging, item), ms: idSuffixMs(isPlainObject(item) ? item[paging.idField] : undefined) }))
    .sort((a, b) => (a.time ?? Infinity) - (b.time ?? Infinity) || a.ms - b.ms || a.index - b.index)
    .map((entry) => entry.item);
}
