/** msg.apiVer through every operation node: the version each request carries, as a recording proxy in front of the emulator sees it. */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { findOperation } from '../../lib/catalog/operations';
import { startEmulator } from '../../lib/emulator';
import { MessageQueue, accountNode, exchange, helper, packageNodes, tempUserDir, type TestNode } from '../helpers/node-red';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const catchNode = require('@node-red/nodes/core/common/25-catch.js') as unknown;

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
type Msg = Record<string, unknown>;

/** One gateway request as the proxy saw it: its path and the apiVer of its envelope. */
interface Seen {
  readonly path: string;
  readonly apiVer: unknown;
}

/** A pass-through HTTP proxy to `target` that records the envelope apiVer of every request. */
async function startRecorder(target: string): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = req.url ?? '/';
      if (!path.startsWith('/_')) {
        let apiVer: unknown;
        try {
          apiVer = (JSON.parse(body.toString('utf8')) as { request?: { apiVer?: unknown } }).request?.apiVer;
        } catch {
          apiVer = undefined;
        }
        seen.push({ path, apiVer });
      }
      const forward = http.request(
        { host: upstream.hostname, port: upstream.port, path, method: req.method, headers: { ...req.headers, host: upstream.host }, agent: false },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const NODE_TYPES = ['plan', 'bind', 'recordings', 'record', 'snapshot', 'pictures', 'events', 'storage', 'api'] as const;
type NodeName = (typeof NODE_TYPES)[number];
const CAMERA = 'demo-camera-1';
const V = '/vision/customer';

describe('operation nodes: msg.apiVer', function () {
  this.timeout(60_000);
  let emulator: Emulator;
  let recorder: Awaited<ReturnType<typeof startRecorder>>;
  let userDir: { dir: string; remove: () => void };
  let sink: MessageQueue;

  before(async () => {
    userDir = tempUserDir();
    emulator = await startEmulator({ port: 0, captureDelayMs: 50 });
    recorder = await startRecorder(emulator.url);
    const account = accountNode(recorder.url);
    const flow: Record<string, unknown>[] = [
      { id: 'tab', type: 'tab', label: 'apiVer' },
      { ...account.node },
      ...NODE_TYPES.map((name) => ({ id: name, type: `link-visual-${name}`, z: 'tab', x: 100, y: 100, account: 'account', wires: [['sink']] })),
      // Overrides locked: msg.apiVer is one of them.
      { id: 'locked', type: 'link-visual-recordings', z: 'tab', x: 100, y: 100, account: 'account', operation: 'getDuration', iotId: CAMERA, iotIdType: 'str', ignoreMsg: true, wires: [['sink']] },
      { id: 'catcher', type: 'catch', z: 'tab', x: 100, y: 200, scope: null, uncaught: false, wires: [['sink']] },
      { id: 'sink', type: 'helper', z: 'tab', x: 300, y: 100 },
    ];
    await helper.load([catchNode, ...packageNodes()], flow, account.credentials);
    sink = new MessageQueue(helper.getNode('sink') as TestNode);
  });

  after(async () => {
    await helper.unload();
    await recorder.close();
    await emulator.close();
    userDir.remove();
  });

  /** Sends one message; returns its outcome and the API requests it made (session calls left out). */
  async function send(name: NodeName | 'locked', msg: Msg): Promise<{ output?: Msg; error?: Msg; requests: Seen[] }> {
    const first = recorder.seen.length;
    const outcome = await exchange(helper.getNode(name) as TestNode, msg, sink);
    return { ...outcome, requests: recorder.seen.slice(first).filter((r) => r.path.startsWith(V)) };
  }

  async function ok(name: NodeName | 'locked', msg: Msg): Promise<{ output: Msg; requests: Seen[] }> {
    const { output, error, requests } = await send(name, msg);
    if (!output) assert.fail(`${name}: ${JSON.stringify(error?.error)}`);
    return { output, requests };
  }

  before(async () => {
    // An event plan on the camera, two record plans (for paging), an event with a picture.
    await ok('plan', { operation: 'apply', kind: 'event', payload: { name: 'alerts', allDay: 1, eventTypeList: [1], recordDuration: 20, preRecordDuration: 0 } });
    await ok('bind', { operation: 'apply', kind: 'event', payload: { iotId: CAMERA, planName: 'alerts' } });
    for (const name of ['one', 'two', 'three']) await ok('plan', { operation: 'set', kind: 'record', payload: { name, allDay: 1 } });
    const response = await fetch(`${emulator.url}/_emulator/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ iotId: CAMERA, eventTime: Date.now() - 60_000, picture: true }),
    });
    assert.equal(response.status, 200);
  });

  const cases: { name: NodeName; msg: Msg; path: string; pages?: boolean }[] = [
    { name: 'plan', msg: { operation: 'query', kind: 'record', payload: { pageSize: 1 } }, path: `${V}/record/plan/query`, pages: true },
    { name: 'bind', msg: { operation: 'byDevice', kind: 'event', payload: { iotId: CAMERA } }, path: `${V}/eventrecord/plan/getbyiotid` },
    { name: 'recordings', msg: { operation: 'getDuration', payload: { iotId: CAMERA } }, path: `${V}/record/durationconfig/get` },
    { name: 'recordings', msg: { operation: 'query', payload: { iotId: CAMERA, beginTime: 0, endTime: Math.floor(Date.now() / 1000) } }, path: `${V}/record/query` },
    { name: 'record', msg: { payload: { iotId: CAMERA, recordDuration: 10 } }, path: `${V}/record/trigger` },
    { name: 'pictures', msg: { operation: 'byTime', payload: { iotId: CAMERA, startTime: 0, endTime: Date.now() + 60_000 } }, path: `${V}/picture/querybytime` },
    { name: 'events', msg: { operation: 'byTime', payload: { iotId: CAMERA, beginTime: 0, endTime: Date.now() + 60_000, pageSize: 1 } }, path: `${V}/event/query` },
    { name: 'storage', msg: { operation: 'get', payload: { iotId: 'demo-camera-2' } }, path: `${V}/cloudstorage/presented/get` },
  ];

  for (const { name, msg, path, pages } of cases) {
    it(`${name} ${String(msg.operation ?? 'trigger')}: sends msg.apiVer${pages ? ' with every page' : ''}, reports it, and removes it from the output`, async () => {
      const { output, requests } = await ok(name, { ...msg, apiVer: '9.9.9' });
      const calls = requests.filter((r) => r.path === path);
      assert.ok(calls.length >= (pages ? 2 : 1), `${path} called ${calls.length} time(s)`);
      assert.deepEqual([...new Set(requests.map((r) => r.apiVer))], ['9.9.9'], JSON.stringify(requests));
      assert.equal((output.linkVisual as Msg).apiVer, '9.9.9');
      assert.equal(output.apiVer, undefined, 'a next node does not inherit it');
    });
  }

  it('sends and reports the catalog version without msg.apiVer, and when overrides are locked', async () => {
    const plain = await ok('events', { operation: 'byTime', payload: { iotId: CAMERA, beginTime: 0, endTime: Date.now() } });
    const version = findOperation('queryEvents')?.apiVer;
    assert.deepEqual([...new Set(plain.requests.map((r) => r.apiVer))], [version]);
    assert.equal((plain.output.linkVisual as Msg).apiVer, version);
    const locked = await ok('locked', { apiVer: '9.9.9' });
    assert.deepEqual(locked.requests.map((r) => r.apiVer), [findOperation('getRecordDuration')?.apiVer]);
    assert.equal(locked.output.apiVer, '9.9.9', 'a locked node leaves msg.apiVer alone');
  });

  it('gives a run action msg.apiVer for its own operation (recordings vodByFile)', async () => {
    const listed = await ok('recordings', { operation: 'query', payload: { iotId: CAMERA, beginTime: 0, endTime: Math.floor(Date.now() / 1000) } });
    const [file] = listed.output.payload as { fileName: string }[];
    assert.ok(file, 'the alert recording is listed');
    const { output, requests } = await ok('recordings', { operation: 'vodByFile', apiVer: '2.0.7', payload: { iotId: CAMERA, fileName: file.fileName } });
    assert.deepEqual(requests.map((r) => [r.path, r.apiVer]), [[`${V}/vod/getbyfilename`, '2.0.7']]);
    assert.equal((output.linkVisual as Msg).apiVer, '2.0.7');
  });

  for (const apiVer of ['', '2.1', 'v2.1.5', '2.1.5 ', '2.1.5.1', '2.x.5', 215, true, {}, ['2.1.5']]) {
    it(`refuses msg.apiVer ${JSON.stringify(apiVer)} with INVALID_PARAMS before anything is sent`, async () => {
      const before = emulator.stats().requests;
      const { output, error, requests } = await send('events', { operation: 'byTime', apiVer, payload: { iotId: CAMERA, beginTime: 0, endTime: Date.now() } });
      assert.equal(output, undefined);
      assert.ok(error, 'the Catch node got it');
      const caught = error.error as { code: string; message: string; cause: { code: string; retryable: boolean; problems: { path: string }[] } };
      assert.equal(caught.code, 'INVALID_PARAMS');
      assert.match(caught.message, /apiVer must be a version like "2\.1\.5"/);
      assert.equal(caught.cause.retryable, false);
      assert.deepEqual(caught.cause.problems.map((p) => p.path), ['apiVer']);
      const structured = error._error as { code: string; message: string; retryable: boolean };
      assert.deepEqual([structured.code, structured.retryable], ['INVALID_PARAMS', false], 'msg.error as the node set it');
      assert.deepEqual(requests, []);
      assert.equal(emulator.stats().requests, before, 'nothing was sent');
    });
  }

  it('api node: sends a well-formed msg.apiVer and refuses a malformed one the same way', async () => {
    const sent = await ok('api', { operation: 'queryRecordPlans', apiVer: '9.9.9', payload: { pageSize: 10 } });
    assert.deepEqual(sent.requests.map((r) => r.apiVer), ['9.9.9']);
    assert.equal(sent.output.apiVer, undefined);
    const refused = await send('api', { operation: 'queryRecordPlans', apiVer: '9.9', payload: { pageSize: 10 } });
    assert.equal((refused.error?.error as { code?: string } | undefined)?.code, 'INVALID_PARAMS');
    assert.deepEqual(refused.requests, []);
  });

  for (const [name, msg] of [
    ['plan', { operation: 'apply', kind: 'record', payload: { name: 'one', allDay: 1 } }],
    ['bind', { operation: 'apply', kind: 'event', payload: { iotId: CAMERA, planName: 'alerts' } }],
    ['snapshot', { payload: { iotId: CAMERA } }],
  ] as const) {
    it(`${name}${'operation' in msg ? ` ${msg.operation}` : ''}: calls several operations, so refuses msg.apiVer before anything is sent`, async () => {
      const before = emulator.stats().requests;
      const { error, requests } = await send(name, { ...msg, apiVer: '9.9.9' });
      const caught = error?.error as { code: string; message: string } | undefined;
      assert.equal(caught?.code, 'INVALID_PARAMS');
      assert.match(caught?.message ?? '', /msg\.apiVer cannot be used/);
      assert.deepEqual(requests, []);
      assert.equal(emulator.stats().requests, before);
    });
  }
});
