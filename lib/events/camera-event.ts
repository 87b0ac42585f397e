/** One camera event as the on-event feed handles it: the API's fields plus a numeric time. */
import { isPlainObject } from '../util/plain-object';
import { idSuffixMs } from '../client/paginate';

export interface CameraEvent {
  /** The cloud's id, `<32 hex>_<ms>` in practice; any non-empty text is accepted. */
  readonly eventId: string;
  readonly iotId: string;
  /** 1 motion, 2 sound, 3 human detection, intelligent types above 10000 (10005, 10006, 10009 …); unknown values pass through. */
  readonly eventType: number;
  /** Milliseconds since the epoch, from `eventTimeUTC` (whole seconds in the API) or a numeric `eventTime`. */
  readonly eventTime: number;
  /** The item as the API returned it. */
  readonly fields: Readonly<Record<string, unknown>>;
}

// The types whose meaning is known: the reference's three, and the person/vehicle detection a firmware
// sample posts as 10009 (docs/protocol.md §8.6). 10005 and 10006 occur in apps without a known meaning.
const TYPE_NAMES: Readonly<Record<number, string>> = { 1: 'motion', 2: 'sound', 3: 'human', 10009: 'personVehicle' };

/** `motion`, `sound`, `human`, `personVehicle`, or the number itself for a type nobody has named. */
export function eventTypeName(eventType: number): string {
  return TYPE_NAMES[eventType] ?? String(eventType);
}

/** `link-visual/<iotId>/<event type name>`: the topic of an event message. */
export function eventTopic(iotId: string, eventType: number): string {
  return `link-visual/${iotId}/${eventTypeName(eventType)}`;
}

/**
 * The event time in ms: `eventTimeUTC` (ISO text), else `eventTime` as ms (a number, or digits as
 * text); undefined when neither parses. A local `yyyy-MM-dd HH:mm:ss` eventTime alone is not read:
 * its time zone is the device's, which the answer does not say.
 */
export function eventTimeOf(item: Readonly<Record<string, unknown>>): number | undefined {
  const utc = item.eventTimeUTC;
  if (typeof utc === 'string' && utc !== '') {
    const ms = Date.parse(utc);
    if (Number.isFinite(ms)) return ms;
  }
  return epochMs(item.eventTime);
}

/** A time in ms since the epoch sent as a number or as digits (`"1733300000000"`); undefined for anything else. */
export function epochMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^\s*\d{9,16}\s*$/.test(value)) return Number(value);
  return undefined;
}

/** Reads one `eventList` item of event/query; undefined when it has no eventId. */
export function parseEvent(iotId: string, item: unknown, fallbackTime: number): CameraEvent | undefined {
  if (!isPlainObject(item)) return undefined;
  const eventId = item.eventId;
  if (typeof eventId !== 'string' || eventId === '') return undefined;
  const type = item.eventType === null || item.eventType === '' ? NaN : Number(item.eventType); // "10009" as text too
  return {
    eventId,
    iotId,
    eventType: Number.isFinite(type) ? type : 0,
    eventTime: eventTimeOf(item) ?? fallbackTime,
    fields: item,
  };
}

/**
 * Sorts by event time; within one time (the API's whole seconds) by the ms an id of the cloud's form
 * carries, else in the API's order (a stable sort): the cloud's list order varies, this does not.
 */
export function byEventTime(events: readonly CameraEvent[]): CameraEvent[] {
  return [...events].sort((a, b) => a.eventTime - b.eventTime || idSuffixMs(a.eventId) - idSuffixMs(b.eventId));
}
