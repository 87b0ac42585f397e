/**
 * Client calls/s and CPU per call against the emulator (`queryRecordPlans`, 64 in flight), ours vs a
 * hand-written undici POST with the same signing, and vs the official `aliyun-api-gateway` SDK.
 * The emulator runs in its own process; its CPU share is reported for every run.
 */
import { Client as SdkClient } from 'aliyun-api-gateway';
import { Agent, request } from 'undici';
import { LinkVisualClient } from '../lib/client/client';
import { buildRequestEnvelope } from '../lib/gateway/envelope';
import { signRequest } from '../lib/gateway/sign';
import { log, oursFirst, ownCpuMicros, paired, startEmulatorProcess, stat, withEmulatorCpu, type EmulatorProcess, type MeasureResult } from './common';

const CONCURRENCY = 64;
const PATH = '/vision/customer/record/plan/query';
const API_VER = '2.1.0';
const PARAMS = { pageStart: 0, pageSize: 10 };

type CallFn = () => Promise<void>;

interface Run {
  readonly callsPerSecond: number;
  readonly errors: number;
  readonly clientCpuMicrosPerCall: number;
  readonly emulatorCpuShare: number;
}

/** `concurrency` loops calling `call` until `durationMs` is over; calls/s over the whole run. */
async function drive(emulator: EmulatorProcess, call: CallFn, durationMs: number): Promise<Run> {
  let calls = 0;
  let errors = 0;
  let firstError: unknown;
  const cpuBefore = ownCpuMicros();
  const { wallMs, emulatorCpuShare } = await withEmulatorCpu(emulator, async () => {
    const deadline = performance.now() + durationMs;
    const loop = async () => {
      while (performance.now() < deadline) {
        try {
          await call();
          calls += 1;
        } catch (error) {
          errors += 1;
          firstError ??= error;
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  });
  if (errors > 0) log(`${errors} failed calls, first: ${String(firstError)}`);
  const cpu = ownCpuMicros() - cpuBefore;
  return { callsPerSecond: (calls * 1000) / wallMs, errors, clientCpuMicrosPerCall: calls > 0 ? cpu / calls : NaN, emulatorCpuShare };
}

/** The baseline: a plain undici POST signed with the package's own signRequest and envelope. */
function undiciCaller(emulator: EmulatorProcess, iotToken: string): { call: CallFn; close: () => Promise<void> } {
  const dispatcher = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 30_000 });
  const url = emulator.url + PATH;
  return {
    async call() {
      const body = JSON.stringify(buildRequestEnvelope(API_VER, PARAMS, { iotToken }));
      const headers = signRequest({ method: 'POST', url, body, appKey: emulator.appKey, appSecret: emulator.appSecret });
      const response = await request(url, { method: 'POST', headers, body, dispatcher });
      const text = await response.body.text();
      if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}`);
      const envelope = JSON.parse(text) as { code: number };
      if (envelope.code !== 200) throw new Error(`code ${envelope.code}`);
    },
    close: () => dispatcher.close(),
  };
}

/** The official SDK, same envelope (it serialises and signs itself). */
function sdkCaller(emulator: EmulatorProcess, iotToken: string): CallFn {
  const sdk = new SdkClient(emulator.appKey, emulator.appSecret);
  const url = emulator.url + PATH;
  return async () => {
    const answer = (await sdk.post(url, { data: buildRequestEnvelope(API_VER, PARAMS, { iotToken }) })) as { code: number };
    if (answer.code !== 200) throw new Error(`code ${answer.code}`);
  };
}

/** An iotToken for the baselines, by a hand-signed checkOrRefreshSession (not through our client). */
async function sessionToken(emulator: EmulatorProcess): Promise<string> {
  const url = `${emulator.url}/account/checkOrRefreshSession`;
  const body = JSON.stringify(buildRequestEnvelope('1.0.4', { request: { identityId: emulator.identityId, refreshToken: emulator.refreshToken } }));
  const headers = signRequest({ method: 'POST', url, body, appKey: emulator.appKey, appSecret: emulator.appSecret });
  const response = await request(url, { method: 'POST', headers, body });
  const envelope = (await response.body.json()) as { code: number; data?: { iotToken?: string } };
  if (envelope.code !== 200 || !envelope.data?.iotToken) throw new Error(`checkOrRefreshSession answered ${JSON.stringify(envelope)}`);
  return envelope.data.iotToken;
}

export async function measureClientCalls(options: { rounds: number; durationMs: number }): Promise<MeasureResult[]> {
  const emulator = await startEmulatorProcess({});
  const ours = new LinkVisualClient({
    endpoint: emulator.url,
    appKey: emulator.appKey,
    appSecret: emulator.appSecret,
    auth: { mode: 'session', identityId: emulator.identityId, refreshToken: emulator.refreshToken },
    rateLimit: { perSecond: 0, maxConcurrent: CONCURRENCY },
    retries: 0,
  });
  const oursCall: CallFn = async () => {
    await ours.call('queryRecordPlans', PARAMS);
  };
  const token = await sessionToken(emulator);
  const hand = undiciCaller(emulator, token);
  const sdk = sdkCaller(emulator, token);
  const variants: Record<'ours' | 'undici' | 'sdk', CallFn> = { ours: oursCall, undici: hand.call, sdk };
  const runs: Record<'ours' | 'undici' | 'sdk', Run[]> = { ours: [], undici: [], sdk: [] };
  try {
    // Warm-up: connections, JIT, the session of our client.
    for (const call of Object.values(variants)) await drive(emulator, call, 600);
    for (let round = 0; round < options.rounds; round += 1) {
      const order: ('ours' | 'undici' | 'sdk')[] = oursFirst(round) ? ['ours', 'undici', 'sdk'] : ['sdk', 'undici', 'ours'];
      for (const name of order) runs[name].push(await drive(emulator, variants[name], options.durationMs));
      log(
        `client round ${round + 1}/${options.rounds}: ` +
          order.map((name) => `${name} ${Math.round(runs[name][round].callsPerSecond)}/s (emulator ${Math.round(runs[name][round].emulatorCpuShare * 100)} % CPU)`).join(', '),
      );
    }
  } finally {
    await ours.close();
    await hand.close();
    await emulator.close();
  }

  const perCall = (name: 'ours' | 'undici' | 'sdk') => stat(runs[name].map((run) => run.clientCpuMicrosPerCall)).median;
  const emulatorShare = (name: 'ours' | 'undici' | 'sdk') => stat(runs[name].map((run) => run.emulatorCpuShare)).median;
  const errors = (name: 'ours' | 'undici' | 'sdk') => runs[name].reduce((sum, run) => sum + run.errors, 0);
  const oursRate = runs.ours.map((run) => run.callsPerSecond);
  const common = {
    unit: 'calls/s',
    extra: {
      concurrency: CONCURRENCY,
      durationMs: options.durationMs,
      clientCpuMicrosPerCall: { ours: perCall('ours'), undici: perCall('undici'), sdk: perCall('sdk') },
      emulatorCpuShare: { ours: emulatorShare('ours'), undici: emulatorShare('undici'), sdk: emulatorShare('sdk') },
      errors: { ours: errors('ours'), undici: errors('undici'), sdk: errors('sdk') },
    },
  };
  const cpuNote = (other: 'undici' | 'sdk') =>
    `client CPU per call: ours ${Math.round(perCall('ours'))} µs, ${other} ${Math.round(perCall(other))} µs; ` +
    `emulator CPU (own process): ${Math.round(emulatorShare('ours') * 100)} % / ${Math.round(emulatorShare(other) * 100)} % of a core`;
  const errorNote = (other: 'undici' | 'sdk') => (errors('ours') + errors(other) > 0 ? [`failed calls: ours ${errors('ours')}, ${other} ${errors(other)}`] : []);
  const cpuSeries = (name: 'ours' | 'undici' | 'sdk') => runs[name].map((run) => run.clientCpuMicrosPerCall);
  const cpuSpec = (other: 'undici' | 'sdk', goal: number) => ({
    id: `client-cpu-vs-${other}`,
    label: `client CPU per call vs ${other === 'undici' ? 'hand-written undici' : 'aliyun-api-gateway SDK'}`,
    name: 'client CPU per call (queryRecordPlans, 64 in flight), µs of this process',
    baselineName: other === 'undici' ? 'hand-written undici POST, same signing' : 'official aliyun-api-gateway SDK',
    goal: { text: `≤ ${goal}×`, on: 'ratio' as const, op: '<=' as const, value: goal },
    notes: [cpuNote(other)],
    ...common,
    unit: 'µs/call',
  });
  return [
    paired(
      {
        id: 'client-vs-undici',
        label: 'client calls/s vs hand-written undici',
        name: 'client calls/s (queryRecordPlans, 64 in flight)',
        baselineName: 'hand-written undici POST, same signing',
        goal: { text: '≥ 0.95×', on: 'ratio', op: '>=', value: 0.95 },
        notes: [cpuNote('undici'), ...errorNote('undici')],
        ...common,
      },
      oursRate,
      runs.undici.map((run) => run.callsPerSecond),
    ),
    paired(cpuSpec('undici', 1.1), cpuSeries('ours'), cpuSeries('undici')),
    paired(
      {
        id: 'client-vs-sdk',
        label: 'client calls/s vs aliyun-api-gateway SDK',
        name: 'client calls/s (queryRecordPlans, 64 in flight)',
        baselineName: 'official aliyun-api-gateway SDK',
        goal: { text: '≥ 1.4×', on: 'ratio', op: '>=', value: 1.4 },
        notes: [cpuNote('sdk'), ...errorNote('sdk')],
        ...common,
      },
      oursRate,
      runs.sdk.map((run) => run.callsPerSecond),
    ),
    paired(cpuSpec('sdk', 0.7), cpuSeries('ours'), cpuSeries('sdk')),
  ];
}
