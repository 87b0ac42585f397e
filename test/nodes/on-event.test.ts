import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type EmulatorHandle } from '../../lib/emulator';
import { cursorFilePath } from '../../lib/events/cursor-store';
import { control, emulatorClient, fault, inject, Tally, until } from '../events/helpers';
import { MessageQueue, accountNode, callsOf, helper, packageNodes, statusOf, type TestNode } from '../helpers/node-red';

/* eslint-disable @typescript-eslint/no-require-imports */
const catchNode = require('@node-red/nodes/core/common/25-catch.js') as unknown;
/* eslint-enable @typescript-eslint/no-require-imports */

type Msg = Record<string, unknown>;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const camera = (n: number) => `demo-camera-${n}`;


async function statusMatching(node: TestNode, check: (status: { fill?: string; text?: string }) => boolean, ms: number, what: string): Promise<void> {
  await until(() => check(statusOf(node)), ms, `${what} (status now ${JSON.stringify(statusOf(node))})`);
}

describe('link-visual-on-event node', function () {
  this.timeout(60_000);
  let emulator: EmulatorHandle;
  let userDir: string;

  before(async () => {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-on-event-'));
    helper.settings({ userDir, linkVisualOnEventOverlap: 10 });
    emulator = await startEmulator({ port: 0, cameras: 60 });
    // An event-triggered plan on camera 2: its events get a recording (and so a clip).
    const client = emulatorClient(emulator);
    const plan = (await client.call('setEventPlan', { name: 'clips', allDay: 1, eventTypeList: [1, 2, 3], recordDuration: 10, preRecordDuration: 0 })) as { planId: string };
    await client.call('bindEventPlan', { iotId: camera(2), planId: plan.planId });
    await client.close();
  });
  after(async () => {
    await emulator.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await helper.unload();
    await fetch(`${emulator.url}/_emulator/faults/clear`, { method: 'POST' });
  });

  interface Loaded {
    events: MessageQueue;
    suppressed: MessageQueue;
    caught: MessageQueue;
    node(id: string): TestNode;
  }

  function flow(nodes: Msg[], accountOptions: Parameters<typeof accountNode>[1] = {}) {
    const account = accountNode(emulator.url, { rateLimit: 200, ...accountOptions });
    return {
      nodes: [
        { id: 'tab', type: 'tab', label: 'on-event' },
        account.node,
        ...nodes.map((node) => ({ type: 'link-visual-on-event', z: 'tab', x: 100, y: 100, account: 'account', interval: 1, startup: 'new', wires: [['events'], ['suppressed']], ...node })),
        { id: 'catcher', type: 'catch', z: 'tab', x: 100, y: 200, scope: null, uncaught: false, wires: [['caught']] },
        { id: 'events', type: 'helper', z: 'tab', x: 300, y: 100 },
        { id: 'suppressed', type: 'helper', z: 'tab', x: 300, y: 150 },
        { id: 'caught', type: 'helper', z: 'tab', x: 300, y: 200 },
      ],
      credentials: account.credentials,
    };
  }

  async function load(nodes: Msg[], accountOptions: Parameters<typeof accountNode>[1] = {}): Promise<Loaded> {
    const { nodes: flowNodes, credentials } = flow(nodes, accountOptions);
    await helper.load([catchNode, ...packageNodes()], flowNodes, credentials);
    return {
      events: new MessageQueue(helper.getNode('events') as TestNode),
      suppressed: new MessageQueue(helper.getNode('suppressed') as TestNode),
      caught: new MessageQueue(helper.getNode('caught') as TestNode),
      node: (id) => helper.getNode(id) as TestNode,
    };
  }

  it('sends one message per event: payload, topic, alert image, and a status with the count and last poll', async () => {
    const flowLoaded = await load([{ id: 'watch', devices: camera(1), image: true }]);
    await sleep(300);
    const eventId = await inject(emulator, { iotId: camera(1), eventType: 1 });
    const msg = await flowLoaded.events.next(10_000);
    const payload = msg.payload as Msg;
    assert.equal(payload.eventId, eventId);
    assert.equal(payload.iotId, camera(1));
    assert.equal(payload.eventType, 1);
    assert.equal(payload.eventTypeName, 'motion');
    assert.equal(typeof payload.eventTime, 'number');
    assert.equal(payload.eventTime, Date.parse(String(payload.eventTimeUTC)));
    assert.match(String(payload.eventTimeLocal), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.equal(payload.eventDesc, 'Motion detected');
    assert.equal(msg.topic, `link-visual/${camera(1)}/motion`);
    assert.ok(Buffer.isBuffer(msg.image), 'msg.image is a Buffer');
    assert.equal((msg.image as Buffer)[0], 0xff);
    assert.equal((msg.image as Buffer)[1], 0xd8);
    assert.equal(msg.contentType, 'image/jpeg');
    assert.equal(msg.filename, `${camera(1)}-${eventId}.jpg`);
    assert.equal((msg.linkVisual as Msg).operation, 'on-event');
    await statusMatching(flowLoaded.node('watch'), (s) => s.fill === 'green' && /^1 event · \d\d:\d\d:\d\d$/.test(s.text ?? ''), 5000, 'a green status with the count');
    assert.equal(flowLoaded.events.size, 0);
  });

  it('attaches the clip of the event, and a structured clipError (event still sent) when there is none', async () => {
    const withPlan = await inject(emulator, { iotId: camera(2), eventTime: Date.now() - 30_000 });
    const withoutPlan = await inject(emulator, { iotId: camera(3), eventTime: Date.now() - 30_000 });
    const flowLoaded = await load([{ id: 'clips', devices: `${camera(2)}, ${camera(3)}`, clip: true, startup: 'backfill', backfillMinutes: 1 }]);
    const received = [await flowLoaded.events.next(15_000), await flowLoaded.events.next(15_000)];
    const byId = new Map(received.map((msg) => [(msg.payload as Msg).eventId, msg]));
    const clipped = byId.get(withPlan);
    assert.ok(clipped, 'the event with a recording');
    const clip = clipped.clip as Msg;
    assert.match(String(clip.url), /\/_media\/vod\//);
    assert.ok(Number(clip.expiresAt) > Date.now());
    assert.equal(typeof clip.fileName, 'string');
    const unclipped = byId.get(withoutPlan);
    assert.ok(unclipped, 'the event without a recording is sent too');
    const error = unclipped.clipError as Msg;
    assert.equal(error.code, 'API_ERROR');
    assert.equal(error.apiCode, 20507);
    assert.equal(typeof error.message, 'string');
    assert.equal(unclipped.clip, undefined);
  });

  it('sends the event with msg.imageError after bounded retries when the picture cannot be had', async () => {
    const flowLoaded = await load([{ id: 'img', devices: camera(4), image: true }]);
    await sleep(300);
    const noPicture = await inject(emulator, { iotId: camera(4), picture: false });
    const first = await flowLoaded.events.next(10_000);
    assert.equal((first.payload as Msg).eventId, noPicture);
    assert.equal((first.imageError as Msg).code, 'NOT_READY');
    assert.equal(first.image, undefined);
    await fault(emulator, { path: '/_media/*', mode: 'http', status: 500, times: 10 });
    const failing = await inject(emulator, { iotId: camera(4) });
    const started = Date.now();
    const second = await flowLoaded.events.next(15_000);
    assert.equal((second.payload as Msg).eventId, failing);
    const error = second.imageError as Msg;
    assert.equal(error.code, 'MEDIA');
    assert.equal(error.httpStatus, 500);
    assert.equal(error.retryable, true);
    assert.ok(Date.now() - started < 10_000, 'bounded: the event did not wait long');
  });

  it('cooldown: events within it go to the second output, counted, not lost', async () => {
    const now = Date.now();
    const a = await inject(emulator, { iotId: camera(5), eventTime: now - 40_000 });
    const b = await inject(emulator, { iotId: camera(5), eventTime: now - 35_000 });
    const c = await inject(emulator, { iotId: camera(5), eventTime: now - 20_000 });
    const flowLoaded = await load([{ id: 'cool', devices: camera(5), cooldown: 10, startup: 'backfill', backfillMinutes: 1 }]);
    const first = await flowLoaded.events.next(10_000);
    const held = await flowLoaded.suppressed.next(10_000);
    const third = await flowLoaded.events.next(10_000);
    assert.equal((first.payload as Msg).eventId, a);
    assert.equal((held.payload as Msg).eventId, b);
    assert.equal((third.payload as Msg).eventId, c);
    const suppressed = held.suppressed as Msg;
    assert.equal(suppressed.count, 1);
    assert.equal(suppressed.until, (first.payload as Msg).eventTime as number + 10_000);
    await statusMatching(flowLoaded.node('cool'), (s) => /^2 events, 1 suppressed · /.test(s.text ?? ''), 5000, 'the suppressed count in the status');
  });

  it('startup: "new" skips events from before its first start, "backfill" delivers them first', async () => {
    const old = await inject(emulator, { iotId: camera(6), eventTime: Date.now() - 120_000 });
    const flowLoaded = await load([
      { id: 'fresh', devices: camera(6), startup: 'new', wires: [['events'], []] },
      { id: 'back', devices: camera(6), startup: 'backfill', backfillMinutes: 5, wires: [['suppressed'], []] },
    ]);
    const backfilled = await flowLoaded.suppressed.next(10_000);
    assert.equal((backfilled.payload as Msg).eventId, old);
    const recent = await inject(emulator, { iotId: camera(6) });
    assert.equal(((await flowLoaded.events.next(10_000)).payload as Msg).eventId, recent, '"new" gets only the new event');
    assert.equal(((await flowLoaded.suppressed.next(10_000)).payload as Msg).eventId, recent);
    await sleep(1500);
    assert.equal(flowLoaded.events.size + flowLoaded.suppressed.size, 0);
  });

  it('resumes after a restart with the same user directory: no replay, no gap', async () => {
    const devices = [camera(7), camera(8)];
    const node = { id: 'resume', devices: devices.join('\n') };
    let flowLoaded = await load([node]);
    await sleep(300);
    const before: string[] = [];
    for (let i = 0; i < 6; i += 1) before.push(await inject(emulator, { iotId: devices[i % 2] }));
    const seen = new Tally();
    for (let i = 0; i < 6; i += 1) {
      const msg = await flowLoaded.events.next(10_000);
      seen.add('', String((msg.payload as Msg).eventId), 0);
    }
    assert.deepEqual(seen.missing(before), []);
    await helper.unload();
    const file = cursorFilePath(userDir, 'resume');
    assert.ok(fs.existsSync(file), 'the cursor file is written');
    const during: string[] = [];
    for (let i = 0; i < 6; i += 1) during.push(await inject(emulator, { iotId: devices[i % 2], visibleAfterMs: i === 0 ? 1500 : 0 }));
    flowLoaded = await load([node]);
    for (let i = 0; i < 6; i += 1) {
      const msg = await flowLoaded.events.next(10_000);
      seen.add('', String((msg.payload as Msg).eventId), 0);
    }
    await sleep(2500);
    assert.equal(flowLoaded.events.size, 0, 'nothing replayed');
    assert.deepEqual(seen.missing([...before, ...during]), []);
    assert.equal(seen.duplicates, 0);
  });

  it('shares one scheduler: two nodes on the same devices make one query per device per cycle', async () => {
    const devices = [9, 10, 11, 12].map(camera).join(',');
    await load([
      { id: 'one', devices, wires: [['events'], []] },
      { id: 'two', devices, eventType: 1, interval: 2, wires: [['suppressed'], []] },
    ]);
    await sleep(1500);
    const before = emulator.stats().byPath['/vision/customer/event/query'] ?? 0;
    await sleep(3000);
    const calls = (emulator.stats().byPath['/vision/customer/event/query'] ?? 0) - before;
    // 4 devices × 3 one-second cycles = 12 (two separate pollers would make 18).
    assert.ok(calls >= 10 && calls <= 14, `${calls} event/query calls in 3 s`);
  });

  it('turns red after 3 intervals without a successful poll, raises one catchable error, and recovers', async () => {
    const flowLoaded = await load([{ id: 'stall', devices: camera(13) }], { rateLimit: 200 });
    await statusMatching(flowLoaded.node('stall'), (s) => s.fill === 'green', 5000, 'a first good poll');
    await fault(emulator, { path: '/vision/customer/event/query', mode: 'http', status: 503, times: 100_000 });
    const caught = await flowLoaded.caught.next(15_000);
    const error = caught.error as Msg;
    assert.equal(error.code, 'TIMEOUT');
    assert.equal((error.source as Msg).id, 'stall');
    assert.deepEqual((caught.payload as Msg).devices, [camera(13)]);
    assert.equal(((caught._error as Msg) ?? {}).code, 'TIMEOUT');
    assert.equal(statusOf(flowLoaded.node('stall')).fill, 'red');
    await sleep(2500);
    assert.equal(flowLoaded.caught.size, 0, 'the error is raised once per episode');
    await fetch(`${emulator.url}/_emulator/faults/clear`, { method: 'POST' });
    await statusMatching(flowLoaded.node('stall'), (s) => s.fill === 'green', 15_000, 'recovery');
    const event = await inject(emulator, { iotId: camera(13) });
    assert.equal(((await flowLoaded.events.next(10_000)).payload as Msg).eventId, event);
  });

  it('watches every device of the account when no device is listed', async () => {
    const flowLoaded = await load([{ id: 'everyone', devices: '' }]);
    await statusMatching(flowLoaded.node('everyone'), (s) => s.fill === 'green', 10_000, 'polls of every device');
    const event = await inject(emulator, { iotId: camera(14), eventType: 3 });
    const msg = await flowLoaded.events.next(10_000);
    assert.equal((msg.payload as Msg).eventId, event);
    assert.equal(msg.topic, `link-visual/${camera(14)}/human`);
  });

  it('says in the status when the account budget stretches the polling period', async () => {
    // 10 devices every second want 10 polls/s; 80 % of 1 request/s allows 0.8: every device every 12.5 s.
    const devices = Array.from({ length: 10 }, (_, i) => camera(40 + i)).join(',');
    const flowLoaded = await load([{ id: 'tight', devices }], { rateLimit: 1 });
    await statusMatching(flowLoaded.node('tight'), (s) => s.fill === 'yellow' && /· every 13 s$/.test(s.text ?? ''), 10_000, 'a stretched status');
  });

  it('refuses invalid settings with a red status and an error', async () => {
    const flowLoaded = await load([{ id: 'bad', devices: camera(15), interval: 0 }]);
    const node = flowLoaded.node('bad');
    assert.equal(statusOf(node).fill, 'red');
    assert.match(String(callsOf(node, 'error')[0]?.args[0]), /interval/);
  });

  it('delivers 1,000 events exactly once through faults, late events and two restarts with the same user directory', async function () {
    this.timeout(90_000);
    const devices = Array.from({ length: 40 }, (_, i) => camera(20 + i));
    const node = { id: 'bulk', devices: devices.join('\n') };
    const tally = new Tally();
    await load([node], { rateLimit: 400 });
    const collect = (): void => {
      (helper.getNode('events') as TestNode).on('input', ((msg: Msg) => {
        const payload = msg.payload as Msg;
        tally.add(String(payload.iotId), String(payload.eventId), Number(payload.eventTime));
      }) as (...args: never[]) => void);
    };
    collect();
    const startedAt = Date.now();
    await sleep(1200);
    const injected = new Set<string>();
    const faults: Record<number, () => Promise<void>> = {
      2: () => fault(emulator, { path: '/vision/customer/event/query', mode: 'http', status: 503, times: 120 }),
      5: () => fault(emulator, { path: '/vision/customer/event/query', mode: 'code', code: 429, times: 2 }),
      9: () => fault(emulator, { path: '/vision/customer/event/query', mode: 'reset', times: 10 }),
      13: () => control(emulator, 'tokens/expire').then(() => undefined),
      17: () => fault(emulator, { path: '/vision/customer/event/query', mode: 'http', status: 429, times: 2, retryAfterSeconds: 1 }),
      21: () => fault(emulator, { path: '*', mode: 'code', code: 500, times: 8 }),
    };
    let late = 0;
    let past = 0;
    for (let round = 0; round < 25; round += 1) {
      await faults[round]?.();
      if (round === 8 || round === 16) {
        await helper.unload(); // Node-RED stops; events keep happening
        const down = devices.map((iotId, i) => inject(emulator, { iotId, ...(i % 7 === 0 ? { visibleAfterMs: 1000 } : {}) }));
        for (const id of await Promise.all(down)) injected.add(id);
        await load([node], { rateLimit: 400 });
        collect();
        continue;
      }
      const batch = devices.map((iotId, i) => {
        const pick = (round * 40 + i) % 10;
        if (pick < 2) {
          late += 1;
          return inject(emulator, { iotId, eventType: 2, visibleAfterMs: 500 + pick * 1000 });
        }
        if (pick < 4) {
          past += 1;
          return inject(emulator, { iotId, eventType: 3, eventTime: Date.now() - Math.min(3000, Date.now() - startedAt - 200) });
        }
        return inject(emulator, { iotId });
      });
      for (const id of await Promise.all(batch)) injected.add(id);
      await sleep(300);
    }
    await until(() => tally.missing(injected).length === 0, 30_000, `every event (missing ${tally.missing(injected).length} of ${injected.size})`);
    await sleep(2500);
    assert.ok(injected.size >= 1000, `${injected.size} injected`);
    assert.deepEqual(tally.missing(injected), []);
    assert.equal(tally.duplicates, 0, 'no duplicates');
    assert.equal(tally.counts.size, injected.size);
    for (const iotId of devices) {
      const times = tally.order.filter((entry) => entry.iotId === iotId);
      assert.ok(times.length >= 25, `${iotId}: ${times.length} events`);
    }
    console.log(`      node: delivered ${tally.counts.size} of ${injected.size} injected (${late} late, ${past} past), duplicates ${tally.duplicates}, faults applied ${emulator.stats().faultsApplied}`);
  });
});

describe('link-visual-on-event hygiene', function () {
  this.timeout(90_000);

  it('leaves no timers or sockets behind after 50 deploys', async () => {
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-on-event-hygiene-'));
    helper.settings({ userDir });
    const emulator = await startEmulator({ port: 0, cameras: 6 });
    const account = accountNode(emulator.url);
    const flow = [
      { id: 'tab', type: 'tab' },
      account.node,
      { id: 'listed', type: 'link-visual-on-event', z: 'tab', x: 1, y: 1, account: 'account', devices: 'demo-camera-1,demo-camera-2', interval: 1, image: true, wires: [['sink'], []] },
      { id: 'every', type: 'link-visual-on-event', z: 'tab', x: 1, y: 2, account: 'account', devices: '', interval: 1, cooldown: 5, wires: [['sink'], ['sink']] },
      { id: 'sink', type: 'helper', z: 'tab', x: 2, y: 2 },
    ];
    const cycle = async (i: number) => {
      await helper.load(packageNodes(), flow, account.credentials);
      try {
        if (i % 10 === 0) {
          const sink = new MessageQueue(helper.getNode('sink') as TestNode);
          await inject(emulator, { iotId: 'demo-camera-1' });
          await sink.next(10_000).catch((error: Error) => {
            const status = (id: string) => JSON.stringify(statusOf(helper.getNode(id) as TestNode));
            throw new Error(`cycle ${i}: ${error.message}; status listed ${status('listed')}, every ${status('every')}`);
          });
        } else {
          await sleep(20);
        }
      } finally {
        await helper.unload();
      }
    };
    // Keep-alive sockets (the control API's fetch, 4 s; undici's coarse timer) end by themselves: wait them out.
    const settle = () => new Promise((resolve) => setTimeout(resolve, 5000));
    const resources = () => process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
    const count = (list: string[], name: string) => list.filter((r) => r === name).length;
    try {
      await cycle(0);
      await settle();
      const before = resources();
      for (let i = 0; i < 50; i += 1) await cycle(i);
      await settle();
      const after = resources();
      assert.ok(count(after, 'Timeout') <= count(before, 'Timeout'), `timers grew from ${count(before, 'Timeout')} to ${count(after, 'Timeout')}`);
      assert.ok(count(after, 'TCPSocketWrap') <= count(before, 'TCPSocketWrap'), `sockets grew from ${count(before, 'TCPSocketWrap')} to ${count(after, 'TCPSocketWrap')}`);
      assert.ok(after.length <= before.length, `resources grew from ${before.join(', ')} to ${after.join(', ')}`);
      const files = fs.readdirSync(path.join(userDir, 'link-visual'));
      assert.ok(files.every((name) => !name.endsWith('.tmp')), `no temp files: ${files.join(', ')}`);
    } finally {
      await emulator.close();
      fs.rmSync(userDir, { recursive: true, force: true });
    }
  });
});
