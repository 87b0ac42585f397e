/**
 * Auth through a node, against the emulator in each of the cloud's variants: an expired token
 * (401, or 460 naming the token) renews once, a 460 parameter error is INVALID_PARAMS with no renewal,
 * `iotToken blank` renews, lifetimes are read as text or numbers, and under the one-login rule a login
 * elsewhere ends the node's session with a plain "signed in elsewhere" error and status.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startEmulator, type EmulatorOptions } from '../../lib/emulator';
import type { ConfigNode } from '../../nodes/config/account';
import { MessageQueue, accountNode, exchange, helper, packageNodes, tempUserDir, type TestNode } from '../helpers/node-red';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const catchNode = require('@node-red/nodes/core/common/25-catch.js') as unknown;

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
type Stats = { tokenRefreshes: number; sessionsCreated: number; byPath: Record<string, number>; rejected: { auth: number; params: number } };

const refreshCalls = (stats: Stats): number => stats.byPath['/account/checkOrRefreshSession'] ?? 0;

const root = path.join(__dirname, '..', '..');
const SIGNED_IN_ELSEWHERE_KEY = 'link-visual-config.status.signedInElsewhere';

async function control<T = unknown>(emulator: Emulator, route: string, body: unknown = {}): Promise<T> {
  const response = await fetch(`${emulator.url}/_emulator/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.ok(response.ok, `${route}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

async function stats(emulator: Emulator): Promise<Stats> {
  return (await (await fetch(`${emulator.url}/_emulator/stats`)).json()) as Stats;
}

function statusTexts(node: TestNode): string[] {
  return node.status.getCalls().map((call) => String((call.args[0] as { text?: string }).text ?? ''));
}

type Caught = { code: string; message: string; cause: { code: string; apiCode?: number; retryable: boolean; reason?: string } };

describe('auth through a node', function () {
  this.timeout(60_000);
  let emulator: Emulator | undefined;
  let userDir: { dir: string; remove: () => void };

  beforeEach(() => {
    // A fresh user directory each time: no stored session of an earlier emulator is resumed.
    userDir = tempUserDir();
  });
  afterEach(async () => {
    await helper.unload();
    await emulator?.close();
    emulator = undefined;
    userDir.remove();
  });

  async function boot(options: EmulatorOptions, accountOptions: Parameters<typeof accountNode>[1] = {}): Promise<MessageQueue> {
    emulator = await startEmulator({ port: 0, ...options });
    const account = accountNode(emulator.url, accountOptions);
    const flow = [
      { id: 'tab', type: 'tab', label: 'auth' },
      account.node,
      { id: 'duration', type: 'link-visual-recordings', z: 'tab', x: 100, y: 100, account: 'account', operation: 'getDuration', iotId: 'demo-camera-1', iotIdType: 'str', wires: [['sink']] },
      { id: 'idle', type: 'link-visual-plan', z: 'tab', x: 100, y: 150, account: 'account', operation: 'query', kind: 'record', wires: [['sink']] },
      { id: 'catcher', type: 'catch', z: 'tab', x: 100, y: 200, scope: null, uncaught: false, wires: [['sink']] },
      { id: 'sink', type: 'helper', z: 'tab', x: 300, y: 100 },
    ];
    await helper.load([catchNode, ...packageNodes()], flow, account.credentials);
    return new MessageQueue(helper.getNode('sink') as TestNode);
  }

  const duration = () => helper.getNode('duration') as TestNode;

  async function succeeds(sink: MessageQueue): Promise<void> {
    const { output, error } = await exchange(duration(), {}, sink);
    assert.ok(output, `expected an answer, got ${JSON.stringify(error?.error)}`);
    assert.deepEqual(output.payload, { recordDuration: 1800 });
  }

  async function fails(sink: MessageQueue): Promise<Caught> {
    const { output, error } = await exchange(duration(), {}, sink);
    assert.ok(error, `expected an error, got ${JSON.stringify(output?.payload)}`);
    return error.error as Caught;
  }

  for (const tokenErrorCode of [401, 460] as const) {
    it(`renews once when an expired token is answered ${tokenErrorCode}, and the call succeeds`, async () => {
      const sink = await boot({ tokenErrorCode });
      await succeeds(sink);
      const before = await stats(emulator!);
      assert.equal(before.tokenRefreshes, 1);
      await control(emulator!, 'tokens/expire');
      await succeeds(sink);
      const after = await stats(emulator!);
      assert.equal(after.tokenRefreshes - before.tokenRefreshes, 1, 'one refresh');
      assert.equal(after.rejected.auth - before.rejected.auth, 1, `the expired token was refused (${tokenErrorCode})`);
    });
  }

  it('reports a 460 parameter error as INVALID_PARAMS in msg.error, without renewing', async () => {
    const sink = await boot({});
    await succeeds(sink);
    const before = await stats(emulator!);
    await control(emulator!, 'faults', { path: '/vision/customer/record/durationconfig/get', mode: 'code', code: 460, message: 'request parameter error.' });
    const caught = await fails(sink);
    assert.equal(caught.code, 'INVALID_PARAMS');
    assert.equal(caught.cause.apiCode, 460);
    assert.equal(caught.cause.retryable, false);
    assert.match(caught.message, /request parameter error\./);
    assert.equal((await stats(emulator!)).tokenRefreshes, before.tokenRefreshes, 'no refresh');
    assert.equal(statusTexts(duration()).at(-1), 'invalid input');
  });

  it('renews and repeats a call answered 460 iotToken blank (a refresh race)', async () => {
    const sink = await boot({});
    await succeeds(sink);
    const before = await stats(emulator!);
    await control(emulator!, 'faults', { path: '/vision/customer/record/durationconfig/get', mode: 'code', code: 460, message: 'iotToken blank' });
    await succeeds(sink);
    assert.equal((await stats(emulator!)).tokenRefreshes - before.tokenRefreshes, 1);
  });

  for (const numberForm of ['string', 'number'] as const) {
    it(`reads the session lifetimes sent as ${numberForm}s`, async () => {
      const sink = await boot({ numberForm, iotTokenTtlSeconds: 50_000, refreshTokenTtlSeconds: 400_000 });
      const started = Date.now();
      await succeeds(sink);
      const file = path.join(userDir.dir, 'link-visual', 'session-account.json');
      for (let i = 0; i < 50 && !fs.existsSync(file); i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
      const { session } = JSON.parse(fs.readFileSync(file, 'utf8')) as { session: { iotTokenExpiresAt: number; refreshTokenExpiresAt: number } };
      // 50,000 s, not the 2 h the client assumes when it cannot read the answer.
      assert.ok(Math.abs(session.iotTokenExpiresAt - (started + 50_000_000)) < 10_000, `iotTokenExpiresAt ${session.iotTokenExpiresAt - started} ms ahead`);
      assert.ok(Math.abs(session.refreshTokenExpiresAt - (started + 400_000_000)) < 10_000);
    });
  }

  describe('one login per account', () => {
    function catalogText(lang: string, key: string): string {
      const catalog = JSON.parse(fs.readFileSync(path.join(root, 'nodes', 'config', 'locales', lang, 'link-visual-config.json'), 'utf8')) as Record<string, unknown>;
      const text = key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], catalog);
      assert.equal(typeof text, 'string', `${lang} ${key}`);
      return text as string;
    }

    for (const authMode of ['session', 'authCode'] as const) {
      it(`a login elsewhere ends a running session (${authMode} mode): AUTH_FAILED "signed in elsewhere", in msg.error and every node's status`, async () => {
        const credentials = authMode === 'authCode' ? { appKey: 'demo-app-key', appSecret: 'demo-app-secret', authCode: 'demo-auth-code' } : undefined;
        const sink = await boot({ oneLogin: true }, { authMode, credentials });
        await succeeds(sink);
        const before = await stats(emulator!);
        const phone = await control<{ endedOlderSessions: boolean }>(emulator!, 'sessions/login-elsewhere');
        assert.equal(phone.endedOlderSessions, true);

        const caught = await fails(sink);
        assert.equal(caught.code, 'AUTH_FAILED');
        assert.equal(caught.cause.apiCode, 2401, 'the refresh token was refused');
        assert.equal(caught.cause.retryable, false);
        assert.equal(caught.cause.reason, 'sessionEnded');
        assert.match(caught.message, /^signed in elsewhere: /);
        assert.match(caught.message, /A new auth code \(or refresh token\) is needed/);
        const after = await stats(emulator!);
        assert.equal(after.tokenRefreshes, before.tokenRefreshes, 'the refused refresh counts as no refresh');
        assert.equal(refreshCalls(after) - refreshCalls(before), 1, 'one refresh was tried');

        // The status is a message key the editor translates; both catalogs say it plainly.
        const key = `node-red-contrib-link-visual/link-visual-config:${SIGNED_IN_ELSEWHERE_KEY}`;
        const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string };
        assert.ok(key.startsWith(`${pkg.name}/link-visual-config:`), 'the namespace is the config node set of this package');
        assert.equal(catalogText('en-US', SIGNED_IN_ELSEWHERE_KEY), 'signed in elsewhere: a new auth code is needed');
        assert.match(catalogText('zh-CN', SIGNED_IN_ELSEWHERE_KEY), /别处登录.*授权码/);
        assert.equal(statusTexts(duration()).at(-1), key);
        assert.equal(statusTexts(helper.getNode('idle') as TestNode).at(-1), key, 'a node of the account that made no call shows it too');
        const config = helper.getNode('account') as unknown as ConfigNode & TestNode;
        assert.deepEqual(config.account.status(), { state: 'error', message: caught.message, reason: 'sessionEnded' });
        assert.ok(config.warn.getCalls().some((call) => /signed in elsewhere/.test(String(call.args[0]))), 'the config node logged it');

        // Every later call fails the same way without offering the refused refresh token again.
        assert.equal((await fails(sink)).cause.reason, 'sessionEnded');
        assert.equal(refreshCalls(await stats(emulator!)), refreshCalls(after));
      });
    }

    it('an on-event node whose session a login elsewhere ended says so in its status', async () => {
      emulator = await startEmulator({ port: 0, oneLogin: true });
      const account = accountNode(emulator.url);
      const flow = [
        { id: 'tab', type: 'tab', label: 'auth' },
        account.node,
        { id: 'watch', type: 'link-visual-on-event', z: 'tab', x: 100, y: 100, account: 'account', devices: 'demo-camera-1', interval: 1, startup: 'new', wires: [[], []] },
      ];
      await helper.load(packageNodes(), flow, account.credentials);
      const watch = helper.getNode('watch') as TestNode;
      const until = async (what: string, test: () => boolean) => {
        for (let waited = 0; !test(); waited += 50) {
          assert.ok(waited < 10_000, `${what}; statuses: ${statusTexts(watch).slice(-5).join(' | ')}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };
      await until('a first good poll', () => statusTexts(watch).some((text) => /^0 events · \d/.test(text)));
      await control(emulator, 'sessions/login-elsewhere');
      const key = `node-red-contrib-link-visual/link-visual-config:${SIGNED_IN_ELSEWHERE_KEY}`;
      await until('the ended session in the status', () => statusTexts(watch).at(-1) === key);
      assert.deepEqual((watch.status.getCalls().at(-1)?.args[0] as { fill: string }).fill, 'red');
    });

    it('without the rule, a login elsewhere does not disturb the running session', async () => {
      const sink = await boot({ oneLogin: false });
      await succeeds(sink);
      const before = await stats(emulator!);
      const phone = await control<{ endedOlderSessions: boolean }>(emulator!, 'sessions/login-elsewhere');
      assert.equal(phone.endedOlderSessions, false);
      await succeeds(sink);
      const after = await stats(emulator!);
      assert.equal(after.tokenRefreshes, before.tokenRefreshes, 'no refresh was needed');
      assert.equal(after.rejected.auth, before.rejected.auth, 'nothing was refused');
      assert.ok(!statusTexts(duration()).some((text) => text.includes(SIGNED_IN_ELSEWHERE_KEY)));
    });
  });
});
