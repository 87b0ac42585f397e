import assert from 'node:assert/strict';
import type { LinkVisualClient } from '../../lib';
import { startEmulator, type EmulatorHandle } from '../../lib/emulator';
import type { EventPage } from '../../lib/events/event-pages';
import { EventPoller, type EventSubscriber, type PollReport } from '../../lib/events/poller';
import { projectPolling } from '../../lib/events/poll-budget';
import { emulatorClient, fault, inject, until } from './helpers';

/** Records when the poller asked for each device's events (before the client's throttle). */
function countQueries(client: LinkVisualClient): { calls: { at: number; iotId: string }[] } {
  const record = { calls: [] as { at: number; iotId: string }[] };
  const original = client.call.bind(client);
  client.call = ((name: string, params: Record<string, unknown> = {}, options = {}) => {
    if (name === 'queryEvents') record.calls.push({ at: Date.now(), iotId: String(params.iotId) });
    return original(name, params, options);
  }) as typeof client.call;
  return record;
}

/** A subscriber that only watches (no cursor): window from its start, pages counted. */
function watcher(id: string, devices: readonly string[] | undefined, intervalMs: number): EventSubscriber & { pages: number; reports: PollReport[]; events: Set<string> } {
  const since = Date.now();
  return {
    id,
    devices,
    eventType: 0,
    intervalMs,
    pages: 0,
    reports: [],
    events: new Set(),
    windowStart: () => since,
    deliver(_iotId: string, page: EventPage) {
      this.pages += 1;
      for (const event of page.events) this.events.add(event.eventId);
    },
    pollDone(report: PollReport) {
      this.reports.push(report);
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('shared event scheduler (EventPoller)', function () {
  this.timeout(60_000);
  let emulator: EmulatorHandle;
  let client: LinkVisualClient;

  before(async () => {
    emulator = await startEmulator({ port: 0, cameras: 200 });
  });
  after(async () => {
    await emulator.close();
  });
  beforeEach(() => {
    client = emulatorClient(emulator, 2000);
  });
  afterEach(async () => {
    await client.close();
  });

  it('polls 200 devices once per cycle, spread over the interval, even when two subscribers watch them all', async () => {
    const queries = countQueries(client);
    const poller = new EventPoller({ client: async () => client, rateLimit: 1000 });
    const everyDevice = watcher('all', undefined, 2000);
    const listed = watcher('listed', emulator.cameras, 2000);
    poller.subscribe(everyDevice);
    poller.subscribe(listed);
    try {
      await until(() => poller.devices().length === 200, 10_000, 'the device list');
      await sleep(2500); // one full cycle to settle
      const start = Date.now();
      const cycles = 3;
      await sleep(cycles * 2000);
      const window = queries.calls.filter((call) => call.at >= start && call.at < start + cycles * 2000);
      const perCycle = window.length / cycles;
      // One event/query per device per cycle, not one per subscriber: 200, not 400.
      assert.ok(perCycle >= 190 && perCycle <= 210, `${perCycle} calls per cycle`);
      const perDevice = new Map<string, number>();
      for (const call of window) perDevice.set(call.iotId, (perDevice.get(call.iotId) ?? 0) + 1);
      assert.equal(perDevice.size, 200, 'every device polled');
      assert.ok(Math.max(...perDevice.values()) <= cycles + 1, 'no device polled more than once a cycle');
      // Spread: 100 ms bins hold about 10 calls each, never a burst of the whole cycle.
      const bins = new Array<number>(cycles * 20).fill(0);
      for (const call of window) bins[Math.floor((call.at - start) / 100)] += 1;
      assert.ok(Math.max(...bins) <= 25, `busiest 100 ms held ${Math.max(...bins)} calls`);
      assert.ok(bins.filter((n) => n === 0).length <= 3, 'calls in (almost) every 100 ms');
      assert.equal(poller.budget().stretch, 1);
      assert.ok(everyDevice.reports.some((r) => r.ok) && listed.reports.some((r) => r.ok));
      console.log(`      200 devices, 2 subscribers, interval 2 s: ${perCycle.toFixed(1)} event/query calls per cycle, busiest 100 ms: ${Math.max(...bins)}`);
    } finally {
      await poller.close();
    }
  });

  it('lengthens every period to stay within the account budget', async () => {
    const queries = countQueries(client);
    const poller = new EventPoller({ client: async () => client, rateLimit: 20 });
    poller.subscribe(watcher('slow', emulator.cameras, 2000));
    try {
      // 200 devices every 2 s want 100 polls/s; 80 % of 20/s is 16/s: every device every 12.5 s.
      const budget = poller.budget();
      assert.ok(Math.abs(budget.stretch - 6.25) < 1e-9, `stretch ${budget.stretch}`);
      assert.equal(poller.periodMs('demo-camera-1'), 12_500);
      const projection = projectPolling(200, 2, 20);
      assert.equal(projection.budgetPerCycle, 32);
      assert.ok(projection.stretched);
      assert.equal(projection.periodSeconds, 12.5);
      assert.equal(Math.round(projection.callsPerMinute), 960);
      await sleep(1000);
      const start = Date.now();
      await sleep(4000);
      const count = queries.calls.filter((call) => call.at >= start).length;
      assert.ok(count >= 50 && count <= 80, `${count} calls in 4 s (16/s expected)`);
    } finally {
      await poller.close();
    }
  });

  it('stops every device together while the account backs off after a 429', async () => {
    const queries = countQueries(client);
    const devices = emulator.cameras.slice(0, 20);
    const poller = new EventPoller({ client: async () => client, rateLimit: 1000 });
    const sub = watcher('w', devices, 1000);
    poller.subscribe(sub);
    const backoffs: { at: number; ms: number }[] = [];
    client.on('backoff', (event: { ms: number }) => backoffs.push({ at: Date.now(), ms: event.ms }));
    try {
      await sleep(1500);
      const ids: string[] = [];
      for (const iotId of devices.slice(0, 5)) ids.push(await inject(emulator, { iotId }));
      await fault(emulator, { path: '/vision/customer/event/query', mode: 'code', code: 429, times: 1 });
      await until(() => backoffs.length > 0, 5000, 'a backoff');
      const { at, ms } = backoffs[0];
      assert.ok(ms >= 100, `pause of ${ms} ms`);
      await until(() => Date.now() > at + ms + 200, ms + 1000, 'the pause to end');
      const during = queries.calls.filter((call) => call.at > at + 30 && call.at < at + ms - 30);
      assert.ok(during.length <= 1, `${during.length} polls started during the ${ms} ms pause`);
      await until(() => ids.every((id) => sub.events.has(id)), 5000, 'the events after the pause');
    } finally {
      await poller.close();
    }
  });

  it('reports failing polls to subscribers and keeps scheduling after them', async () => {
    const poller = new EventPoller({ client: async () => client, rateLimit: 1000 });
    const sub = watcher('f', ['demo-camera-1'], 1000);
    poller.subscribe(sub);
    try {
      await fault(emulator, { path: '/vision/customer/event/query', mode: 'http', status: 503, times: 8 });
      await until(() => sub.reports.some((r) => !r.ok), 10_000, 'a failed poll');
      const failed = sub.reports.find((r) => !r.ok);
      assert.equal(failed?.error?.code, 'GATEWAY');
      await until(() => sub.reports.length > 0 && sub.reports[sub.reports.length - 1].ok, 15_000, 'a good poll after the faults');
    } finally {
      await control(emulator);
      await poller.close();
    }
  });

  it('closes cleanly: no timers left, late unsubscribe is harmless', async () => {
    const poller = new EventPoller({ client: async () => client, rateLimit: 1000 });
    const unsubscribe = poller.subscribe(watcher('c', undefined, 1000));
    await sleep(300);
    await poller.close();
    unsubscribe();
    assert.throws(() => poller.subscribe(watcher('d', ['x'], 1000)), /closed/);
  });
});

async function control(emulator: EmulatorHandle): Promise<void> {
  await fetch(`${emulator.url}/_emulator/faults/clear`, { method: 'POST' });
}
