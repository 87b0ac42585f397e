/** The recent events a dashboard timeline shows: deduplicated, newest first, bounded in number. */
import { createHash } from 'node:crypto';
import { isPlainObject } from '../util/plain-object';
import type { LinkVisualClient } from '../client/client';
import { eventTypeName, parseEvent, type CameraEvent } from './camera-event';

/** What the browser gets of one event: no URLs, no credentials, only what a card shows. */
export interface TimelineCard {
  /** Stable, URL-safe id of the event in this timeline (a hash of iotId and eventId). */
  readonly key: string;
  readonly eventId: string;
  readonly iotId: string;
  readonly eventType: number;
  readonly eventTypeName: string;
  /** Milliseconds since the epoch. */
  readonly eventTime: number;
  /** The camera's name when known (the account's device list, or the message's `deviceName`/`nickName`). */
  readonly deviceName?: string;
  /** False when the event is known to have no alert picture. */
  readonly picture: boolean;
}

/** One event of the timeline as the server keeps it: the API's fields and, when the message brought it, its picture. */
export interface TimelineEntry {
  readonly card: TimelineCard;
  readonly event: CameraEvent;
  image?: { readonly buffer: Buffer; readonly contentType: string };
}

/** The key of an event: the first 20 hex of sha1(iotId, eventId). */
export function timelineKey(iotId: string, eventId: string): string {
  return createHash('sha1').update(`${iotId}\n${eventId}`).digest('hex').slice(0, 20);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * Reads the event a message carries: `msg.payload` of link-visual-on-event (or any object with
 * `eventId` and `iotId`); undefined for anything else.
 */
export function eventFromPayload(payload: unknown, now: number = Date.now()): CameraEvent | undefined {
  if (!isPlainObject(payload)) return undefined;
  const iotId = text(payload.iotId);
  if (!iotId) return undefined;
  return parseEvent(iotId, payload, now);
}

/** Events newest first, at most `limit`; adding a known event (same iotId and eventId) updates it in place. */
export class EventTimeline {
  readonly #entries = new Map<string, TimelineEntry>();
  #order: TimelineEntry[] = [];

  constructor(readonly limit: number) {
    if (!(Number.isInteger(limit) && limit > 0)) throw new RangeError(`timeline limit must be a positive integer, got ${limit}`);
  }

  /** Adds (or updates) an event; returns its entry, or undefined when it is older than every kept event of a full timeline. */
  add(event: CameraEvent, options: { deviceName?: string; image?: { buffer: Buffer; contentType: string } } = {}): TimelineEntry | undefined {
    const key = timelineKey(event.iotId, event.eventId);
    const deviceName = options.deviceName ?? text(event.fields.deviceName) ?? text(event.fields.nickName);
    const card: TimelineCard = {
      key,
      eventId: event.eventId,
      iotId: event.iotId,
      eventType: event.eventType,
      eventTypeName: eventTypeName(event.eventType),
      eventTime: event.eventTime,
      ...(deviceName ? { deviceName } : {}),
      // An empty eventPicId is the API saying "no picture" (alert-image.ts reads it the same way).
      picture: !(event.fields.eventPicId === '' && !text(event.fields.eventPicUrl)),
    };
    const known = this.#entries.get(key);
    const entry: TimelineEntry = { card, event, image: options.image ?? known?.image };
    if (!known && this.#order.length >= this.limit && event.eventTime < this.#order[this.#order.length - 1].card.eventTime) return undefined;
    this.#entries.set(key, entry);
    this.#order = [...this.#order.filter((e) => e.card.key !== key), entry].sort((a, b) => b.card.eventTime - a.card.eventTime);
    for (const dropped of this.#order.splice(this.limit)) this.#entries.delete(dropped.card.key);
    return entry;
  }

  /** Gives cards a camera name learnt later (the account's device list). */
  nameDevices(names: ReadonlyMap<string, string>): void {
    for (const entry of this.#order) {
      const name = names.get(entry.card.iotId);
      if (name && !entry.card.deviceName) {
        const named: TimelineEntry = { ...entry, card: { ...entry.card, deviceName: name } };
        this.#entries.set(entry.card.key, named);
        this.#order[this.#order.indexOf(entry)] = named;
      }
    }
  }

  /** Whether the timeline holds this event. */
  has(iotId: string, eventId: string): boolean {
    return this.#entries.has(timelineKey(iotId, eventId));
  }

  get(key: string): TimelineEntry | undefined {
    return this.#entries.get(key);
  }

  /** The cards, newest first. */
  cards(): TimelineCard[] {
    return this.#order.map((entry) => entry.card);
  }

  get size(): number {
    return this.#order.length;
  }

  clear(): void {
    this.#entries.clear();
    this.#order = [];
  }
}

/**
 * The events of the last `sinceMs` of each camera (`event/query`, all pages), for a timeline that fills
 * itself at start; newest first, at most `limit`.
 */
export async function recentEvents(client: LinkVisualClient, iotIds: readonly string[], sinceMs: number, limit: number, signal?: AbortSignal): Promise<CameraEvent[]> {
  const endTime = Math.floor(client.serverNow()); // the clock offset can be fractional; the API wants whole ms
  const found: CameraEvent[] = [];
  for (const iotId of iotIds) {
    const items = await client.list('queryEvents', { iotId, beginTime: Math.max(0, endTime - sinceMs), endTime }, { signal });
    for (const item of items) {
      const event = parseEvent(iotId, item, endTime);
      if (event) found.push(event);
    }
  }
  return found.sort((a, b) => b.eventTime - a.eventTime).slice(0, limit);
}
