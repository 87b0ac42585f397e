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

  for (const apiVer of ['', '2.1', 'v2.1.5', '2.1.5 ', '2.1.5.1', '2.x.5', 215, true, ['2.1.5']]) {
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

  /** The catalog version of an operation. */
  function catalog(name: string): string {
    const version = findOperation(name)?.apiVer;
    assert.ok(version, name);
    return version;
  }

  /** [path, apiVer] of each request, with the path shortened after /vision/customer. */
  function sent(requests: Seen[]): [string, unknown][] {
    return requests.map((r) => [r.path.slice(V.length), r.apiVer]);
  }

  it('snapshot: a string msg.apiVer goes to picture/trigger, the lookups keep their catalog version', async () => {
    const { output, requests } = await ok('snapshot', { payload: { iotId: CAMERA }, apiVer: '9.9.9' });
    assert.ok(Buffer.isBuffer(output.payload));
    const calls = sent(requests);
    assert.deepEqual(calls[0], ['/picture/trigger', '9.9.9']);
    assert.ok(calls.length >= 2, JSON.stringify(calls));
    for (const call of calls.slice(1)) assert.deepEqual(call, ['/picture/querybyids', catalog('queryPicturesByIds')]);
    assert.equal((output.linkVisual as Msg).apiVer, '9.9.9', 'the version sent for triggerPicture');
    assert.equal(output.apiVer, undefined);
  });

  it('snapshot: an object msg.apiVer gives each operation (by name or path) its version', async () => {
    const apiVer = { triggerPicture: '2.0.1', [`${V}/picture/querybyids`]: '2.1.1' };
    const { output, requests } = await ok('snapshot', { payload: { iotId: CAMERA }, apiVer });
    const calls = sent(requests);
    assert.deepEqual(calls[0], ['/picture/trigger', '2.0.1']);
    assert.ok(calls.length >= 2, JSON.stringify(calls));
    for (const call of calls.slice(1)) assert.deepEqual(call, ['/picture/querybyids', '2.1.1']);
    assert.equal((output.linkVisual as Msg).apiVer, '2.0.1');
    assert.equal(output.apiVer, undefined);
  });

  it('snapshot: without msg.apiVer, and with an empty object, every call goes at its catalog version', async () => {
    for (const apiVer of [undefined, {}]) {
      const { output, requests } = await ok('snapshot', { payload: { iotId: CAMERA }, apiVer });
      const calls = sent(requests);
      assert.deepEqual(calls[0], ['/picture/trigger', catalog('triggerPicture')]);
      for (const call of calls.slice(1)) assert.deepEqual(call, ['/picture/querybyids', catalog('queryPicturesByIds')]);
      assert.equal((output.linkVisual as Msg).apiVer, catalog('triggerPicture'));
    }
  });

  it('plan apply: a string msg.apiVer goes to the write (set, then update), the query keeps its catalog version', async () => {
    const created = await ok('plan', { operation: 'apply', kind: 'record', apiVer: '9.9.9', payload: { name: 'versioned', allDay: 1 } });
    assert.equal((created.output.payload as { action: string }).action, 'created');
    const query = ['/record/plan/query', catalog('queryRecordPlans')];
    assert.ok(created.requests.length >= 2);
    assert.deepEqual(sent(created.requests), [...created.requests.slice(1).map(() => query), ['/record/plan/set', '9.9.9']]);
    assert.equal((created.output.linkVisual as Msg).apiVer, '9.9.9');
    assert.equal(created.output.apiVer, undefined);

    const schedule = [{ dayOfWeek: 1, begin: 0, end: 3600 }];
    const updated = await ok('plan', { operation: 'apply', kind: 'record', apiVer: '9.9.8', payload: { name: 'versioned', allDay: 0, timeSectionList: schedule } });
    assert.equal((updated.output.payload as { action: string }).action, 'updated');
    assert.deepEqual(sent(updated.requests), [...updated.requests.slice(1).map(() => query), ['/record/plan/update', '9.9.8']]);
    assert.equal((updated.output.linkVisual as Msg).apiVer, '9.9.8');

    const unchanged = await ok('plan', { operation: 'apply', kind: 'record', apiVer: '9.9.7', payload: { name: 'versioned', allDay: 0, timeSectionList: schedule } });
    assert.equal((unchanged.output.payload as { action: string }).action, 'unchanged');
    assert.deepEqual(sent(unchanged.requests), unchanged.requests.map(() => query), 'no write, so the version is not sent');
    assert.equal((unchanged.output.linkVisual as Msg).apiVer, undefined);
  });

  it('plan apply: an object msg.apiVer gives the query and the write their versions', async () => {
    const apiVer = { queryRecordPlans: '2.0.5', [`${V}/record/plan/update`]: '2.0.6', setRecordPlan: '2.0.7', getRecordDuration: '1.0.9' };
    const { output, requests } = await ok('plan', { operation: 'apply', kind: 'record', apiVer, payload: { name: 'versioned', allDay: 1 } });
    assert.equal((output.payload as { action: string }).action, 'updated');
    assert.deepEqual(sent(requests), [...requests.slice(1).map(() => ['/record/plan/query', '2.0.5']), ['/record/plan/update', '2.0.6']]);
    assert.equal((output.linkVisual as Msg).apiVer, '2.0.6');
    assert.equal(output.apiVer, undefined);
  });

  it('bind apply: a string msg.apiVer goes to bind only; an object gives every call its version', async () => {
    await ok('plan', { operation: 'apply', kind: 'event', payload: { name: 'alerts-2', allDay: 1, eventTypeList: [1], recordDuration: 20, preRecordDuration: 0 } });
    const rebound = await ok('bind', { operation: 'apply', kind: 'event', apiVer: '9.9.9', payload: { iotId: CAMERA, planName: 'alerts-2' } });
    assert.equal((rebound.output.payload as { action: string }).action, 'rebound');
    const lookups = rebound.requests.slice(0, -3);
    assert.ok(lookups.length >= 1);
    assert.deepEqual(sent(rebound.requests), [
      ...lookups.map(() => ['/eventrecord/plan/query', catalog('queryEventPlans')]),
      ['/eventrecord/plan/getbyiotid', catalog('getEventPlanByDevice')],
      ['/eventrecord/plan/unbind', catalog('unbindEventPlan')],
      ['/eventrecord/plan/device/bind', '9.9.9'],
    ]);
    assert.equal((rebound.output.linkVisual as Msg).apiVer, '9.9.9');
    assert.equal(rebound.output.apiVer, undefined);

    // Back to "alerts" (other tests rely on it), every operation at a version of its own.
    const apiVer = { queryEventPlans: '2.0.1', getEventPlanByDevice: '2.0.2', [`${V}/eventrecord/plan/unbind`]: '2.0.3', bindEventPlan: '2.0.4', bindRecordPlan: '2.0.5' };
    const restored = await ok('bind', { operation: 'apply', kind: 'event', apiVer, payload: { iotId: CAMERA, planName: 'alerts' } });
    assert.equal((restored.output.payload as { action: string }).action, 'rebound');
    assert.deepEqual(sent(restored.requests), [
      ...restored.requests.slice(0, -3).map(() => ['/eventrecord/plan/query', '2.0.1']),
      ['/eventrecord/plan/getbyiotid', '2.0.2'],
      ['/eventrecord/plan/unbind', '2.0.3'],
      ['/eventrecord/plan/device/bind', '2.0.4'],
    ]);
    assert.equal((restored.output.linkVisual as Msg).apiVer, '2.0.4');
  });

  it('a single-call action takes the object form like the string; entries for operations it does not call are unused', async () => {
    const { output, requests } = await ok('recordings', { operation: 'getDuration', apiVer: { [`${V}/record/durationconfig/get`]: '1.0.7', queryEvents: '2.1.5' }, payload: { iotId: CAMERA } });
    assert.deepEqual(sent(requests), [['/record/durationconfig/get', '1.0.7']]);
    assert.equal((output.linkVisual as Msg).apiVer, '1.0.7');
    const api = await ok('api', { operation: 'queryRecordPlans', apiVer: { queryRecordPlans: '9.9.6', triggerPicture: '2.0.1' }, payload: { pageSize: 10 } });
    assert.deepEqual(sent(api.requests), [['/record/plan/query', '9.9.6']]);
    assert.equal((api.output.linkVisual as Msg).apiVer, '9.9.6');
  });

  const refusals: { what: string; apiVer: Record<string, unknown>; paths: string[]; message: RegExp }[] = [
    { what: 'an unknown operation', apiVer: { triggerPicture: '2.0.1', takePicture: '2.0.1' }, paths: ['apiVer["takePicture"]'], message: /apiVer\["takePicture"\]: is not an operation/ },
    { what: 'an unknown path', apiVer: { [`${V}/picture/take`]: '2.0.1' }, paths: [`apiVer["${V}/picture/take"]`], message: /picture\/take/ },
    { what: 'a malformed version', apiVer: { triggerPicture: '2.0', queryPicturesByIds: '2.1.1' }, paths: ['apiVer["triggerPicture"]'], message: /must be a version like "2\.1\.5".*got "2\.0"/ },
    { what: 'a version that is not a string', apiVer: { queryPicturesByIds: 211 }, paths: ['apiVer["queryPicturesByIds"]'], message: /got a number/ },
    { what: 'two versions for one operation', apiVer: { triggerPicture: '2.0.1', [`${V}/picture/trigger`]: '2.0.2' }, paths: [`apiVer["${V}/picture/trigger"]`], message: /second version/ },
  ];
  for (const { what, apiVer, paths, message } of refusals) {
    for (const [name, msg] of [
      ['snapshot', { payload: { iotId: CAMERA } }],
      ['plan', { operation: 'apply', kind: 'record', payload: { name: 'refused', allDay: 1 } }],
      ['bind', { operation: 'apply', kind: 'event', payload: { iotId: CAMERA, planName: 'alerts-2' } }],
      ['events', { operation: 'byTime', payload: { iotId: CAMERA, beginTime: 0, endTime: Date.now() } }],
    ] as const) {
      it(`${name}: refuses an object msg.apiVer with ${what}, naming it, before anything is sent`, async () => {
        const before = emulator.stats().requests;
        const { output, error, requests } = await send(name, { ...msg, apiVer });
        assert.equal(output, undefined);
        const caught = error?.error as { code: string; message: string; cause: { problems: { path: string }[] } } | undefined;
        assert.equal(caught?.code, 'INVALID_PARAMS');
        assert.match(caught.message, message);
        assert.deepEqual(caught.cause.problems.map((p) => p.path), paths);
        assert.deepEqual(requests, []);
        assert.equal(emulator.stats().requests, before, 'nothing was sent');
      });
    }
  }

  it('api node: an object msg.apiVer may name a path outside the catalog when it is the one called', async () => {
    const path = '/vision/customer/not/there';
    const { error, requests } = await send('api', { operation: path, apiVer: { [path]: '1.0.3' }, payload: {} });
    assert.deepEqual(sent(requests), [['/not/there', '1.0.3']], 'sent at that version (the emulator does not know the path)');
    assert.ok(error, 'the emulator refuses the path');
    const other = await send('api', { operation: path, apiVer: { '/vision/customer/elsewhere': '1.0.3' }, payload: {} });
    assert.equal((other.error?.error as { code?: string } | undefined)?.code, 'INVALID_PARAMS');
    assert.deepEqual(other.requests, []);
  });
});
