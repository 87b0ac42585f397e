/**
 * What to download, read from what flows carry: a recording (`{iotId, fileName, beginTimeUTC…}` from
 * `record/query`) or an event (`{iotId, eventId, eventTime…}` from the event poller or `event/query`).
 */
import { isPlainObject } from '../util/plain-object';
import { LinkVisualError } from '../gateway/errors';
import { numberOf } from '../gateway/numbers';
import { checkPathId } from './path-template';

/** One recording to download: by file name, or by the event that recorded it. */
export interface RecordingRequest {
  readonly iotId: string;
  readonly fileName?: string;
  readonly eventId?: string;
  /** The recording's start or the event's time (ms since epoch), for `{date}` and `{time}`. */
  readonly time?: number;
}

// Seconds or ms, as a number or numeric text (the cloud sends both, docs/protocol.md §8.2), or ISO text.
function epochMs(value: unknown): number | undefined {
  const numeric = numberOf(value);
  if (numeric !== undefined && numeric > 0) return numeric < 1e12 ? numeric * 1000 : numeric;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const ms = Date.parse(value);
    return Number.isFinite(ms) ? ms : undefined;
  }
  return undefined;
}

/** The moment an item stands for: `beginTimeUTC`, `eventTimeUTC`, or a numeric `beginTime`/`eventTime`. */
export function itemTime(item: Record<string, unknown>): number | undefined {
  for (const key of ['beginTimeUTC', 'eventTimeUTC', 'beginTime', 'eventTime']) {
    const ms = epochMs(item[key]);
    if (ms !== undefined) return ms;
  }
  return undefined;
}

/** Reads one item; `defaultIotId` serves items without their own (a `record/query` list has none). */
export function readRecordingRequest(item: unknown, defaultIotId?: unknown, field = 'payload'): RecordingRequest {
  if (!isPlainObject(item)) {
    throw new LinkVisualError('INVALID_PARAMS', `${field}: give {iotId, fileName} or {iotId, eventId}`, {
      problems: [{ path: field, message: 'must be an object with iotId and fileName or eventId' }],
    });
  }
  const iotId = checkPathId(`${field}.iotId`, item.iotId ?? defaultIotId);
  const hasFile = item.fileName !== undefined && item.fileName !== '';
  const hasEvent = item.eventId !== undefined && item.eventId !== '';
  if (!hasFile && !hasEvent) {
    throw new LinkVisualError('INVALID_PARAMS', `${field}: give fileName (a recording) or eventId (an event)`, {
      problems: [{ path: `${field}.fileName`, message: 'fileName or eventId is required' }],
    });
  }
  const eventFileName = typeof item.eventFileName === 'string' && item.eventFileName !== '' ? item.eventFileName : undefined;
  const fileName = hasFile ? checkPathId(`${field}.fileName`, item.fileName) : eventFileName === undefined ? undefined : checkPathId(`${field}.eventFileName`, eventFileName);
  const eventId = hasEvent ? checkPathId(`${field}.eventId`, item.eventId) : undefined;
  const time = itemTime(item);
  return { iotId, ...(fileName === undefined ? {} : { fileName }), ...(eventId === undefined ? {} : { eventId }), ...(time === undefined ? {} : { time }) };
}
