/** Sessions and tokens: authCode and refresh sessions, rotation, expiry, cloud tokens, the auth codes, the one-login rule. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { EmulatorHandle } from '../../lib/emulator';
import { start, TestClient, type Json } from './helpers';

describe('emulator sessions and tokens', () => {
  let emulator: EmulatorHandle;
  let client: TestClient;

  afterEach(() => emulator?.close());

  async function boot(options: Parameters<typeof start>[0] = {}): Promise<void> {
    emulator = await start(options);
    client = new TestClient(emulator);
  }

  function refreshParams(refreshToken: string): Json {
    return { request: { identityId: emulator.identityId, refreshToken } };
  }

  it('creates a session from the authCode with the session shape', async () => {
    await boot();
    const data = await client.ok<Json>('createSessionByAuthCode', {
      request: { authCode: emulator.authCode, accountType: 'OA_SESSION', appKey: emulator.appKey },
    }, {});
    assert.equal(data.identityId, emulator.identityId);
    assert.equal(typeof data.iotToken, 'string');
    assert.equal(data.refreshToken, 'demo-refresh-token');
    // Lifetimes as text by default (numberForm 'string'), as the SDK's model allows.
    assert.equal(data.iotTokenExpire, '72000');
    assert.equal(data.refreshTokenExpire, '720000');
    await client.ok('listDevices', {}, { iotToken: String(data.iotToken) });
    assert.equal(emulator.stats().sessionsCreated, 1);
  });

  it('refuses a wrong authCode (2462) and an appKey other than the signing one (2407)', async () => {
    await boot();
    await client.fails('createSessionByAuthCode', { request: { authCode: 'nope', appKey: emulator.appKey } }, 2462, {});
    await client.fails('createSessionByAuthCode', { request: { authCode: emulator.authCode, appKey: 'other' } }, 2407, {});
  });

  it('refreshes without an iotToken (the refresh token is the credential) and keeps the refresh token by default', async () => {
    await boot();
    const first = await client.ok<Json>('checkOrRefreshSession', refreshParams(emulator.refreshToken), {});
    const second = await client.ok<Json>('checkOrRefreshSession', refreshParams(emulator.refreshToken), {});
    assert.equal(first.refreshToken, 'demo-refresh-token');
    assert.equal(second.refreshToken, 'demo-refresh-token');
    assert.notEqual(first.iotToken, second.iotToken);
    // Both iotTokens work: clients sharing the demo identity do not break each other.
    await client.ok('listDevices', {}, { iotToken: String(first.iotToken) });
    await client.ok('listDevices', {}, { iotToken: String(second.iotToken) });
    assert.equal(emulator.stats().tokenRefreshes, 2);
  });

  it('rotates the refresh token when rotateRefreshTokens is on; the old one gets 2401', async () => {
    await boot({ rotateRefreshTokens: true, refreshTokenTtlSeconds: 3600 });
    const first = await client.ok<Json>('checkOrRefreshSession', refreshParams('demo-refresh-token'), {});
    assert.notEqual(first.refreshToken, 'demo-refresh-token');
    assert.equal(emulator.refreshToken, first.refreshToken);
    assert.ok(Number(first.refreshTokenExpire) <= 3600 && Number(first.refreshTokenExpire) > 3590);
    await client.fails('checkOrRefreshSession', refreshParams('demo-refresh-token'), 2401, {});
    const second = await client.ok<Json>('checkOrRefreshSession', refreshParams(String(first.refreshToken)), {});
    assert.notEqual(second.refreshToken, first.refreshToken);
  });

  it('answers 29003 for an identity that does not exist and 2401 for a wrong refresh token', async () => {
    await boot();
    await client.fails('checkOrRefreshSession', { request: { identityId: 'ghost', refreshToken: emulator.refreshToken } }, 29003, {});
    await client.fails('checkOrRefreshSession', refreshParams('wrong'), 2401, {});
  });

  it('answers 460 iotToken blank without a token and 401 for an unknown token, counting them as auth refusals', async () => {
    await boot();
    assert.equal(await client.fails('listDevices', {}, 460, {}), 'iotToken blank.');
    const unknown = await client.fails('listDevices', {}, 401, { iotToken: 'not-a-token' });
    assert.equal(unknown, 'request auth error. iotToken invalid.');
    assert.equal(await client.fails('listDevices', {}, 401, { cloudToken: 'not-a-token' }), 'request auth error. cloudToken invalid.');
    assert.equal(emulator.stats().rejected.auth, 3);
    assert.equal(emulator.stats().rejected.params, 0, 'a missing token is an auth refusal, not a parameter one');
  });

  it('answers refused tokens with 460 naming the token when tokenErrorCode is 460, switchable live', async () => {
    await boot({ tokenErrorCode: 460 });
    const token = await client.token();
    assert.equal(await client.fails('listDevices', {}, 460, { iotToken: 'not-a-token' }), 'iotToken invalid.');
    assert.equal(await client.fails('listDevices', {}, 460, { cloudToken: 'not-a-token' }), 'cloudToken invalid.');
    await client.controlOk('POST', 'tokens/expire');
    assert.equal(await client.fails('listDevices', {}, 460, { iotToken: token }), 'iotToken expired.');
    await client.controlOk('POST', 'variants', { tokenErrorCode: 401 });
    assert.equal(await client.fails('listDevices', {}, 401, { iotToken: token }), 'request auth error. iotToken expired.');
    // Bad parameters stay 460 whatever the token code.
    client.iotToken = undefined;
    assert.match(await client.fails('getRecordDuration', {}, 460), /^request parameter error\./);
  });

  it('sends session lifetimes as numbers with numberForm number', async () => {
    await boot({ numberForm: 'number' });
    const data = await client.ok<Json>('checkOrRefreshSession', refreshParams(emulator.refreshToken), {});
    assert.equal(data.iotTokenExpire, 72000);
    assert.equal(data.refreshTokenExpire, 720000);
  });

  it('expires every issued token through the control API; a refresh gives a working one', async () => {
    await boot();
    const token = await client.token();
    await client.ok('getRecordDuration', { iotId: 'demo-camera-1' });
    const cloud = await client.ok<Json>('getCloudToken', { grantType: 'project', res: emulator.projectId }, {});
    const expired = await client.controlOk<Json>('POST', 'tokens/expire');
    assert.equal(expired.expired, 2);
    assert.match(await client.fails('getRecordDuration', { iotId: 'demo-camera-1' }, 401, { iotToken: token }), /iotToken expired/);
    assert.match(await client.fails('listDevices', {}, 401, { cloudToken: String(cloud.cloudToken) }), /cloudToken expired/);
    client.iotToken = undefined;
    await client.ok('getRecordDuration', { iotId: 'demo-camera-1' });
  });

  it('expires iotTokens after iotTokenTtlSeconds of real time', async () => {
    await boot({ iotTokenTtlSeconds: 1 });
    const token = await client.token();
    await client.ok('listDevices');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await client.fails('listDevices', {}, 401, { iotToken: token });
  });

  it('issues cloud tokens (expireIn ms); a new one invalidates the previous one', async () => {
    await boot();
    const first = await client.ok<Json>('getCloudToken', { grantType: 'project', res: emulator.projectId }, {});
    assert.equal(first.expireIn, 7_200_000);
    await client.ok('listDevices', {}, { cloudToken: String(first.cloudToken) });
    const second = await client.ok<Json>('getCloudToken', { grantType: 'project', res: emulator.projectId }, {});
    assert.notEqual(second.cloudToken, first.cloudToken);
    assert.match(await client.fails('listDevices', {}, 401, { cloudToken: String(first.cloudToken) }), /cloudToken invalid/);
    await client.ok('listDevices', {}, { cloudToken: String(second.cloudToken) });
    await client.fails('refreshCloudToken', { cloudToken: String(first.cloudToken) }, 401, {});
    assert.equal(emulator.stats().cloudTokensIssued, 2);
  });

  it('refreshes a cloud token in place (expiresIn seconds) and refuses other projects with 403', async () => {
    await boot({ cloudTokenTtlSeconds: 100 });
    const issued = await client.ok<Json>('getCloudToken', { grantType: 'project', res: emulator.projectId }, {});
    const refreshed = await client.ok<Json>('refreshCloudToken', { cloudToken: String(issued.cloudToken) }, {});
    assert.deepEqual(refreshed, { cloudToken: issued.cloudToken, expiresIn: 100 });
    await client.fails('getCloudToken', { grantType: 'project', res: 'another-project' }, 403, {});
    await client.fails('getCloudToken', { grantType: 'user', res: emulator.projectId }, 460, {});
  });

  describe('one login per account (oneLogin)', () => {
    function login(): Promise<Json> {
      return client.ok<Json>('createSessionByAuthCode', { request: { authCode: emulator.authCode, accountType: 'OA_SESSION', appKey: emulator.appKey } }, {});
    }

    it('gives every login its own refresh token and ends the older sessions: iotTokens refused, refresh tokens 2401', async () => {
      await boot({ oneLogin: true });
      const configured = await client.ok<Json>('checkOrRefreshSession', refreshParams('demo-refresh-token'), {});
      const first = await login();
      assert.notEqual(first.refreshToken, 'demo-refresh-token');
      assert.equal(emulator.refreshToken, first.refreshToken);
      // The configured session ended with the first login.
      assert.match(await client.fails('listDevices', {}, 401, { iotToken: String(configured.iotToken) }), /iotToken invalid/);
      await client.fails('checkOrRefreshSession', refreshParams('demo-refresh-token'), 2401, {});
      await client.ok('listDevices', {}, { iotToken: String(first.iotToken) });
      const second = await login();
      assert.notEqual(second.refreshToken, first.refreshToken);
      await client.fails('listDevices', {}, 401, { iotToken: String(first.iotToken) });
      await client.fails('checkOrRefreshSession', refreshParams(String(first.refreshToken)), 2401, {});
      // Refreshing the latest session works and keeps it the latest (and its earlier iotToken alive).
      const refreshed = await client.ok<Json>('checkOrRefreshSession', refreshParams(String(second.refreshToken)), {});
      assert.equal(refreshed.refreshToken, second.refreshToken);
      await client.ok('listDevices', {}, { iotToken: String(refreshed.iotToken) });
      await client.ok('listDevices', {}, { iotToken: String(second.iotToken) });
    });

    it('refuses ended sessions with 460 iotToken invalid when tokenErrorCode is 460', async () => {
      await boot({ oneLogin: true, tokenErrorCode: 460 });
      const first = await login();
      await login();
      assert.equal(await client.fails('listDevices', {}, 460, { iotToken: String(first.iotToken) }), 'iotToken invalid.');
    });

    it('POST /_emulator/sessions/login-elsewhere: a phone signing in cuts the running session off only with the rule on', async () => {
      await boot();
      const ours = await client.ok<Json>('checkOrRefreshSession', refreshParams(emulator.refreshToken), {});
      const off = await client.controlOk<Json>('POST', 'sessions/login-elsewhere');
      assert.equal(off.endedOlderSessions, false);
      assert.equal(off.refreshToken, 'demo-refresh-token', 'without the rule, logins share the refresh token');
      await client.ok('listDevices', {}, { iotToken: String(ours.iotToken) });
      await client.ok('checkOrRefreshSession', refreshParams('demo-refresh-token'), {});

      await client.controlOk('POST', 'variants', { oneLogin: true });
      const on = await client.controlOk<Json>('POST', 'sessions/login-elsewhere');
      assert.equal(on.endedOlderSessions, true);
      assert.equal(on.identityId, emulator.identityId);
      assert.equal(typeof on.iotTokenExpire, 'string');
      await client.fails('listDevices', {}, 401, { iotToken: String(ours.iotToken) });
      await client.fails('checkOrRefreshSession', refreshParams('demo-refresh-token'), 2401, {});
      await client.ok('listDevices', {}, { iotToken: String(on.iotToken) });
      assert.equal(emulator.stats().sessionsCreated, 0, 'the control route is not an API call');
      assert.equal((await client.control('GET', 'sessions/login-elsewhere')).status, 405);
      assert.equal((await client.control('POST', 'sessions/login-elsewhere', { extra: 1 })).status, 400);
    });

    it('keeps the latest login across a restart with --state, and loads state files written before logins were kept', async () => {
      const directory = mkdtempSync(path.join(tmpdir(), 'lv-sessions-'));
      try {
        const state = path.join(directory, 'world.json');
        await boot({ state, oneLogin: true });
        const ours = await client.ok<Json>('checkOrRefreshSession', refreshParams('demo-refresh-token'), {});
        const phone = await client.controlOk<Json>('POST', 'sessions/login-elsewhere');
        await emulator.close();
        await boot({ state, oneLogin: true });
        assert.equal(emulator.refreshToken, phone.refreshToken);
        await client.fails('checkOrRefreshSession', refreshParams('demo-refresh-token'), 2401, {});
        await client.fails('listDevices', {}, 401, { iotToken: String(ours.iotToken) });
        await client.ok('listDevices', {}, { iotToken: String(phone.iotToken) });
        await emulator.close();

        // A file of the version before: no login count, iotTokens without their login.
        const saved = JSON.parse(readFileSync(state, 'utf8')) as { sessions: Json };
        const iotTokens = saved.sessions.iotTokens as Record<string, Json>;
        for (const entry of Object.values(iotTokens)) delete entry.login;
        saved.sessions = { refreshToken: 'demo-refresh-token', refreshTokenExpiresAt: null, iotTokens: { [String(ours.iotToken)]: iotTokens[String(ours.iotToken)] }, cloudTokens: {} };
        writeFileSync(state, JSON.stringify(saved));
        await boot({ state, oneLogin: true });
        await client.ok('listDevices', {}, { iotToken: String(ours.iotToken) });
        await client.ok('checkOrRefreshSession', refreshParams('demo-refresh-token'), {});
      } finally {
        await emulator.close();
        rmSync(directory, { recursive: true, force: true });
      }
    });
  });
});
