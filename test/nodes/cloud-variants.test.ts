/**
 * The real cloud's answer variants (docs/protocol.md §8) through the nodes: list order, event fields and
 * id forms, event times as ms. Each runs against the emulator in that mode.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type EmulatorHandle } from '../../lib/emulator';
import { emulatorClient, inject } from '../events/helpers';
import { MessageQueue, accountNode, helper, packageNodes, type TestNode } from '../helpers/node-red';

type Msg = Record<string, unknown>;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the cloud answer variants through the nodes', function () {
  this.timeout(60_000);
  let emulator: EmulatorHandle;
  let userDir: string;

  before(async () => {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-variants-'));
    helper.settings({ userDir, linkVisualOnEventOverlap: 10 });
    emulator = await startEmulator({ port: 0, cameras: 3 });
    // An event-triggered plan on camera 1: its events get a recording, named in the event's eventFileName.
    const client = emulatorClient(emulator);
    const plan = (await client.call('setEventPlan', { name: 'clips', allDay: 1, eventTypeList: [1, 2, 3], recordDuration: 10, preRecordDuration: 0 })) as { planId: string };
    await client.call('bindEventPlan', { iotId: 'demo-camera-1', planId: plan.planId });
    await client.close();
  });
  after(async () => {
    await emulator.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await helper.unload();
    emulator.variants.set({ eventOrder: 'newest', eventTimeForm: 'text' });
  });

  async function load(nodes: Msg[]): Promise<{ sink: MessageQueue; suppressed: MessageQueue }> {
    const account = accountNode(emulator.url, { rateLimit: 200 });
    const flow = [
      { id: 'tab', type: 'tab', label: 'variants' },
      account.node,
      ...nodes.map((node) => ({ z: 'tab', x: 100, y: 100, account: 'account', wires: [['sink'], ['suppressed']], ...node })),
      { id: 'sink', type: 'helper', z: 'tab', x: 300, y: 100 },
      { id: 'suppressed', type: 'helper', z: 'tab', x: 300, y: 150 },
    ];
    await helper.load(packageNodes(), flow, account.credentials);
    return { sink: new MessageQueue(helper.getNode('sink') as TestNode), suppressed: new MessageQueue(helper.getNode('suppressed') as TestNode) };
  }

  for (const eventOrder of ['newest', 'oldest'] as const) {
    it(`on-event delivers a burst of several full pages once each, in time order (cloud lists ${eventOrder} first)`, async () => {
      emulator.variants.set({ eventOrder });
      const iotId = 'demo-camera-2';
      const { sink } = await load([{ id: `burst-${eventOrder}`, type: 'link-visual-on-event', devices: iotId, interval: 1, startup: 'new' }]);
      await sleep(1500);
      // 250 events in one poll window, after the node started: three pages of 100 (the API's largest).
      const base = Date.now() - 1200;
      const injected: string[] = [];
      for (let i = 0; i < 250; i += 1) injected.push(await inject(emulator, { iotId, eventTime: base + Math.floor(i / 25) * 100, picture: false, recording: false }));
      const received: Msg[] = [];
      while (received.length < injected.length) received.push(await sink.next(20_000));
      await sleep(2500); // two more polls: nothing more may come
      assert.equal(sink.size, 0, 'no event twice');
      const ids = received.map((msg) => (msg.payload as Msg).eventId as string);
      assert.deepEqual([...ids].sort(), [...injected].sort());
      const times = received.map((msg) => (msg.payload as Msg).eventTime as number);
      for (let i = 1; i < times.length; i += 1) assert.ok(times[i] >= times[i - 1], `message ${i} is not older than the one before`);
    });

    it(`the events node lists every event of a window once, oldest first (cloud lists ${eventOrder} first)`, async () => {
      emulator.variants.set({ eventOrder });
      const iotId = 'demo-camera-3';
      const beginTime = Date.now() - 60_000;
      const injected: string[] = [];
      for (let i = 0; i < 130; i += 1) injected.push(await inject(emulator, { iotId, eventTime: beginTime + i * 100, picture: false, recording: false }));
      const { sink } = await load([{ id: 'events', type: 'link-visual-events', operation: 'byTime' }]);
      (helper.getNode('events') as TestNode).receive({ payload: { iotId, beginTime, endTime: Date.now() + 1000, pageSize: 50 } });
      const msg = await sink.next(10_000);
      const list = msg.payload as Msg[];
      const ids = list.map((event) => event.eventId as string);
      assert.equal(new Set(ids).size, ids.length, 'no event twice');
      for (const id of injected) assert.ok(ids.includes(id), `${id} listed`);
      const times = list.map((event) => Date.parse(String(event.eventTimeUTC)));
      assert.deepEqual(times, [...times].sort((a, b) => a - b), 'oldest first');
    });
  }

  it('passes on the fields of intelligent events and names the known types', async () => {
    const { sink } = await load([
      { id: 'intelligent', type: 'link-visual-on-event', devices: 'demo-camera-1', interval: 1, startup: 'new', image: true },
      { id: 'list', type: 'link-visual-events', operation: 'byTime', wires: [['listed']] },
      { id: 'listed', type: 'helper', z: 'tab', x: 300, y: 200 },
    ]);
    const listed = new MessageQueue(helper.getNode('listed') as TestNode);
    await sleep(1500);
    const now = Date.now();
    const eventId = await inject(emulator, { iotId: 'demo-camera-1', eventType: 10009, eventTime: now - 300 });
    const unknown = await inject(emulator, { iotId: 'demo-camera-1', eventType: 10005, eventTime: now - 200 });
    const first = await sink.next(10_000);
    const second = await sink.next(10_000);
    const payload = first.payload as Msg;
    assert.equal(payload.eventId, eventId);
    assert.match(eventId, /^[0-9a-f]{32}_\d{13}$/, 'the cloud form of an event id');
    assert.equal(payload.eventType, 10009);
    assert.equal(payload.eventTypeName, 'personVehicle');
    assert.equal(first.topic, 'link-visual/demo-camera-1/personVehicle');
    assert.deepEqual(payload.tagList, [10009]);
    assert.match(String(payload.intelligentData), /personVehicleDetect/);
    // Picture ids are base64 (with + / =): the alert image is still found and fetched.
    assert.match(String(payload.eventPicId), /^[A-Za-z0-9+/]+=*$/);
    assert.ok(Buffer.isBuffer(first.image), 'the alert image came');
    const other = second.payload as Msg;
    assert.equal(other.eventId, unknown);
    assert.equal(other.eventType, 10005, 'an unknown type passes through');
    assert.equal(other.eventTypeName, '10005');
    // An event whose alert recording has ended names it in eventFileName (the plan records 10 s).
    const motion = await inject(emulator, { iotId: 'demo-camera-1', eventType: 1, eventTime: now - 60_000 });
    (helper.getNode('list') as TestNode).receive({ payload: { iotId: 'demo-camera-1', beginTime: now - 61_000, endTime: now - 59_000 } });
    const [withClip] = (await listed.next(10_000)).payload as Msg[];
    assert.equal(withClip.eventId, motion);
    assert.match(String(withClip.eventFileName), /^s\d_t1_/, 'an event with an ended alert recording names it');
  });

  it('reads event times sent as ms numbers (no eventTimeUTC)', async () => {
    emulator.variants.set({ eventTimeForm: 'ms' });
    const { sink } = await load([{ id: 'ms-times', type: 'link-visual-on-event', devices: 'demo-camera-2', interval: 1, startup: 'new' }]);
    await sleep(1500);
    const eventTime = Date.now() - 500;
    const eventId = await inject(emulator, { iotId: 'demo-camera-2', eventTime });
    const msg = await sink.next(10_000);
    const payload = msg.payload as Msg;
    assert.equal(payload.eventId, eventId);
    assert.equal(payload.eventTime, eventTime);
    assert.equal(payload.eventTimeUTC, undefined);
    assert.equal(payload.eventTimeLocal, undefined, 'a time in ms is not local text');
  });

  it('takes the newer parameters through the nodes: recordType 3, a month in a time zone, needProlongOriginRecord', async () => {
    const { sink } = await load([
      { id: 'recordings', type: 'link-visual-recordings', operation: 'query' },
      { id: 'month', type: 'link-visual-recordings', operation: 'month' },
      { id: 'byIds', type: 'link-visual-events', operation: 'byIds' },
    ]);
    const eventTime = Date.now() - 120_000;
    const eventId = await inject(emulator, { iotId: 'demo-camera-1', eventTime });
    const send = async (id: string, payload: Msg): Promise<Msg> => {
      (helper.getNode(id) as TestNode).receive({ payload });
      const msg = await sink.next(10_000);
      assert.equal(msg.error, undefined, JSON.stringify(msg.error));
      return msg;
    };
    const window = { iotId: 'demo-camera-1', beginTime: Math.floor(eventTime / 1000) - 60, endTime: Math.floor(Date.now() / 1000) };
    const alert = (await send('recordings', { ...window, recordType: 1 })).payload as Msg[];
    assert.ok(alert.length >= 1, 'the event recorded an alert recording');
    assert.deepEqual((await send('recordings', { ...window, recordType: 3 })).payload, [], 'no recording made while watching');
    // The day of the event, counted in UTC+0 and in UTC+12 (the flags of the month the event falls in there).
    for (const timeZone of [0, 12]) {
      const local = new Date(eventTime + timeZone * 3_600_000);
      const month = `${local.getUTCFullYear()}${String(local.getUTCMonth() + 1).padStart(2, '0')}`;
      const flags = String(((await send('month', { iotId: 'demo-camera-1', month, timeZone })).payload as Msg).recordFlags);
      assert.equal(flags.charAt(local.getUTCDate() - 1), '1', `timeZone ${timeZone}: day ${local.getUTCDate()} flagged in ${flags}`);
    }
    const found = (await send('byIds', { iotId: 'demo-camera-1', eventIds: [eventId], needProlongOriginRecord: true })).payload as Msg;
    const list = (Array.isArray(found) ? found : (found.eventList as Msg[])) ?? [];
    assert.deepEqual(list.map((event) => event.eventId), [eventId]);
  });
});
