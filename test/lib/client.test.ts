import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { LinkVisualClient } from '../../lib/client/client';
import type { SessionSnapshot } from '../../lib/client/session';
import { LinkVisualError } from '../../lib/gateway/errors';
import { verifySignature } from '../../lib/gateway/sign';
import { ok, startFakeGateway, type FakeGateway, type SeenRequest } from '../helpers/fake-gateway';

const appKey = 'test-app-key';
const appSecret = 'test-app-secret-0123456789';

async function rejection(promise: Promise<unknown>): Promise<LinkVisualError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof LinkVisualError, `expected a LinkVisualError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

function visionCalls(gateway: FakeGateway): SeenRequest[] {
  return gateway.requests.filter((r) => r.path.startsWith('/vision/'));
}

describe('LinkVisualClient', () => {
  let gateway: FakeGateway | undefined;
  let client: LinkVisualClient | undefined;
  afterEach(async () => {
    await client?.close();
    await gateway?.close();
    client = undefined;
    gateway = undefined;
  });

  function makeClient(options: Partial<ConstructorParameters<typeof LinkVisualClient>[0]> = {}): LinkVisualClient {
    client = new LinkVisualClient({
      endpoint: gateway?.url,
      appKey,
      appSecret,
      auth: { mode: 'iotToken', iotToken: 'static-token' },
      rateLimit: 0,
      ...options,
    });
    return client;
  }

  describe('requests', () => {
    it('sends a signed envelope with the catalog apiVer and resolves with data', async () => {
      gateway = await startFakeGateway(() => ok({ planId: 'p1' }));
      const result = await makeClient().callDetailed('setRecordPlan', { name: 'night', allDay: 1, timeSectionList: [] });
      assert.deepEqual(result.data, { planId: 'p1' });
      assert.equal(result.path, '/vision/customer/record/plan/set');
      const seen = gateway.requests[0];
      assert.equal(seen.path, '/vision/customer/record/plan/set');
      assert.deepEqual(seen.envelope?.request, { apiVer: '2.1.0', iotToken: 'static-token' });
      assert.equal((seen.envelope as unknown as { version: string }).version, '1.0');
      const check = verifySignature(
        { method: 'POST', url: seen.path, headers: seen.headers, body: Buffer.from(seen.body) },
        (key) => (key === appKey ? appSecret : undefined),
      );
      assert.equal(check.ok, true);
    });

    it('accepts the API path instead of the name, and an apiVer override', async () => {
      gateway = await startFakeGateway(() => ok(null));
      await makeClient().call('/vision/customer/record/plan/delete', { planId: 'p' }, { apiVer: '9.9.9' });
      assert.equal(gateway.requests[0].envelope?.request.apiVer, '9.9.9');
    });

    it('reaches a path outside the catalog only with an explicit apiVer', async () => {
      gateway = await startFakeGateway(() => ok({ anything: 1 }));
      const c = makeClient();
      const refused = await rejection(c.call('/vision/customer/stream/query', { iotId: 'x' }));
      assert.equal(refused.code, 'INVALID_PARAMS');
      assert.equal(gateway.requests.length, 0);
      assert.deepEqual(await c.call('/vision/customer/stream/query', { iotId: 'x' }, { apiVer: '2.1.8' }), { anything: 1 });
      assert.equal((await rejection(c.call('noSuchOperation'))).code, 'UNKNOWN_OPERATION');
    });

    it('refuses invalid parameters before sending, listing every problem by path', async () => {
      gateway = await startFakeGateway(() => ok(null));
      const error = await rejection(
        makeClient().call('setRecordPlan', {
          name: 'x',
          allDay: 0,
          timeZone: 13,
          timeSectionList: [{ dayOfWeek: 0, begin: 0, end: 86400 }, { dayOfWeek: 7, begin: -1, end: 5 }],
        }),
      );
      assert.equal(error.code, 'INVALID_PARAMS');
      assert.equal(error.retryable, false);
      const paths = (error.problems ?? []).map((p) => p.path);
      assert.deepEqual(paths.sort(), ['timeSectionList[0].end', 'timeSectionList[1].begin', 'timeSectionList[1].dayOfWeek', 'timeZone'].sort());
      assert.match(error.message, /timeSectionList\[0\]\.end: must be ≤ 86399/);
      assert.equal(gateway.requests.length, 0);
    });

    it('maps a business code to a structured error with the request id', async () => {
      gateway = await startFakeGateway(() => ({ headers: { 'x-ca-request-id': 'req-42' }, body: { code: 2065, message: 'identityId and iotId not bound' } }));
      const error = await rejection(makeClient().call('getRecordPlan', { planId: 'p' }));
      assert.equal(error.code, 'API_ERROR');
      assert.equal(error.apiCode, 2065);
      assert.equal(error.requestId, 'req-42');
      assert.equal(error.path, '/vision/customer/record/plan/get');
      assert.match(error.message, /identityId and iotId not bound/);
    });

    it('reads the gateway reason from X-Ca-Error-Message on a non-2xx answer', async () => {
      gateway = await startFakeGateway(() => ({ status: 400, headers: { 'x-ca-error-message': 'Invalid Signature, Server StringToSign:POST#...' }, body: '' }));
      const error = await rejection(makeClient().call('getRecordPlan', { planId: 'p' }));
      assert.equal(error.code, 'GATEWAY');
      assert.equal(error.httpStatus, 400);
      assert.match(error.message, /Invalid Signature/);
      assert.equal(gateway.requests.length, 1, 'a 400 is not retried');
    });

    it('treats an answer that is not an envelope as INVALID_RESPONSE', async () => {
      gateway = await startFakeGateway(() => ({ body: '{"truncated":' }));
      const error = await rejection(makeClient({ retries: 0 }).call('getRecordPlan', { planId: 'p' }));
      assert.equal(error.code, 'INVALID_RESPONSE');
    });

    it('times out a slow answer and can be aborted by the caller', async () => {
      gateway = await startFakeGateway(() => ({ delayMs: 2000, body: { code: 200, data: null } }));
      const c = makeClient({ retries: 0, timeoutMs: 100 });
      assert.equal((await rejection(c.call('getRecordPlan', { planId: 'p' }))).code, 'TIMEOUT');
      const controller = new AbortController();
      const pending = c.call('getRecordPlan', { planId: 'p' }, { signal: controller.signal, timeoutMs: 5000 });
      setTimeout(() => controller.abort(), 50);
      assert.equal((await rejection(pending)).code, 'ABORTED');
    });

    it('refuses an answer longer than maxResponseBytes, and reads one at the limit whole', async () => {
      const filler = 'x'.repeat(4000);
      gateway = await startFakeGateway(() => ({ body: { code: 200, data: { filler } } }));
      const size = JSON.stringify({ code: 200, data: { filler } }).length;
      const error = await rejection(makeClient({ retries: 3, maxResponseBytes: size - 1 }).call('getRecordPlan', { planId: 'p' }));
      assert.equal(error.code, 'INVALID_RESPONSE');
      assert.equal(error.retryable, false);
      assert.match(error.message, /larger than/);
      assert.equal(visionCalls(gateway).length, 1, 'not retried');
      await client?.close();
      assert.deepEqual(await makeClient({ maxResponseBytes: size }).call('getRecordPlan', { planId: 'p' }), { filler });
    });

    it('aborts at once for a signal that has already aborted, without sending', async () => {
      gateway = await startFakeGateway(() => ({ body: { code: 200, data: null } }));
      const controller = new AbortController();
      controller.abort();
      assert.equal((await rejection(makeClient().call('getRecordPlan', { planId: 'p' }, { signal: controller.signal }))).code, 'ABORTED');
      assert.equal(visionCalls(gateway).length, 0);
    });

    it('rejects calls after close() and aborts the ones in flight', async () => {
      gateway = await startFakeGateway(() => ({ delayMs: 1000, body: { code: 200, data: null } }));
      const c = makeClient();
      const pending = c.call('getRecordPlan', { planId: 'p' });
      await new Promise((r) => setTimeout(r, 50));
      await c.close();
      assert.equal((await rejection(pending)).code, 'CLOSED');
      assert.equal((await rejection(c.call('getRecordPlan', { planId: 'p' }))).code, 'CLOSED');
    });
  });

  describe('retry policy', () => {
    it('retries an idempotent call on 5xx, network drops and retryable codes', async () => {
      let n = 0;
      gateway = await startFakeGateway(() => {
        n += 1;
        if (n === 1) return { status: 503, body: '' };
        if (n === 2) return 'reset';
        if (n === 3) return { body: { code: 20004, message: 'Backend Service Error' } };
        return ok({ recordDuration: 1800 });
      });
      const result = await makeClient().callDetailed('getRecordDuration', { iotId: 'cam' });
      assert.deepEqual(result.data, { recordDuration: 1800 });
      assert.equal(result.attempts, 4);
    });

    it('never retries set, trigger or consume', async () => {
      gateway = await startFakeGateway(() => ({ status: 503, body: '' }));
      const c = makeClient();
      for (const [name, params] of [
        ['setRecordPlan', { name: 'n', allDay: 1, timeSectionList: [] }],
        ['triggerPicture', { iotId: 'cam' }],
        ['triggerRecording', { iotId: 'cam', recordDuration: 10 }],
        ['consumePresentedStorage', { iotId: 'cam' }],
      ] as const) {
        const before: number = gateway.requests.length;
        const error = await rejection(c.call(name, params));
        assert.equal(error.code, 'GATEWAY');
        assert.equal(error.retryable, true, 'the error says it is transient');
        assert.equal(gateway.requests.length - before, 1, `${name} was sent once`);
      }
    });

    it('gives up after the configured number of retries', async () => {
      gateway = await startFakeGateway(() => ({ status: 500, body: '' }));
      await rejection(makeClient({ retries: 2 }).call('getRecordDuration', { iotId: 'cam' }));
      assert.equal(gateway.requests.length, 3);
    });
  });

  describe('throttling', () => {
    it('pauses the whole account after a 429 and honours Retry-After', async () => {
      let throttled = false;
      gateway = await startFakeGateway(() => {
        if (!throttled) {
          throttled = true;
          return { status: 429, headers: { 'retry-after': '1' }, body: '' };
        }
        return ok({ recordDuration: 1800 });
      });
      const c = makeClient();
      const backoffs: number[] = [];
      c.on('backoff', (event: { ms: number }) => backoffs.push(event.ms));
      const started = Date.now();
      const first = c.call('getRecordDuration', { iotId: 'a' });
      await new Promise((r) => setTimeout(r, 100));
      // A second caller of the same account waits out the same pause.
      const second = c.call('getRecordDuration', { iotId: 'b' });
      await Promise.all([first, second]);
      assert.deepEqual(backoffs, [1000]);
      assert.ok(Date.now() - started >= 950, 'both waited for the account pause');
      const times = visionCalls(gateway).length;
      assert.equal(times, 3);
    });

    it('treats body code 429 and HTTP 403 "Throttled" as throttling', async () => {
      let n = 0;
      gateway = await startFakeGateway(() => {
        n += 1;
        if (n === 1) return { body: { code: 429, message: 'too many requests.' } };
        if (n === 2) return { status: 403, headers: { 'x-ca-error-message': 'Throttled by APP Flow Control', 'retry-after': '0' }, body: '' };
        return ok({ ok: true });
      });
      const c = makeClient();
      const reasons: string[] = [];
      c.on('backoff', (event: { reason: string }) => reasons.push(event.reason));
      assert.deepEqual(await c.call('getRecordDuration', { iotId: 'a' }), { ok: true });
      assert.equal(reasons.length, 2);
      assert.equal(reasons[0], 'code 429');
    });

    it('keeps to the configured rate', async () => {
      gateway = await startFakeGateway(() => ok(null));
      const c = makeClient({ rateLimit: { perSecond: 20, burst: 2 } });
      const started = Date.now();
      await Promise.all(Array.from({ length: 8 }, () => c.call('getRecordDuration', { iotId: 'a' })));
      // 2 at once, then 6 more at 20/s: at least ~300 ms.
      assert.ok(Date.now() - started >= 250, `took ${Date.now() - started} ms`);
    });
  });

  describe('sessions', () => {
    function sessionGateway(options: { rotate?: boolean; iotTokenExpire?: number } = {}) {
      let generation = 0;
      let currentToken = '';
      let refreshToken = 'refresh-0';
      return startFakeGateway((req) => {
        if (req.path === '/account/checkOrRefreshSession') {
          const inner = req.envelope?.params.request as { refreshToken?: string };
          if (inner?.refreshToken !== refreshToken) return { body: { code: 2401, message: 'refreshToken invalid!!' } };
          generation += 1;
          currentToken = `iot-token-${generation}`;
          if (options.rotate) refreshToken = `refresh-${generation}`;
          return ok({ identityId: 'id-1', iotToken: currentToken, refreshToken, iotTokenExpire: options.iotTokenExpire ?? 72000, refreshTokenExpire: 720000 });
        }
        if (req.envelope?.request.iotToken !== currentToken) return { body: { code: 460, message: 'iotToken blank or expired' } };
        return ok({ token: currentToken });
      });
    }

    it('refreshes once for 50 concurrent calls (single flight) and reports the session', async () => {
      gateway = await sessionGateway({ rotate: true });
      const sessions: SessionSnapshot[] = [];
      const c = makeClient({ auth: { mode: 'session', identityId: 'id-1', refreshToken: 'refresh-0' }, onSession: (s) => sessions.push(s) });
      const results = await Promise.all(Array.from({ length: 50 }, () => c.call('getRecordDuration', { iotId: 'a' })));
      assert.equal(gateway.requests.filter((r) => r.path === '/account/checkOrRefreshSession').length, 1);
      assert.ok(results.every((r) => (r as { token: string }).token === 'iot-token-1'));
      assert.equal(sessions.length, 1);
      assert.equal(sessions[0].refreshToken, 'refresh-1', 'the rotated refresh token is reported');
      assert.equal(sessions[0].iotToken, 'iot-token-1');
    });

    it('renews the token once after an auth-family code and repeats the call transparently', async () => {
      gateway = await sessionGateway({ rotate: true });
      const c = makeClient({ auth: { mode: 'session', identityId: 'id-1', refreshToken: 'refresh-0', iotToken: 'stale', iotTokenExpiresAt: Date.now() + 3_600_000 * 10 } });
      // Not retryable in general (a set), yet repeated: the server refused it before doing anything.
      const data = await c.call('setRecordPlan', { name: 'n', allDay: 1, timeSectionList: [] });
      assert.deepEqual(data, { token: 'iot-token-1' });
      assert.deepEqual(gateway.requests.map((r) => r.path), ['/vision/customer/record/plan/set', '/account/checkOrRefreshSession', '/vision/customer/record/plan/set']);
    });

    it('refreshes ahead of expiry', async () => {
      gateway = await sessionGateway({ iotTokenExpire: 1 });
      const c = makeClient({ auth: { mode: 'session', identityId: 'id-1', refreshToken: 'refresh-0' } });
      await c.call('getRecordDuration', { iotId: 'a' });
      await new Promise((r) => setTimeout(r, 850)); // a 1 s token is refreshed in its last fifth
      await c.call('getRecordDuration', { iotId: 'a' });
      assert.equal(gateway.requests.filter((r) => r.path === '/account/checkOrRefreshSession').length, 2);
      assert.equal(visionCalls(gateway).length, 2, 'no call was refused for an expired token');
    });

    it('creates a session from an auth code once, then refreshes it', async () => {
      gateway = await startFakeGateway((req) => {
        if (req.path === '/account/createSessionByAuthCode') {
          const inner = req.envelope?.params.request as Record<string, string>;
          assert.equal(inner.authCode, 'code-1');
          assert.equal(inner.appKey, appKey);
          return ok({ identityId: 'id-9', iotToken: 'tok-a', refreshToken: 'ref-a', iotTokenExpire: 72000, refreshTokenExpire: 720000 });
        }
        return ok({ token: req.envelope?.request.iotToken });
      });
      const sessions: SessionSnapshot[] = [];
      const c = makeClient({ auth: { mode: 'authCode', authCode: 'code-1' }, onSession: (s) => sessions.push(s) });
      assert.deepEqual(await c.call('getRecordDuration', { iotId: 'a' }), { token: 'tok-a' });
      await c.call('getRecordDuration', { iotId: 'a' });
      assert.equal(gateway.requests.filter((r) => r.path === '/account/createSessionByAuthCode').length, 1);
      assert.equal(sessions[0].identityId, 'id-9');
      assert.equal(sessions[0].refreshToken, 'ref-a');
    });

    it('cloud mode issues a project token once and refreshes it instead of re-issuing', async () => {
      let issued = 0;
      gateway = await startFakeGateway((req) => {
        if (req.path === '/cloud/token') {
          issued += 1;
          return ok({ cloudToken: `cloud-${issued}`, expireIn: 7_200_000 });
        }
        if (req.path === '/cloud/token/refresh') return ok({ cloudToken: 'cloud-refreshed', expiresIn: 7200 });
        if (req.envelope?.request.cloudToken === 'cloud-1') return { body: { code: 401, message: 'request auth error.' } };
        return ok({ token: req.envelope?.request.cloudToken });
      });
      const c = makeClient({ auth: { mode: 'cloud', projectId: 'proj' } });
      assert.deepEqual(await c.call('getRecordDuration', { iotId: 'a' }), { token: 'cloud-refreshed' });
      assert.deepEqual(await c.call('getRecordDuration', { iotId: 'a' }), { token: 'cloud-refreshed' });
      assert.equal(issued, 1, '/cloud/token was called once');
      assert.deepEqual(gateway.requests.find((r) => r.path === '/cloud/token')?.envelope?.params, { grantType: 'project', res: 'proj' });
    });

    it('surfaces a dead refresh token as AUTH_FAILED', async () => {
      gateway = await sessionGateway();
      const error = await rejection(makeClient({ auth: { mode: 'session', identityId: 'id-1', refreshToken: 'wrong' } }).call('getRecordDuration', { iotId: 'a' }));
      assert.equal(error.code, 'AUTH_FAILED');
      assert.equal(error.apiCode, 2401);
    });
  });

  describe('paging', () => {
    // A list that grows newest first while it is read: [newest … oldest], one new file inserted at the
    // head before every page after the first, and a nextBeginTime that would skip if followed.
    function growingNewestFirst(initial: number, pageSizeSeen: number[]) {
      const files = Array.from({ length: initial }, (_, i) => ({ fileName: `f${String(i).padStart(3, '0')}`, beginTimeUTC: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString() })).reverse();
      let requests = 0;
      return (req: { envelope?: { params: Record<string, unknown> } }) => {
        const params = req.envelope?.params ?? {};
        if (requests > 0) {
          const n = initial + requests;
          files.unshift({ fileName: `f${String(n).padStart(3, '0')}`, beginTimeUTC: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString() });
        }
        requests += 1;
        assert.equal(params.beginTime, 1000, 'the window stays fixed');
        const size = params.pageSize as number;
        pageSizeSeen.push(size);
        const start = (params.pageStart as number) * size;
        const page = files.slice(start, start + size);
        return ok({ recordFileList: page, nextValid: start + size < files.length, nextBeginTime: 999_999_999 });
      };
    }

    it('pages a fixed window by pageStart while nextValid, never following nextBeginTime', async () => {
      const sizes: number[] = [];
      gateway = await startFakeGateway(growingNewestFirst(7, sizes));
      const names: string[] = [];
      for await (const item of makeClient().paginate('queryRecordings', { iotId: 'cam', beginTime: 1000, endTime: 9000, pageSize: 3 })) {
        names.push((item as { fileName: string }).fileName);
      }
      // Every file there at the start comes once; the shift repeats one per page, and the repeat is dropped.
      for (let i = 0; i < 7; i += 1) assert.ok(names.includes(`f00${i}`), `f00${i} read`);
      assert.equal(new Set(names).size, names.length, 'no file twice');
      assert.deepEqual(gateway.requests.map((r) => r.envelope?.params.pageStart), [0, 1, 2]);
    });

    it('lists a whole window oldest first, each item once, whatever the order of the answer', async () => {
      const sizes: number[] = [];
      gateway = await startFakeGateway(growingNewestFirst(5, sizes));
      const files = (await makeClient().list('queryRecordings', { iotId: 'cam', beginTime: 1000, endTime: 9000, pageSize: 2 })) as { fileName: string }[];
      const names = files.map((f) => f.fileName);
      assert.deepEqual(names, [...names].sort(), 'oldest first');
      assert.equal(new Set(names).size, names.length);
      for (let i = 0; i < 5; i += 1) assert.ok(names.includes(`f00${i}`));
      assert.equal(sizes[0], 2);
    });

    it('takes nextValid as text, and a total as text', async () => {
      gateway = await startFakeGateway((req) => {
        const page = req.envelope?.params.pageStart as number;
        if (req.path.endsWith('/record/query')) return ok({ recordFileList: page < 2 ? [{ fileName: `r${page}` }] : [], nextValid: page < 1 ? 'true' : 'false' });
        return ok({ total: '3', recordPlanList: [{ planId: `p${page * 2}` }, { planId: `p${page * 2 + 1}` }].filter((p) => Number(p.planId.slice(1)) < 3) });
      });
      const files = await makeClient().list('queryRecordings', { iotId: 'cam', beginTime: 1, endTime: 2 });
      assert.deepEqual(files.map((f) => (f as { fileName: string }).fileName), ['r0', 'r1']);
      const plans = await makeClient().list('queryRecordPlans', { pageSize: 2 });
      assert.deepEqual(plans.map((p) => (p as { planId: string }).planId), ['p0', 'p1', 'p2']);
    });

    it('refuses pages that only repeat earlier items instead of looping', async () => {
      gateway = await startFakeGateway(() => ok({ eventList: [{ eventId: 'e1' }, { eventId: 'e2' }], nextValid: true, nextBeginTime: 1000 }));
      const iterate = async () => {
        for await (const _item of makeClient().paginate('queryEvents', { iotId: 'cam', beginTime: 1000, endTime: 9000, pageSize: 2 })) void _item;
      };
      const error = await rejection(iterate());
      assert.equal(error.code, 'INVALID_RESPONSE');
      assert.match(error.message, /repeat earlier items/);
      assert.equal(gateway.requests.length, 3);
    });

    it('counts pages when the answer has no cursor, and stops on a short page (page style)', async () => {
      gateway = await startFakeGateway((req) => {
        const page = req.envelope?.params.pageStart as number;
        const size = req.envelope?.params.pageSize as number;
        const total = 5;
        const items = Array.from({ length: Math.max(0, Math.min(size, total - page * size)) }, (_, i) => ({ planId: `p${page * size + i}` }));
        return ok({ total, currentCount: items.length, recordPlanList: items });
      });
      const ids: string[] = [];
      for await (const item of makeClient().paginate('queryRecordPlans', { pageSize: 2 })) ids.push((item as { planId: string }).planId);
      assert.deepEqual(ids, ['p0', 'p1', 'p2', 'p3', 'p4']);
      assert.equal(gateway.requests.length, 3);
    });

    it('treats data: null as an empty list', async () => {
      gateway = await startFakeGateway(() => ok(null));
      const items: unknown[] = [];
      for await (const item of makeClient().paginate('queryPicturesByTime', { iotId: 'c', startTime: 1, endTime: 2 })) items.push(item);
      assert.deepEqual(items, []);
    });
  });

  describe('secrets', () => {
    it('never puts the AppSecret or tokens in errors, JSON or inspection', async () => {
      gateway = await startFakeGateway((req) => {
        if (req.path === '/account/checkOrRefreshSession') {
          return ok({ identityId: 'id', iotToken: 'super-secret-iot-token', refreshToken: 'super-secret-refresh', iotTokenExpire: 72000 });
        }
        // A hostile or buggy server echoing credentials back in its message.
        return { body: { code: 500, message: `failed for super-secret-iot-token / super-secret-refresh / ${appSecret}` } };
      });
      const c = makeClient({ retries: 0, auth: { mode: 'session', identityId: 'id', refreshToken: 'super-secret-refresh' } });
      const error = await rejection(c.call('getRecordDuration', { iotId: 'a' }));
      const texts = [error.message, JSON.stringify(error), String(error.stack), JSON.stringify(c), inspect(c, { depth: 5 })];
      for (const text of texts) {
        assert.ok(!text.includes(appSecret), 'no AppSecret');
        assert.ok(!text.includes('super-secret-iot-token'), 'no iotToken');
        assert.ok(!text.includes('super-secret-refresh'), 'no refresh token');
      }
      assert.match(error.message, /failed for \*\*\*/);
    });
  });
});
