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
import { DeviceListRefresh } from './device-list-refresh';
import { pollDevice, type DevicePollContext } from './device-poll';
import { DueQueue } from './due-queue';
import type { EventSubscriber } from './event-subscriber';
import { POLL_SHARE, pollBudget, type PollBudget } from './poll-budget';
import { asError, safely } from './poll-guards';
import type { PollSlot } from './poll-slot';

export type { EventSubscriber, PollReport } from './event-subscriber';

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
  /**
   * Devices polled at least this far apart (the push sweep) are polled in batches, one every `spacingMs`,
   * rather than one by one spread over the period. Default from 5 min, every 30 s.
   */
  readonly batch?: { readonly fromMs: number; readonly spacingMs: number };
}

const DUE_TOLERANCE_MS = 2;
/** The default batching of long periods (EventPollerOptions.batch): from 5 min, a batch every 30 s. */
export const POLL_BATCH = { fromMs: 300_000, spacingMs: 30_000 } as const;

/** The per-account scheduler of event polls. */
export class EventPoller {
  readonly #options: EventPollerOptions;
  readonly #subscribers = new Set<EventSubscriber>();
  readonly #slots = new Map<string, PollSlot>();
  // The slots by due time: the next poll is found without a scan of every device.
  readonly #queue = new DueQueue<PollSlot>((slot) => !slot.controller && this.#slots.get(slot.iotId) === slot);
  readonly #polls = new Set<Promise<void>>();
  readonly #anchor: number;
  #budget: PollBudget;
  #client: LinkVisualClient | undefined;
  #connecting: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running = 0;
  // The account's device list, for the subscribers of every device.
  readonly #deviceList: DeviceListRefresh;
  // What a device poll (device-poll.ts) may see and do of the schedule.
  readonly #pollContext: DevicePollContext;
  #closed = false;

  constructor(options: EventPollerOptions) {
    this.#options = options;
    this.#anchor = this.#now();
    this.#budget = pollBudget([], options.rateLimit, options.share ?? POLL_SHARE);
    this.#deviceList = new DeviceListRefresh({
      client: () => options.client(),
      get refreshMs() {
        return options.deviceRefreshMs;
      },
      wanted: () => this.#watchesEveryDevice(),
      changed: (devices, error) => {
        for (const subscriber of this.#subscribers) {
          if (subscriber.devices === undefined) safely(() => subscriber.devicesChanged?.(devices, error));
        }
        this.#rebuild();
      },
    });
    this.#pollContext = {
      get maxPages() {
        return options.maxPagesPerPoll ?? 20;
      },
      subscribed: (subscriber) => this.#subscribers.has(subscriber),
      closed: () => this.#closed,
      now: () => this.#now(),
      due: (slot, at) => this.#due(slot, at),
    };
  }

  /** Adds a subscriber; returns the function that removes it. */
  subscribe(subscriber: EventSubscriber): () => void {
    if (this.#closed) throw new LinkVisualError('CLOSED', 'the event poller is closed');
    this.#subscribers.add(subscriber);
    if (subscriber.devices === undefined) {
      const devices = this.#deviceList.devices;
      const error = this.#deviceList.error;
      if (devices || error) safely(() => subscriber.devicesChanged?.(devices, error));
      this.#deviceList.ensure();
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
    } // a poll in flight: its end schedules the next one (device-poll.ts)
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
    return this.#deviceList.devices;
  }

  /** Stops every timer and aborts polls in flight; waits for them to end. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const reason = new LinkVisualError('CLOSED', 'the event poller is closed');
    const deviceRead = this.#deviceList.close(reason);
    for (const slot of this.#slots.values()) slot.controller?.abort(reason);
    this.#subscribers.clear();
    this.#slots.clear();
    await Promise.allSettled([...this.#polls, deviceRead, this.#connecting]);
  }

  // The schedule's clock: monotonic ms.
  #now(): number {
    return performance.now();
  }

  #unsubscribe(subscriber: EventSubscriber): void {
    this.#subscribers.delete(subscriber);
    if (!this.#watchesEveryDevice()) this.#deviceList.stop();
    this.#rebuild();
  }

  // True while some subscriber watches every device of the account.
  #watchesEveryDevice(): boolean {
    return [...this.#subscribers].some((s) => s.devices === undefined);
  }

  // Recomputes the slots from the subscribers: who watches what, periods, budget, phases, due times.
  #rebuild(): void {
    if (this.#closed) return;
    const wanted = new Map<string, EventSubscriber[]>();
    for (const subscriber of this.#subscribers) {
      for (const iotId of subscriber.devices ?? this.#deviceList.devices ?? []) {
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
    const groups = new Map<number, PollSlot[]>();
    for (const slot of this.#slots.values()) {
      slot.periodMs = Math.round((basePeriods.get(slot.iotId) ?? 1000) * this.#budget.stretch);
      const group = groups.get(slot.periodMs);
      if (group) group.push(slot);
      else groups.set(slot.periodMs, [slot]);
    }
    const now = this.#now();
    const batch = this.#options.batch ?? POLL_BATCH;
    for (const [periodMs, group] of groups) {
      group.sort((a, b) => (a.iotId < b.iotId ? -1 : a.iotId > b.iotId ? 1 : 0));
      // Short periods spread their devices evenly. Long ones poll them in batches: a lone poll every few hundred
      // ms costs a wake-up each (most of an idle process's CPU), a batch one for many, with the same calls per period.
      const steps = periodMs >= batch.fromMs ? Math.max(1, Math.ceil(periodMs / batch.spacingMs)) : group.length;
      group.forEach((slot, index) => {
        slot.phase = Math.floor((index * steps) / group.length) / steps;
        const penalty = slot.nextDueAt > now && slot.failures > 0 ? slot.nextDueAt : 0;
        slot.nextDueAt = Math.max(this.#aligned(slot, now), penalty);
      });
    }
    this.#queue.reset(this.#slots.values());
    this.#arm();
  }

  // Moves a slot on the schedule. Entries left behind are dropped as they surface; a queue grown far past
  // the slots (many moves between polls) starts over.
  #due(slot: PollSlot, at: number): void {
    if (at === slot.nextDueAt) return;
    slot.nextDueAt = at;
    if (this.#queue.size > 2 * this.#slots.size + 1024) this.#queue.reset(this.#slots.values());
    else this.#queue.push(slot);
  }

  // The next instant on the slot's phase grid, not sooner than half a period after its last poll.
  #aligned(slot: PollSlot, now: number): number {
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

  #start(slot: PollSlot, client: LinkVisualClient, now: number): void {
    const controller = new AbortController();
    slot.controller = controller;
    slot.lastStartAt = now;
    slot.nextDueAt += slot.periodMs;
    if (slot.nextDueAt <= now) slot.nextDueAt = this.#aligned(slot, now); // fell behind: back on the grid, no burst
    this.#running += 1;
    const poll = pollDevice(slot, client, [...slot.subscribers], controller.signal, this.#pollContext)
      .catch(() => undefined) // pollDevice reports its own failures; nothing may escape as an unhandled rejection
      .finally(() => {
        this.#running -= 1;
        if (slot.controller === controller) slot.controller = undefined;
        this.#polls.delete(poll);
        if (this.#slots.get(slot.iotId) === slot) this.#queue.push(slot); // entries seen while it ran were dropped
        this.#arm();
      });
    this.#polls.add(poll);
  }
}
