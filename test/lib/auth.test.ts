/**
 * Auth errors told apart (docs/protocol.md §6.3): 401 and the session-dead codes renew once, 460 is a
 * parameter error unless it names the token, a refused refresh ends the session with a plain
 * "signed in elsewhere" error, and token lifetimes are read from numbers or numeric strings.
 */
import assert from 'node:assert/strict';
import { LinkVisualClient } from '../../lib/client/client';
import { SessionManager, type SessionSnapshot } from '../../lib/client/session';
import { LinkVisualError, errorFromApiCode, tokenRefusalMessage } from '../../lib/gateway/errors';
import { ok, startFakeGateway, type FakeAnswer, type FakeGateway, type SeenRequest } from '../helpers/fake-gateway';

const appKey = 'auth-test-app-key';
const appSecret = 'auth-test-app-secret-0123456789';

async function rejection(promise: Promise<unknown>): Promise<LinkVisualError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof LinkVisualError, `expected a LinkVisualError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

describe('auth errors told apart', () => {
  describe('errorFromApiCode', () => {
    it('classifies 460 as INVALID_PARAMS keeping the cloud message, unless the message names the token', () => {
      const params = errorFromApiCode(460, 'request parameter error. beginTime: must be ≤ endTime', { path: '/vision/customer/record/query' });
      assert.equal(params.code, 'INVALID_PARAMS');
      assert.equal(params.apiCode, 460);
      assert.equal(params.retryable, false);
      assert.match(params.message, /request parameter error\. beginTime: must be ≤ endTime \(code 460\)/);
      for (const message of ['iotToken blank', 'iotToken blank.', 'iotToken expired.', 'iotToken invalid.', 'cloudToken invalid.', 'IOTTOKEN BLANK', 'token invalid', 'iotToken blank or expired', 'request.iotToken is blank', 'invalid iotToken']) {
        const error = errorFromApiCode(460, message);
        assert.equal(error.code, 'AUTH_FAILED', message);
        assert.equal(error.apiCode, 460);
      }
      for (const message of ['request parameter error.', 'refreshToken: is required', 'tokens: must have at most 5 items', 'iotToken', '']) {
        assert.equal(tokenRefusalMessage(message), false, message);
      }
    });

    it('classifies 401, the other auth codes and the session-dead codes as AUTH_FAILED', () => {
      for (const code of [401, 2062, 29003, 26101, 26251, 2401, 2407, 2459, 2462]) {
        const error = errorFromApiCode(code, 'x');
        assert.equal(error.code, 'AUTH_FAILED', String(code));
        assert.equal(error.retryable, false);
      }
    });
  });

  describe('the client against a fake gateway', () => {
    let gateway: FakeGateway | undefined;
    const clients: LinkVisualClient[] = [];
    afterEach(async () => {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await gateway?.close();
      gateway = undefined;
    });

    function makeClient(options: Partial<ConstructorParameters<typeof LinkVisualClient>[0]> = {}): LinkVisualClient {
      const client = new LinkVisualClient({
        endpoint: gateway?.url,
        appKey,
        appSecret,
        auth: { mode: 'session', identityId: 'id-1', refreshToken: 'refresh-0' },
        rateLimit: 0,
        retries: 0,
        ...options,
      });
      clients.push(client);
      return client;
    }

    const refreshes = () => gateway?.requests.filter((r) => r.path === '/account/checkOrRefreshSession').length ?? 0;
    const calls = () => gateway?.requests.filter((r) => r.path.startsWith('/vision/')).length ?? 0;

    /** A gateway that issues iot-token-N on every refresh and answers the vision call with `vision` for the token it gets. */
    function sessionGateway(vision: (request: SeenRequest, current: string) => FakeAnswer, refresh?: (request: SeenRequest) => FakeAnswer | undefined) {
      let generation = 0;
      let current = '';
      return startFakeGateway((request) => {
        if (request.path === '/account/checkOrRefreshSession') {
          const refused = refresh?.(request);
          if (refused) return refused;
          generation += 1;
          current = `iot-token-${generation}`;
          return ok({ identityId: 'id-1', iotToken: current, refreshToken: 'refresh-0', iotTokenExpire: '72000', refreshTokenExpire: '720000' });
        }
        return vision(request, current);
      });
    }

    const byToken = (refusal: FakeAnswer) => (request: SeenRequest, current: string): FakeAnswer =>
      request.envelope?.request.iotToken === current ? ok({ token: current }) : refusal;

    for (const [name, refusal] of [
      ['401 request auth error.', { body: { code: 401, message: 'request auth error.' } }],
      ['460 iotToken expired.', { body: { code: 460, message: 'iotToken expired.' } }],
      ['460 iotToken blank', { body: { code: 460, message: 'iotToken blank' } }],
      ['2459 session invalid (session-dead)', { body: { code: 2459, message: 'session invalid' } }],
    ] as const) {
      it(`renews once and repeats a call refused with ${name}`, async () => {
        gateway = await sessionGateway(byToken(refusal));
        const client = makeClient({ auth: { mode: 'session', identityId: 'id-1', refreshToken: 'refresh-0', iotToken: 'stale', iotTokenExpiresAt: Date.now() + 36_000_000 } });
        const result = await client.callDetailed('getRecordDuration', { iotId: 'a' });
        assert.deepEqual(result.data, { token: 'iot-token-1' });
        assert.equal(refreshes(), 1);
        assert.equal(calls(), 2);
      });
    }

    it('renews only once: a second refusal reaches the caller', async () => {
      gateway = await sessionGateway(() => ({ body: { code: 401, message: 'request auth error.' } }));
      const error = await rejection(makeClient().call('getRecordDuration', { iotId: 'a' }));
      assert.equal(error.code, 'AUTH_FAILED');
      assert.equal(error.apiCode, 401);
      assert.equal(refreshes(), 2, 'the first token, then one renewal');
      assert.equal(calls(), 2);
    });

    it('answers a 460 parameter error with INVALID_PARAMS and no renewal', async () => {
      gateway = await sessionGateway(() => ({ body: { code: 460, message: 'request parameter error.' } }));
      const client = makeClient();
      const error = await rejection(client.call('getRecordDuration', { iotId: 'a' }));
      assert.equal(error.code, 'INVALID_PARAMS');
      assert.equal(error.apiCode, 460);
      assert.equal(error.retryable, false);
      assert.match(error.message, /request parameter error\./);
      assert.equal(refreshes(), 1, 'only the first token');
      assert.equal(calls(), 1);
    });

    it('ends the session when the refresh token is refused: a plain "signed in elsewhere" AUTH_FAILED, emitted once, no more refreshes', async () => {
      gateway = await sessionGateway(
        () => ({ body: { code: 401, message: 'request auth error.' } }),
        (request) => ((request.envelope?.params.request as { refreshToken?: string }).refreshToken === 'refresh-0' ? { body: { code: 2401, message: 'refreshToken invalid!! refresh-0' } } : undefined),
      );
      const client = makeClient({ auth: { mode: 'session', identityId: 'id-1', refreshToken: 'refresh-0', iotToken: 'stale', iotTokenExpiresAt: Date.now() + 36_000_000 } });
      const ended: LinkVisualError[] = [];
      client.on('sessionEnded', (error: LinkVisualError) => ended.push(error));
      const error = await rejection(client.call('getRecordDuration', { iotId: 'a' }));
      assert.equal(error.code, 'AUTH_FAILED');
      assert.equal(error.apiCode, 2401);
      assert.equal(error.retryable, false);
      assert.equal(error.reason, 'sessionEnded');
      assert.match(error.message, /^signed in elsewhere: the cloud ended this session/);
      assert.match(error.message, /keeps only the latest login of an account/);
      assert.match(error.message, /A new auth code \(or refresh token\) is needed/);
      assert.ok(!error.message.includes('refresh-0') && !error.message.includes('stale'), 'no secret in the message');
      assert.equal((error.toJSON() as { reason?: string }).reason, 'sessionEnded');
      assert.deepEqual([calls(), refreshes()], [1, 1]);

      const again = await rejection(client.call('getRecordDuration', { iotId: 'a' }));
      assert.equal(again.reason, 'sessionEnded');
      assert.deepEqual([calls(), refreshes()], [1, 1], 'a refused refresh token is not offered again');
      assert.equal(ended.length, 1);
      assert.equal(ended[0].reason, 'sessionEnded');
    });

    it('says the refresh token expired when our clock says it had', async () => {
      gateway = await sessionGateway(() => ok(null), () => ({ body: { code: 2401, message: 'refreshToken invalid!!' } }));
      const client = makeClient({ auth: { mode: 'session', identityId: 'id-1', refreshToken: 'refresh-0', refreshTokenExpiresAt: Date.now() - 1000 } });
      const error = await rejection(client.call('getRecordDuration', { iotId: 'a' }));
      assert.equal(error.code, 'AUTH_FAILED');
      assert.equal(error.reason, 'refreshTokenExpired');
      assert.match(error.message, /^session expired: the refresh token has run out/);
      assert.match(error.message, /new auth code/);
    });

    it('leaves a refresh answered 460 iotToken blank (a refresh race) open: the next call refreshes again', async () => {
      let refusals = 1;
      gateway = await sessionGateway(byToken({ body: { code: 401, message: 'request auth error.' } }), () => (refusals-- > 0 ? { body: { code: 460, message: 'iotToken blank' } } : undefined));
      const client = makeClient();
      const error = await rejection(client.call('getRecordDuration', { iotId: 'a' }));
      assert.equal(error.code, 'AUTH_FAILED');
      assert.equal(error.apiCode, 460);
      assert.equal(error.reason, undefined);
      assert.deepEqual(await client.call('getRecordDuration', { iotId: 'a' }), { token: 'iot-token-1' });
      assert.equal(refreshes(), 2);
    });
  });

  describe('SessionManager lifetimes', () => {
    function manager(answer: Record<string, unknown>) {
      let now = 1_000_000_000_000;
      const sent: string[] = [];
      const snapshots: SessionSnapshot[] = [];
      const sessions = new SessionManager(
        { mode: 'session', identityId: 'id-1', refreshToken: 'refresh-0' },
        appKey,
        async (operation) => {
          sent.push(operation);
          return { identityId: 'id-1', iotToken: `iot-${sent.length}`, refreshToken: 'refresh-0', ...answer };
        },
        (snapshot) => snapshots.push(snapshot),
        () => now,
      );
      return { sessions, sent, snapshots, start: now, advance: (ms: number) => (now += ms) };
    }

    it('reads numeric-string lifetimes ("72000" s) and refreshes an hour before the iotToken expires', async () => {
      const m = manager({ iotTokenExpire: '72000', refreshTokenExpire: '720000' });
      assert.deepEqual(await m.sessions.token(), { iotToken: 'iot-1' });
      assert.equal(m.snapshots[0].iotTokenExpiresAt, m.start + 72_000_000);
      assert.equal(m.snapshots[0].refreshTokenExpiresAt, m.start + 720_000_000);
      // Past the default 2 h life the string-read token is still fresh ...
      m.advance(72_000_000 - 3_600_000 - 1000);
      assert.deepEqual(await m.sessions.token(), { iotToken: 'iot-1' });
      assert.equal(m.sent.length, 1);
      // ... and renewed within its last hour.
      m.advance(2000);
      assert.deepEqual(await m.sessions.token(), { iotToken: 'iot-2' });
      assert.equal(m.sent.length, 2);
    });

    it('reads " 600 " as ten minutes: a refresh lead of a fifth (2 min)', async () => {
      const m = manager({ iotTokenExpire: ' 600 ' });
      await m.sessions.token();
      assert.equal(m.snapshots[0].iotTokenExpiresAt, m.start + 600_000);
      m.advance(600_000 - 120_000 - 1000);
      await m.sessions.token();
      assert.equal(m.sent.length, 1);
      m.advance(2000);
      await m.sessions.token();
      assert.equal(m.sent.length, 2);
    });

    it('ignores lifetimes that are not positive finite numbers (falls back to 2 h, no refresh token expiry)', async () => {
      for (const bad of ['', 'abc', '-5', '0', 'Infinity', 'NaN', null, true, {}]) {
        const m = manager({ iotTokenExpire: bad, refreshTokenExpire: bad });
        await m.sessions.token();
        assert.equal(m.snapshots[0].iotTokenExpiresAt, m.start + 7_200_000, JSON.stringify(bad));
        assert.equal(m.snapshots[0].refreshTokenExpiresAt, undefined, JSON.stringify(bad));
      }
    });
  });
});
