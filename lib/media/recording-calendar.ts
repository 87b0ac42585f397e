/** A camera's cloud recordings as a calendar shows them: the days of a month that have some, a day's files. */
import type { LinkVisualClient } from '../client/client';
import { isPlainObject } from '../util/plain-object';
import { LinkVisualError } from '../gateway/errors';

/** One recording file of a day. */
export interface DayRecording {
  readonly fileName: string;
  /** Milliseconds since the epoch. */
  readonly begin: number;
  readonly end: number;
  /** 0 scheduled, 1 alert, 2 manual, 3 recorded while watching. */
  readonly recordType: number;
}

/** `yyyyMM`, checked: a month from 1970 to 2999. */
export function monthText(text: string): string {
  if (!/^(19[7-9]\d|2\d{3})(0[1-9]|1[0-2])$/.test(text)) throw new LinkVisualError('INVALID_PARAMS', `month must be yyyyMM, got ${JSON.stringify(text)}`);
  return text;
}

/**
 * The days of `month` (yyyyMM) with recordings (`monthrecord/query`), as day numbers from 1; counted in
 * `timeZone` (whole hours east of UTC) when given, else in the device's own zone.
 */
export async function recordingDays(client: LinkVisualClient, iotId: string, month: string, timeZone?: number, signal?: AbortSignal): Promise<number[]> {
  const params: Record<string, unknown> = { iotId, month: monthText(month) };
  if (timeZone !== undefined) params.timeZone = timeZone;
  const data = await client.call('queryMonthRecordings', params, { signal });
  const flags = isPlainObject(data) && typeof data.recordFlags === 'string' ? data.recordFlags : '';
  const days: number[] = [];
  for (let i = 0; i < flags.length; i += 1) if (flags[i] === '1') days.push(i + 1);
  return days;
}

function utcMs(item: Record<string, unknown>, utcField: string): number | undefined {
  const text = item[utcField];
  const ms = typeof text === 'string' ? Date.parse(text) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/** The recordings between two instants (ms), all pages of `record/query`, oldest first. */
export async function recordingsBetween(client: LinkVisualClient, iotId: string, from: number, to: number, signal?: AbortSignal): Promise<DayRecording[]> {
  if (!(Number.isFinite(from) && Number.isFinite(to) && from >= 0 && to > from)) throw new LinkVisualError('INVALID_PARAMS', 'the range needs from < to, in ms since the epoch');
  const items = await client.list('queryRecordings', { iotId, beginTime: Math.floor(from / 1000), endTime: Math.ceil(to / 1000) }, { signal });
  const out: DayRecording[] = [];
  for (const item of items) {
    if (!isPlainObject(item) || typeof item.fileName !== 'string' || item.fileName === '') continue;
    const begin = utcMs(item, 'beginTimeUTC');
    const end = utcMs(item, 'endTimeUTC');
    if (begin === undefined || end === undefined) continue; // the local times alone do not say their zone
    out.push({ fileName: item.fileName, begin, end, recordType: Number(item.recordType) || 0 });
  }
  return out.sort((a, b) => a.begin - b.begin);
}
