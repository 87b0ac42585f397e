import type { Operation } from '../catalog/types';
import { isPlainObject } from '../catalog/validate';
import { LinkVisualError } from '../gateway/errors';

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

/**
 * Every item of every page, oldest page first. Page style counts pages from `pageBase`; cursor style
 * re-queries from `nextBeginTime` while `nextValid`, refusing a cursor that does not move forward
 * (it would loop forever), and counts pages when the answer carries no cursor.
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
  let pageIndex = typeof params[paging.pageParam] === 'number' ? (params[paging.pageParam] as number) : paging.pageBase;
  const cursor = paging.cursor;
  let cursorValue = cursor ? params[cursor.timeParam] : undefined;
  let seen = 0;

  for (let pages = 0; ; pages += 1) {
    if (pages >= maxPages) {
      throw new LinkVisualError('INVALID_RESPONSE', `${operation.path}: more than ${maxPages} pages, stopped`, { path: operation.path });
    }
    const request: Record<string, unknown> = { ...params, [paging.sizeParam]: pageSize, [paging.pageParam]: pageIndex };
    if (cursor && cursorValue !== undefined) request[cursor.timeParam] = cursorValue;
    const data = await fetchPage(request);
    const items = pageItems(operation, data, paging.listField);
    for (const item of items) yield item;
    seen += items.length;

    if (cursor) {
      const more = isPlainObject(data) ? data[cursor.validField] : undefined;
      if (more !== true) return;
      const next = isPlainObject(data) ? data[cursor.nextField] : undefined;
      if (typeof next === 'number' && Number.isFinite(next)) {
        if (typeof cursorValue === 'number' && next <= cursorValue) {
          throw new LinkVisualError(
            'INVALID_RESPONSE',
            `${operation.path}: paging cursor ${cursor.nextField} did not advance (${next}), stopped to avoid a loop`,
            { path: operation.path, retryable: false },
          );
        }
        cursorValue = next;
        continue;
      }
      if (items.length === 0) return;
      pageIndex += 1; // no cursor in the answer: fall back to counting pages
      continue;
    }

    if (items.length < pageSize || items.length === 0) return;
    const total = paging.totalField && isPlainObject(data) ? data[paging.totalField] : undefined;
    if (typeof total === 'number' && seen >= total) return;
    pageIndex += 1;
  }
}
