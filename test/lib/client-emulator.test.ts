import assert from 'node:assert/strict';
import { LinkVisualClient } from '../../lib/client/client';
import type { AuthOptions } from '../../lib/client/session';
import { startEmulator } from '../../lib/emulator';

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

async function control(emulator: Emulator, path: string, body: unknown = {}): Promise<unknown> {
  const response = await fetch(`${emulator.url}/_emulator/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.ok(response.ok, `${path}: HTTP ${response.status}`);
  return response.json();
}

async function stats(emulator: Emulator): Promise<{ byPath: Record<string, number>; tokenRefreshes: number; sessionsCreated: number }> {
  return (await (await fetch(`${emulator.url}/_emulator/stats`)).json()) as { byPath: Record<string, number>; tokenRefreshes: number; sessionsCreated: number };
}

describe('LinkVisualClient against the emulator', function () {
  this.timeout(30_000);
  let emulator: Emulator;
  const clients: LinkVisualClient[] = [];

  before(async () => {
    emulator = await startEmulator({ port: 0 });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await control(emulator, 'faults/clear');
  });
  after(async () => {
    await emulator.close();
  });

  function client(auth: AuthOptions, extra: Partial<ConstructorParameters<typeof LinkVisualClient>[0]> = {}): LinkVisualClient {
    const c = new LinkVisualClient({ endpoint: emulator.url, appKey: emulator.appKey, appSecret: emulator.appSecret, auth, rateLimit: 100, ...extra });
    clients.push(c);
    return c;
  }

  const modes: [string, () => AuthOptions][] = [
    ['session', () => ({ mode: 'session', identityId: emulator.identityId, refreshToken: emulator.refreshToken })],
    ['authCode', () => ({ mode: 'authCode', authCode: emulator.authCode })],
    ['cloud', () => ({ mode: 'cloud', projectId: emulator.projectId })],
  ];
  for (const [name, auth] of modes) {
    it(`works in ${name} mode and renews transparently after every token expires`, async () => {
      const c = client(auth());
      const before = await c.call('queryRecordPlans', {});
      assert.ok(before !== undefined);
      await control(emulator, 'tokens/expire');
      const after = await c.call('queryRecordPlans', {});
      assert.deepEqual(after, before);
    });
  }

  it('works with a fixed iotToken and signs with HmacSHA1 too', async () => {
    const session = client({ mode: 'session', identityId: emulator.identityId, refreshToken: emulator.refreshToken });
    let token = '';
    const tokenHolder = client({ mode: 'session', identityId: emulator.identityId, refreshToken: emulator.refreshToken }, { onSession: (s) => (token = s.iotToken ?? '') });
    await tokenHolder.call('getRecordDuration', { iotId: 'demo-camera-1' });
    const fixed = client({ mode: 'iotToken', iotToken: token }, { signatureMethod: 'HmacSHA1' });
    assert.deepEqual(await fixed.call('getRecordDuration', { iotId: 'demo-camera-1' }), await session.call('getRecordDuration', { iotId: 'demo-camera-1' }));
  });

  it('refreshes once for 50 concurrent calls after expiry', async () => {
    const c = client({ mode: 'session', identityId: emulator.identityId, refreshToken: emulator.refreshToken });
    await c.call('queryRecordPlans', {});
    await control(emulator, 'tokens/expire');
    const before = (await stats(emulator)).tokenRefreshes;
    await Promise.all(Array.from({ length: 50 }, () => c.call('getRecordDuration', { iotId: 'demo-camera-1' })));
    assert.equal((await stats(emulator)).tokenRefreshes - before, 1);
  });

  it('survives 5xx, dropped connections and throttling on idempotent calls', async () => {
    const c = client({ mode: 'session', identityId: emulator.identityId, refreshToken: emulator.refreshToken });
    await control(emulator, 'faults', { path: '/vision/customer/record/durationconfig/get', mode: 'http', status: 503, times: 1 });
    await control(emulator, 'faults', { path: '/vision/customer/record/durationconfig/get', mode: 'reset', times: 1 });
    await control(emulator, 'faults', { path: '/vision/customer/record/durationconfig/get', mode: 'code', code: 429, times: 1 });
    const result = await c.callDetailed('getRecordDuration', { iotId: 'demo-camera-1' });
    assert.equal(result.attempts, 4);
  });

  it('does not repeat a trigger after a server error', async () => {
    const c = client({ mode: 'session', identityId: emulator.identityId, refreshToken: emulator.refreshToken });
    await control(emulator, 'faults', { path: '/vision/customer/picture/trigger', mode: 'http', status: 500, times: 1 });
    const before = (await stats(emulator)).byPath['/vision/customer/picture/trigger'] ?? 0;
    await assert.rejects(c.call('triggerPicture', { iotId: 'demo-camera-1' }), { code: 'GATEWAY' });
    assert.equal(((await stats(emulator)).byPath['/vision/customer/picture/trigger'] ?? 0) - before, 1);
  });

  for (const eventOrder of ['newest', 'oldest'] as const) {
    it(`pages through many events, none lost or repeated, and lists them oldest first (cloud lists ${eventOrder} first)`, async () => {
      emulator.variants.set({ eventOrder });
      const c = client({ mode: 'session', identityId: emulator.identityId, refreshToken: emulator.refreshToken });
      const base = Date.now() - 3_600_000 - (eventOrder === 'oldest' ? 600_000 : 0);
      const ids: string[] = [];
      for (let i = 0; i < 230; i += 1) {
        const created = (await control(emulator, 'events', { iotId: 'demo-camera-2', eventTime: base + i * 1000, picture: false, recording: false })) as { eventId: string };
        ids.push(created.eventId);
      }
      try {
        const query = { iotId: 'demo-camera-2', beginTime: base - 1, endTime: base + 230_000, pageSize: 50 };
        const paged: string[] = [];
        for await (const event of c.paginate('queryEvents', query)) paged.push((event as { eventId: string }).eventId);
        assert.deepEqual([...paged].sort(), [...ids].sort(), 'every event once');
        const listed = (await c.list('queryEvents', query)) as { eventId: string }[];
        assert.deepEqual(listed.map((event) => event.eventId), ids, 'oldest first');
      } finally {
        emulator.variants.set({ eventOrder: 'newest' });
        await c.close();
      }
    });
  }
});
