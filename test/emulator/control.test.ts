/** The control API: exact routes, bad input, loopback only, stats, reset. */
import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import type { EmulatorHandle } from '../../lib/emulator';
import { isLoopback } from '../../lib/emulator/http';
import { start, TestClient, type Json } from './helpers';

describe('emulator control API', () => {
  let emulator: EmulatorHandle;
  let client: TestClient;

  before(async () => {
    emulator = await start();
    client = new TestClient(emulator);
  });
  after(() => emulator.close());
  beforeEach(() => client.reset());

  it('GET /_emulator/devices lists the demo cameras with cloud storage', async () => {
    const { devices } = await client.controlOk<{ devices: Json[] }>('GET', 'devices');
    assert.deepEqual(devices.map((d) => [d.iotId, d.cloudStorage, d.online]), [
      ['demo-camera-1', true, true],
      ['demo-camera-2', true, true],
    ]);
  });

  it('POST /_emulator/devices adds a device (defaults cloudStorage and online true) and updates one', async () => {
    const added = await client.controlOk<Json>('POST', 'devices', { iotId: 'garage', name: 'Garage' });
    assert.equal(added.iotId, 'garage');
    assert.equal(added.cloudStorage, true);
    assert.equal(added.online, true);
    await client.controlOk('POST', 'devices', { iotId: 'garage', online: false });
    const listed = await client.ok<Json>('listDevices', { pageSize: 50 });
    const garage = (listed.data as Json[]).find((d) => d.iotId === 'garage');
    assert.deepEqual(garage, { iotId: 'garage', productKey: 'demoProductKey', deviceName: 'garage', nickName: 'Garage', status: 3 });
  });

  it('POST /_emulator/events answers {eventId, eventTime}; the event shows in event/query', async () => {
    const raised = await client.controlOk<Json>('POST', 'events', { iotId: 'demo-camera-2' });
    assert.match(String(raised.eventId), /^[0-9a-f]{32}_\d{13}$/, 'the cloud form: 32 hex digits, _, the event time in ms');
    const eventTime = Number(raised.eventTime);
    assert.ok(Math.abs(eventTime - Date.now()) < 5000);
    const events = await client.ok<Json>('queryEvents', { iotId: 'demo-camera-2', beginTime: eventTime - 1000, endTime: eventTime + 1000 });
    assert.deepEqual((events.eventList as Json[]).map((e) => [e.eventId, e.eventType]), [[raised.eventId, 1]]);
  });

  it('refuses bad input with 400 {error}, unknown devices with 404, unknown routes with 404, wrong methods with 405', async () => {
    const cases: [string, unknown, number][] = [
      ['devices', {}, 400],
      ['devices', { iotId: 5 }, 400],
      ['devices', { iotId: 'x', cloudStorage: 'yes' }, 400],
      ['devices', { iotId: 'x', colour: 'red' }, 400],
      ['events', { iotId: 'demo-camera-1', eventType: 9 }, 400],
      ['events', { iotId: 'demo-camera-1', eventType: 10_000 }, 400],
      ['events', { iotId: 'demo-camera-1', eventType: 100_000 }, 400],
      ['variants', { eventOrder: 'sideways' }, 400],
      ['variants', { colour: 'red' }, 400],
      ['variants', { tokenErrorCode: 500 }, 400],
      ['variants', { vodFormat: 'webm' }, 400],
      ['events', { iotId: 'demo-camera-1', visibleAfterMs: -1 }, 400],
      ['events', { iotId: 'ghost' }, 404],
      ['events', [1, 2], 400],
      ['time', {}, 400],
      ['transcode-failures', { times: 0 }, 400],
      ['nowhere', {}, 404],
    ];
    for (const [route, body, status] of cases) {
      const answer = await client.control<Json>('POST', route, body);
      assert.equal(answer.status, status, `${route} ${JSON.stringify(body)}`);
      assert.equal(typeof answer.json.error, 'string');
    }
    const notJson = await fetch(`${emulator.url}/_emulator/devices`, { method: 'POST', body: '{nope' });
    assert.equal(notJson.status, 400);
    assert.ok(((await notJson.json()) as Json).error);
    assert.equal((await client.control('GET', 'reset')).status, 405);
    assert.equal((await client.controlOk<{ devices: Json[] }>('GET', 'devices')).devices.length, 2);
  });

  it('GET /_emulator/stats counts requests by path, refusals, refreshes and sessions', async () => {
    await client.ok('getRecordDuration', { iotId: 'demo-camera-1' });
    await client.fails('getRecordDuration', { iotId: 'demo-camera-1' }, 401, { iotToken: 'bad' });
    await client.fails('getRecordDuration', {}, 460);
    const stats = await client.controlOk<Json>('GET', 'stats');
    assert.equal(stats.tokenRefreshes, 1);
    assert.equal(stats.sessionsCreated, 0);
    const byPath = stats.byPath as Record<string, number>;
    assert.equal(byPath['/account/checkOrRefreshSession'], 1);
    assert.ok(byPath['/vision/customer/record/durationconfig/get'] >= 2);
    assert.equal(stats.requests, Object.values(byPath).reduce((a, b) => a + b, 0));
    assert.deepEqual(Object.keys(stats.rejected as Json).sort(), ['auth', 'nonce', 'params', 'signature', 'timestamp']);
    assert.equal((stats.rejected as Json).auth, 1);
    assert.equal((stats.rejected as Json).params, 1);
  });

  it('POST /_emulator/reset restores the world, tokens and counters as at start', async () => {
    const token = await client.token();
    await client.ok('setRecordPlan', { name: 'p', allDay: 1 });
    await client.controlOk('POST', 'devices', { iotId: 'extra' });
    await client.controlOk('POST', 'faults', { path: '*', mode: 'code', times: 5 });
    assert.deepEqual(await client.controlOk('POST', 'reset'), { reset: true });
    client.iotToken = undefined;
    await client.fails('listDevices', {}, 401, { iotToken: token });
    assert.equal((await client.ok<Json>('queryRecordPlans', {})).total, 0);
    assert.equal((await client.controlOk<{ devices: Json[] }>('GET', 'devices')).devices.length, 2);
    assert.deepEqual((await client.controlOk<Json>('GET', 'faults')).faults, []);
  });

  it('GET /_emulator/state and /_emulator/time; POST /_emulator/time advances the simulated clock', async () => {
    const state = await client.controlOk<Json>('GET', 'state');
    assert.equal(state.format, 'link-visual-emulator-state');
    assert.equal(((state.world as Json).devices as Json[]).length, 2);
    const before = await client.controlOk<Json>('GET', 'time');
    const after = await client.controlOk<Json>('POST', 'time', { advanceMs: 3_600_000 });
    assert.ok(Number(after.now) - Number(before.now) >= 3_600_000);
    assert.equal(after.timeScale, 1);
  });

  it('answers only loopback clients', async function () {
    assert.ok(isLoopback('127.0.0.1'));
    assert.ok(isLoopback('::1'));
    assert.ok(isLoopback('::ffff:127.0.0.5'));
    assert.ok(!isLoopback('10.0.0.1'));
    assert.ok(!isLoopback('::ffff:192.168.1.2'));
    assert.ok(!isLoopback(undefined));
    const external = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
    if (!external) this.skip();
    const open = await start({ host: '0.0.0.0' });
    try {
      const response = await fetch(`http://${external.address}:${open.port}/_emulator/stats`);
      assert.equal(response.status, 403);
      assert.match(String(((await response.json()) as Json).error), /loopback/);
      const local = await fetch(`http://127.0.0.1:${open.port}/_emulator/stats`);
      assert.equal(local.status, 200);
      await local.arrayBuffer();
    } finally {
      await open.close();
    }
  });
});
