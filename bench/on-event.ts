/**
 * Measures 4–6: the `link-visual-on-event` node watching 1,000 cameras in a real Node-RED (the
 * node's default interval, 30 s; account rate limit 50 requests/s, enough for the baseline's 33
 * polls/s):
 *  4. `event/query` calls per poll cycle, counted by the emulator, vs one query per camera per cycle
 *     (a naive loop in its own process);
 *  5. event → message latency: events raised at random moments on random cameras through the
 *     emulator's control API; each message is reported back by a `function` + `http request` pair
 *     right behind the node, stamped in Node-RED;
 *  6. CPU of the Node-RED process while no event happens (share of one core), with a reference: a
 *     hand-written undici loop sending the same number of signed requests per second.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Ipc, firstMessage, forkTs, log, notMeasured, paired, percentile, sleep, startEmulatorProcess, stat, type EmulatorProcess, type MeasureResult } from './common';
import { createUserDir, processCpuMicros, startNodeRed, type RunningNodeRed } from './node-red';

const CAMERAS = 1000;
const INTERVAL_S = 30;
const RATE_LIMIT = 50;
/** The node's default reach-back before its cursor (nodes/on-event, 300 s); the naive baseline uses the same. */
const OVERLAP_MS = 300_000;
const WARM_UP_MS = 8000;
const IDLE_WINDOW_MS = 6000;
const EVENT_WINDOW_MS = 8000;
const EVENTS_PER_WINDOW = 40;
const QUERY_PATH = '/vision/customer/event/query';
const TAB = 'bench-tab';

async function eventQueries(emulator: EmulatorProcess): Promise<number> {
  const response = await fetch(`${emulator.url}/_emulator/stats`);
  const stats = (await response.json()) as { byPath?: Record<string, number> };
  return stats.byPath?.[QUERY_PATH] ?? 0;
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

function flows(emulator: EmulatorProcess, cameras: readonly string[]): { flows: Record<string, unknown>[]; credentials: Record<string, Record<string, string>> } {
  return {
    flows: [
      { id: TAB, type: 'tab', label: 'bench' },
      { id: 'acct', type: 'link-visual-config', name: 'emulator', region: 'custom', endpoint: emulator.url, authMode: 'session', rateLimit: RATE_LIMIT, timeout: 10 },
      {
        id: 'on-event',
        type: 'link-visual-on-event',
        z: TAB,
        name: '',
        account: 'acct',
        devices: cameras.join('\n'),
        eventType: 0,
        interval: INTERVAL_S,
        startup: 'new',
        backfillMinutes: 60,
        image: false,
        clip: false,
        cooldown: 0,
        x: 120,
        y: 60,
        wires: [['report'], []],
      },
      {
        id: 'report',
        type: 'function',
        z: TAB,
        name: 'report',
        func: "msg.url = global.get('lvReportUrl');\nmsg.method = 'POST';\nmsg.headers = { 'content-type': 'application/json' };\nmsg.payload = JSON.stringify({ eventId: msg.payload.eventId, at: Date.now() });\nreturn msg;",
        outputs: 1,
        timeout: 0,
        noerr: 0,
        initialize: '',
        finalize: '',
        libs: [],
        x: 300,
        y: 60,
        wires: [['send']],
      },
      { id: 'send', type: 'http request', z: TAB, name: '', method: 'use', ret: 'txt', paytoqs: 'ignore', url: '', tls: '', persist: true, proxy: '', insecureHTTPParser: false, authType: '', senderr: false, headers: [], x: 460, y: 60, wires: [[]] },
    ],
    credentials: { acct: { appKey: emulator.appKey, appSecret: emulator.appSecret, identityId: emulator.identityId, refreshToken: emulator.refreshToken } },
  };
}

export async function measureOnEvent(): Promise<MeasureResult[]> {
  const rounds = 5; // each round is a time window of a running node: the minimum keeps the run short
  const scenario = `${CAMERAS} cameras, interval ${INTERVAL_S} s, account rate limit ${RATE_LIMIT}/s`;
  const callsSpec = {
    id: 'on-event-calls',
    label: 'on-event calls per cycle vs one query per camera',
    name: `on-event API calls per poll cycle (${scenario})`,
    unit: 'calls/cycle',
    baselineName: 'one event/query per camera per cycle',
    goal: { text: '≤ 0.25×', on: 'ratio' as const, op: '<=' as const, value: 0.25 },
    notes: [] as string[],
  };
  const latencySpec = {
    id: 'on-event-latency',
    label: 'on-event latency p99 vs the interval',
    name: `on-event event → message latency p99 (${scenario})`,
    unit: 's',
    baselineName: 'the poll interval',
    goal: { text: `p99 ≤ interval + 1 s (${INTERVAL_S + 1} s)`, on: 'ours' as const, op: '<=' as const, value: INTERVAL_S + 1 },
    notes: [] as string[],
  };
  const cpuSpec = {
    id: 'on-event-idle-cpu',
    label: 'on-event idle CPU (Node-RED process)',
    name: `on-event idle CPU, Node-RED process (${scenario})`,
    unit: '% of a core',
    baselineName: '—',
    goal: { text: '< 2 %', on: 'ours' as const, op: '<' as const, value: 2 },
    notes: [] as string[],
  };
  const fail = (why: string) => [notMeasured(callsSpec, why), notMeasured(latencySpec, why), notMeasured(cpuSpec, why)];
  if (!fs.existsSync(path.join(__dirname, '..', 'dist', 'nodes', 'on-event', 'link-visual-on-event.js'))) return fail('the link-visual-on-event node is not built');

  const cameras = Array.from({ length: CAMERAS }, (_, index) => `demo-camera-${index + 1}`);
  const emulator = await startEmulatorProcess({ cameras: CAMERAS });
  const receiver = await startReceiver();
  const { flows: flowList, credentials } = flows(emulator, cameras);
  const userDir = createUserDir({ withPackage: true, flows: flowList, credentials, functionGlobalContext: `{ lvReportUrl: ${JSON.stringify(receiver.url)} }` });
  const childOptions = JSON.stringify({ ...emulator, cameras, intervalMs: INTERVAL_S * 1000, overlapMs: OVERLAP_MS });
  const callsOurs: number[] = [];
  const callsNaive: number[] = [];
  const cpu: number[] = [];
  const reference: number[] = [];
  const p99: number[] = [];
  const p50: number[] = [];
  let lost = 0;
  let duplicates = 0;
  let baselineErrors = '';
  let red: RunningNodeRed | undefined;
  let child: ReturnType<typeof forkTs> | undefined;
  try {
    red = await startNodeRed(userDir.dir);
    const pid = red.child.pid ?? -1;
    if (processCpuMicros(pid) === undefined) throw new Error('no /proc: the CPU of Node-RED cannot be read on this system');
    const running = red;
    const alive = () => {
      if (running.child.exitCode !== null || running.child.signalCode !== null) {
        throw new Error(`Node-RED stopped during the measure (${running.child.signalCode ?? running.child.exitCode}): ${running.output().trim().split('\n').slice(-3).join(' | ')}`);
      }
    };
    await sleep(WARM_UP_MS); // the session, the first polls
    for (let round = 0; round < rounds; round += 1) {
      const callsBefore = await eventQueries(emulator);
      const cpuBefore = processCpuMicros(pid) as number;
      const started = performance.now();
      await sleep(IDLE_WINDOW_MS);
      const cpuAfter = processCpuMicros(pid) as number;
      const callsAfter = await eventQueries(emulator);
      const ms = performance.now() - started;
      alive();
      callsOurs.push(((callsAfter - callsBefore) * INTERVAL_S * 1000) / ms);
      cpu.push(((cpuAfter - cpuBefore) / 1000 / ms) * 100);
      log(`on-event idle round ${round + 1}/${rounds}: ${Math.round(callsOurs[round])} calls per ${INTERVAL_S} s cycle, Node-RED CPU ${cpu[round].toFixed(2)} %`);
    }
    const raised: { eventId: string; at: number; round: number }[] = [];
    for (let round = 0; round < rounds; round += 1) {
      const roundEnd = performance.now() + EVENT_WINDOW_MS;
      for (let index = 0; index < EVENTS_PER_WINDOW; index += 1) {
        const gap = (EVENT_WINDOW_MS / EVENTS_PER_WINDOW) * (0.5 + Math.random());
        await sleep(Math.max(0, Math.min(gap, roundEnd - performance.now())));
        const iotId = cameras[Math.floor(Math.random() * cameras.length)];
        const at = Date.now();
        raised.push({ eventId: await raiseEvent(emulator, iotId), at, round });
      }
      await sleep(Math.max(0, roundEnd - performance.now()));
    }
    // The stragglers: at most one period (plus slack) after the last event.
    const waitUntil = Date.now() + INTERVAL_S * 1000 + 5000;
    while (Date.now() < waitUntil && raised.some((event) => !receiver.delivered.has(event.eventId))) await sleep(250);
    alive();
    for (let round = 0; round < rounds; round += 1) {
      const latencies = raised
        .filter((event) => event.round === round)
        .map((event) => {
          const at = receiver.delivered.get(event.eventId)?.[0];
          return at === undefined ? Infinity : (at - event.at) / 1000;
        });
      p99.push(percentile(latencies, 99));
      p50.push(percentile(latencies, 50));
      log(`on-event latency round ${round + 1}/${rounds}: p50 ${p50[round].toFixed(1)} s, p99 ${p99[round].toFixed(1)} s over ${latencies.length} events`);
    }
    lost = raised.filter((event) => !receiver.delivered.has(event.eventId)).length;
    duplicates = [...receiver.delivered.values()].reduce((sum, list) => sum + list.length - 1, 0);
    const problems = red
      .output()
      .split('\n')
      .filter((line) => /\[(error|warn)\]/.test(line) && !/Projects disabled|unencrypted credentials/.test(line));
    if (problems.length > 0) log(`Node-RED reported: ${problems.slice(0, 3).join(' | ')}`);
    await red.stop();
    red = undefined;

    // The baselines, once the node is gone.
    child = forkTs('on-event-child.ts', [childOptions]);
    const ipc = new Ipc(child);
    await firstMessage(child, 'ready');
    for (let round = 0; round < rounds; round += 1) {
      const before = await eventQueries(emulator);
      await ipc.ask({ cmd: 'cycle' });
      callsNaive.push((await eventQueries(emulator)) - before);
    }
    log(`on-event baseline: ${callsNaive.join(', ')} calls per cycle`);
    const rate = (stat(callsOurs).median || CAMERAS) / INTERVAL_S;
    for (let round = 0; round < 3; round += 1) reference.push(Number((await ipc.ask({ cmd: 'paced', rate, ms: IDLE_WINDOW_MS })).cpuPercent));
    log(`reference: a hand-written undici loop at ${rate.toFixed(1)} signed requests/s uses ${reference.map((r) => r.toFixed(2)).join(', ')} % of a core`);
    const stopped = await ipc.ask({ cmd: 'stop' });
    if (Number(stopped.errors) > 0) baselineErrors = `baseline failures: ${String(stopped.errors)}, first: ${String(stopped.firstError)}`;
  } catch (error) {
    const lines = (error as Error).message.split('\n').filter((line) => line.trim() !== '');
    return fail(lines.length > 1 ? `${lines[0]} … ${lines.slice(-3).join(' | ')}` : lines[0] ?? String(error));
  } finally {
    await red?.stop();
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await receiver.close();
    await emulator.close();
    userDir.remove();
  }
  const ref = stat(reference);
  return [
    paired(
      {
        ...callsSpec,
        notes: [`ours counted over ${rounds} windows of ${IDLE_WINDOW_MS / 1000} s of a running node (scaled to a cycle), the baseline over ${rounds} whole cycles`, ...(baselineErrors ? [baselineErrors] : [])],
      },
      callsOurs,
      callsNaive,
    ),
    paired(
      {
        ...latencySpec,
        notes: [
          `p50 median ${stat(p50).median.toFixed(1)} s [${stat(p50).min.toFixed(1)}–${stat(p50).max.toFixed(1)}]; ${EVENTS_PER_WINDOW} events per round at random moments on random cameras`,
          `events raised ${rounds * EVENTS_PER_WINDOW}: lost ${lost}, delivered twice ${duplicates}`,
        ],
        extra: { p50: stat(p50), intervalSeconds: INTERVAL_S, lost, duplicates },
      },
      p99,
      p99.map(() => INTERVAL_S),
    ),
    paired(
      {
        ...cpuSpec,
        notes: [
          `Node-RED process CPU over ${rounds} windows of ${IDLE_WINDOW_MS / 1000} s with no event`,
          `reference on this machine: a hand-written undici loop sending the same ${(stat(callsOurs).median / INTERVAL_S).toFixed(1)} signed requests/s uses ${ref.median.toFixed(2)} % [${ref.min.toFixed(2)}–${ref.max.toFixed(2)}]`,
        ],
        extra: { referenceHandWrittenLoop: ref },
      },
      cpu,
      null,
    ),
  ];
}
