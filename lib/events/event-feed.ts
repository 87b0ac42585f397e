/**
 * One on-event node's side of the shared poller: turns the pages of polls into deliveries, each
 * event exactly once. Per device, pages are queued and handled one batch at a time: events not yet
 * in the cursor are put in event-time order, judged by the cooldown, enriched (alert image, clip)
 * with bounded retries, handed on in order, and recorded in the cursor right after; the position
 * moves only once the whole batch is out.
 */
import type { LinkVisualClient } from '../client/client';
import { LinkVisualError } from '../gateway/errors';
import { fetchAlertImage, type AlertImage, type AlertImageOptions } from './alert-image';
import { byEventTime, type CameraEvent } from './camera-event';
import { TIME_RESOLUTION_MS, type CursorStore, type DeviceCursor } from './cursor-store';
import { fetchEventClip, type EventClip, type EventClipOptions } from './event-clip';
import type { EventPage } from './event-pages';
import type { EventPoller, EventSubscriber, PollReport } from './poller';

export type Startup = 'new' | 'backfill';

/** One event handed on by the feed. */
export interface FeedDelivery {
  readonly event: CameraEvent;
  /** Set when the cooldown held the event back (it then carries no image or clip). */
  readonly suppressed?: { readonly until: number; readonly count: number };
  readonly image?: AlertImage;
  readonly imageError?: LinkVisualError;
  readonly clip?: EventClip;
  readonly clipError?: LinkVisualError;
  /** When the poll page holding the event arrived. */
  readonly foundAt: number;
}

export interface EventFeedOptions {
  readonly id: string;
  /** Watched iotIds; undefined: every device of the account. */
  readonly devices: readonly string[] | undefined;
  /** 0 all, 1 motion, 2 sound, 3 human. */
  readonly eventType: number;
  readonly intervalMs: number;
  /** For a device without a cursor: from now (`new`) or from `backfillMs` ago (`backfill`). */
  readonly startup: Startup;
  readonly backfillMs: number;
  /** Per device: events within this long after one let through are suppressed (0: off). */
  readonly cooldownMs: number;
  readonly image: boolean;
  readonly clip: boolean;
  readonly store: CursorStore;
  readonly client: () => Promise<LinkVisualClient>;
  /** Hands one event on; the cursor records it as soon as this returns. */
  readonly emit: (delivery: FeedDelivery) => void;
  readonly imageOptions?: Omit<AlertImageOptions, 'signal'>;
  readonly clipOptions?: Omit<EventClipOptions, 'signal'>;
  /** Events enriched at once per device. Default 4. */
  readonly enrichConcurrency?: number;
  /** Every poll of a watched device. */
  readonly onPoll?: (report: PollReport) => void;
  /** The account's device list was read (or failed), for a feed of every device. */
  readonly onDevices?: (devices: readonly string[] | undefined, error?: LinkVisualError) => void;
  /** A failure while handing an event on (the event counts as delivered). */
  readonly onError?: (error: unknown, iotId: string) => void;
  /** When the feed's owner started (default: now); `new` cursors start here. */
  readonly startedAt?: number;
  readonly now?: () => number;
}

/** How one watched device is doing. */
export interface DeviceHealth {
  readonly iotId: string;
  /** When the feed started watching it. */
  readonly since: number;
  /** End of its last successful poll (0: none yet). */
  readonly lastOkAt: number;
  readonly lastError?: LinkVisualError;
  /** Its period in the scheduler (after the budget), if scheduled. */
  readonly periodMs?: number;
}

interface Batch {
  readonly events: Map<string, CameraEvent>;
  /** Where the scans behind it began (the earliest). */
  from: number;
  scannedTo: number;
  /** True once a page that ends its window is in it: only then may the cursor move and trim. */
  last: boolean;
  foundAt: number;
}

interface DeviceQueue {
  pending?: Batch;
  running?: Promise<void>;
}

interface Decision {
  readonly event: CameraEvent;
  readonly suppressed?: { until: number; count: number };
  readonly coolUntil?: number;
}

interface DeviceState {
  /** When the feed started watching the device (liveness counts from here). */
  since: number;
  /** Where a new cursor of the device starts (`new`): the feed's start, or the device list read before it appeared. */
  startAt: number;
  lastOkAt: number;
  lastError?: LinkVisualError;
}

/** A subscriber of the shared poller that delivers each event of its devices once. */
export class EventFeed implements EventSubscriber {
  readonly id: string;
  readonly devices: readonly string[] | undefined;
  readonly eventType: number;
  #intervalMs: number;
  readonly #options: EventFeedOptions;
  readonly #now: () => number;
  readonly #queues = new Map<string, DeviceQueue>();
  readonly #states = new Map<string, DeviceState>();
  readonly #controller = new AbortController();
  readonly #startedAt: number;
  #watched: readonly string[] | undefined;
  #startsFixed = false;
  #watchedSet = new Set<string>();
  #devicesError: LinkVisualError | undefined;
  #devicesReadAt = 0;
  #poller: EventPoller | undefined;
  #unsubscribe: (() => void) | undefined;
  #client: Promise<LinkVisualClient> | undefined;
  #closed = false;
  #delivered = 0;
  #suppressed = 0;

  constructor(options: EventFeedOptions) {
    this.#options = options;
    this.id = options.id;
    this.devices = options.devices;
    this.eventType = options.eventType;
    this.#intervalMs = options.intervalMs;
    this.#now = options.now ?? Date.now;
    this.#startedAt = options.startedAt ?? this.#now();
    this.#watched = options.devices;
    this.#watchedSet = new Set(options.devices ?? []);
    for (const iotId of options.devices ?? []) this.#state(iotId, this.#startedAt);
  }

  /** Subscribes to the account's poller. */
  start(poller: EventPoller): void {
    if (this.#closed || this.#unsubscribe) return;
    this.#poller = poller;
    this.#unsubscribe = poller.subscribe(this);
  }

  /** How often the poller reads this feed's devices (ms). */
  get intervalMs(): number {
    return this.#intervalMs;
  }

  /** Changes how often the devices are read (pushes on: the sweep; off: the poll interval) and reschedules them. */
  setIntervalMs(ms: number): void {
    if (!(ms > 0) || ms === this.#intervalMs) return;
    this.#intervalMs = ms;
    this.#poller?.refresh();
  }

  /** Polls a watched device now: a push said an event happened on it (at `eventTime`, when known). */
  nudge(iotId: string, eventTime?: number): void {
    if (this.#closed || !this.#watchedSet.has(iotId)) return;
    this.#poller?.nudge(iotId, eventTime);
  }

  /** Events handed on (not suppressed) since the feed started. */
  get delivered(): number {
    return this.#delivered;
  }

  /** Events held back by the cooldown since the feed started. */
  get suppressed(): number {
    return this.#suppressed;
  }

  /** The devices watched now (for every device: the account's list as last read). */
  watched(): readonly string[] | undefined {
    return this.#watched;
  }

  /** Per watched device: since when, its last good poll, its last error and its period. */
  health(): DeviceHealth[] {
    const list: DeviceHealth[] = [];
    for (const iotId of this.#watched ?? []) {
      const state = this.#state(iotId);
      list.push({ iotId, since: state.since, lastOkAt: state.lastOkAt, lastError: state.lastError, periodMs: this.#poller?.periodMs(iotId) });
    }
    return list;
  }

  /** For a feed of every device: when the device list was last read (0: never) and its last error. */
  deviceListHealth(): { since: number; readAt: number; error?: LinkVisualError } {
    return { since: this.#startedAt, readAt: this.#devicesReadAt, error: this.#devicesError };
  }

  /** Unsubscribes, cancels enrichment in progress and waits for the device queues to stop (the cursor keeps what was handed on). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#controller.abort(new LinkVisualError('ABORTED', 'the on-event node was closed'));
    await Promise.allSettled([...this.#queues.values()].map((queue) => queue.running));
    this.#queues.clear();
  }

  // ----- EventSubscriber --------------------------------------------------------------------

  windowStart(iotId: string): number {
    const cursor = this.#options.store.get(iotId);
    // No cursor yet: it is made with the first answer, once the server's clock is known (see #cursor).
    // Event times are whole seconds: one that happened just after the start may carry a time just before it.
    return (cursor ? this.#options.store.coveredFrom(cursor) : this.#start(iotId)) - TIME_RESOLUTION_MS;
  }

  deliver(iotId: string, page: EventPage): void {
    if (this.#closed) return;
    let queue = this.#queues.get(iotId);
    if (!queue) this.#queues.set(iotId, (queue = {}));
    const batch = (queue.pending ??= { events: new Map(), from: Infinity, scannedTo: -Infinity, last: false, foundAt: this.#now() });
    batch.last ||= page.last;
    batch.from = Math.min(batch.from, page.from ?? -Infinity);
    for (const event of page.events) if (!batch.events.has(event.eventId)) batch.events.set(event.eventId, event);
    batch.scannedTo = Math.max(batch.scannedTo, page.scannedTo);
    batch.foundAt = this.#now();
    if (!queue.running) this.#drain(iotId, queue);
  }

  pollDone(report: PollReport): void {
    const state = this.#state(report.iotId);
    if (report.ok) {
      state.lastOkAt = report.at;
      state.lastError = undefined;
      this.#fixStarts();
    } else {
      state.lastError = report.error;
    }
    this.#options.onPoll?.(report);
  }

  devicesChanged(devices: readonly string[] | undefined, error?: LinkVisualError): void {
    if (this.devices !== undefined) return;
    this.#devicesError = error;
    if (devices) {
      // Devices on the first list were there when the feed started; a later one appeared after the previous read.
      const startAt = this.#devicesReadAt === 0 ? this.#startedAt : this.#devicesReadAt;
      if (!error) this.#devicesReadAt = this.#now();
      this.#watched = devices;
      this.#watchedSet = new Set(devices);
      for (const iotId of devices) this.#state(iotId, startAt);
      if (this.#startsFixed) this.#fixStarts(true);
    }
    this.#options.onDevices?.(devices, error);
  }

  // ----- internals ---------------------------------------------------------------------------

  #state(iotId: string, startAt?: number): DeviceState {
    let state = this.#states.get(iotId);
    if (!state) {
      const now = this.#now();
      this.#states.set(iotId, (state = { since: now, startAt: startAt ?? now, lastOkAt: 0 }));
    }
    return state;
  }

  // A device without a cursor starts when the feed began watching it (`new`), or backfillMs before; the
  // local instant is put on the server's clock, which event times and positions follow.
  #start(iotId: string): number {
    const startAt = this.#state(iotId).startAt + (this.#poller?.clockOffsetMs() ?? 0);
    return this.#options.startup === 'backfill' ? startAt - Math.max(0, this.#options.backfillMs) : startAt;
  }

  // Once the server's clock is known (the first good answer), every watched device gets its cursor, and so
  // its start, in the store: a device whose first poll is still to come (push sweeps may be minutes apart)
  // keeps the start it had when the feed began across a redeploy or restart, so an event between the two
  // starts whose push was lost is still found.
  #fixStarts(again = false): void {
    if (this.#startsFixed && !again) return;
    this.#startsFixed = true;
    for (const iotId of this.#watched ?? []) this.#cursor(iotId);
  }

  #cursor(iotId: string): DeviceCursor {
    return this.#options.store.get(iotId) ?? this.#options.store.ensure(iotId, this.#start(iotId));
  }

  #drain(iotId: string, queue: DeviceQueue): void {
    queue.running = (async () => {
      while (queue.pending && !this.#closed) {
        const batch = queue.pending;
        queue.pending = undefined;
        await this.#process(iotId, batch);
      }
    })()
      .catch((error: unknown) => {
        if (!this.#closed) this.#options.onError?.(error, iotId);
      })
      .finally(() => {
        queue.running = undefined;
        // A failed batch left its events unconfirmed: the next poll brings them again.
        if (queue.pending && !this.#closed) this.#drain(iotId, queue);
      });
  }

  async #process(iotId: string, batch: Batch): Promise<void> {
    const { store } = this.#options;
    const cursor = this.#cursor(iotId);
    // A scan that began after the start of the cursor's window (a new cursor whose start moved earlier once
    // the server's clock was known) delivers what it found but moves nothing: the next poll covers the rest.
    const complete = batch.from <= store.coveredFrom(cursor) - TIME_RESOLUTION_MS;
    const fresh = byEventTime([...batch.events.values()]).filter(
      (event) => (this.eventType === 0 || event.eventType === this.eventType) && store.isNew(cursor, event.eventId, event.eventTime),
    );
    const decisions = this.#judge(cursor, fresh);
    const tasks = this.#enrichAll(decisions, batch.foundAt);
    for (let index = 0; index < tasks.length; index += 1) {
      const delivery = await tasks[index];
      if (this.#closed) return;
      try {
        this.#options.emit(delivery);
      } catch (error) {
        // Handed on as far as it could go: counted as delivered, so a failing flow cannot make it repeat forever.
        this.#options.onError?.(error, iotId);
      }
      store.record(cursor, delivery.event.eventId, delivery.event.eventTime, { suppressed: delivery.suppressed !== undefined, coolUntil: decisions[index].coolUntil });
      if (delivery.suppressed) this.#suppressed += 1;
      else this.#delivered += 1;
    }
    if (this.#closed) return;
    // Events handed on before their window ended (a failed poll) move nothing: the rest of the window may still
    // hold older ones, which trimming the recent ids now could make look already past.
    if (complete && batch.last) store.advance(cursor, batch.scannedTo);
  }

  // The cooldown, decided in event-time order from what the cursor last confirmed.
  #judge(cursor: DeviceCursor, events: readonly CameraEvent[]): Decision[] {
    const cooldownMs = this.#options.cooldownMs;
    if (!(cooldownMs > 0)) return events.map((event) => ({ event }));
    let coolUntil = cursor.coolUntil;
    let run = cursor.suppressedRun;
    return events.map((event) => {
      if (event.eventTime < coolUntil) {
        run += 1;
        return { event, suppressed: { until: coolUntil, count: run }, coolUntil };
      }
      run = 0;
      coolUntil = event.eventTime + cooldownMs;
      return { event, coolUntil };
    });
  }

  // Enrichment runs a few at a time; the returned promises resolve in any order and are awaited in order.
  #enrichAll(decisions: readonly Decision[], foundAt: number): Promise<FeedDelivery>[] {
    const limit = Math.max(1, this.#options.enrichConcurrency ?? 4);
    let active = 0;
    const waiting: (() => void)[] = [];
    const acquire = async (): Promise<void> => {
      while (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
      active += 1;
    };
    const release = () => {
      active -= 1;
      waiting.shift()?.();
    };
    const tasks = decisions.map(async (decision): Promise<FeedDelivery> => {
      const base = { event: decision.event, foundAt, ...(decision.suppressed ? { suppressed: decision.suppressed } : {}) };
      if (decision.suppressed || (!this.#options.image && !this.#options.clip)) return base;
      await acquire();
      try {
        if (this.#controller.signal.aborted) throw new LinkVisualError('ABORTED', 'the on-event node was closed');
        return { ...base, ...(await this.#enrich(decision.event)) };
      } finally {
        release();
      }
    });
    for (const task of tasks) task.catch(() => undefined); // awaited in order below; never unhandled
    return tasks;
  }

  async #enrich(event: CameraEvent): Promise<Partial<FeedDelivery>> {
    const signal = this.#controller.signal;
    let client: LinkVisualClient;
    try {
      this.#client ??= this.#options.client();
      client = await this.#client;
    } catch (error) {
      this.#client = undefined;
      const failure = error instanceof LinkVisualError ? error : new LinkVisualError('CONFIG', String(error));
      return { ...(this.#options.image ? { imageError: failure } : {}), ...(this.#options.clip ? { clipError: failure } : {}) };
    }
    const settle = <T>(work: Promise<T>) =>
      work.then(
        (value) => ({ value }),
        (error: unknown) => ({ error: error instanceof LinkVisualError ? error : new LinkVisualError('MEDIA', String(error)) }),
      );
    const [image, clip] = await Promise.all([
      this.#options.image ? settle(fetchAlertImage(client, event, { ...this.#options.imageOptions, signal })) : undefined,
      this.#options.clip ? settle(fetchEventClip(client, event, { ...this.#options.clipOptions, signal })) : undefined,
    ]);
    if (signal.aborted) throw new LinkVisualError('ABORTED', 'the on-event node was closed');
    const result: { image?: AlertImage; imageError?: LinkVisualError; clip?: EventClip; clipError?: LinkVisualError } = {};
    if (image) {
      if ('value' in image) result.image = image.value;
      else result.imageError = image.error;
    }
    if (clip) {
      if ('value' in clip) result.clip = clip.value;
      else result.clipError = clip.error;
    }
    return result;
  }
}
