/** Injected faults: one test per mode (http, code, delay, reset), `times`, path matching, bad input. */
import assert from 'node:assert/strict';
import type { EmulatorHandle } from '../../lib/emulator';
import { start, TestClient, type Json } from './helpers';

const DURATION = '/vision/customer/record/durationconfig/get';

describe('emulator faults', () => {
  let emulator: EmulatorHandle;
  let client: TestClient;

  before(async () => {
    emulator = await start();
    client = new TestClient(emulator);
  });
  after(() => emulator.close());
  beforeEach(() => client.reset());

  function body(): string {
    return JSON.stringify({ id: 'f-1', version: '1.0', request: { apiVer: '1.0.0' }, params: { input: 'x' } });
  }

  it('http: answers the status with a gateway-style X-Ca-Error-Message (and Retry-After), then recovers', async () => {
    await client.controlOk('POST', 'faults', { path: '/kit/debug/ping', mode: 'http', status: 503, retryAfterSeconds: 2 });
    const failed = await client.raw('/kit/debug/ping', body());
    assert.equal(failed.status, 503);
    assert.equal(failed.headers.get('x-ca-error-message'), 'Service Unavailable');
    assert.equal(failed.headers.get('retry-after'), '2');
    assert.ok(failed.headers.get('x-ca-request-id'));
    assert.equal((await client.raw('/kit/debug/ping', body())).status, 200);
    await client.controlOk('POST', 'faults', { path: '/kit/debug/ping', mode: 'http', status: 403 });
    const throttled = await client.raw('/kit/debug/ping', body());
    assert.equal(throttled.status, 403);
    assert.equal(throttled.headers.get('x-ca-error-message'), 'Throttled by APP Flow Control');
  });

  it('code: answers HTTP 200 with the business code (429 too many requests.) and the id echoed', async () => {
    await client.controlOk('POST', 'faults', { path: DURATION, mode: 'code', code: 429 });
    const envelope = await client.call('getRecordDuration', { iotId: 'demo-camera-1' });
    assert.equal(envelope.code, 429);
    assert.equal(envelope.message, 'too many requests.');
    assert.match(String(envelope.id), /^t-/);
    await client.ok('getRecordDuration', { iotId: 'demo-camera-1' });
  });

  it('delay: answers normally after delayMs', async () => {
    await client.controlOk('POST', 'faults', { path: DURATION, mode: 'delay', delayMs: 300 });
    const started = Date.now();
    await client.ok('getRecordDuration', { iotId: 'demo-camera-1' });
    assert.ok(Date.now() - started >= 290, `took ${Date.now() - started} ms`);
    const quick = Date.now();
    await client.ok('getRecordDuration', { iotId: 'demo-camera-1' });
    assert.ok(Date.now() - quick < 250);
  });

  it('reset: drops the connection without an answer', async () => {
    await client.controlOk('POST', 'faults', { path: '/kit/debug/ping', mode: 'reset' });
    await assert.rejects(client.raw('/kit/debug/ping', body()), TypeError);
    assert.equal((await client.raw('/kit/debug/ping', body())).status, 200);
  });

  it('times: fails exactly the next N matching requests; * matches every API path', async () => {
    await client.controlOk('POST', 'faults', { path: '*', mode: 'code', code: 500, times: 3 });
    const codes: number[] = [];
    for (let index = 0; index < 4; index += 1) codes.push((await client.call('ping', {}, {})).code);
    assert.deepEqual(codes, [500, 500, 500, 200]);
    assert.deepEqual((await client.controlOk<Json>('GET', 'faults')).faults, []);
    assert.equal(emulator.stats().faultsApplied, 3);
  });

  it('matches exact paths and trailing-* prefixes only', async () => {
    await client.controlOk('POST', 'faults', { path: '/vision/customer/record/*', mode: 'code', code: 20056, times: 1 });
    await client.ok('ping', {}, {});
    assert.equal((await client.call('getRecordDuration', { iotId: 'demo-camera-1' })).code, 20056);
    await client.controlOk('POST', 'faults', { path: '/vision/customer/record/plan/query', mode: 'code' });
    await client.ok('getRecordDuration', { iotId: 'demo-camera-1' });
    const cleared = await client.controlOk<Json>('POST', 'faults/clear');
    assert.equal(cleared.cleared, 1);
  });

  it('refuses bad fault input with 400 {error}', async () => {
    for (const bad of [
      {},
      { path: 'no-slash', mode: 'http' },
      { path: '*', mode: 'explode' },
      { path: '*', mode: 'http', status: 200 },
      { path: '*', mode: 'code', times: 0 },
      { path: '*', mode: 'delay', delayMs: -1 },
      { path: '*', mode: 'http', colour: 'red' },
    ]) {
      const { status, json } = await client.control<Json>('POST', 'faults', bad);
      assert.equal(status, 400, JSON.stringify(bad));
      assert.equal(typeof json.error, 'string');
    }
    assert.deepEqual((await client.controlOk<Json>('GET', 'faults')).faults, []);
  });
});
