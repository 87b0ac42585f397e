/**
 * The shared event scheduler of one account. Every on-event subscriber of the account registers the
 * devices it watches; each device is polled once per period whoever watches it (the shortest interval
 * of its subscribers), with one `event/query` window that covers what every subscriber still needs.
 * Polls are spread evenly over the period (no burst), stay within `POLL_SHARE` of the account's rate
 * limit (periods stretch when they would not) and stop together while the account backs off after
 * throttling.
 */
import type { LinkVisualClient } from '../client/client';
import { LinkVisualError } from '../gateway/errors';
import { listAccountDevices } from './account-devices';
import { byEventTime, type CameraEvent } from './camera-event';
import { DueQueue } from './due-queue';
import { scanEvents, type EventPage } from './event-pages';
import { POLL_SHARE, pollBudget, type PollBudget } from './poll-budget';

/** The outcome of one poll of one device. */
export interface PollReport {
  readonly iotId: string;
  readonly ok: boolean;
  /** When the poll ended. */
  readonly at: number;
  /** The end of the queried window (ok polls). */
  readonly scannedTo?: number;
  /** Events the poll returned (before de-duplication). */
  readonly events: number;
  readonly pages: number;
  /** True when the window was not finished (too many pages): the device is polled again soon. */
  readonly behind?: boolean;
  readonly error?: LinkVisualError;
}

/** One consumer of the scheduler (an on-event node's feed). */
export interface EventSubscriber {
  readonly id: string;
  /** The iotIds it watches; undefined: every device of the account (refreshed periodically). */
  readonly devices: readonly string[] | undefined;
  /** 0 all, 1 motion, 2 sound, 3 human. */
  readonly eventType: number;
  readonly intervalMs: number;
  /** The earliest event time it still needs for a device; asked before every poll of the device. */
  windowStart(iotId: string): number;
  /** One page of a poll of one of its devices: its events (of its type, by time) and how far the scan is complete. */
  deliver(iotId: string, page: EventPage): void;
  /** Every poll of one of its devices, ok or not. */
  pollDone?(report: PollReport): void;
  /** The account's device list changed or could not be read (subscribers of every device only). */
  devicesChanged?(devices: readonly string[] | undefined, error?: LinkVisualError): void;
}

export interface EventPollerOptions {
  /** The account's client (created on first use). */
  readonly client: () => Promise<LinkVisualClient>;
  /** The account's rate limit in requests per second. */
  readonly rateLimit: number;
  /** Share of the rate limit polls may use. Default `POLL_SHARE` (0.8). */
  readonly share?: number;
  /** How often the device list of "every device" subscribers is read again. Default 10 min. */
  readonly deviceRefreshMs?: number;
  /** Pages one poll may read; a longer backlog continues at the next poll, soon after. Default 20 (2,000 events). */
  readonly maxPagesPerPoll?: number;
  /** Polls in flight at once. Default 16. */
  readonly maxConcurrentPolls?: number;
}

// The schedule runs on the monotonic clock (setting the wall clock must not stall or burst polls); query
// windows and positions are the server's time (the client's `serverNow`); reports carry the wall clock.
interface Slot {
  readonly iotId: string;
  readonly subscribers: Set<EventSubscriber>;
  periodMs: number;
  /** Position in the period, 0 ≤ phase < 1: spreads the devices of one period evenly. */
  phase: number;
  nextDueAt: number;
  lastStartAt: number;
  /** Wall-clock time the last successful poll ended. */
  lastOkAt: number;
  failures: number;
  /** A scan that stopped at the page limit, to go on from at the next poll (same window end, so pages stay put). */
  resume?: ScanResume;
  /** A push said an event happened at `since`: poll now, then retry briefly until a poll finds it indexed. */
  nudge?: { since: number; retry: number; at: number };
  controller?: AbortController;
}

/** Where a scan cut short by the page limit goes on, and what it found so far. */
interface ScanResume {
  readonly beginTime: number;
  readonly pageStart: number;
  readonly endTime: number;
  readonly eventType: number;
  /** Where the scan began (the window start; pages of a fixed window say nothing about time until the last). */
  readonly from: number;
  /** Who the scan is for: only they may have the rest without the start. */
  readonly subscribers: ReadonlySet<EventSubscriber>;
  /** Events found and not handed on yet: a window is handed on whole, in time order, whatever the cloud's list order. */
  readonly held: Map<string, CameraEvent>;
  /** Every eventId the scan has seen (a repeat on a shifted page is dropped). */
  readonly seen: Set<string>;
}

const CATCH_UP_DELAY_MS = 200;
// After a push, the event may not be indexed yet: polls follow at these delays until one finds it.
const NUDGE_RETRY_MS = [250, 500, 1000, 2000, 4000];
// Events of one unfinished window held at most; beyond it they are handed on early (nothing is lost, only their order).
const MAX_HELD_EVENTS = 20_000;
const MAX_PENALTY_MS = 10 * 60_000;
// A device list that could not be read is asked for again soon, then less often (1 s, 2 s, 4 s … 60 s).
const DEVICE_RETRY_FIRST_MS = 1000;
const DEVICE_RETRY_MAX_MS = 60_000;
const DUE_TOLERANCE_MS = 2;
const TRANSIENT_CODES = new Set(['THROTTLED', 'TIMEOUT', 'NETWORK', 'GATEWAY', 'INVALID_RESPONSE']);

function asError(error: unknown): LinkVisualError {
  if (error instanceof LinkVisualError) return error;
  return new LinkVisualError('API_ERROR', error instanceof Error ? error.message : String(error), { cause: error });
}

function safely(work: () => void): void {
  try {
    work();
  } catch {
    // A subscriber's failure must not stop the scheduler; subscribers report their own errors.
  }
}

/** The per-account scheduler of event polls. */
export class EventPoller {
  readonly #options: EventPollerOptions;
  readonly #subscribers = new Set<EventSubscriber>();
  readonly #slots = new Map<string, Slot>();
  // The slots by due time: the next poll is found without a scan of every device.
  readonly #queue = new DueQueue<Slot>((slot) => !slot.controller && this.#slots.get(slot.iotId) === slot);
  readonly #polls = new Set<Promise<void>>();
  readonly #anchor: number;
  #budget: PollBudget;
  #client: LinkVisualClient | undefined;
  #connecting: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running = 0;
  #accountDevices: string[] | undefined;
  #devicesError: LinkVisualError | undefined;
  #deviceTimer: NodeJS.Timeout | undefined;
  #deviceController: AbortController | undefined;
  #deviceRefresh: Promise<void> | undefined;
  #deviceFailures = 0;
  #closed = false;

  constructor(options: EventPollerOptions) {
    this.#options = options;
    this.#anchor = this.#now();
    this.#budget = pollBudget([], options.rateLimit, options.share ?? POLL_SHARE);
  }

  /** Adds a subscriber; returns the function that removes it. */
  subscribe(subscriber: EventSubscriber): () => void {
    if (this.#closed) throw new LinkVisualError('CLOSED', 'the event poller is closed');
    this.#subscribers.add(subscriber);
    if (subscriber.devices === undefined) {
      if (this.#accountDevices || this.#devicesError) safely(() => subscriber.devicesChanged?.(this.#accountDevices, this.#devicesError));
      this.#ensureDeviceList();
    }
    this.#rebuild();
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      this.#unsubscribe(subscriber);
    };
  }

  /** The budget in force: demand, capacity and the stretch applied to every period. */
  budget(): PollBudget {
    return this.#budget;
  }

  /** Milliseconds between two polls of a device (after stretching), if it is scheduled. */
  periodMs(iotId: string): number | undefined {
    return this.#slots.get(iotId)?.periodMs;
  }

  /** When the device's last successful poll ended (0: none yet). */
  lastOkAt(iotId: string): number {
    return this.#slots.get(iotId)?.lastOkAt ?? 0;
  }

  /** How far the server's clock is ahead of the local one (0 until the client saw an answer). */
  clockOffsetMs(): number {
    return this.#client?.clockOffsetMs ?? 0;
  }

  /**
   * Polls a device as soon as possible because a push said something happened on it (at `eventTime`,
   * the cloud's ms, when known); while no poll finds an event from then on, polls again after 0.25,
   * 0.5, 1, 2 and 4 s. Events still go through the subscribers' cursors: a push is only a trigger.
   */
  nudge(iotId: string, eventTime?: number): void {
    const slot = this.#slots.get(iotId);
    if (!slot || this.#closed) return;
    const since = typeof eventTime === 'number' && Number.isFinite(eventTime) ? eventTime : -Infinity;
    slot.nudge = { since: Math.min(since, slot.nudge?.since ?? Infinity), retry: 0, at: this.#now() };
    if (!slot.controller) {
      this.#due(slot, Math.min(slot.nextDueAt, this.#now()));
      this.#arm();
    } // a poll in flight: its end schedules the next one (#afterNudgedPoll)
  }

  /** Reads the subscribers' intervals again (an on-event node switched between polling and push sweeps). */
  refresh(): void {
    this.#rebuild();
  }

  /** The devices scheduled now. */
  devices(): string[] {
    return [...this.#slots.keys()];
  }

  /** The account's device list as last read (subscribers of every device), if read. */
  accountDevices(): readonly string[] | undefined {
    return this.#accountDevices;
  }

  /** Stops every timer and aborts polls in flight; waits for them to end. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#deviceTimer) clearTimeout(this.#deviceTimer);
    this.#deviceTimer = undefined;
    const reason = new LinkVisualError('CLOSED', 'the event poller is closed');
    this.#deviceController?.abort(reason);
    for (const slot of this.#slots.values()) slot.controller?.abort(reason);
    this.#subscribers.clear();
    this.#slots.clear();
    await Promise.allSettled([...this.#polls, this.#deviceRefresh, this.#connecting]);
  }

  // The schedule's clock: monotonic ms.
  #now(): number {
    return performance.now();
  }

  #unsubscribe(subscriber: EventSubscriber): void {
    this.#subscribers.delete(subscriber);
    if (![...this.#subscribers].some((s) => s.devices === undefined)) {
      if (this.#deviceTimer) clearTimeout(this.#deviceTimer);
      this.#deviceTimer = undefined;
      this.#deviceController?.abort(new LinkVisualError('ABORTED', 'no subscriber watches every device'));
      this.#accountDevices = undefined;
      this.#devicesError = undefined;
      this.#deviceFailures = 0;
    }
    this.#rebuild();
  }

  // Recomputes the slots from the subscribers: who watches what, periods, budget, phases, due times.
  #rebuild(): void {
    if (this.#closed) return;
    const wanted = new Map<string, EventSubscriber[]>();
    for (const subscriber of this.#subscribers) {
      for (const iotId of subscriber.devices ?? this.#accountDevices ?? []) {
        const list = wanted.get(iotId);
        if (list) list.push(subscriber);
        else wanted.set(iotId, [subscriber]);
      }
    }
    for (const [iotId, slot] of this.#slots) {
      if (wanted.has(iotId)) continue;
      slot.controller?.abort(new LinkVisualError('ABORTED', 'no subscriber watches the device any more'));
      this.#slots.delete(iotId);
    }
    const basePeriods = new Map<string, number>();
    for (const [iotId, subscribers] of wanted) {
      basePeriods.set(iotId, Math.max(1000, Math.min(...subscribers.map((s) => s.intervalMs))));
      let slot = this.#slots.get(iotId);
      if (!slot) {
        slot = { iotId, subscribers: new Set(), periodMs: 0, phase: 0, nextDueAt: 0, lastStartAt: 0, lastOkAt: 0, failures: 0 };
        this.#slots.set(iotId, slot);
      }
      slot.subscribers.clear();
      for (const subscriber of subscribers) slot.subscribers.add(subscriber);
    }
    this.#budget = pollBudget([...basePeriods.values()], this.#options.rateLimit, this.#options.share ?? POLL_SHARE);
    const groups = new Map<number, Slot[]>();
    for (const slot of this.#slots.values()) {
      slot.periodMs = Math.round((basePeriods.get(slot.iotId) ?? 1000) * this.#budget.stretch);
      const group = groups.get(slot.periodMs);
      if (group) group.push(slot);
      else groups.set(slot.periodMs, [slot]);
    }
    const now = this.#now();
    for (const group of groups.values()) {
      group.sort((a, b) => (a.iotId < b.iotId ? -1 : a.iotId > b.iotId ? 1 : 0));
      group.forEach((slot, index) => {
        slot.phase = index / group.length;
        const penalty = slot.nextDueAt > now && slot.failures > 0 ? slot.nextDueAt : 0;
        slot.nextDueAt = Math.max(this.#aligned(slot, now), penalty);
      });
    }
    this.#queue.reset(this.#slots.values());
    this.#arm();
  }

  // Moves a slot on the schedule. Entries left behind are dropped as they surface; a queue grown far past
  // the slots (many moves between polls) starts over.
  #due(slot: Slot, at: number): void {
    if (at === slot.nextDueAt) return;
    slot.nextDueAt = at;
    if (this.#queue.size > 2 * this.#slots.size + 1024) this.#queue.reset(this.#slots.values());
    else this.#queue.push(slot);
  }

  // The next instant on the slot's phase grid, not sooner than half a period after its last poll.
  #aligned(slot: Slot, now: number): number {
    const period = slot.periodMs;
    const base = this.#anchor + slot.phase * period;
    const earliest = slot.lastStartAt > 0 ? Math.max(now, slot.lastStartAt + period / 2) : now;
    const k = Math.ceil((earliest - base) / period);
    return base + Math.max(0, k) * period;
  }

  #arm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#closed || this.#connecting || this.#slots.size === 0) return;
    if (this.#running >= (this.#options.maxConcurrentPolls ?? 16)) return; // a finishing poll re-arms
    const first = this.#queue.peek();
    if (!first) return;
    const next = first.nextDueAt;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#tick();
    }, Math.max(0, Math.ceil(next - this.#now())));
  }

  #tick(): void {
    if (this.#closed) return;
    const client = this.#client;
    if (!client || client.closed) {
      this.#connect();
      return;
    }
    const now = this.#now();
    const paused = client.backoffRemainingMs();
    if (paused > 0) {
      // The account is backing off after throttling: every device waits as one, keeping its place.
      for (const slot of this.#slots.values()) slot.nextDueAt += paused;
      this.#queue.reset(this.#slots.values());
      this.#arm();
      return;
    }
    const limit = this.#options.maxConcurrentPolls ?? 16;
    while (this.#running < limit) {
      const slot = this.#queue.takeDue(now + DUE_TOLERANCE_MS);
      if (!slot) break;
      this.#start(slot, client, now);
    }
    this.#arm();
  }

  #connect(): void {
    if (this.#connecting || this.#closed) return;
    this.#client = undefined;
    this.#connecting = this.#options
      .client()
      .then(
        (client) => {
          this.#client = client;
        },
        (error: unknown) => {
          const failure = asError(error);
          const now = this.#now();
          const at = Date.now();
          for (const slot of this.#slots.values()) {
            slot.nextDueAt = now + slot.periodMs;
            for (const subscriber of slot.subscribers) safely(() => subscriber.pollDone?.({ iotId: slot.iotId, ok: false, at, events: 0, pages: 0, error: failure }));
          }
        },
      )
      .finally(() => {
        this.#connecting = undefined;
        this.#queue.reset(this.#slots.values());
        if (this.#client) this.#tick();
        else this.#arm();
      });
  }

  #start(slot: Slot, client: LinkVisualClient, now: number): void {
    const controller = new AbortController();
    slot.controller = controller;
    slot.lastStartAt = now;
    slot.nextDueAt += slot.periodMs;
    if (slot.nextDueAt <= now) slot.nextDueAt = this.#aligned(slot, now); // fell behind: back on the grid, no burst
    this.#running += 1;
    const poll = this.#poll(slot, client, [...slot.subscribers], controller.signal)
      .catch(() => undefined) // #poll reports its own failures; nothing may escape as an unhandled rejection
      .finally(() => {
        this.#running -= 1;
        if (slot.controller === controller) slot.controller = undefined;
        this.#polls.delete(poll);
        if (this.#slots.get(slot.iotId) === slot) this.#queue.push(slot); // entries seen while it ran were dropped
        this.#arm();
      });
    this.#polls.add(poll);
  }

  async #poll(slot: Slot, client: LinkVisualClient, subscribers: EventSubscriber[], signal: AbortSignal): Promise<void> {
    const { iotId } = slot;
    const startedAt = slot.lastStartAt;
    const live = () => subscribers.filter((s) => this.#subscribers.has(s) && slot.subscribers.has(s));
    let begin = Infinity;
    for (const subscriber of subscribers) {
      try {
        begin = Math.min(begin, subscriber.windowStart(iotId));
      } catch {
        // a subscriber that cannot say is left out of this poll
      }
    }
    if (!Number.isFinite(begin)) return;
    const types = new Set(subscribers.map((s) => s.eventType));
    const eventType = types.size === 1 ? [...types][0] : 0;
    // Never skip the query: a window that seems not to have opened yet may only mean the clock offset is
    // stale (the local clock was just set back), and the answer's Date header sets it right.
    const beginTime = Math.max(0, Math.floor(begin));
    // A backlog larger than one poll's pages goes on where the last poll stopped; starting over from the
    // window start would read the same pages again and never get through a dense stretch.
    // Only the subscribers that had its first pages may go on with it, and only if none needs more.
    const resume = slot.resume;
    slot.resume = undefined;
    const resumable = resume !== undefined && resume.eventType === eventType && resume.from <= beginTime && subscribers.every((s) => resume.subscribers.has(s));
    // The window reaches as far as the server's clock may already be (the offset is known to about a second), so
    // a pushed event just raised is listed at once; it counts as scanned only up to serverPassed() (handOn).
    const serverLatest = Math.ceil(2 * client.serverNow() - client.serverPassed());
    const scan = resumable
      ? resume
      : { beginTime, pageStart: 0, endTime: Math.max(serverLatest, beginTime), from: beginTime, held: new Map<string, CameraEvent>(), seen: new Set<string>() };
    const { held } = scan;
    let events = 0;
    let pages = 0;
    let finished = false;
    let scannedTo = -Infinity;
    let latest = -Infinity; // the latest event time any page brought (a nudge waits for one from its push on)
    let next: EventPage['next'];
    // Hands the held events on as one page, in time order; `complete` when the window's last page was read.
    const handOn = (complete: boolean) => {
      // Nothing later than the server's time when it answered can exist yet: a window that reached past
      // it (the local clock was ahead) counts as scanned only up to then, or later events would be skipped.
      const to = complete ? Math.min(scan.endTime, client.serverPassed()) : scan.from - 1;
      if (complete) scannedTo = to;
      if (!complete && held.size === 0) return;
      const page: EventPage = { events: byEventTime([...held.values()]), scannedTo: to, last: complete, from: scan.from };
      held.clear();
      for (const subscriber of live()) {
        const own = subscriber.eventType === 0 ? page.events : page.events.filter((e) => e.eventType === subscriber.eventType);
        safely(() => subscriber.deliver(iotId, own === page.events ? page : { ...page, events: own }));
      }
    };
    try {
      const pageLimit = this.#options.maxPagesPerPoll ?? 20;
      for await (const found of scanEvents(client, { iotId, ...scan, eventType, maxPages: pageLimit, seen: scan.seen, signal })) {
        next = found.next;
        pages += 1;
        events += found.events.length;
        finished = found.last;
        for (const event of found.events) {
          held.set(event.eventId, event);
          if (event.eventTime > latest) latest = event.eventTime;
        }
        if (!finished && held.size >= MAX_HELD_EVENTS) handOn(false);
      }
      if (finished && !signal.aborted) handOn(true);
    } catch (error) {
      if (this.#closed || signal.aborted) return;
      handOn(false); // what was found is handed on (the cursor takes it); the window starts over at the next poll
      const failure = asError(error);
      slot.failures += 1;
      if (!failure.retryable && !TRANSIENT_CODES.has(failure.code)) {
        // A refusal that will not pass by itself (unknown device, no permission): back off this device.
        const penalty = Math.min(MAX_PENALTY_MS, slot.periodMs * 2 ** (slot.failures - 1));
        this.#due(slot, Math.max(slot.nextDueAt, this.#now() + penalty));
      }
      this.#afterNudgedPoll(slot, latest); // failed: the retry delays (and any penalty) apply
      const report: PollReport = { iotId, ok: false, at: Date.now(), events, pages, error: failure };
      for (const subscriber of live()) safely(() => subscriber.pollDone?.(report));
      return;
    }
    if (signal.aborted) return;
    this.#afterNudgedPoll(slot, latest, startedAt);
    slot.failures = 0;
    slot.lastOkAt = Date.now();
    if (!finished) {
      if (next) slot.resume = { ...next, endTime: scan.endTime, eventType, from: scan.from, subscribers: new Set(subscribers), held, seen: scan.seen };
      this.#due(slot, Math.min(slot.nextDueAt, this.#now() + CATCH_UP_DELAY_MS));
    }
    const report: PollReport = { iotId, ok: true, at: slot.lastOkAt, scannedTo: finished ? scannedTo : undefined, events, pages, behind: !finished };
    for (const subscriber of live()) safely(() => subscriber.pollDone?.(report));
  }

  // A nudged device whose poll did not find the pushed event yet is polled again after the next retry delay.
  #afterNudgedPoll(slot: Slot, latest: number, startedAt?: number): void {
    const nudge = slot.nudge;
    if (!nudge) return;
    // A push that came while this poll ran may be for an event its answer predates: only a later poll can tell.
    if (startedAt !== undefined && nudge.at >= startedAt) {
      this.#due(slot, Math.min(slot.nextDueAt, this.#now()));
      return;
    }
    // Event times are whole seconds: the pushed event may be listed up to a second before the push's time.
    if (latest >= nudge.since - 1000 || nudge.retry >= NUDGE_RETRY_MS.length) {
      slot.nudge = undefined;
      return;
    }
    this.#due(slot, Math.min(slot.nextDueAt, this.#now() + NUDGE_RETRY_MS[nudge.retry]));
    nudge.retry += 1;
  }

  #ensureDeviceList(): void {
    if (this.#deviceRefresh || this.#deviceTimer || this.#closed) return;
    this.#refreshDevices();
  }

  #refreshDevices(): void {
    const controller = new AbortController();
    this.#deviceController = controller;
    this.#deviceRefresh = (async () => {
      let delay = this.#options.deviceRefreshMs ?? 10 * 60_000;
      try {
        const client = await this.#options.client();
        const devices = await listAccountDevices(client, controller.signal);
        if (controller.signal.aborted) return;
        this.#accountDevices = devices;
        this.#devicesError = undefined;
        this.#deviceFailures = 0;
      } catch (error) {
        if (controller.signal.aborted || this.#closed) return;
        this.#devicesError = asError(error);
        this.#deviceFailures += 1;
        delay = Math.min(delay, DEVICE_RETRY_MAX_MS, DEVICE_RETRY_FIRST_MS * 2 ** (this.#deviceFailures - 1));
      }
      for (const subscriber of this.#subscribers) {
        if (subscriber.devices === undefined) safely(() => subscriber.devicesChanged?.(this.#accountDevices, this.#devicesError));
      }
      this.#rebuild();
      if (!this.#closed && [...this.#subscribers].some((s) => s.devices === undefined)) {
        this.#deviceTimer = setTimeout(() => {
          this.#deviceTimer = undefined;
          this.#refreshDevices();
        }, delay);
      }
    })()
      .catch(() => undefined)
      .finally(() => {
        this.#deviceRefresh = undefined;
        if (this.#deviceController === controller) this.#deviceController = undefined;
        // Cancelled because its last subscriber left, while a new one arrived meanwhile: read it again.
        if (controller.signal.aborted && !this.#closed && !this.#deviceTimer && [...this.#subscribers].some((s) => s.devices === undefined)) {
          this.#refreshDevices();
        }
      });
  }
}
