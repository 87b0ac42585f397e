/** Sessions and tokens: authCode and refresh sessions, rotation, expiry, cloud tokens, the auth codes. */
import assert from 'node:assert/strict';
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
    assert.equal(data.iotTokenExpire, 72000);
    assert.equal(data.refreshTokenExpire, 720000);
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

  it('answers 401 without a token and 460 for an unknown token, counting them as auth refusals', async () => {
    await boot();
    const missing = await client.fails('listDevices', {}, 401, {});
    assert.match(missing, /^request auth error\./);
    const unknown = await client.fails('listDevices', {}, 460, { iotToken: 'not-a-token' });
    assert.match(unknown, /iotToken invalid/);
    await client.fails('listDevices', {}, 460, { cloudToken: 'not-a-token' });
    assert.equal(emulator.stats().rejected.auth, 3);
  });

  it('expires every issued token through the control API; a refresh gives a working one', async () => {
    await boot();
    const token = await client.token();
    await client.ok('getRecordDuration', { iotId: 'demo-camera-1' });
    const cloud = await client.ok<Json>('getCloudToken', { grantType: 'project', res: emulator.projectId }, {});
    const expired = await client.controlOk<Json>('POST', 'tokens/expire');
    assert.equal(expired.expired, 2);
    assert.match(await client.fails('getRecordDuration', { iotId: 'demo-camera-1' }, 460, { iotToken: token }), /iotToken expired/);
    assert.match(await client.fails('listDevices', {}, 460, { cloudToken: String(cloud.cloudToken) }), /cloudToken expired/);
    client.iotToken = undefined;
    await client.ok('getRecordDuration', { iotId: 'demo-camera-1' });
  });

  it('expires iotTokens after iotTokenTtlSeconds of real time', async () => {
    await boot({ iotTokenTtlSeconds: 1 });
    const token = await client.token();
    await client.ok('listDevices');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await client.fails('listDevices', {}, 460, { iotToken: token });
  });

  it('issues cloud tokens (expireIn ms); a new one invalidates the previous one', async () => {
    await boot();
    const first = await client.ok<Json>('getCloudToken', { grantType: 'project', res: emulator.projectId }, {});
    assert.equal(first.expireIn, 7_200_000);
    await client.ok('listDevices', {}, { cloudToken: String(first.cloudToken) });
    const second = await client.ok<Json>('getCloudToken', { grantType: 'project', res: emulator.projectId }, {});
    assert.notEqual(second.cloudToken, first.cloudToken);
    assert.match(await client.fails('listDevices', {}, 460, { cloudToken: String(first.cloudToken) }), /cloudToken invalid/);
    await client.ok('listDevices', {}, { cloudToken: String(second.cloudToken) });
    await client.fails('refreshCloudToken', { cloudToken: String(first.cloudToken) }, 460, {});
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
});
