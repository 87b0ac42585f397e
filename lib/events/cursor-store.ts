/**
 * The persistent cursor of one on-event node: per device, the position up to which every visible
 * event was delivered and the ids of the events delivered recently (those a query that reaches back
 * `overlapMs` before the position can return again). Saved atomically (temp file + rename) under the
 * Node-RED user directory, so a restart resumes where it stopped.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isPlainObject } from '../util/plain-object';
import { readJsonFile, removeStaleTempFiles, writeFileAtomic } from '../files/atomic-write';

/** The API gives event times in whole seconds: an event's true time is up to this much later. */
export const TIME_RESOLUTION_MS = 1000;
const FORMAT = 'link-visual-on-event-cursor';
const VERSION = 1;

export interface CursorStoreOptions {
  /** How far before the position every query reaches (late-indexed events, clock skew). */
  readonly overlapMs: number;
  /** Most event ids remembered per device; beyond it the oldest go and nothing that old is queried again. Default 1000. */
  readonly maxRecent?: number;
  /** Delay of a save that only moves positions (no event delivered). Default 5 s. */
  readonly lazySaveMs?: number;
  /** Reports a save that failed or a file that could not be read. */
  readonly warn?: (message: string) => void;
}

/** What the cursor knows about one device. */
export interface DeviceCursor {
  /** No event before this time is delivered: the first start (`new`) or the backfill start. */
  floor: number;
  /** Every event visible up to this time was delivered (the end of the last complete scan). */
  position: number;
  /** Raised when the recent-id set overflowed: nothing before it is queried or accepted again. */
  trimmedTo: number;
  /** Delivered eventId → eventTime; complete for every event at or after `coveredFrom − TIME_RESOLUTION_MS`. */
  readonly recent: Map<string, number>;
  /** Cooldown: events before this time are suppressed (0: none). */
  coolUntil: number;
  /** Events suppressed since the last one let through. */
  suppressedRun: number;
  delivered: number;
  suppressed: number;
  lastEventId?: string;
  lastEventTime?: number;
}

interface StoredDevice {
  floor: number;
  position: number;
  trimmedTo: number;
  coolUntil: number;
  suppressedRun: number;
  delivered: number;
  suppressed: number;
  last?: { eventId: string; eventTime: number };
  recent: [string, number][];
}

function storedDevice(cursor: DeviceCursor): StoredDevice {
  return {
    floor: cursor.floor,
    position: cursor.position,
    trimmedTo: cursor.trimmedTo,
    coolUntil: cursor.coolUntil,
    suppressedRun: cursor.suppressedRun,
    delivered: cursor.delivered,
    suppressed: cursor.suppressed,
    ...(cursor.lastEventId !== undefined ? { last: { eventId: cursor.lastEventId, eventTime: cursor.lastEventTime ?? 0 } } : {}),
    recent: [...cursor.recent].sort((a, b) => a[1] - b[1]),
  };
}

/** `<userDir>/link-visual/on-event-<nodeId>.json`: where a node's cursor lives. */
export function cursorFilePath(userDir: string, nodeId: string): string {
  return path.join(userDir, 'link-visual', `on-event-${nodeId.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
}

function finite(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function readDevice(raw: unknown, storedOverlapMs: number): DeviceCursor | undefined {
  if (!isPlainObject(raw)) return undefined;
  const position = finite(raw.position, NaN);
  if (!Number.isFinite(position)) return undefined;
  const floor = finite(raw.floor, position);
  const recent = new Map<string, number>();
  if (Array.isArray(raw.recent)) {
    for (const entry of raw.recent) {
      if (Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'number') recent.set(entry[0], entry[1]);
    }
  }
  const last = isPlainObject(raw.last) && typeof raw.last.eventId === 'string' ? raw.last : undefined;
  return {
    floor,
    position,
    // The ids were kept for the overlap in force when saved: a longer overlap now must not reach past them.
    trimmedTo: Math.max(finite(raw.trimmedTo, floor), position - storedOverlapMs),
    recent,
    coolUntil: finite(raw.coolUntil, 0),
    suppressedRun: finite(raw.suppressedRun, 0),
    delivered: finite(raw.delivered, 0),
    suppressed: finite(raw.suppressed, 0),
    lastEventId: last ? String(last.eventId) : undefined,
    lastEventTime: last ? finite(last.eventTime, 0) : undefined,
  };
}

/** One node's cursors, in memory and (when a file is given) on disk. */
export class CursorStore {
  readonly #devices = new Map<string, DeviceCursor>();
  // Each device's entry as last written, and the devices changed since: a save re-serialises only those,
  // so saving after an event costs little more with 10,000 cameras than with ten.
  readonly #ids = new Map<DeviceCursor, string>();
  readonly #entries = new Map<string, string>();
  readonly #changed = new Set<string>();
  readonly #file: string | undefined;
  readonly #overlapMs: number;
  readonly #maxRecent: number;
  readonly #lazySaveMs: number;
  readonly #warn: (message: string) => void;
  #dirty = false;
  /** A delivered event is among the unsaved changes: it is written at once, not after the lazy delay. */
  #urgent = false;
  #writing: Promise<void> | undefined;
  #lazyTimer: NodeJS.Timeout | undefined;
  #failedWrites = 0;
  #closed = false;

  private constructor(file: string | undefined, options: CursorStoreOptions) {
    this.#file = file;
    this.#overlapMs = Math.max(0, options.overlapMs);
    this.#maxRecent = Math.max(10, options.maxRecent ?? 1000);
    this.#lazySaveMs = options.lazySaveMs ?? 5000;
    this.#warn = options.warn ?? (() => undefined);
  }

  /** Loads the cursor file (none yet: empty; unreadable: moved aside as `.corrupt-<time>` and reported). */
  static async open(file: string | undefined, options: CursorStoreOptions): Promise<CursorStore> {
    const store = new CursorStore(file, options);
    if (!file) return store;
    removeStaleTempFiles(file);
    let data: unknown;
    try {
      data = await readJsonFile(file);
    } catch (error) {
      const aside = `${file}.corrupt-${Date.now()}`;
      await fs.rename(file, aside).catch(() => undefined);
      store.#warn(`the event cursor ${file} could not be read (${(error as Error).message}); moved to ${aside}, starting afresh`);
      return store;
    }
    if (data === undefined) return store;
    if (!isPlainObject(data) || data.format !== FORMAT || !isPlainObject(data.devices)) {
      store.#warn(`the event cursor ${file} is not a cursor file; starting afresh`);
      return store;
    }
    const storedOverlap = finite(data.overlapMs, store.#overlapMs);
    for (const [iotId, raw] of Object.entries(data.devices)) {
      const cursor = readDevice(raw, storedOverlap);
      if (cursor) {
        store.#devices.set(iotId, cursor);
        store.#ids.set(cursor, iotId);
        store.#prune(cursor);
      }
    }
    return store;
  }

  /** The file the cursor is saved to (undefined: memory only). */
  get file(): string | undefined {
    return this.#file;
  }

  /** The overlap every query of this cursor reaches back. */
  get overlapMs(): number {
    return this.#overlapMs;
  }

  /** The cursor of a device, if it has one. */
  get(iotId: string): DeviceCursor | undefined {
    return this.#devices.get(iotId);
  }

  /** The cursor of a device, created with `start` as floor and position when it has none. */
  ensure(iotId: string, start: number): DeviceCursor {
    let cursor = this.#devices.get(iotId);
    if (!cursor) {
      cursor = { floor: start, position: start, trimmedTo: start, recent: new Map(), coolUntil: 0, suppressedRun: 0, delivered: 0, suppressed: 0 };
      this.#devices.set(iotId, cursor);
      this.#ids.set(cursor, iotId);
      this.#markDirty(false, cursor);
    }
    return cursor;
  }

  /** The devices that have a cursor. */
  devices(): string[] {
    return [...this.#devices.keys()];
  }

  /** The earliest event time a query must cover for this device: max(floor, trimmedTo, position − overlap). */
  coveredFrom(cursor: DeviceCursor): number {
    return Math.max(cursor.floor, cursor.trimmedTo, cursor.position - this.#overlapMs);
  }

  /** Whether an event found by a query is one not delivered yet (and not before the covered window). */
  isNew(cursor: DeviceCursor, eventId: string, eventTime: number): boolean {
    return eventTime >= this.coveredFrom(cursor) - TIME_RESOLUTION_MS && !cursor.recent.has(eventId);
  }

  /** Records an event as delivered (emitted, or suppressed and counted) and saves soon. */
  record(cursor: DeviceCursor, eventId: string, eventTime: number, outcome: { suppressed: boolean; coolUntil?: number }): void {
    cursor.recent.set(eventId, eventTime);
    if (outcome.suppressed) {
      cursor.suppressed += 1;
      cursor.suppressedRun += 1;
    } else {
      cursor.delivered += 1;
      cursor.suppressedRun = 0;
    }
    if (outcome.coolUntil !== undefined) cursor.coolUntil = outcome.coolUntil;
    if (cursor.lastEventTime === undefined || eventTime >= cursor.lastEventTime) {
      cursor.lastEventId = eventId;
      cursor.lastEventTime = eventTime;
    }
    this.#markDirty(true, cursor);
  }

  /**
   * Moves the position forward after a scan up to `scannedTo` was delivered completely, then keeps at
   * most `maxRecent` ids. Trimming waits for a complete scan: within one, events may come in any time
   * order (the cloud's list order varies), and forgetting the oldest ids earlier could refuse an
   * older event of the same window that is still to come.
   */
  advance(cursor: DeviceCursor, scannedTo: number): void {
    if (scannedTo > cursor.position) {
      cursor.position = scannedTo;
      this.#prune(cursor);
      this.#markDirty(false, cursor);
    }
    if (cursor.recent.size > this.#maxRecent) {
      this.#trim(cursor);
      this.#markDirty(false, cursor);
    }
  }

  /** Writes pending changes now and waits for them. */
  async flush(): Promise<void> {
    if (this.#lazyTimer) clearTimeout(this.#lazyTimer);
    this.#lazyTimer = undefined;
    if (!this.#file) return;
    for (let round = 0; round < 3 && (this.#dirty || this.#writing); round += 1) {
      if (!this.#writing) this.#kick();
      await this.#writing;
    }
  }

  /** Flushes and stops saving (later changes stay in memory). */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    if (this.#lazyTimer) clearTimeout(this.#lazyTimer);
    this.#lazyTimer = undefined;
  }

  /** The file's JSON (also what tests inspect). */
  toJSON(): Record<string, unknown> {
    const devices: Record<string, StoredDevice> = {};
    for (const [iotId, cursor] of this.#devices) devices[iotId] = storedDevice(cursor);
    return { format: FORMAT, version: VERSION, savedAt: Date.now(), overlapMs: this.#overlapMs, devices };
  }

  // The file's text, the same as JSON.stringify(toJSON()), from the entries kept since the last save.
  #fileText(): string {
    const entries: string[] = [];
    for (const [iotId, cursor] of this.#devices) {
      let entry = this.#entries.get(iotId);
      if (entry === undefined || this.#changed.has(iotId)) {
        entry = `${JSON.stringify(iotId)}:${JSON.stringify(storedDevice(cursor))}`;
        this.#entries.set(iotId, entry);
      }
      entries.push(entry);
    }
    this.#changed.clear();
    const head = JSON.stringify({ format: FORMAT, version: VERSION, savedAt: Date.now(), overlapMs: this.#overlapMs });
    return `${head.slice(0, -1)},"devices":{${entries.join(',')}}}`;
  }

  // Drops the ids no query can return again: older than the covered window (minus the time resolution).
  #prune(cursor: DeviceCursor): void {
    const limit = this.coveredFrom(cursor) - TIME_RESOLUTION_MS;
    for (const [eventId, time] of cursor.recent) if (time < limit) cursor.recent.delete(eventId);
  }

  // Too many ids inside the window: forget the oldest and never look that far back again.
  #trim(cursor: DeviceCursor): void {
    const sorted = [...cursor.recent].sort((a, b) => a[1] - b[1]);
    const drop = sorted.slice(0, sorted.length - this.#maxRecent);
    const newestDropped = drop[drop.length - 1][1];
    cursor.trimmedTo = Math.max(cursor.trimmedTo, newestDropped + TIME_RESOLUTION_MS + 1);
    this.#prune(cursor);
  }

  #markDirty(urgent: boolean, cursor: DeviceCursor): void {
    const iotId = this.#ids.get(cursor);
    if (iotId !== undefined) this.#changed.add(iotId);
    if (!this.#file || this.#closed) return;
    this.#dirty = true;
    if (urgent) {
      this.#urgent = true;
      this.#kick();
      return;
    }
    if (!this.#lazyTimer && !this.#writing) {
      this.#lazyTimer = setTimeout(() => {
        this.#lazyTimer = undefined;
        this.#kick();
      }, this.#lazySaveMs);
    }
  }

  // One write at a time; changes made during a write are saved by the next round of the same loop.
  #kick(): void {
    if (this.#writing || !this.#file) return;
    if (this.#lazyTimer) clearTimeout(this.#lazyTimer);
    this.#lazyTimer = undefined;
    const file = this.#file;
    this.#writing = (async () => {
      // Again at once only for an event delivered meanwhile: positions that moved during the write wait for
      // the lazy delay, or a busy account (every poll moves one) would rewrite the file back to back.
      for (let first = true; this.#dirty && (first || this.#urgent); first = false) {
        this.#dirty = false;
        this.#urgent = false;
        try {
          await writeFileAtomic(file, this.#fileText());
          this.#failedWrites = 0;
        } catch (error) {
          this.#dirty = true;
          this.#failedWrites += 1;
          if (this.#failedWrites === 1) this.#warn(`could not save the event cursor ${file}: ${(error as Error).message}`);
          break;
        }
      }
    })()
      .catch(() => undefined)
      .finally(() => {
        this.#writing = undefined;
        // A failed write is tried again later rather than in a tight loop; positions wait their turn.
        if (this.#dirty && !this.#closed && !this.#lazyTimer) {
          this.#lazyTimer = setTimeout(() => {
            this.#lazyTimer = undefined;
            this.#kick();
          }, this.#lazySaveMs);
        }
      });
  }
}
