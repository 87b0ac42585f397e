/**
 * Push through the nodes: the account's data-sync connection (emulator AMQP), on-event nodes that
 * poll a device as soon as a push names it, and the link-visual-push node.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type EmulatorHandle } from '../../lib/emulator';
import { control, inject, until } from '../events/helpers';
import { MessageQueue, accountNode, helper, packageNodes, statusOf, type TestNode } from '../helpers/node-red';

type Msg = Record<string, unknown>;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const QUERY_PATH = '/vision/customer/event/query';


describe('push (data sync) through the nodes', function () {
  this.timeout(60_000);
  let emulator: EmulatorHandle;
  let userDir: string;

  before(async () => {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-push-nodes-'));
    helper.settings({ userDir, linkVisualOnEventOverlap: 10 });
    emulator = await startEmulator({ port: 0, cameras: 3, amqpPort: 0 });
    assert.ok(emulator.amqpUrl, 'the emulator has an AMQP endpoint');
  });
  after(async () => {
    await emulator.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await helper.unload();
    await control(emulator, 'push', { drop: 0, duplicate: 0, delayMs: 0 });
  });

  async function load(nodes: Msg[], push = true): Promise<{ sink: MessageQueue; node(id: string): TestNode }> {
    const account = accountNode(emulator.url, { rateLimit: 100 });
    const flow = [
      { id: 'tab', type: 'tab', label: 'push' },
      push ? { ...account.node, push: true, pushEndpoint: emulator.amqpUrl } : account.node,
      ...nodes.map((node) => ({ z: 'tab', x: 100, y: 100, account: 'account', wires: [['sink'], ['sink']], ...node })),
      { id: 'sink', type: 'helper', z: 'tab', x: 300, y: 100 },
    ];
    await helper.load(packageNodes(), flow, account.credentials);
    return { sink: new MessageQueue(helper.getNode('sink') as TestNode), node: (id) => helper.getNode(id) as TestNode };
  }

  it('on-event delivers a pushed event within a second, though it polls only every minute', async () => {
    const flow = await load([{ id: 'watch', type: 'link-visual-on-event', devices: 'demo-camera-1', interval: 60, sweep: 600, startup: 'new' }]);
    await until(() => /^push ·/.test(statusOf(flow.node('watch')).text ?? ''), 10_000, `push mode (status ${JSON.stringify(statusOf(flow.node('watch')))})`);
    const queriesBefore = emulator.stats().byPath[QUERY_PATH] ?? 0;
    const raisedAt = Date.now();
    const eventId = await inject(emulator, { iotId: 'demo-camera-1' });
    const msg = await flow.sink.next(5000);
    const delay = Date.now() - raisedAt;
    assert.equal((msg.payload as Msg).eventId, eventId);
    assert.ok(delay < 1500, `delivered ${delay} ms after the event`);
    await sleep(1500);
    assert.equal(flow.sink.size, 0, 'once');
    const queries = (emulator.stats().byPath[QUERY_PATH] ?? 0) - queriesBefore;
    assert.ok(queries >= 1 && queries <= 3, `${queries} event/query calls for one push`);
    await until(() => /^push · 1 event · last push \d\d:\d\d:\d\d/.test(statusOf(flow.node('watch')).text ?? ''), 7000, `the status (now ${JSON.stringify(statusOf(flow.node('watch')))})`);
  });

  it('falls back to polling when the link is lost, and is back on push once it reconnects', async () => {
    const flow = await load([{ id: 'watch', type: 'link-visual-on-event', devices: 'demo-camera-2', interval: 1, sweep: 600, startup: 'new' }]);
    await until(() => /^push ·/.test(statusOf(flow.node('watch')).text ?? ''), 10_000, 'push mode');
    // Pushes lost on the way: the event still comes, by the poll the lost link falls back to.
    await control(emulator, 'push', { drop: 1, disconnect: true });
    await until(() => /^push .*polling/.test(statusOf(flow.node('watch')).text ?? ''), 10_000, `polling (status ${JSON.stringify(statusOf(flow.node('watch')))})`);
    const eventId = await inject(emulator, { iotId: 'demo-camera-2' });
    const msg = await flow.sink.next(8000);
    assert.equal((msg.payload as Msg).eventId, eventId);
    await until(() => /^push ·/.test(statusOf(flow.node('watch')).text ?? ''), 20_000, 'push mode again after reconnecting');
  });

  it('the push node emits the data-sync messages of its account, filtered', async () => {
    const flow = await load([
      { id: 'events', type: 'link-visual-push', devices: 'demo-camera-3', event: true, property: false, status: false, other: false, identifier: '', wires: [['sink']] },
    ]);
    await until(() => statusOf(flow.node('events')).fill === 'green', 10_000, 'connected');
    await inject(emulator, { iotId: 'demo-camera-1' }); // another device: filtered out
    const eventTime = Date.now() - 100;
    await inject(emulator, { iotId: 'demo-camera-3', eventTime });
    const msg = await flow.sink.next(5000);
    const payload = msg.payload as Msg;
    assert.equal(payload.iotId, 'demo-camera-3');
    assert.equal(payload.kind, 'event');
    assert.match(String(msg.topic), /\/thing\/event\/[A-Za-z]+\/post$/);
    assert.equal(typeof payload.time, 'number');
    await sleep(500);
    assert.equal(flow.sink.size, 0, 'the other camera was filtered out');
    assert.match(String(statusOf(flow.node('events')).text), /^connected · 1 message/);
  });

  it('the push node says plainly when the account has push off', async () => {
    const flow = await load([{ id: 'events', type: 'link-visual-push', wires: [['sink']] }], false);
    await until(() => statusOf(flow.node('events')).text === 'push is off in the account', 5000, 'the status');
  });
});
