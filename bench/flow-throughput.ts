/**
 * Measure 3: Node-RED flow msgs/s through `link-visual-recordings` (getDuration), against the core
 * `http request` node fed by a `function` node that signs the request with the package's own
 * signRequest and envelope (given to it through functionGlobalContext). Both flows live in one real
 * Node-RED; each is a closed loop keeping WINDOW messages in flight (our account's default
 * maxConcurrent), started by an `http in` trigger and timed inside Node-RED.
 */
import path from 'node:path';
import { request } from 'undici';
import { buildRequestEnvelope } from '../lib/gateway/envelope';
import { signRequest } from '../lib/gateway/sign';
import { ROOT, log, notMeasured, oursFirst, paired, startEmulatorProcess, stat, withEmulatorCpu, type EmulatorProcess, type MeasureResult } from './common';
import { createUserDir, postJson, processCpuMicros, startNodeRed } from './node-red';

const WINDOW = 16;
const TAB = 'bench-tab';
// Both flows build msg.payload with the same factory from settings.js, so neither pays for object
// creation the other does not.
const PAYLOAD_FACTORY = "() => ({ iotId: 'demo-camera-1' })";

function startCode(kind: string): string {
  return `
const n = msg.payload.n;
const state = { target: n, sent: 0, done: 0, errors: 0, firstError: null, res: msg.res, started: Date.now() };
flow.set('bench_${kind}', state);
const first = Math.min(msg.payload.window, n);
for (let i = 0; i < first; i += 1) {
  state.sent += 1;
  node.send({ payload: global.get('lvPayload')() });
}
return null;`;
}

function loopCode(kind: string): string {
  return `
const state = flow.get('bench_${kind}');
state.done += 1;
if (msg.error) {
  state.errors += 1;
  if (!state.firstError) state.firstError = String(msg.error.message || msg.error);
} else if (typeof msg.payload !== 'object' || msg.payload === null || typeof msg.payload.recordDuration !== 'number') {
  state.errors += 1;
  if (!state.firstError) state.firstError = 'unexpected payload ' + JSON.stringify(msg.payload).slice(0, 200);
}
if (state.sent < state.target) {
  state.sent += 1;
  return [{ payload: global.get('lvPayload')() }, null];
}
if (state.done === state.target) {
  const ms = Date.now() - state.started;
  return [null, { res: state.res, payload: { done: state.done, errors: state.errors, ms, firstError: state.firstError } }];
}
return null;`;
}

// The baseline's signing step: exactly the client's envelope and signRequest, nothing else.
const SIGN_CODE = `
const url = global.get('lvEndpoint') + '/vision/customer/record/durationconfig/get';
const body = JSON.stringify(global.get('lvEnvelope')('1.0.0', { iotId: msg.payload.iotId }, { iotToken: global.get('lvToken') }));
msg.headers = global.get('lvSign')({ method: 'POST', url, body, appKey: global.get('lvAppKey'), appSecret: global.get('lvAppSecret') });
msg.url = url;
msg.method = 'POST';
msg.payload = body;
return msg;`;

const CHECK_CODE = `
if (msg.statusCode !== 200 || typeof msg.payload !== 'object' || msg.payload === null || msg.payload.code !== 200) {
  msg.error = { message: 'HTTP ' + msg.statusCode + ' ' + JSON.stringify(msg.payload).slice(0, 200) };
  return msg;
}
msg.payload = msg.payload.data;
return msg;`;

function fn(id: string, name: string, code: string, wires: string[][], x: number, y: number): Record<string, unknown> {
  return { id, type: 'function', z: TAB, name, func: code, outputs: wires.length, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], x, y, wires };
}

function flows(emulator: EmulatorProcess): { flows: Record<string, unknown>[]; credentials: Record<string, Record<string, string>> } {
  return {
    flows: [
      { id: TAB, type: 'tab', label: 'bench' },
      { id: 'acct', type: 'link-visual-config', name: 'emulator', region: 'custom', endpoint: emulator.url, authMode: 'session', rateLimit: 1_000_000, timeout: 10 },
      // ours
      { id: 'ours-in', type: 'http in', z: TAB, name: '', url: '/bench/ours', method: 'post', upload: false, swaggerDoc: '', x: 100, y: 60, wires: [['ours-start']] },
      fn('ours-start', 'start ours', startCode('ours'), [['ours-node']], 260, 60),
      { id: 'ours-node', type: 'link-visual-recordings', z: TAB, name: '', account: 'acct', operation: 'getDuration', x: 440, y: 60, wires: [['ours-loop']] },
      { id: 'ours-catch', type: 'catch', z: TAB, name: '', scope: ['ours-node'], uncaught: false, x: 440, y: 100, wires: [['ours-loop']] },
      fn('ours-loop', 'loop ours', loopCode('ours'), [['ours-node'], ['ours-out']], 620, 60),
      { id: 'ours-out', type: 'http response', z: TAB, name: '', statusCode: '', headers: {}, x: 800, y: 60, wires: [] },
      // baseline
      { id: 'base-in', type: 'http in', z: TAB, name: '', url: '/bench/base', method: 'post', upload: false, swaggerDoc: '', x: 100, y: 200, wires: [['base-start']] },
      fn('base-start', 'start baseline', startCode('base'), [['base-sign']], 260, 200),
      fn('base-sign', 'sign', SIGN_CODE, [['base-http']], 400, 200),
      {
        id: 'base-http',
        type: 'http request',
        z: TAB,
        name: '',
        method: 'use',
        ret: 'obj',
        paytoqs: 'ignore',
        url: '',
        tls: '',
        persist: true,
        proxy: '',
        insecureHTTPParser: false,
        authType: '',
        senderr: false,
        headers: [],
        x: 540,
        y: 200,
        wires: [['base-check']],
      },
      { id: 'base-catch', type: 'catch', z: TAB, name: '', scope: ['base-sign', 'base-http', 'base-check'], uncaught: false, x: 540, y: 240, wires: [['base-loop']] },
      fn('base-check', 'check', CHECK_CODE, [['base-loop']], 680, 200),
      fn('base-loop', 'loop baseline', loopCode('base'), [['base-sign'], ['base-out']], 820, 200),
      { id: 'base-out', type: 'http response', z: TAB, name: '', statusCode: '', headers: {}, x: 980, y: 200, wires: [] },
    ],
    credentials: {
      acct: { appKey: emulator.appKey, appSecret: emulator.appSecret, identityId: emulator.identityId, refreshToken: emulator.refreshToken },
    },
  };
}

async function sessionToken(emulator: EmulatorProcess): Promise<string> {
  const url = `${emulator.url}/account/checkOrRefreshSession`;
  const body = JSON.stringify(buildRequestEnvelope('1.0.4', { request: { identityId: emulator.identityId, refreshToken: emulator.refreshToken } }));
  const headers = signRequest({ method: 'POST', url, body, appKey: emulator.appKey, appSecret: emulator.appSecret });
  const response = await request(url, { method: 'POST', headers, body });
  const envelope = (await response.body.json()) as { code: number; data?: { iotToken?: string } };
  if (envelope.code !== 200 || !envelope.data?.iotToken) throw new Error(`checkOrRefreshSession answered ${JSON.stringify(envelope)}`);
  return envelope.data.iotToken;
}

interface FlowRun {
  readonly msgsPerSecond: number;
  readonly errors: number;
  readonly nodeRedCpuMicrosPerMsg: number;
  readonly emulatorCpuShare: number;
  readonly firstError?: string;
}

export async function measureFlowThroughput(options: { rounds: number; targetMs: number }): Promise<MeasureResult> {
  const emulator = await startEmulatorProcess({});
  const token = await sessionToken(emulator);
  const { flows: flowList, credentials } = flows(emulator);
  const dist = (file: string) => JSON.stringify(path.join(ROOT, 'dist', 'lib', 'gateway', file));
  const userDir = createUserDir({
    withPackage: true,
    flows: flowList,
    credentials,
    functionGlobalContext: `{
    lvSign: require(${dist('sign.js')}).signRequest,
    lvEnvelope: require(${dist('envelope.js')}).buildRequestEnvelope,
    lvEndpoint: ${JSON.stringify(emulator.url)},
    lvAppKey: ${JSON.stringify(emulator.appKey)},
    lvAppSecret: ${JSON.stringify(emulator.appSecret)},
    lvToken: ${JSON.stringify(token)},
    lvPayload: ${PAYLOAD_FACTORY},
  }`,
  });
  const red = await startNodeRed(userDir.dir);
  const pid = red.child.pid ?? -1;
  const runs: Record<'ours' | 'base', FlowRun[]> = { ours: [], base: [] };
  try {
    const run = async (kind: 'ours' | 'base', n: number): Promise<FlowRun> => {
      const cpuBefore = processCpuMicros(pid) ?? NaN;
      const { value: answer, emulatorCpuShare } = await withEmulatorCpu(emulator, () => postJson(`${red.url}/bench/${kind}`, { n, window: WINDOW }, 60_000));
      const cpu = (processCpuMicros(pid) ?? NaN) - cpuBefore;
      const done = Number(answer.done);
      const errors = Number(answer.errors);
      if (errors > 0) log(`${kind}: ${errors} of ${done} messages failed, first: ${String(answer.firstError)}`);
      return {
        msgsPerSecond: (done * 1000) / Number(answer.ms),
        errors,
        nodeRedCpuMicrosPerMsg: cpu / done,
        emulatorCpuShare,
        ...(errors > 0 ? { firstError: String(answer.firstError) } : {}),
      };
    };
    // Warm-up (the account's session, JIT, keep-alive sockets), which also sizes the rounds.
    const warm = [await run('ours', 300), await run('base', 300), await run('ours', 600), await run('base', 600)];
    const fastest = Math.max(...warm.slice(2).map((w) => w.msgsPerSecond));
    const n = Math.max(500, Math.min(20_000, Math.round((fastest * options.targetMs) / 1000)));
    log(`flow: ${n} messages per run (warm-up ${warm.slice(2).map((w) => Math.round(w.msgsPerSecond)).join(' / ')} msgs/s)`);
    for (let round = 0; round < options.rounds; round += 1) {
      const order: ('ours' | 'base')[] = oursFirst(round) ? ['ours', 'base'] : ['base', 'ours'];
      for (const kind of order) runs[kind].push(await run(kind, n));
      log(`flow round ${round + 1}/${options.rounds}: ours ${Math.round(runs.ours[round].msgsPerSecond)} msgs/s, baseline ${Math.round(runs.base[round].msgsPerSecond)} msgs/s`);
    }
  } finally {
    await red.stop();
    userDir.remove();
    await emulator.close();
  }
  const cpuPerMsg = (kind: 'ours' | 'base') => stat(runs[kind].map((r) => r.nodeRedCpuMicrosPerMsg)).median;
  const errors = (kind: 'ours' | 'base') => runs[kind].reduce((sum, r) => sum + r.errors, 0);
  const emulatorShare = (kind: 'ours' | 'base') => stat(runs[kind].map((r) => r.emulatorCpuShare)).median;
  const firstError = [...runs.ours, ...runs.base].find((r) => r.firstError)?.firstError;
  const spec = {
    id: 'flow-recordings',
    label: 'flow msgs/s: recordings node vs http request + signing function',
    name: 'Node-RED flow msgs/s through link-visual-recordings (getDuration, 16 in flight)',
    unit: 'msgs/s',
    baselineName: 'core http request + function node signing (same signRequest)',
    goal: { text: '≥ 3×', on: 'ratio' as const, op: '>=' as const, value: 3 },
    notes: [
      `Node-RED CPU per message: ours ${Math.round(cpuPerMsg('ours'))} µs, baseline ${Math.round(cpuPerMsg('base'))} µs; ` +
        `emulator CPU (own process): ${Math.round(emulatorShare('ours') * 100)} % / ${Math.round(emulatorShare('base') * 100)} % of a core`,
      ...(firstError ? [`first failure: ${firstError}`] : []),
    ],
    extra: {
      window: WINDOW,
      nodeRedCpuMicrosPerMsg: { ours: cpuPerMsg('ours'), baseline: cpuPerMsg('base') },
      errors: { ours: errors('ours'), baseline: errors('base') },
    },
  };
  // A failed message is answered fast: a run with failures measures nothing.
  if (errors('ours') + errors('base') > 0) return notMeasured(spec, `messages failed (ours ${errors('ours')}, baseline ${errors('base')})`);
  return paired(
    spec,
    runs.ours.map((r) => r.msgsPerSecond),
    runs.base.map((r) => r.msgsPerSecond),
  );
}
