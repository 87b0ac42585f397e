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

/**
 * The queries of `cycles` periods of 2 s from now (after waiting them out): calls per cycle, the calls, and their
 * count in each 100 ms bin.
 */
async function queriesOverCycles(queries: { calls: { at: number; iotId: string }[] }, cycles: number): Promise<{ perCycle: number; window: { at: number; iotId: string }[]; bins: number[] }> {
  const start = Date.now();
  await sleep(cycles * 2000);
  const window = queries.calls.filter((call) => call.at >= start && call.at < start + cycles * 2000);
  const bins = new Array<number>(cycles * 20).fill(0);
  for (const call of window) bins[Math.floor((call.at - start) / 100)] += 1;
  return { perCycle: window.length / cycles, window, bins };
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

  it('polls a nudged device at once, and again briefly until the pushed event is indexed', async () => {
    const queries = countQueries(client);
    const poller = new EventPoller({ client: async () => client, rateLimit: 1000 });
    const iotId = emulator.cameras[5];
    const subscriber = watcher('slow', [iotId], 600_000); // a sweep every 10 minutes: only nudges find events soon
    poller.subscribe(subscriber);
    try {
      await sleep(300);
      const before = queries.calls.length;
      // Indexed 1.2 s after it happened: the first polls after the push find nothing yet.
      const eventTime = Date.now();
      const eventId = await inject(emulator, { iotId, eventTime, visibleAfterMs: 1200 });
      const pushedAt = Date.now();
      poller.nudge(iotId, eventTime);
      await until(() => subscriber.events.has(eventId), 5000, 'the pushed event');
      const delay = Date.now() - pushedAt;
      assert.ok(delay < 3000, `found ${delay} ms after the push`);
      const nudgedPolls = queries.calls.length - before;
      assert.ok(nudgedPolls >= 2 && nudgedPolls <= 5, `${nudgedPolls} polls for one push`);
      await sleep(1500);
      assert.equal(queries.calls.length - before, nudgedPolls, 'no more polls once the event was found');
      poller.nudge('not-watched', eventTime); // a push for a device nobody watches asks nothing
      await sleep(300);
      assert.equal(queries.calls.length - before, nudgedPolls);
    } finally {
      await poller.close();
    }
  });

  it('a push that comes while a poll of its device runs is judged by a later poll, not by that one', async () => {
    const poller = new EventPoller({ client: async () => client, rateLimit: 1000 });
    const iotId = emulator.cameras[6];
    const subscriber = watcher('slow', [iotId], 600_000); // only nudges poll within the test
    poller.subscribe(subscriber);
    try {
      await sleep(300);
      // Every query answers 400 ms late: the first poll is still running when the second push comes.
      await fault(emulator, { path: '/vision/customer/event/query', mode: 'delay', delayMs: 400, times: 20 });
      const first = Date.now();
      const firstId = await inject(emulator, { iotId, eventTime: first });
      poller.nudge(iotId, first);
      await sleep(100);
      // Same second, listed only after the running poll answered: that answer holds the first event alone.
      const secondId = await inject(emulator, { iotId, eventTime: first + 100, visibleAfterMs: 500 });
      poller.nudge(iotId, first + 100);
      await until(() => subscriber.events.has(firstId), 3000, 'the first event');
      await until(() => subscriber.events.has(secondId), 5000, 'the event pushed while the first poll ran (a sweep comes only in 10 minutes)');
    } finally {
      await control(emulator); // clears the faults
      await poller.close();
    }
  });

  it("finds a pushed event at once when the estimate of the server's clock runs up to its uncertainty behind", async () => {
    // Date headers give the server's time to the second: the estimate may be ~0.8 s behind, known ±1 s.
    const estimate = () => Date.now() - 800;
    client.serverNow = estimate;
    client.serverPassed = () => estimate() - 1000;
    const poller = new EventPoller({ client: async () => client, rateLimit: 1000 });
    const iotId = emulator.cameras[7];
    const subscriber = watcher('slow', [iotId], 600_000);
    poller.subscribe(subscriber);
    try {
      await sleep(300);
      const eventTime = Date.now();
      const eventId = await inject(emulator, { iotId, eventTime });
      const pushedAt = Date.now();
      poller.nudge(iotId, eventTime);
      await until(() => subscriber.events.has(eventId), 5000, 'the pushed event');
      // A window ending at the estimate would miss it until the retries (0.25, 0.5, 1 s) pass the event's time.
      const delay = Date.now() - pushedAt;
      assert.ok(delay < 240, `found ${delay} ms after the push (by the first poll, not a retry)`);
      assert.ok((subscriber.reports.at(-1)?.scannedTo ?? 0) <= estimate() - 1000 + 50, 'counted as scanned only up to what the server has surely passed');
    } finally {
      await poller.close();
    }
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
      const cycles = 3;
      const { perCycle, window, bins } = await queriesOverCycles(queries, cycles);
      // One event/query per device per cycle, not one per subscriber: 200, not 400.
      assert.ok(perCycle >= 190 && perCycle <= 210, `${perCycle} calls per cycle`);
      const perDevice = new Map<string, number>();
      for (const call of window) perDevice.set(call.iotId, (perDevice.get(call.iotId) ?? 0) + 1);
      assert.equal(perDevice.size, 200, 'every device polled');
      assert.ok(Math.max(...perDevice.values()) <= cycles + 1, 'no device polled more than once a cycle');
      // Spread: 100 ms bins hold about 10 calls each, never a burst of the whole cycle.
      assert.ok(Math.max(...bins) <= 25, `busiest 100 ms held ${Math.max(...bins)} calls`);
      assert.ok(bins.filter((n) => n === 0).length <= 3, 'calls in (almost) every 100 ms');
      assert.equal(poller.budget().stretch, 1);
      assert.ok(everyDevice.reports.some((r) => r.ok) && listed.reports.some((r) => r.ok));
      console.log(`      200 devices, 2 subscribers, interval 2 s: ${perCycle.toFixed(1)} event/query calls per cycle, busiest 100 ms: ${Math.max(...bins)}`);
    } finally {
      await poller.close();
    }
  });

  it('polls devices of long periods (the push sweep) in batches: as many calls, far fewer wake-ups', async () => {
    const queries = countQueries(client);
    // Scaled down: periods from 1 s count as long, batches every 500 ms (the account's defaults: 5 min, 30 s).
    const poller = new EventPoller({ client: async () => client, rateLimit: 1000, batch: { fromMs: 1000, spacingMs: 500 } });
    poller.subscribe(watcher('sweep', emulator.cameras, 2000));
    try {
      await until(() => poller.devices().length === 200, 10_000, 'the device list');
      await sleep(2500);
      const cycles = 3;
      const { perCycle, window, bins } = await queriesOverCycles(queries, cycles);
      assert.ok(perCycle >= 190 && perCycle <= 210, `${perCycle} calls per cycle`);
      assert.equal(new Set(window.map((call) => call.iotId)).size, 200, 'every device polled');
      // Four batches a cycle of about 50 polls each: the calls sit in a few 100 ms bins, most bins stay empty.
      const busy = bins.filter((n) => n > 0).length;
      assert.ok(busy <= cycles * 4 * 3, `calls in ${busy} of ${bins.length} bins (spread evenly they fill almost all)`);
      console.log(`      200 devices in batches every 500 ms: ${perCycle.toFixed(1)} calls per cycle in ${busy} busy 100 ms bins of ${bins.length}`);
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

  it('reads a device list that failed again within seconds, not a minute later', async () => {
    // More failures than the client's own retries: the list read fails as a whole, twice.
    await fault(emulator, { path: '/uc/listBindingByAccount', mode: 'http', status: 503, times: 8 });
    const poller = new EventPoller({ client: async () => client, rateLimit: 1000 });
    const errors: string[] = [];
    const sub = { ...watcher('l', undefined, 1000), devicesChanged: (_devices: readonly string[] | undefined, error?: { code: string }) => void (error && errors.push(error.code)) };
    poller.subscribe(sub);
    try {
      await until(() => errors.length > 0, 15_000, 'a failed device list');
      const failedAt = Date.now();
      await until(() => poller.devices().length === 200, 15_000, 'the device list after the failures');
      assert.ok(Date.now() - failedAt < 10_000, `read again after ${Date.now() - failedAt} ms`);
      assert.ok(errors.every((code) => code === 'GATEWAY'), errors.join(' '));
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

/** A client that answers every event/query with no events and keeps its own idea of the server's time. */
function quietClient(serverNow: () => number): LinkVisualClient & { windows: { beginTime: number; endTime: number }[] } {
  const windows: { beginTime: number; endTime: number }[] = [];
  const fake = {
    windows,
    closed: false,
    clockOffsetMs: 0,
    serverNow,
    serverPassed: () => serverNow() - 1000,
    backoffRemainingMs: () => 0,
    async call(name: string, params: Record<string, unknown>) {
      assert.equal(name, 'queryEvents');
      windows.push({ beginTime: Number(params.beginTime), endTime: Number(params.endTime) });
      return { eventList: [], nextValid: false };
    },
  };
  return fake as unknown as LinkVisualClient & { windows: { beginTime: number; endTime: number }[] };
}

describe('shared event scheduler and the local clock being set', function () {
  this.timeout(30_000);
  const realDateNow = Date.now;
  let skewMs = 0;
  beforeEach(() => {
    skewMs = 0;
    Date.now = () => realDateNow() + skewMs;
  });
  afterEach(() => {
    Date.now = realDateNow;
  });

  it('keeps polling every period when the wall clock is set back an hour, or forward', async () => {
    const client = quietClient(realDateNow);
    const poller = new EventPoller({ client: async () => client, rateLimit: 1000 });
    poller.subscribe(watcher('w', ['cam'], 1000));
    try {
      await until(() => client.windows.length >= 2, 5000, 'two polls');
      skewMs = -3_600_000;
      const before = client.windows.length;
      await sleep(3200);
      assert.ok(client.windows.length - before >= 2, `${client.windows.length - before} polls in 3.2 s after the clock went back an hour (period 1 s)`);
      skewMs = 3_600_000;
      const after = client.windows.length;
      await sleep(2200);
      const polls = client.windows.length - after;
      assert.ok(polls >= 1 && polls <= 3, `${polls} polls in 2.2 s after the clock went forward an hour (no stall, no burst)`);
    } finally {
      await poller.close();
    }
  });

  it("queries windows on the server's clock and counts them scanned only up to the server's time", async () => {
    let serverSkew = 0; // the client's estimate lags: it still believes the old offset
    const client = quietClient(() => realDateNow() + serverSkew);
    const poller = new EventPoller({ client: async () => client, rateLimit: 1000 });
    const sub = watcher('s', ['cam'], 1000);
    poller.subscribe(sub);
    try {
      skewMs = 600_000; // the local clock runs ten minutes ahead
      await until(() => sub.reports.length >= 2, 5000, 'polls');
      const last = client.windows[client.windows.length - 1];
      assert.ok(Math.abs(last.endTime - realDateNow()) < 1500, 'the window ends at the server time, not the local clock');
      const report = sub.reports[sub.reports.length - 1];
      assert.ok((report.scannedTo ?? Infinity) <= realDateNow(), 'scanned no further than the server time');
      // The estimate is stale and puts the server behind the window start: the query is still made (its answer corrects the estimate).
      serverSkew = -600_000;
      const count = client.windows.length;
      await until(() => client.windows.length >= count + 2, 5000, 'polls with a stale estimate');
      const stale = client.windows[client.windows.length - 1];
      assert.equal(stale.endTime, stale.beginTime);
    } finally {
      await poller.close();
    }
  });
});

async function control(emulator: EmulatorHandle): Promise<void> {
  await fetch(`${emulator.url}/_emulator/faults/clear`, { method: 'POST' });
}
