/** One camera event as the on-event feed handles it: the API's fields plus a numeric time. */
import { isPlainObject } from '../catalog/validate';

export interface CameraEvent {
  readonly eventId: string;
  readonly iotId: string;
  /** 1 motion, 2 sound, 3 human detection (other values pass through). */
  readonly eventType: number;
  /** Milliseconds since the epoch, from `eventTimeUTC` (whole seconds in the API). */
  readonly eventTime: number;
  /** The item as the API returned it. */
  readonly fields: Readonly<Record<string, unknown>>;
}

const TYPE_NAMES: Readonly<Record<number, string>> = { 1: 'motion', 2: 'sound', 3: 'human' };

/** `motion`, `sound`, `human`, or the number itself for a type the catalog does not name. */
export function eventTypeName(eventType: number): string {
  return TYPE_NAMES[eventType] ?? String(eventType);
}

/** `link-visual/<iotId>/<event type name>`: the topic of an event message. */
export function eventTopic(iotId: string, eventType: number): string {
  return `link-visual/${iotId}/${eventTypeName(eventType)}`;
}

/** The event time in ms: `eventTimeUTC` (ISO text), else a numeric `eventTime`; undefined when neither parses. */
export function eventTimeOf(item: Readonly<Record<string, unknown>>): number | undefined {
  const utc = item.eventTimeUTC;
  if (typeof utc === 'string' && utc !== '') {
    const ms = Date.parse(utc);
    if (Number.isFinite(ms)) return ms;
  }
  const raw = item.eventTime;
  if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
  return undefined;
}

/** Reads one `eventList` item of event/query; undefined when it has no eventId. */
export function parseEvent(iotId: string, item: unknown, fallbackTime: number): CameraEvent | undefined {
  if (!isPlainObject(item)) return undefined;
  const eventId = item.eventId;
  if (typeof eventId !== 'string' || eventId === '') return undefined;
  const type = Number(item.eventType);
  return {
    eventId,
    iotId,
    eventType: Number.isFinite(type) ? type : 0,
    eventTime: eventTimeOf(item) ?? fallbackTime,
    fields: item,
  };
}

/** Sorts by event time, keeping the API's order for equal times (a stable sort). */
export function byEventTime(events: readonly CameraEvent[]): CameraEvent[] {
  return [...events].sort((a, b) => a.eventTime - b.eventTime);
}
