/**
 * One on-event scenario of the bench: a real Node-RED (red.js, the package linked) with one
 * `link-visual-on-event` node watching N emulated cameras, polling or with the account's push on,
 * against an emulator in its own process. Measures, over windows of a running node:
 *  - idle: `event/query` calls (counted by the emulator), CPU and RSS of the Node-RED process;
 *  - events: raised at random moments on random cameras through the control API; each message is
 *    reported back by a `function` + `http request` pair right behind the node, stamped in Node-RED:
 *    latency p50/p99, lost and duplicated events.
 * Also a bare run (the account, no on-event node) for the cost of N cameras over nothing.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort, log, percentile, sleep, startEmulatorProcess, type EmulatorProcess } from './common';
import { createUserDir, processCpuMicros, startNodeRed, type RunningNodeRed } from './node-red';

export type ScenarioMode = 'poll' | 'push';

export interface ScenarioOptions {
  readonly cameras: number;
  readonly mode: ScenarioMode;
  /** The node's poll interval (polling, and push degraded). */
  readonly intervalS: number;
  /** Seconds between reconciliation sweeps with push on. */
  readonly sweepS: number;
  /** The account's rate limit, requests/s. */
  readonly rateLimit: number;
  readonly idleRounds: number;
  readonly idleWindowMs: number;
  readonly eventRounds: number;
  readonly eventsPerRound: number;
  readonly eventWindowMs: number;
  /** Time after "Started flows" before the first window (the session, the first polls, push connecting). */
  readonly warmUpMs: number;
}

/** Per-round figures of one scenario. */
export interface ScenarioResult {
  /** `event/query` calls per 30 s in each idle window. */
  readonly callsPer30s: number[];
  /** Node-RED CPU, % of a core, in each idle window. */
  readonly cpuPercent: number[];
  /** Node-RED RSS after a full GC at the end of each idle window, MiB. */
  readonly rssMiB: number[];
  /** What the JavaScript side holds after that GC (V8 heap in use plus external memory, Buffers included), MiB. */
  readonly heapMiB: number[];
  /** Per event round, seconds. */
  readonly p50: number[];
  readonly p99: number[];
  readonly raised: number;
  readonly lost: number;
  readonly duplicates: number;
  /** `event/query` calls the emulator counted over the event rounds, per raised event. */
  readonly callsPerEvent: number;
  /** The emulator's CPU over the idle windows, % of a core (is it the bottleneck?). */
  readonly emulatorCpuPercent: number;
  /** Pushes the emulator sent (push mode). */
  readonly pushesSent?: number;
}

const QUERY_PATH = '/vision/customer/event/query';
const MEMORY_PATH = '/lv-bench/memory';
// settings.js source: Node-RED runs with --expose-gc; the memory route collects, then reads its own RSS.
const MEMORY_PROBE = 'lvMemory: () => { global.gc(); return process.memoryUsage(); }';
const NODE_ARGS = ['--expose-gc'];
const TAB = 'bench-tab';

async function emulatorStats(emulator: EmulatorProcess): Promise<{ queries: number; pushesSent?: number }> {
  const response = await fetch(`${emulator.url}/_emulator/stats`);
  const stats = (await response.json()) as { byPath?: Record<string, number>; push?: { sent?: number } };
  return { queries: stats.byPath?.[QUERY_PATH] ?? 0, pushesSent: stats.push?.sent };
}

async function raiseEvent(emulator: EmulatorProcess, iotId: string): Promise<string> {
  const response = await fetch(`${emulator.url}/_emulator/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ iotId, picture: false, recording: false }),
  });
  const body = (await response.json()) as { eventId?: string; error?: string };
  if (!body.eventId) throw new Error(`raising an event failed: ${JSON.stringify(body)}`);
  return body.eventId;
}

/**
 * Memory of the Node-RED process after a full GC, MiB (through the flow's memory route): its RSS, and the heap in
 * use plus external memory, what the package's structures occupy (RSS also holds pages the allocator keeps).
 */
async function settledMemory(red: RunningNodeRed): Promise<{ rssMiB: number; heapMiB: number }> {
  const response = await fetch(`${red.url}${MEMORY_PATH}`);
  const usage = (await response.json()) as { rss?: number; heapUsed?: number; external?: number };
  if (typeof usage.rss !== 'number' || typeof usage.heapUsed !== 'number' || typeof usage.external !== 'number') throw new Error(`the memory route answered ${JSON.stringify(usage)}`);
  return { rssMiB: usage.rss / (1024 * 1024), heapMiB: (usage.heapUsed + usage.external) / (1024 * 1024) };
}

/** Collects the messages the flow reports: eventId → the times it was delivered. */
async function startReceiver(): Promise<{ url: string; delivered: Map<string, number[]>; close: () => Promise<void> }> {
  const delivered = new Map<string, number[]>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { eventId?: string; at?: number };
        if (typeof body.eventId === 'string') {
          const list = delivered.get(body.eventId) ?? [];
          list.push(Number(body.at));
          delivered.set(body.eventId, list);
        }
      } catch {
        // not a report
      }
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/delivered`,
    delivered,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A core function node of the bench tab, wired to `next`. */
function functionNode(id: string, name: string, func: string, y: number, next: string): Record<string, unknown> {
  return { id, type: 'function', z: TAB, name, func, outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], x: 300, y, wires: [[next]] };
}

function account(emulator: EmulatorProcess, options: Pick<ScenarioOptions, 'mode' | 'rateLimit'>): Record<string, unknown> {
  return {
    id: 'acct',
    type: 'link-visual-config',
    name: 'emulator',
    region: 'custom',
    endpoint: emulator.url,
    authMode: 'session',
    rateLimit: options.rateLimit,
    timeout: 10,
    push: options.mode === 'push',
    pushEndpoint: options.mode === 'push' ? (emulator.amqpUrl ?? '') : '',
    consumerGroup: '',
    clientId: '',
  };
}

function scenarioFlows(emulator: EmulatorProcess, options: ScenarioOptions, cameras: readonly string[] | undefined): Record<string, unknown>[] {
  const list: Record<string, unknown>[] = [
    { id: TAB, type: 'tab', label: 'bench' },
    account(emulator, options),
    { id: 'mem-in', type: 'http in', z: TAB, name: '', url: MEMORY_PATH, method: 'get', upload: false, swaggerDoc: '', x: 120, y: 200, wires: [['mem-read']] },
    functionNode('mem-read', 'memory', "msg.payload = global.get('lvMemory')();\nreturn msg;", 200, 'mem-out'),
    { id: 'mem-out', type: 'http response', z: TAB, name: '', statusCode: '', headers: {}, x: 460, y: 200, wires: [] },
  ];
  if (!cameras) return list; // the bare run
  list.push(
    {
      id: 'on-event',
      type: 'link-visual-on-event',
      z: TAB,
      name: '',
      account: 'acct',
      devices: cameras.join('\n'),
      eventType: 0,
      interval: options.intervalS,
      sweep: options.sweepS,
      startup: 'new',
      backfillMinutes: 60,
      image: false,
      clip: false,
      cooldown: 0,
      x: 120,
      y: 60,
      wires: [['report'], []],
    },
    functionNode(
      'report',
      'report',
      "msg.url = global.get('lvReportUrl');\nmsg.method = 'POST';\nmsg.headers = { 'content-type': 'application/json' };\nmsg.payload = JSON.stringify({ eventId: msg.payload.eventId, at: Date.now() });\nreturn msg;",
      60,
      'send',
    ),
    { id: 'send', type: 'http request', z: TAB, name: '', method: 'use', ret: 'txt', paytoqs: 'ignore', url: '', tls: '', persist: true, proxy: '', insecureHTTPParser: false, authType: '', senderr: false, headers: [], x: 460, y: 60, wires: [[]] },
  );
  return list;
}

/** Starts the emulator for a scenario (with its AMQP endpoint in push mode). */
async function scenarioEmulator(options: Pick<ScenarioOptions, 'cameras' | 'mode'>): Promise<EmulatorProcess> {
  return startEmulatorProcess({ cameras: options.cameras, ...(options.mode === 'push' ? { amqpPort: await freePort() } : {}) });
}

function credentials(emulator: EmulatorProcess): Record<string, Record<string, string>> {
  return { acct: { appKey: emulator.appKey, appSecret: emulator.appSecret, identityId: emulator.identityId, refreshToken: emulator.refreshToken } };
}

function checkAlive(red: RunningNodeRed): void {
  if (red.child.exitCode !== null || red.child.signalCode !== null) {
    throw new Error(`Node-RED stopped during the measure (${red.child.signalCode ?? red.child.exitCode}): ${red.output().trim().split('\n').slice(-3).join(' | ')}`);
  }
}

/** CPU (% of a core) and RSS (MiB) of Node-RED with only the account deployed: what N cameras add to. */
export async function measureBare(options: Pick<ScenarioOptions, 'mode' | 'rateLimit' | 'idleRounds' | 'idleWindowMs' | 'warmUpMs'>): Promise<{ cpuPercent: number[]; rssMiB: number[]; heapMiB: number[] }> {
  const emulator = await scenarioEmulator({ cameras: 1, mode: options.mode });
  const userDir = createUserDir({
    withPackage: true,
    flows: scenarioFlows(emulator, { ...options } as ScenarioOptions, undefined),
    credentials: credentials(emulator),
    functionGlobalContext: `{ ${MEMORY_PROBE} }`,
  });
  let red: RunningNodeRed | undefined;
  try {
    red = await startNodeRed(userDir.dir, { nodeArgs: NODE_ARGS });
    const pid = red.child.pid ?? -1;
    await sleep(options.warmUpMs);
    const cpuPercent: number[] = [];
    const rssMiB: number[] = [];
    const heapMiB: number[] = [];
    for (let round = 0; round < options.idleRounds; round += 1) {
      const before = processCpuMicros(pid) ?? NaN;
      const started = performance.now();
      await sleep(options.idleWindowMs);
      cpuPercent.push((((processCpuMicros(pid) ?? NaN) - before) / 1000 / (performance.now() - started)) * 100);
      const memory = await settledMemory(red);
      rssMiB.push(memory.rssMiB);
      heapMiB.push(memory.heapMiB);
      checkAlive(red);
    }
    return { cpuPercent, rssMiB, heapMiB };
  } finally {
    await red?.stop();
    await emulator.close();
    userDir.remove();
  }
}

/** Runs one scenario from start to end (its own emulator and Node-RED). */
export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const tag = `${options.cameras} cameras, ${options.mode === 'push' ? `push (sweep ${options.sweepS} s)` : `polling every ${options.intervalS} s`}`;
  const cameras = Array.from({ length: options.cameras }, (_, index) => `demo-camera-${index + 1}`);
  const emulator = await scenarioEmulator(options);
  if (options.mode === 'push' && !emulator.amqpUrl) throw new Error('the emulator did not open its AMQP endpoint');
  const receiver = await startReceiver();
  const userDir = createUserDir({
    withPackage: true,
    flows: scenarioFlows(emulator, options, cameras),
    credentials: credentials(emulator),
    functionGlobalContext: `{ lvReportUrl: ${JSON.stringify(receiver.url)}, ${MEMORY_PROBE} }`,
  });
  let red: RunningNodeRed | undefined;
  try {
    red = await startNodeRed(userDir.dir, { nodeArgs: NODE_ARGS });
    const pid = red.child.pid ?? -1;
    if (processCpuMicros(pid) === undefined) throw new Error('no /proc: the CPU of Node-RED cannot be read on this system');
    await sleep(options.warmUpMs);
    const callsPer30s: number[] = [];
    const cpuPercent: number[] = [];
    const rssMiB: number[] = [];
    const heapMiB: number[] = [];
    const emulatorCpuBefore = await emulator.cpuMicros();
    const idleStarted = performance.now();
    for (let round = 0; round < options.idleRounds; round += 1) {
      const before = await emulatorStats(emulator);
      const cpuBefore = processCpuMicros(pid) as number;
      const started = performance.now();
      await sleep(options.idleWindowMs);
      const cpuAfter = processCpuMicros(pid) as number;
      const after = await emulatorStats(emulator);
      const ms = performance.now() - started;
      checkAlive(red);
      callsPer30s.push(((after.queries - before.queries) * 30_000) / ms);
      cpuPercent.push(((cpuAfter - cpuBefore) / 1000 / ms) * 100);
      const memory = await settledMemory(red);
      rssMiB.push(memory.rssMiB);
      heapMiB.push(memory.heapMiB);
      log(`${tag}, idle ${round + 1}/${options.idleRounds}: ${callsPer30s[round].toFixed(1)} calls per 30 s, CPU ${cpuPercent[round].toFixed(2)} %, RSS ${memory.rssMiB.toFixed(1)} MiB, heap ${memory.heapMiB.toFixed(1)} MiB`);
    }
    const emulatorCpuPercent = ((await emulator.cpuMicros()) - emulatorCpuBefore) / 10 / (performance.now() - idleStarted);

    const raised: { eventId: string; at: number; round: number }[] = [];
    const queriesBefore = (await emulatorStats(emulator)).queries;
    for (let round = 0; round < options.eventRounds; round += 1) {
      const roundEnd = performance.now() + options.eventWindowMs;
      for (let index = 0; index < options.eventsPerRound; index += 1) {
        const gap = (options.eventWindowMs / options.eventsPerRound) * (0.5 + Math.random());
        await sleep(Math.max(0, Math.min(gap, roundEnd - performance.now())));
        const iotId = cameras[Math.floor(Math.random() * cameras.length)];
        const at = Date.now();
        raised.push({ eventId: await raiseEvent(emulator, iotId), at, round });
      }
      await sleep(Math.max(0, roundEnd - performance.now()));
    }
    // The stragglers: at most one period (plus slack) after the last event.
    const waitUntil = Date.now() + (options.mode === 'push' ? 10_000 : options.intervalS * 1000 + 5000);
    while (Date.now() < waitUntil && raised.some((event) => !receiver.delivered.has(event.eventId))) await sleep(100);
    checkAlive(red);
    const final = await emulatorStats(emulator);
    const p50: number[] = [];
    const p99: number[] = [];
    for (let round = 0; round < options.eventRounds; round += 1) {
      const latencies = raised
        .filter((event) => event.round === round)
        .map((event) => {
          const at = receiver.delivered.get(event.eventId)?.[0];
          return at === undefined ? Infinity : (at - event.at) / 1000;
        });
      p50.push(percentile(latencies, 50));
      p99.push(percentile(latencies, 99));
      log(`${tag}, events ${round + 1}/${options.eventRounds}: p50 ${p50[round].toFixed(2)} s, p99 ${p99[round].toFixed(2)} s over ${latencies.length} events`);
    }
    const problems = red
      .output()
      .split('\n')
      .filter((line) => /\[(error|warn)\]/.test(line) && !/Projects disabled|unencrypted credentials/.test(line));
    if (problems.length > 0) log(`Node-RED reported: ${problems.slice(0, 3).join(' | ')}`);
    return {
      callsPer30s,
      cpuPercent,
      rssMiB,
      heapMiB,
      p50,
      p99,
      raised: raised.length,
      lost: raised.filter((event) => !receiver.delivered.has(event.eventId)).length,
      duplicates: [...receiver.delivered.values()].reduce((sum, list) => sum + list.length - 1, 0),
      callsPerEvent: (final.queries - queriesBefore) / Math.max(1, raised.length),
      emulatorCpuPercent,
      ...(final.pushesSent === undefined ? {} : { pushesSent: final.pushesSent }),
    };
  } finally {
    await red?.stop();
    await receiver.close();
    await emulator.close();
    userDir.remove();
  }
}
