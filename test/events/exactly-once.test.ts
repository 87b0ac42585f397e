import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LinkVisualClient } from '../../lib';
import { CLOUD_LIKE_VARIANTS, startEmulator, type EmulatorHandle, type EmulatorOptions } from '../../lib/emulator';
import { CursorStore, cursorFilePath } from '../../lib/events/cursor-store';
import { EventFeed } from '../../lib/events/event-feed';
import { EventPoller, type PollReport } from '../../lib/events/poller';
import { control, emulatorClient, fault, inject, Tally, until } from './helpers';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One "Node-RED process": client, poller, cursor store and feed, started and stopped as a whole or in part. */
class Runtime {
  /** Runtimes not stopped yet: a failing test's are stopped after it, so nothing keeps polling. */
  static readonly running = new Set<Runtime>();
  client!: LinkVisualClient;
  poller!: EventPoller;
  store: CursorStore | undefined;
  feed: EventFeed | undefined;
  reports: PollReport[] = [];

  constructor(
    private readonly emulator: EmulatorHandle,
    private readonly file: string,
    private readonly tally: Tally,
    private readonly options: { devices: readonly string[]; overlapMs: number; intervalMs: number; maxPagesPerPoll?: number; backfillMs?: number },
  ) {}

  async start(): Promise<void> {
    Runtime.running.add(this);
    this.client = emulatorClient(this.emulator);
    this.poller = new EventPoller({ client: async () => this.client, rateLimit: 1000, maxPagesPerPoll: this.options.maxPagesPerPoll });
    await this.startFeed();
  }

  async startFeed(): Promise<void> {
    this.store = await CursorStore.open(this.file, { overlapMs: this.options.overlapMs });
    this.feed = new EventFeed({
      id: 'node',
      devices: this.options.devices,
      eventType: 0,
      intervalMs: this.options.intervalMs,
      startup: this.options.backfillMs ? 'backfill' : 'new',
      backfillMs: this.options.backfillMs ?? 0,
      cooldownMs: 0,
      image: false,
      clip: false,
      store: this.store,
      client: async () => this.client,
      emit: (delivery) => this.tally.add(delivery.event.iotId, delivery.event.eventId, delivery.event.eventTime),
      onPoll: (report) => this.reports.push(report),
    });
    this.feed.start(this.poller);
  }

  /** A redeploy of the node alone: the account (client, poller) stays. */
  async stopFeed(): Promise<void> {
    await this.feed?.close();
    await this.store?.close();
  }

  /** A full stop (Node-RED restart): everything closes. */
  async stop(): Promise<void> {
    Runtime.running.delete(this);
    await this.stopFeed();
    await this.poller.close();
    await this.client.close();
  }
}

// The cloud's answer forms (docs/protocol.md §8): its most cloud-like settings (newest first, numbers as text,
// 401 for an expired token, one login), and the other readings (oldest first, numbers, ms event times, 460).
const FORMS = [
  { name: 'newest first, cloud-like', variants: CLOUD_LIKE_VARIANTS },
  { name: 'oldest first, numbers, ms event times, 460 tokens', variants: { eventOrder: 'oldest', numberForm: 'number', eventTimeForm: 'ms', tokenErrorCode: 460 } },
] as const satisfies readonly { name: string; variants: EmulatorOptions }[];

for (const form of FORMS)
describe(`on-event exactly once (lib, against the emulator: ${form.name})`, function () {
  this.timeout(90_000);
  let emulator: EmulatorHandle;
  let dir: string;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-once-'));
  });
  afterEach(async () => {
    for (const runtime of Runtime.running) await runtime.stop().catch(() => undefined);
    await emulator?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('delivers 1,200 events once each through faults, late events, redeploys and restarts', async () => {
    emulator = await startEmulator({ port: 0, cameras: 50, ...form.variants });
    const devices = emulator.cameras;
    const tally = new Tally();
    const runtime = new Runtime(emulator, cursorFilePath(dir, 'node'), tally, { devices, overlapMs: 8000, intervalMs: 1000 });
    const startedAt = Date.now();
    await runtime.start();
    await sleep(1200);
    const injected = new Set<string>();
    const rounds = 24;
    let late = 0;
    let past = 0;
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const faults: Record<number, () => Promise<void>> = {
      2: () => fault(emulator, { path: '/vision/customer/event/query', mode: 'http', status: 503, times: 250 }),
      5: () => fault(emulator, { path: '/vision/customer/event/query', mode: 'code', code: 429, times: 2 }),
      8: () => fault(emulator, { path: '/vision/customer/event/query', mode: 'reset', times: 15 }),
      11: () => control(emulator, 'tokens/expire').then(() => undefined),
      14: () => fault(emulator, { path: '/vision/customer/event/query', mode: 'delay', delayMs: 3500, times: 6 }),
      17: () => fault(emulator, { path: '/vision/customer/event/query', mode: 'http', status: 429, times: 3, retryAfterSeconds: 1 }),
      20: () => fault(emulator, { path: '*', mode: 'code', code: 500, times: 10 }),
    };
    const restarts: Record<number, () => Promise<void>> = {
      7: async () => {
        await runtime.stopFeed();
        await runtime.startFeed();
      },
      13: async () => {
        await runtime.stop();
        await sleep(1500); // events keep coming while Node-RED is down
        await runtime.start();
      },
      19: async () => {
        await runtime.stopFeed();
        await runtime.startFeed();
      },
    };
    for (let round = 0; round < rounds; round += 1) {
      await faults[round]?.();
      const batch = devices.map((iotId) => {
        const r = random();
        const body: Parameters<typeof inject>[1] = { iotId, eventType: 1 + Math.floor(random() * 3) };
        if (r < 0.2) {
          body.visibleAfterMs = 300 + Math.floor(random() * 2500);
          late += 1;
        } else if (r < 0.4) {
          const back = Math.min(4000, Date.now() - startedAt - 200);
          body.eventTime = Date.now() - Math.floor(random() * back);
          past += 1;
        }
        return inject(emulator, body);
      });
      const restart = restarts[round]?.();
      for (const id of await Promise.all(batch)) injected.add(id);
      await restart;
      await sleep(400);
    }
    await until(() => tally.missing(injected).length === 0, 30_000, `all ${injected.size} events (missing ${tally.missing(injected).length})`);
    await sleep(2500); // any duplicate would arrive by now
    const stats = emulator.stats();
    await runtime.stop();
    assert.equal(injected.size, rounds * devices.length);
    assert.deepEqual(tally.missing(injected), []);
    assert.equal(tally.duplicates, 0, 'no event delivered twice');
    assert.equal(tally.counts.size, injected.size, 'nothing delivered that was not injected');
    assert.ok(stats.faultsApplied >= 40, `${stats.faultsApplied} faults applied`);
    assert.ok(runtime.reports.some((r) => !r.ok), 'some polls failed along the way');
    console.log(
      `      delivered ${tally.counts.size} of ${injected.size} injected (${late} late-visible, ${past} with past times), duplicates ${tally.duplicates}, ` +
        `faults applied ${stats.faultsApplied}, event/query calls ${stats.byPath['/vision/customer/event/query']}, token refreshes ${stats.tokenRefreshes}`,
    );
  });

  it('catches up after an outage longer than the overlap, page by page, oldest first', async () => {
    emulator = await startEmulator({ port: 0, cameras: 3, ...form.variants });
    const devices = emulator.cameras;
    const tally = new Tally();
    // Small overlap and pages: the outage is "long", the backlog spans several pages and several polls.
    const runtime = new Runtime(emulator, cursorFilePath(dir, 'node'), tally, { devices, overlapMs: 1000, intervalMs: 1000, maxPagesPerPoll: 2 });
    await runtime.start();
    await sleep(1500);
    const before = await Promise.all(devices.map((iotId) => inject(emulator, { iotId })));
    await until(() => tally.missing(before).length === 0, 10_000, 'the first events');
    await runtime.stop();
    const backlog: string[] = [];
    for (let i = 0; i < 450; i += 1) {
      backlog.push(await inject(emulator, { iotId: devices[i % 3 === 0 ? 0 : 1] }));
      if (i % 150 === 0) await sleep(600);
    }
    await sleep(1500);
    await runtime.start();
    await until(() => tally.missing(backlog).length === 0, 20_000, `the backlog (missing ${tally.missing(backlog).length})`);
    await sleep(1500);
    await runtime.stop();
    assert.equal(tally.duplicates, 0);
    const pages = Math.max(...runtime.reports.filter((r) => r.ok).map((r) => r.pages));
    assert.ok(pages >= 2, `a poll read ${pages} pages`);
    assert.ok(runtime.reports.some((r) => r.behind), 'a poll stopped at its page limit and the next one went on');
    for (const iotId of devices) {
      const times = tally.order.filter((entry) => entry.iotId === iotId).map((entry) => entry.eventTime);
      for (let i = 1; i < times.length; i += 1) assert.ok(times[i] >= times[i - 1], `${iotId}: events in time order`);
    }
  });
  it('gets through more events in one second than a poll reads (the next poll goes on where the last stopped)', async () => {
    emulator = await startEmulator({ port: 0, cameras: 1, ...form.variants });
    const [iotId] = emulator.cameras;
    const tally = new Tally();
    // A poll reads at most 2 pages (200 events); 450 events share one second, inside the overlap.
    const runtime = new Runtime(emulator, cursorFilePath(dir, 'dense'), tally, { devices: [iotId], overlapMs: 60_000, intervalMs: 1000, maxPagesPerPoll: 2 });
    await runtime.start();
    await sleep(1500);
    const second = Math.floor(Date.now() / 1000) * 1000;
    const dense: string[] = [];
    for (let i = 0; i < 450; i += 1) dense.push(await inject(emulator, { iotId, eventTime: second }));
    try {
      await until(() => tally.missing(dense).length === 0, 20_000, `the dense second (missing ${tally.missing(dense).length})`);
      const later = await inject(emulator, { iotId });
      await until(() => tally.missing([later]).length === 0, 10_000, 'an event after it');
      await sleep(1500);
      assert.equal(tally.duplicates, 0);
      assert.ok(runtime.reports.some((r) => r.behind), 'a poll stopped at its page limit');
    } finally {
      await runtime.stop();
    }
  });
  it('starts a cut-short scan over for a subscriber that joins mid-way (it gets the first pages too)', async () => {
    emulator = await startEmulator({ port: 0, cameras: 1, ...form.variants });
    const [iotId] = emulator.cameras;
    const first = new Tally();
    const runtime = new Runtime(emulator, cursorFilePath(dir, 'first'), first, { devices: [iotId], overlapMs: 60_000, intervalMs: 1000, maxPagesPerPoll: 1, backfillMs: 60_000 });
    await runtime.start();
    await sleep(1500);
    // 350 events of one second, 10 s ago (indexed late): inside the first node's backfill and overlap.
    const second = Math.floor(Date.now() / 1000) * 1000 - 10_000;
    const dense: string[] = [];
    for (let i = 0; i < 350; i += 1) dense.push(await inject(emulator, { iotId, eventTime: second }));
    // A second node (backfill 60 s, overlap 1 s: nothing re-read later saves it) joins the shared poller
    // while the first one's scan is cut short.
    const joined = new Tally();
    const store = await CursorStore.open(cursorFilePath(dir, 'joined'), { overlapMs: 1000 });
    const feed = new EventFeed({
      id: 'joined', devices: [iotId], eventType: 0, intervalMs: 1000, startup: 'backfill', backfillMs: 60_000, cooldownMs: 0,
      image: false, clip: false, store, client: async () => runtime.client,
      emit: (delivery) => joined.add(delivery.event.iotId, delivery.event.eventId, delivery.event.eventTime),
    });
    try {
      await until(() => runtime.reports.some((r) => r.behind), 10_000, 'a cut-short poll');
      feed.start(runtime.poller);
      await until(() => first.missing(dense).length === 0 && joined.missing(dense).length === 0, 20_000, `the dense second (first missing ${first.missing(dense).length}, joined missing ${joined.missing(dense).length})`);
      await sleep(1500);
      assert.equal(first.duplicates + joined.duplicates, 0);
    } finally {
      await feed.close();
      await store.close();
      await runtime.stop();
    }
  });
});
