import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startEmulator } from '../../lib/emulator';
import { MessageQueue, accountNode, exchange, helper, packageNodes, tempUserDir, type TestNode } from '../helpers/node-red';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const catchNode = require('@node-red/nodes/core/common/25-catch.js') as unknown;

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

async function stats(emulator: Emulator): Promise<{ requests: number; byPath: Record<string, number> }> {
  const response = await fetch(`${emulator.url}/_emulator/stats`);
  return (await response.json()) as { requests: number; byPath: Record<string, number> };
}

/** POSTs to one of the emulator's control routes (/_emulator/<route>). */
async function control(emulator: Emulator, route: string, body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${emulator.url}/_emulator/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.ok(response.ok, `${route}: HTTP ${response.status}`);
}

async function fault(emulator: Emulator, body: Record<string, unknown>): Promise<void> {
  await control(emulator, 'faults', body);
}

function statusTexts(node: TestNode): string[] {
  return node.status.getCalls().map((call) => String((call.args[0] as { text?: string }).text ?? ''));
}

describe('operation node behaviour', function () {
  this.timeout(60_000);
  let emulator: Emulator;
  let userDir: { dir: string; remove: () => void };

  before(async () => {
    userDir = tempUserDir();
    emulator = await startEmulator({ port: 0 });
  });
  after(async () => {
    await emulator.close();
    userDir.remove();
  });
  afterEach(async () => {
    await helper.unload();
  });

  async function load(nodes: Record<string, unknown>[], accountOptions: Parameters<typeof accountNode>[1] = {}): Promise<MessageQueue> {
    const account = accountNode(emulator.url, accountOptions);
    const flow = [
      { id: 'tab', type: 'tab', label: 'behaviour' },
      account.node,
      ...nodes.map((node) => ({ z: 'tab', x: 100, y: 100, account: 'account', wires: [['sink']], ...node })),
      { id: 'catcher', type: 'catch', z: 'tab', x: 100, y: 200, scope: null, uncaught: false, wires: [['sink']] },
      { id: 'sink', type: 'helper', z: 'tab', x: 300, y: 100 },
    ];
    await helper.load([catchNode, ...packageNodes()], flow, account.credentials);
    return new MessageQueue(helper.getNode('sink') as TestNode);
  }

  it('lets msg.payload override configured parameters, unless overrides are locked', async () => {
    const sink = await load([
      { id: 'open', type: 'link-visual-recordings', operation: 'getDuration', iotId: 'demo-camera-1', iotIdType: 'str' },
      { id: 'locked', type: 'link-visual-recordings', operation: 'getDuration', iotId: 'demo-camera-1', iotIdType: 'str', ignoreMsg: true },
    ]);
    const open = await exchange(helper.getNode('open') as TestNode, { payload: { iotId: 'no-such-camera' } }, sink);
    assert.ok(open.error, 'msg.payload.iotId was used (and the emulator does not know that camera)');
    const locked = await exchange(helper.getNode('locked') as TestNode, { payload: { iotId: 'no-such-camera' }, operation: 'setDuration' }, sink);
    assert.ok(locked.output, 'the configured camera and operation were used');
    assert.equal((locked.output?.linkVisual as { operation: string }).operation, 'getRecordDuration');
  });

  it('reads TypedInput fields from msg, flow and env', async () => {
    process.env.LV_TEST_CAMERA = 'demo-camera-2';
    const sink = await load([
      { id: 'fromMsg', type: 'link-visual-recordings', operation: 'getDuration', iotId: 'camera', iotIdType: 'msg' },
      { id: 'fromEnv', type: 'link-visual-recordings', operation: 'getDuration', iotId: 'LV_TEST_CAMERA', iotIdType: 'env' },
    ]);
    const fromMsg = await exchange(helper.getNode('fromMsg') as TestNode, { camera: 'demo-camera-1' }, sink);
    assert.ok(fromMsg.output);
    const fromEnv = await exchange(helper.getNode('fromEnv') as TestNode, {}, sink);
    assert.ok(fromEnv.output);
  });

  it('selects another operation and kind by msg.operation (name or path) and msg.kind', async () => {
    const sink = await load([{ id: 'plan', type: 'link-visual-plan', operation: 'get', kind: 'record' }]);
    const byPath = await exchange(helper.getNode('plan') as TestNode, { operation: '/vision/customer/eventrecord/plan/query' }, sink);
    assert.equal((byPath.output?.linkVisual as { operation: string; kind: string }).operation, 'queryEventPlans');
    assert.equal((byPath.output?.linkVisual as { kind: string }).kind, 'event');
    assert.equal(byPath.output?.operation, undefined, 'msg.operation was consumed, so a next node does not inherit it');
    const byKind = await exchange(helper.getNode('plan') as TestNode, { operation: 'query', kind: 'event' }, sink);
    assert.equal((byKind.output?.linkVisual as { path: string }).path, '/vision/customer/eventrecord/plan/query');
    const foreign = await exchange(helper.getNode('plan') as TestNode, { operation: 'triggerPicture' }, sink);
    assert.equal((foreign.error?.error as { code: string }).code, 'INVALID_PARAMS');
  });

  it('refuses invalid input before any request, with a structured error for the Catch node', async () => {
    const sink = await load([{ id: 'record', type: 'link-visual-record' }]);
    const before = await stats(emulator);
    const { error } = await exchange(helper.getNode('record') as TestNode, { payload: { iotId: 'demo-camera-1', recordDuration: 1801 }, topic: 'keep me' }, sink);
    assert.ok(error, 'the Catch node got it');
    const caught = error.error as { message: string; code: string; source: { id: string }; cause: { code: string; retryable: boolean; problems: { path: string }[] } };
    assert.equal(caught.code, 'INVALID_PARAMS');
    assert.equal(caught.source.id, 'record');
    assert.match(caught.message, /^triggerRecording: recordDuration: must be ≤ 1800/, 'the plain message, no class-name prefix');
    assert.equal(caught.cause.retryable, false);
    assert.deepEqual(caught.cause.problems.map((p) => p.path), ['recordDuration']);
    assert.equal((error._error as { code: string }).code, 'INVALID_PARAMS', 'the node-set msg.error travels as msg._error');
    assert.equal(error.topic, 'keep me', 'the input message is kept');
    const afterwards = await stats(emulator);
    assert.equal(afterwards.requests, before.requests, 'nothing was sent');
    assert.ok(statusTexts(helper.getNode('record') as TestNode).includes('invalid input'));
  });

  it('refuses a setting out of its range with CONFIG before any request, and takes the default when it is blank', async () => {
    const camera = 'demo-camera-2';
    // 21 pictures: one more than the default maxImages (20).
    const since = Date.now() - 60_000;
    for (let i = 0; i < 21; i++) await control(emulator, 'events', { iotId: camera, eventType: 1, eventTime: since + i * 1000, picture: true });
    const byTime = { operation: 'byTime', iotId: camera, iotIdType: 'str', startTime: String(since - 1000), startTimeType: 'num', endTime: String(Date.now() + 1000), endTimeType: 'num', fetchImages: true };
    const sink = await load([
      { id: 'slowSnapshot', type: 'link-visual-snapshot', timeout: '601' },
      { id: 'oddSnapshot', type: 'link-visual-snapshot', timeout: 'soon' },
      { id: 'blankSnapshot', type: 'link-visual-snapshot', timeout: '' },
      { id: 'oddPictures', type: 'link-visual-pictures', ...byTime, maxImages: '2.5' },
      { id: 'onePicture', type: 'link-visual-pictures', ...byTime, maxImages: '1' },
      { id: 'blankPictures', type: 'link-visual-pictures', ...byTime, maxImages: '' },
    ]);
    const before = await stats(emulator);
    for (const [id, path, message] of [
      ['slowSnapshot', 'timeout', 'snapshot settings: timeout must be a number greater than 0 and at most 600'],
      ['oddSnapshot', 'timeout', 'snapshot settings: timeout must be a number greater than 0 and at most 600'],
      ['oddPictures', 'maxImages', 'pictures settings: maxImages must be a whole number from 1 to 1000'],
    ]) {
      const { error } = await exchange(helper.getNode(id) as TestNode, { payload: { iotId: camera } }, sink);
      const caught = error?.error as { code: string; message: string; cause: { code: string; retryable: boolean; problems: { path: string; message: string }[] } };
      assert.equal(caught.code, 'CONFIG', id);
      assert.equal(caught.message, message, id);
      assert.equal(caught.cause.retryable, false, id);
      assert.deepEqual(caught.cause.problems.map((problem) => problem.path), [path], id);
      assert.ok(statusTexts(helper.getNode(id) as TestNode).includes('CONFIG'), `${id}: its status`);
    }
    assert.equal((await stats(emulator)).requests, before.requests, 'nothing was sent');

    const taken = await exchange(helper.getNode('blankSnapshot') as TestNode, { payload: { iotId: camera } }, sink);
    assert.ok(Buffer.isBuffer(taken.output?.payload), 'a blank timeout waits its default');
    const withImages = async (id: string) => {
      const { output } = await exchange(helper.getNode(id) as TestNode, {}, sink);
      const list = output?.payload as { image?: Buffer }[];
      assert.ok(list.length >= 21, `${id}: ${list.length} pictures`);
      return list.filter((picture) => Buffer.isBuffer(picture.image)).length;
    };
    assert.equal(await withImages('onePicture'), 1);
    assert.equal(await withImages('blankPictures'), 20, 'a blank maxImages takes its default, 20');
  });

  it('reports API errors with code, apiCode and retryable', async () => {
    const sink = await load([{ id: 'get', type: 'link-visual-plan', operation: 'get', kind: 'record' }]);
    const { error } = await exchange(helper.getNode('get') as TestNode, { payload: { planId: 'missing-plan' } }, sink);
    const cause = (error?.error as { cause: { code: string; apiCode: number; path: string; retryable: boolean } }).cause;
    assert.equal(cause.code, 'API_ERROR');
    assert.equal(typeof cause.apiCode, 'number');
    assert.equal(cause.path, '/vision/customer/record/plan/get');
  });

  it('applies a plan idempotently: a second apply writes nothing', async () => {
    const sink = await load([{ id: 'apply', type: 'link-visual-plan', operation: 'apply', kind: 'record' }]);
    const desired = { name: 'away', allDay: 0, timeSectionList: [{ dayOfWeek: 2, begin: 3600, end: 7200 }, { dayOfWeek: 1, begin: 0, end: 600 }] };
    const first = await exchange(helper.getNode('apply') as TestNode, { payload: desired }, sink);
    assert.equal((first.output?.payload as { action: string }).action, 'created');
    const writes = (s: { byPath: Record<string, number> }) => (s.byPath['/vision/customer/record/plan/set'] ?? 0) + (s.byPath['/vision/customer/record/plan/update'] ?? 0);
    const before = writes(await stats(emulator));
    const reordered = { ...desired, timeSectionList: [...desired.timeSectionList].reverse() };
    const second = await exchange(helper.getNode('apply') as TestNode, { payload: reordered }, sink);
    assert.deepEqual(second.output?.payload, { changed: false, action: 'unchanged', planId: (first.output?.payload as { planId: string }).planId, name: 'away', duplicates: [] });
    assert.equal(writes(await stats(emulator)), before, 'no write the second time');
    const changed = await exchange(helper.getNode('apply') as TestNode, { payload: { ...desired, allDay: 1 } }, sink);
    assert.equal((changed.output?.payload as { action: string }).action, 'updated');
  });

  it('binds idempotently with apply, by plan name, over several cameras', async () => {
    const sink = await load([
      { id: 'plan', type: 'link-visual-plan', operation: 'apply', kind: 'record' },
      { id: 'bind', type: 'link-visual-bind', operation: 'apply', kind: 'record' },
    ]);
    await exchange(helper.getNode('plan') as TestNode, { payload: { name: 'home', allDay: 1 } }, sink);
    const first = await exchange(helper.getNode('bind') as TestNode, { payload: { iotId: 'demo-camera-1, demo-camera-2', planName: 'home' } }, sink);
    assert.deepEqual((first.output?.payload as { action: string }[]).map((r) => r.action), ['bound', 'bound']);
    const second = await exchange(helper.getNode('bind') as TestNode, { payload: { iotId: ['demo-camera-1', 'demo-camera-2'], planName: 'home' } }, sink);
    assert.deepEqual((second.output?.payload as { action: string }[]).map((r) => r.action), ['unchanged', 'unchanged']);
  });

  it('shows status: working, then ok or error', async () => {
    const sink = await load([{ id: 'duration', type: 'link-visual-recordings', operation: 'getDuration' }]);
    const node = helper.getNode('duration') as TestNode;
    await exchange(node, { payload: { iotId: 'demo-camera-1' } }, sink);
    const texts = statusTexts(node);
    assert.ok(texts.includes('working'));
    assert.match(texts[texts.length - 1], /\d+ s/);
  });

  it('keeps the status quiet with many messages in flight: working once, the result once all are done', async () => {
    const sink = await load([{ id: 'duration', type: 'link-visual-recordings', operation: 'getDuration' }]);
    const node = helper.getNode('duration') as TestNode;
    const before = node.status.getCalls().length;
    for (let i = 0; i < 40; i += 1) node.receive({ payload: { iotId: 'demo-camera-1' } });
    for (let i = 0; i < 40; i += 1) await sink.next();
    const texts = statusTexts(node).slice(before);
    assert.ok(texts.length <= 8, `${texts.length} status updates for 40 messages: ${texts.join(' | ')}`);
    assert.equal(texts[0], 'working');
    assert.match(texts[texts.length - 1], /\d+ s/, 'the last says the result');
  });

  it('shows the account-wide backoff after throttling', async () => {
    const sink = await load([{ id: 'duration', type: 'link-visual-recordings', operation: 'getDuration' }]);
    await fault(emulator, { path: '/vision/customer/record/durationconfig/get', mode: 'http', status: 429, times: 1 });
    const node = helper.getNode('duration') as TestNode;
    const result = await exchange(node, { payload: { iotId: 'demo-camera-1' } }, sink);
    assert.ok(result.output, 'retried after the pause');
    assert.ok(statusTexts(node).some((text) => /backing off \d+ s/.test(text)), statusTexts(node).join(' | '));
  });

  it('reports a missing account clearly', async () => {
    const flow = [
      { id: 'tab', type: 'tab' },
      { id: 'orphan', type: 'link-visual-record', z: 'tab', account: '', wires: [['sink']] },
      { id: 'catcher', type: 'catch', z: 'tab', scope: null, wires: [['sink']] },
      { id: 'sink', type: 'helper', z: 'tab', x: 300, y: 100 },
    ];
    await helper.load([catchNode, ...packageNodes()], flow);
    const sink = new MessageQueue(helper.getNode('sink') as TestNode);
    const node = helper.getNode('orphan') as TestNode;
    assert.ok(statusTexts(node).includes('no account'));
    const { error } = await exchange(node, { payload: { iotId: 'x', recordDuration: 5 } }, sink);
    assert.equal((error?.error as { code: string }).code, 'CONFIG');
  });

  it('keeps credentials out of the flow and persists the session owner-only', async () => {
    const sink = await load([{ id: 'duration', type: 'link-visual-recordings', operation: 'getDuration' }], { id: 'account' });
    await exchange(helper.getNode('duration') as TestNode, { payload: { iotId: 'demo-camera-1' } }, sink);
    const account = helper.getNode('account') as TestNode;
    assert.equal(account.credentials.appSecret, 'demo-app-secret');
    const exported = JSON.stringify(helper.getNode('duration')) + JSON.stringify((account as unknown as { account: unknown }).account);
    assert.ok(!exported.includes('demo-app-secret') && !exported.includes('demo-refresh-token'));
    const file = path.join(userDir.dir, 'link-visual', 'session-account.json');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(fs.existsSync(file), `the session file exists: ${JSON.stringify(fs.readdirSync(userDir.dir, { recursive: true }))}`);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  });

  it('cancels in-flight requests on close and ends every message', async () => {
    const sink = await load([{ id: 'duration', type: 'link-visual-recordings', operation: 'getDuration' }]);
    await fault(emulator, { path: '/vision/customer/record/durationconfig/get', mode: 'delay', delayMs: 3000, times: 1 });
    const node = helper.getNode('duration') as TestNode;
    node.receive({ payload: { iotId: 'demo-camera-1' } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    await helper.unload();
    assert.ok(Date.now() - started < 2000, 'close did not wait for the slow answer');
    assert.equal(sink.size, 0, 'no output and no error after a redeploy cancelled the call');
    await helper.load([], [{ id: 'tab', type: 'tab' }]);
  });

  it('resumes with the rotated refresh token after a restart (no new auth code needed)', async () => {
    const rotating = await startEmulator({ port: 0, rotateRefreshTokens: true });
    try {
      const account = accountNode(rotating.url, { id: 'rotating' });
      const flow = [{ id: 'tab', type: 'tab' }, account.node, { id: 'duration', type: 'link-visual-recordings', z: 'tab', x: 1, y: 1, account: 'rotating', operation: 'getDuration', wires: [['sink']] }, { id: 'sink', type: 'helper', z: 'tab', x: 2, y: 2 }];
      for (let restart = 0; restart < 3; restart += 1) {
        await helper.load(packageNodes(), flow, account.credentials);
        const sink = new MessageQueue(helper.getNode('sink') as TestNode);
        // Each run starts from the configured (by now spent) refresh token; the stored rotated one must win.
        await fetch(`${rotating.url}/_emulator/tokens/expire`, { method: 'POST' });
        const { output, error } = await exchange(helper.getNode('duration') as TestNode, { payload: { iotId: 'demo-camera-1' } }, sink);
        assert.ok(output, `run ${restart}: ${JSON.stringify(error)}`);
        await helper.unload();
      }
      const stored = JSON.parse(fs.readFileSync(path.join(userDir.dir, 'link-visual', 'session-rotating.json'), 'utf8')) as { session: { refreshToken: string } };
      assert.notEqual(stored.session.refreshToken, 'demo-refresh-token', 'a rotated token was stored');
    } finally {
      await rotating.close();
      await helper.load([], [{ id: 'tab', type: 'tab' }]);
    }
  });
});

describe('resource hygiene of operation nodes', function () {
  this.timeout(60_000);

  it('leaves no sockets or timers behind after repeated deploys', async () => {
    const userDir = tempUserDir();
    const emulator = await startEmulator({ port: 0 });
    const account = accountNode(emulator.url);
    const flow = [
      { id: 'tab', type: 'tab' },
      account.node,
      { id: 'duration', type: 'link-visual-recordings', z: 'tab', x: 1, y: 1, account: 'account', operation: 'getDuration', wires: [['sink']] },
      { id: 'sink', type: 'helper', z: 'tab', x: 2, y: 2 },
    ];
    const cycle = async () => {
      await helper.load(packageNodes(), flow, account.credentials);
      const sink = new MessageQueue(helper.getNode('sink') as TestNode);
      const { output } = await exchange(helper.getNode('duration') as TestNode, { payload: { iotId: 'demo-camera-1' } }, sink);
      assert.ok(output);
      await helper.unload();
    };
    // undici's shared coarse timer (a 500 ms tick) stops by itself once no request is pending.
    const settle = () => new Promise((resolve) => setTimeout(resolve, 1200));
    try {
      await cycle();
      await settle();
      const before = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
      for (let i = 0; i < 10; i += 1) await cycle();
      await settle();
      const after = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
      assert.ok(after.length <= before.length, `resources grew from ${before.join(', ')} to ${after.join(', ')}`);
    } finally {
      await emulator.close();
      userDir.remove();
    }
  });
});
