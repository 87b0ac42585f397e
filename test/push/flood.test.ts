/**
 * A push flood stays bounded (issue 15): when the broker delivers pushes far faster than event/query can
 * answer, for one device or many, an on-event node keeps at most one nudge per device (later pushes only
 * widen it), one poll per device in flight and the poller's concurrency cap across devices. Queries grow
 * with time, not with pushes; every push is settled at once (nothing piles up unacknowledged); and every
 * event still comes exactly once.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startEmulator, type EmulatorHandle } from '../../lib/emulator';
import { control, fault, inject, until } from '../events/helpers';
import { accountNode, helper, packageNodes, statusOf, type TestNode } from '../helpers/node-red';

type Msg = Record<string, unknown>;
const QUERY_PATH = '/vision/customer/event/query';
/** Every event/query answers this late during the flood: pushes come much faster than polls can run. */
const QUERY_DELAY_MS = 500;
/** The poller's default cap on polls in flight across devices (lib/events/poller.ts). */
const MAX_CONCURRENT_POLLS = 16;

describe('push flood: nudges coalesce per device and polls stay bounded', function () {
  this.timeout(90_000);
  let emulator: EmulatorHandle;
  let userDir: string;

  before(async () => {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-push-flood-'));
    helper.settings({ userDir, linkVisualOnEventOverlap: 60 });
    emulator = await startEmulator({ port: 0, cameras: 20, amqpPort: 0 });
  });
  after(async () => {
    await emulator.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await helper.unload();
    await control(emulator, 'faults/clear');
    await control(emulator, 'push', { duplicate: 0 });
  });

  /**
   * Loads one on-event node on `devices` (push on, sweep 600 s, interval 600 s: only pushes make it poll),
   * raises `events` events round-robin on them as fast as the control API takes them, every push sent
   * twice, with every event/query answering QUERY_DELAY_MS late; returns what came and what it cost.
   */
  async function flood(devices: string[], events: number) {
    const account = accountNode(emulator.url, { rateLimit: 1000 });
    await helper.load(packageNodes(), [
      { id: 'tab', type: 'tab' },
      { ...account.node, push: true, pushEndpoint: emulator.amqpUrl },
      { id: 'watch', type: 'link-visual-on-event', z: 'tab', account: 'account', devices: devices.join('\n'), interval: 600, sweep: 600, startup: 'backfill', backfillMinutes: 1, wires: [['sink'], ['sink']] },
      { id: 'sink', type: 'helper', z: 'tab' },
    ], account.credentials);
    const watch = helper.getNode('watch') as TestNode;
    const delivered = new Map<string, number>();
    (helper.getNode('sink') as TestNode).on('input', ((msg: Msg) => {
      const id = String((msg.payload as Msg).eventId);
      delivered.set(id, (delivered.get(id) ?? 0) + 1);
    }) as (...args: never[]) => void);
    await until(() => /^push ·/.test(statusOf(watch).text ?? ''), 10_000, `push mode (status ${JSON.stringify(statusOf(watch))})`);
    await control(emulator, 'push', { duplicate: 1 });
    await fault(emulator, { path: QUERY_PATH, mode: 'delay', delayMs: QUERY_DELAY_MS, times: 100_000 });
    const before = emulator.stats();
    const queriesBefore = before.byPath[QUERY_PATH] ?? 0;
    const started = performance.now();
    const raised: string[] = [];
    for (let i = 0; i < events; i += 8) {
      const batch = Array.from({ length: Math.min(8, events - i) }, (_v, j) => inject(emulator, { iotId: devices[(i + j) % devices.length], picture: false, recording: false }));
      raised.push(...(await Promise.all(batch)));
    }
    // Every event comes (by the pushes alone: no poll or sweep is due for 10 minutes).
    await until(() => raised.every((id) => delivered.has(id)), 30_000, `every event (${raised.filter((id) => delivered.has(id)).length} of ${raised.length})`);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // any duplicate, and the last retries, by now
    const seconds = (performance.now() - started) / 1000;
    const after = emulator.stats();
    return {
      raised,
      delivered,
      seconds,
      queries: (after.byPath[QUERY_PATH] ?? 0) - queriesBefore,
      pushes: after.push.sent - before.push.sent,
      settled: after.push.settled - before.push.settled,
      unsettled: after.push.sent - after.push.settled,
    };
  }

  for (const [what, devices, events] of [
    ['one device', ['demo-camera-1'], 400],
    ['twenty devices', Array.from({ length: 20 }, (_v, i) => `demo-camera-${i + 1}`), 800],
  ] as const) {
    it(`${what}: ${events * 2} pushes, queries bounded by time, every event once`, async () => {
      const run = await flood([...devices], events);
      const duplicates = [...run.delivered.values()].filter((n) => n > 1).length;
      console.log(`      [push flood] ${what}: ${JSON.stringify({ events, pushes: run.pushes, queries: run.queries, seconds: Math.round(run.seconds * 10) / 10, unsettled: run.unsettled, duplicates })}`);
      assert.equal(run.delivered.size, run.raised.length, 'every event delivered');
      assert.equal(duplicates, 0, 'none twice');
      assert.ok(run.pushes >= events * 2 * 0.95, `the pushes were sent (twice each): ${run.pushes}`);
      // Settled as they are handed on: nothing waits unacknowledged at the broker.
      assert.equal(run.unsettled, 0, `pushes left unsettled: ${run.unsettled}`);
      // One poll per device in flight, at most MAX_CONCURRENT_POLLS at once, each QUERY_DELAY_MS long; a few
      // nudge retries (0.25 … 4 s) per device after the flood. Far fewer queries than pushes.
      const inFlight = Math.min(devices.length, MAX_CONCURRENT_POLLS);
      const bound = Math.ceil((run.seconds * 1000) / QUERY_DELAY_MS) * inFlight + devices.length * 6;
      assert.ok(run.queries <= bound, `${run.queries} event/query calls in ${run.seconds.toFixed(1)} s (bound ${bound})`);
      // Without coalescing every push would cost a query (or more, with the retries).
      assert.ok(run.queries * 2 <= run.pushes, `${run.queries} queries for ${run.pushes} pushes: nudges coalesce`);
    });
  }
});
