import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { LinkVisualError } from '../../lib/gateway/errors';
import { parsePushUsername, pushCredentials, verifyPushCredentials } from '../../lib/push';

const APP_KEY = 'demo-app-key';
const APP_SECRET = 'demo-app-secret';
const RANDOM = 1_700_000_000_000;
const lookup = (appKey: string): string | undefined => (appKey === APP_KEY ? APP_SECRET : undefined);

describe('push credentials (app-key SASL PLAIN, docs/protocol.md §10.2)', () => {
  it('builds the username and the base64 HMAC-SHA256 password of a fixed vector', () => {
    const credentials = pushCredentials({ appKey: APP_KEY, appSecret: APP_SECRET, clientId: 'node-red-1', consumerGroup: 'group-1', random: RANDOM });
    assert.equal(credentials.username, 'node-red-1|authMode=appkey,signMethod=SHA256,random=1700000000000,appKey=demo-app-key,groupId=group-1|');
    const independent = createHmac('sha256', APP_SECRET).update('random=1700000000000').digest('base64');
    assert.equal(credentials.password, independent);
    assert.equal(credentials.password, '4qk6Nxw9NRMxnN6fJnmEX9AOYsrjJ7mV2kVDdyP2L3Q=');
  });

  it('hex-encodes the same HMAC with encoding: hex', () => {
    const credentials = pushCredentials({ appKey: APP_KEY, appSecret: APP_SECRET, clientId: 'c', consumerGroup: 'g', random: RANDOM, encoding: 'hex' });
    assert.equal(credentials.password, createHmac('sha256', APP_SECRET).update(`random=${RANDOM}`).digest('hex'));
    assert.equal(credentials.password, 'e2a93a371c3d3513319cde9f2679845fd00e62cae327b995da45437723f62f74');
  });

  it('defaults the consumer group to the AppKey and random to now', () => {
    const before = Date.now();
    const { username } = pushCredentials({ appKey: APP_KEY, appSecret: APP_SECRET, clientId: 'c' });
    const parsed = parsePushUsername(username);
    assert.ok(typeof parsed !== 'string');
    assert.equal(parsed.consumerGroup, APP_KEY);
    assert.ok(Number(parsed.random) >= before && Number(parsed.random) <= Date.now());
  });

  it('refuses fields that would break the username, without quoting the secret', () => {
    for (const bad of [
      { clientId: 'a|b' },
      { clientId: '' },
      { clientId: 'café' },
      { appKey: 'k,ey' },
      { consumerGroup: 'g=1' },
      { consumerGroup: 'g|1' },
      { appSecret: '' },
      { random: -1 },
      { random: 1.5 },
    ]) {
      assert.throws(
        () => pushCredentials({ appKey: APP_KEY, appSecret: APP_SECRET, clientId: 'c', ...bad }),
        (error: unknown) => error instanceof LinkVisualError && error.code === 'CONFIG' && !error.message.includes(APP_SECRET),
        JSON.stringify(bad),
      );
    }
    assert.throws(() => pushCredentials({ appKey: APP_KEY, appSecret: APP_SECRET, clientId: 'c', encoding: 'base32' as 'hex' }), /base64 or hex/);
  });

  it('verifies what it signs, and refuses a wrong signature or an unknown AppKey', () => {
    const good = pushCredentials({ appKey: APP_KEY, appSecret: APP_SECRET, clientId: 'c', consumerGroup: 'g', random: RANDOM });
    const verdict = verifyPushCredentials(good.username, good.password, lookup);
    assert.deepEqual(verdict, { ok: true, clientId: 'c', appKey: APP_KEY, consumerGroup: 'g', random: String(RANDOM), encoding: 'base64' });
    const wrong = pushCredentials({ appKey: APP_KEY, appSecret: 'not-the-secret', clientId: 'c', random: RANDOM });
    assert.deepEqual(verifyPushCredentials(wrong.username, wrong.password, lookup), { ok: false, reason: 'wrong signature', appKey: APP_KEY });
    const stranger = pushCredentials({ appKey: 'other-key', appSecret: APP_SECRET, clientId: 'c', random: RANDOM });
    assert.deepEqual(verifyPushCredentials(stranger.username, stranger.password, lookup), { ok: false, reason: 'unknown AppKey', appKey: 'other-key' });
    // A signature over another random does not carry over.
    const replay = good.username.replace(String(RANDOM), String(RANDOM + 1));
    assert.equal(verifyPushCredentials(replay, good.password, lookup).ok, false);
  });

  it('accepts hex passwords only when told to', () => {
    const hex = pushCredentials({ appKey: APP_KEY, appSecret: APP_SECRET, clientId: 'c', random: RANDOM, encoding: 'hex' });
    assert.equal(verifyPushCredentials(hex.username, hex.password, lookup).ok, false);
    const verdict = verifyPushCredentials(hex.username, hex.password, lookup, { encodings: ['base64', 'hex'] });
    assert.ok(verdict.ok && verdict.encoding === 'hex');
    const base64 = pushCredentials({ appKey: APP_KEY, appSecret: APP_SECRET, clientId: 'c', random: RANDOM });
    assert.equal(verifyPushCredentials(base64.username, base64.password, lookup, { encodings: ['hex'] }).ok, false);
  });

  it('refuses malformed usernames', () => {
    const { password } = pushCredentials({ appKey: APP_KEY, appSecret: APP_SECRET, clientId: 'c', random: RANDOM });
    const base = `authMode=appkey,signMethod=SHA256,random=${RANDOM},appKey=${APP_KEY},groupId=g`;
    for (const username of [
      '',
      'c',
      `c|${base}`,
      `c|${base}|x`,
      `|${base}|`,
      `c|${base}||`,
      `c|${base.replace('authMode=appkey', 'authMode=aksign')}|`,
      `c|${base.replace('signMethod=SHA256', 'signMethod=hmacsha1')}|`,
      `c|${base.replace(`random=${RANDOM}`, 'random=abc')}|`,
      `c|${base.replace(`appKey=${APP_KEY}`, 'appKey=')}|`,
      `c|${base.replace(',groupId=g', '')}|`,
      `c|${base},appKey=${APP_KEY}|`,
      `c|${base},novalue|`,
      'x'.repeat(2000),
    ]) {
      const verdict = verifyPushCredentials(username, password, lookup);
      assert.equal(verdict.ok, false, username);
      assert.ok(!verdict.ok && !verdict.reason.includes(password) && !verdict.reason.includes(APP_SECRET));
    }
  });
});
