import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LinkVisualClient } from '../../lib';
import { startEmulator, type EmulatorHandle } from '../../lib/emulator';
import { CursorStore, cursorFilePath } from '../../lib/events/cursor-store';
import { EventFeed, type EventFeedOptions, type FeedDelivery } from '../../lib/events/event-feed';
import { judgeLiveness } from '../../lib/events/liveness';
import { EventPoller } from '../../lib/events/poller';
import { control, emulatorClient, inject, until } from './helpers';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('on-event feed (EventFeed)', function () {
  this.timeout(30_000);
  let emulator: EmulatorHandle;
  let client: LinkVisualClient;
  let poller: EventPoller;
  let dir: string;
  const open: { feed: EventFeed; store: CursorStore }[] = [];

  before(async () => {
    emulator = await startEmulator({ port: 0, cameras: 4 });
  });
  after(async () => {
    await emulator.close();
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-feed-'));
    client = emulatorClient(emulator);
    poller = new EventPoller({ client: async () => client, rateLimit: 100, deviceRefreshMs: 400 });
  });
  afterEach(async () => {
    for (const { feed, store } of open.splice(0)) {
      await feed.close();
      await store.close();
    }
    await poller.close();
    await client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function feed(options: Partial<EventFeedOptions> & { id: string }, out: FeedDelivery[]): Promise<EventFeed> {
    const store = await CursorStore.open(cursorFilePath(dir, options.id), { overlapMs: 10_000 });
    const created = new EventFeed({
      devices: undefined,
      eventType: 0,
      intervalMs: 500,
      startup: 'new',
      backfillMs: 0,
      cooldownMs: 0,
      image: false,
      clip: false,
      store,
      client: async () => client,
      emit: (delivery) => out.push(delivery),
      ...options,
    });
    created.start(poller);
    open.push({ feed: created, store });
    return created;
  }

  it('keeps the start of a device not polled yet across a redeploy (an event between the two starts is still found)', async () => {
    // Push sweeps put minutes between a device's polls: a device may not be polled before a redeploy, and its
    // event's push may be lost. Its start must be the first feed's, not the second's.
    const devices = ['demo-camera-1', 'demo-camera-2', 'demo-camera-3', 'demo-camera-4'];
    const polled = new Set<string>();
    const first: FeedDelivery[] = [];
    const before = await feed({ id: 'starts', devices, intervalMs: 20_000, onPoll: (report) => report.ok && polled.add(report.iotId) }, first);
    await until(() => polled.size > 0, 20_000, 'a first good poll');
    const waiting = devices.find((iotId) => !polled.has(iotId)) as string;
    const missed = await inject(emulator, { iotId: waiting });
    const entry = open.find((o) => o.feed === before);
    assert.ok(entry);
    await before.close();
    await entry.store.close();
    open.splice(open.indexOf(entry), 1);
    await sleep(1500); // the second feed starts after the event
    const second: FeedDelivery[] = [];
    await feed({ id: 'starts', devices, intervalMs: 500 }, second);
    await until(() => second.some((d) => d.event.eventId === missed), 10_000, 'the event raised before the redeploy');
    assert.equal(first.filter((d) => d.event.eventId === missed).length, 0, 'the first feed never polled that device');
  });

  it('hands on a window that came newest first in two parts without forgetting the older part', async () => {
    // A recent-id bound of 10 and 30 events of one window: the newest 15 come first without the window's
    // last page (a poll that failed mid-way), the older 15 with it. None may be lost to trimming.
    const store = await CursorStore.open(undefined, { overlapMs: 600_000, maxRecent: 10 });
    const out: FeedDelivery[] = [];
    const direct = new EventFeed({
      id: 'direct', devices: ['cam'], eventType: 0, intervalMs: 500, startup: 'new', backfillMs: 0, cooldownMs: 0,
      image: false, clip: false, store, client: async () => client, emit: (delivery) => out.push(delivery), startedAt: 1_000_000,
    });
    open.push({ feed: direct, store });
    const event = (i: number) => ({ eventId: `e${i}`, iotId: 'cam', eventType: 1, eventTime: 1_000_000 + i * 1000, fields: {} });
    const newest = Array.from({ length: 15 }, (_v, i) => event(15 + i));
    const older = Array.from({ length: 15 }, (_v, i) => event(i));
    direct.deliver('cam', { events: newest, scannedTo: 998_999, last: false, from: 999_000 });
    await until(() => out.length === 15, 2000, 'the newest part');
    direct.deliver('cam', { events: older, scannedTo: 1_040_000, last: true, from: 999_000 });
    await until(() => out.length === 30, 2000, `the older part (${out.length} of 30)`);
    assert.deepEqual(new Set(out.map((d) => d.event.eventId)).size, 30);
  });

  it('watches a device bound to the account later from the list read before it appeared', async () => {
    const out: FeedDelivery[] = [];
    const every = await feed({ id: 'every' }, out);
    await until(() => (every.watched()?.length ?? 0) === 4, 5000, 'the device list');
    await control(emulator, 'devices', { iotId: 'late-camera' });
    const early = await inject(emulator, { iotId: 'late-camera' }); // before the feed knows the device
    await until(() => out.some((d) => d.event.eventId === early), 10_000, 'the event of the new device');
    assert.ok(every.watched()?.includes('late-camera'));
  });

  it('keeps only its event type and keeps the cooldown across a restart', async () => {
    const out: FeedDelivery[] = [];
    const options = { id: 'typed', devices: ['demo-camera-1'], eventType: 1, cooldownMs: 60_000 };
    const first = await feed(options, out);
    await sleep(200);
    const motion = await inject(emulator, { iotId: 'demo-camera-1', eventType: 1 });
    await inject(emulator, { iotId: 'demo-camera-1', eventType: 2 });
    await until(() => out.length === 1, 5000, 'the motion event');
    assert.equal(out[0].event.eventId, motion);
    assert.equal(out[0].suppressed, undefined);
    // Restart: the cooldown started by the first event still holds.
    const entry = open.find((o) => o.feed === first);
    assert.ok(entry);
    await first.close();
    await entry.store.close();
    open.splice(open.indexOf(entry), 1);
    await feed(options, out);
    const again = await inject(emulator, { iotId: 'demo-camera-1', eventType: 1 });
    await until(() => out.length === 2, 5000, 'the second motion event');
    assert.equal(out[1].event.eventId, again);
    assert.deepEqual(out[1].suppressed && { count: out[1].suppressed.count }, { count: 1 });
  });

  it('reports devices whose polls keep failing as overdue, and judges them fine once polls succeed', async () => {
    const now = Date.now();
    const healthy = { iotId: 'a', since: now - 60_000, lastOkAt: now - 500, periodMs: 1000 };
    const stuck = { iotId: 'b', since: now - 60_000, lastOkAt: now - 3500, periodMs: 1000 };
    const judged = judgeLiveness([healthy, stuck], 1000, now);
    assert.deepEqual(judged.overdue.map((d) => d.iotId), ['b']);
    assert.equal(judged.lastOkAt, now - 500);
    // A stretched period moves the threshold with it.
    assert.equal(judgeLiveness([{ ...stuck, periodMs: 5000 }], 1000, now).overdue.length, 0);
    // Never polled: counted from when watching started.
    assert.equal(judgeLiveness([{ iotId: 'c', since: now - 2000, lastOkAt: 0 }], 1000, now).overdue.length, 0);
    assert.equal(judgeLiveness([], 1000, now, { since: now - 4000, readAt: 0 }).listOverdue, true);
  });
});

describe('on-event feed and a local clock that is off before the first answer', function () {
  this.timeout(20_000);
  const realDateNow = Date.now;
  afterEach(() => {
    Date.now = realDateNow;
  });

  it('backfills from the true start when the machine clock runs 10 minutes ahead of the cloud', async () => {
    const skewMs = 600_000;
    Date.now = () => realDateNow() + skewMs;
    const events = [
      { eventId: 'ev-55-min-ago', eventTime: realDateNow() - 55 * 60_000, eventType: 1 },
      { eventId: 'ev-30-min-ago', eventTime: realDateNow() - 30 * 60_000, eventType: 1 },
    ];
    let answered = false; // the clock offset is learned from the first answer
    const fake = {
      closed: false,
      get clockOffsetMs() {
        return answered ? -skewMs : 0;
      },
      serverNow: () => (answered ? realDateNow() : Date.now()),
      serverPassed: () => (answered ? realDateNow() - 1000 : Date.now() - 1000),
      backoffRemainingMs: () => 0,
      async call(name: string, params: Record<string, unknown>) {
        assert.equal(name, 'queryEvents');
        answered = true;
        const list = events.filter((e) => e.eventTime >= Number(params.beginTime) && e.eventTime <= Number(params.endTime));
        return { eventList: list.map((e) => ({ ...e, iotId: 'cam' })), nextValid: false };
      },
    } as unknown as LinkVisualClient;
    const poller = new EventPoller({ client: async () => fake, rateLimit: 100 });
    const store = await CursorStore.open(undefined, { overlapMs: 300_000 });
    const out: FeedDelivery[] = [];
    const created = new EventFeed({
      id: 'skewed', devices: ['cam'], eventType: 0, intervalMs: 500, startup: 'backfill', backfillMs: 60 * 60_000, cooldownMs: 0,
      image: false, clip: false, store, client: async () => fake, emit: (delivery) => out.push(delivery),
    });
    created.start(poller);
    try {
      await until(() => out.length === 2, 5000, 'both backfilled events');
      // The first window began at the local (wrong) start; the next one, on the cloud's clock, reaches the older event.
      assert.deepEqual(out.map((d) => d.event.eventId).sort(), ['ev-30-min-ago', 'ev-55-min-ago']);
      await sleep(1200);
      assert.equal(out.length, 2, 'each once');
    } finally {
      await created.close();
      await poller.close();
    }
  });
});
