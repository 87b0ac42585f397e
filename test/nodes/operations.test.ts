import assert from 'node:assert/strict';
import { operations } from '../../lib/catalog/operations';
import { startEmulator } from '../../lib/emulator';
import { MessageQueue, accountNode, exchange, helper, packageNodes, tempUserDir, type TestNode } from '../helpers/node-red';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const catchNode = require('@node-red/nodes/core/common/25-catch.js') as unknown;

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

const NODE_TYPES = ['plan', 'bind', 'recordings', 'record', 'snapshot', 'pictures', 'events', 'storage', 'api'] as const;
type NodeName = (typeof NODE_TYPES)[number];

async function control(emulator: Emulator, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${emulator.url}/_emulator/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(response.ok, `control ${path}: HTTP ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}

describe('operation nodes against the emulator: every operation through a node', function () {
  this.timeout(120_000);
  let emulator: Emulator;
  let userDir: { dir: string; remove: () => void };
  let sink: MessageQueue;
  const camera = 'demo-camera-1';

  before(async () => {
    userDir = tempUserDir();
    emulator = await startEmulator({ port: 0, transcodeMs: 200, captureDelayMs: 100 });
    const account = accountNode(emulator.url);
    const flow: Record<string, unknown>[] = [
      { id: 'tab', type: 'tab', label: 'ops' },
      { ...account.node },
      ...NODE_TYPES.map((name) => ({ id: name, type: `link-visual-${name}`, z: 'tab', x: 100, y: 100, account: 'account', wires: [['sink']] })),
      { id: 'catcher', type: 'catch', z: 'tab', x: 100, y: 200, scope: null, uncaught: false, wires: [['sink']] },
      { id: 'sink', type: 'helper', z: 'tab', x: 300, y: 100 },
    ];
    await helper.load([catchNode, ...packageNodes()], flow, account.credentials);
    sink = new MessageQueue(helper.getNode('sink') as TestNode);
  });

  after(async () => {
    await helper.unload();
    await emulator.close();
    userDir.remove();
  });

  async function run(name: NodeName, msg: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { output, error } = await exchange(helper.getNode(name) as TestNode, msg, sink);
    if (error) assert.fail(`${name} ${String(msg.operation)} failed: ${JSON.stringify((error as { error: unknown }).error)}`);
    return output as Record<string, unknown>;
  }

  const payloadOf = (msg: Record<string, unknown>) => msg.payload as Record<string, unknown>;

  for (const kind of ['record', 'event'] as const) {
    it(`manages ${kind} plans: set, update, get, query, bind, plan of device, devices of plan, unbind, delete`, async () => {
      const schedule =
        kind === 'record'
          ? { allDay: 0, timeSectionList: [{ dayOfWeek: 1, begin: 0, end: 3600 }] }
          : { allDay: 0, timeSectionList: [{ dayOfWeek: 1, begin: 0, end: 3600 }], eventTypeList: [1], recordDuration: 30, preRecordDuration: 5 };
      const created = await run('plan', { operation: 'set', kind, payload: { name: `${kind}-plan`, ...schedule } });
      const planId = payloadOf(created).planId as string;
      assert.equal(typeof planId, 'string');
      assert.equal((created.linkVisual as { kind: string }).kind, kind);

      await run('plan', { operation: 'update', kind, payload: { planId, name: `${kind}-plan`, allDay: 1 } });
      const got = await run('plan', { operation: 'get', kind, payload: { planId } });
      assert.equal(payloadOf(got).allDay, 1);
      const listed = await run('plan', { operation: 'query', kind });
      assert.ok((listed.payload as { planId: string }[]).some((plan) => plan.planId === planId));

      await run('bind', { operation: 'bind', kind, payload: { iotId: camera, planId } });
      const bound = await run('bind', { operation: 'byDevice', kind, payload: { iotId: camera } });
      assert.equal(payloadOf(bound).planId, planId);
      const devices = await run('bind', { operation: 'devices', kind, payload: { planId } });
      assert.deepEqual((devices.payload as { iotId: string }[]).map((d) => d.iotId), [camera]);
      await run('bind', { operation: 'unbind', kind, payload: { iotId: camera } });
      await run('plan', { operation: 'delete', kind, payload: { planId } });
      const after = await run('plan', { operation: 'query', kind });
      assert.ok(!(after.payload as { planId: string }[]).some((plan) => plan.planId === planId));
    });
  }

  it('works with recordings, events and pictures of a camera', async () => {
    const eventPlan = await run('plan', {
      operation: 'apply',
      kind: 'event',
      payload: { name: 'alerts', allDay: 1, eventTypeList: [1], recordDuration: 20, preRecordDuration: 0 },
    });
    const planId = payloadOf(eventPlan).planId as string;
    await run('bind', { operation: 'apply', kind: 'event', payload: { iotId: camera, planId } });

    const triggered = await run('record', { payload: { iotId: camera, recordDuration: 10 } });
    assert.equal(typeof payloadOf(triggered).recordId, 'string');

    const now = Date.now();
    const injected = await control(emulator, 'POST', 'events', { iotId: camera, eventType: 1, eventTime: now - 120_000, picture: true, recording: true });
    const eventId = injected.eventId as string;

    const events = await run('events', { operation: 'byTime', payload: { iotId: camera, beginTime: now - 3_600_000, endTime: now } });
    assert.ok((events.payload as { eventId: string }[]).some((e) => e.eventId === eventId));
    await run('events', { operation: 'byIds', payload: { iotId: camera, eventIds: [eventId] } });

    const recordings = await run('recordings', { operation: 'query', payload: { iotId: camera, beginTime: new Date(now - 3_600_000), endTime: new Date(now) } });
    const files = recordings.payload as { fileName: string }[];
    assert.ok(files.length > 0, 'the alert recording is listed');
    assert.ok(files.every((file) => (file as { iotId?: string }).iotId === camera), 'each recording names its camera');
    const fileName = files[0].fileName;

    const month = new Date(now);
    await run('recordings', { operation: 'month', payload: { iotId: camera, month: `${month.getUTCFullYear()}${String(month.getUTCMonth() + 1).padStart(2, '0')}` } });
    const vod = await run('recordings', { operation: 'vodByFile', payload: { iotId: camera, fileName } });
    assert.match(payloadOf(vod).vodUrl as string, /^http/);
    assert.ok((vod.expiresAt as number) > now);
    await run('recordings', { operation: 'vodByEvent', payload: { iotId: camera, eventId } });
    await run('recordings', { operation: 'downloadUrl', payload: { iotId: camera, fileName } });
    await run('recordings', { operation: 'setDuration', payload: { iotId: camera, recordDuration: 1200 } });
    const duration = await run('recordings', { operation: 'getDuration', payload: { iotId: camera } });
    assert.equal(payloadOf(duration).recordDuration, 1200);

    await run('pictures', { operation: 'byEvent', payload: { iotId: camera, eventIds: [eventId] } });
    const snapshot = await run('snapshot', { payload: { iotId: camera } });
    assert.ok(Buffer.isBuffer(snapshot.payload));
    assert.equal((snapshot.payload as Buffer)[0], 0xff);
    assert.equal(snapshot.contentType, 'image/jpeg');
    // Picture ids are base64 in the cloud (with '/'): the file name stays one safe part.
    assert.match(String(snapshot.filename), /^[A-Za-z0-9_.=+@~-]+\.jpg$/);
    const pictures = await run('pictures', { operation: 'byTime', fetchImages: true, payload: { iotId: camera, startTime: now - 3_600_000, endTime: Date.now() + 1000 } });
    const list = pictures.payload as { pictureId: string; image?: Buffer }[];
    assert.ok(list.length > 0);
    assert.ok(list.every((picture) => Buffer.isBuffer(picture.image)), 'every picture fetched');
    await run('pictures', { operation: 'byIds', payload: { iotId: camera, pictureIdList: [list[0].pictureId] } });
    await run('pictures', { operation: 'delete', payload: { iotId: camera, pictureIdList: [list[0].pictureId] } });

    await run('events', { operation: 'setConfig', payload: { iotId: camera, eventType: 1, eventInterval: 300 } });
    const config = await run('events', { operation: 'getConfig', payload: { iotId: camera, eventType: 1 } });
    assert.equal(JSON.stringify(config.payload).includes('300'), true);

    const deleted = await run('recordings', { operation: 'delete', payload: { iotId: camera, fileNameList: [fileName] } });
    assert.equal(payloadOf(deleted).deletedCount, 1);
  });

  it('reads and claims the complimentary cloud storage plan', async () => {
    const grant = await run('storage', { operation: 'get', payload: { iotId: 'demo-camera-2' } });
    assert.ok(grant.payload !== undefined);
    await run('storage', { operation: 'consume', payload: { iotId: 'demo-camera-2' } });
  });

  it('reaches any path through the api node', async () => {
    const plans = await run('api', { operation: 'queryRecordPlans', payload: { pageSize: 10 } });
    assert.equal((plans.linkVisual as { path: string }).path, '/vision/customer/record/plan/query');
    const ping = await run('api', { operation: '/kit/debug/ping', payload: { input: 'hello' } });
    assert.equal((ping.linkVisual as { path: string }).path, '/kit/debug/ping');
  });

  it('has called every one of the 38 seed operations through a node', async () => {
    const stats = await control(emulator, 'GET', 'stats');
    const byPath = stats.byPath as Record<string, number>;
    const missing = operations.filter((op) => !op.extra && !(byPath[op.path] > 0)).map((op) => op.path);
    assert.deepEqual(missing, []);
  });
});
