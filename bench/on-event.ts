/**
 * The on-event node with 1,000 cameras (issue 15's rows), the same node polling and with the
 * account's push on, side by side in one run (bench/on-event-scenario.ts runs each in a real Node-RED):
 *  - polling: event → message latency p99 against the interval; CPU of the Node-RED process at idle
 *    against a hand-written undici loop sending the same signed requests per second (its own process);
 *  - push: latency p50 and p99; `event/query` calls per 30 s against the same node polling; CPU at idle.
 */
import { Ipc, firstMessage, forkTs, log, notMeasured, paired, startEmulatorProcess, stat, type MeasureResult } from './common';
import { POLL_BATCH } from '../lib/events/poller';
import { runScenario, type ScenarioOptions, type ScenarioResult } from './on-event-scenario';
import fs from 'node:fs';
import path from 'node:path';

const CAMERAS = 1000;
const INTERVAL_S = 30;
const SWEEP_S = 600;
const RATE_LIMIT = 50;
/** The node's default reach-back before its cursor (nodes/on-event, 300 s); the reference loop uses the same. */
const OVERLAP_MS = 300_000;

function scenario(mode: ScenarioOptions['mode'], rounds: number): ScenarioOptions {
  return {
    cameras: CAMERAS,
    mode,
    intervalS: INTERVAL_S,
    sweepS: SWEEP_S,
    rateLimit: RATE_LIMIT,
    idleRounds: rounds,
    // With push the sweep polls in batches every 30 s (lib/events/poller.ts): a window holds one whole batch.
    idleWindowMs: mode === 'push' ? POLL_BATCH.spacingMs : 6000,
    eventRounds: rounds,
    eventsPerRound: 40,
    eventWindowMs: 8000,
    warmUpMs: 8000,
  };
}

/** CPU share of a hand-written undici loop sending `rate` signed `event/query` requests per second. */
async function referenceLoop(rate: number, rounds: number, windowMs: number): Promise<number[]> {
  const emulator = await startEmulatorProcess({ cameras: CAMERAS });
  const cameras = Array.from({ length: CAMERAS }, (_, index) => `demo-camera-${index + 1}`);
  const child = forkTs('on-event-child.ts', [JSON.stringify({ ...emulator, cameras, intervalMs: INTERVAL_S * 1000, overlapMs: OVERLAP_MS })]);
  try {
    const ipc = new Ipc(child);
    await firstMessage(child, 'ready');
    await ipc.ask({ cmd: 'paced', rate, ms: 2000 }); // warm-up: the token, connections, JIT
    const cpu: number[] = [];
    for (let round = 0; round < rounds; round += 1) cpu.push(Number((await ipc.ask({ cmd: 'paced', rate, ms: windowMs })).cpuPercent));
    const stopped = await ipc.ask({ cmd: 'stop' });
    if (Number(stopped.errors) > 0) throw new Error(`the reference loop failed ${String(stopped.errors)} requests, first: ${String(stopped.firstError)}`);
    return cpu;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await emulator.close();
  }
}

const f = (values: readonly number[], digits = 2) => {
  const s = stat(values);
  return `${s.median.toFixed(digits)} [${s.min.toFixed(digits)}–${s.max.toFixed(digits)}]`;
};

export async function measureOnEvent(options: { rounds: number }): Promise<MeasureResult[]> {
  const rounds = Math.min(options.rounds, 5); // each round is a time window of a running node: 5 keeps the run short
  const polled = `${CAMERAS} cameras, interval ${INTERVAL_S} s, rate limit ${RATE_LIMIT}/s`;
  const pushed = `${CAMERAS} cameras, push on, sweep ${SWEEP_S} s`;
  const specs = {
    pollLatency: {
      id: 'on-event-poll-latency',
      label: 'polling: latency p99 vs the interval',
      name: `on-event polling, event → message latency p99 (${polled})`,
      unit: 's',
      baselineName: 'the poll interval',
      goal: { text: `p99 ≤ interval + 1 s (${INTERVAL_S + 1} s)`, on: 'ours' as const, op: '<=' as const, value: INTERVAL_S + 1 },
      notes: [] as string[],
    },
    pollCpu: {
      id: 'on-event-poll-cpu',
      label: 'polling: idle CPU vs undici loop at its rate',
      name: `on-event polling, CPU of the Node-RED process with no event (${polled})`,
      unit: '% of a core',
      baselineName: 'a hand-written undici loop sending the same signed event/query requests per second',
      goal: { text: '≤ 1.2×', on: 'ratio' as const, op: '<=' as const, value: 1.2 },
      notes: [] as string[],
    },
    pushP50: {
      id: 'on-event-push-p50',
      label: 'push: latency p50',
      name: `on-event with push, event → message latency p50 (${pushed})`,
      unit: 's',
      baselineName: 'the same node polling',
      goal: { text: '≤ 0.3 s', on: 'ours' as const, op: '<=' as const, value: 0.3 },
      notes: [] as string[],
    },
    pushP99: {
      id: 'on-event-push-p99',
      label: 'push: latency p99',
      name: `on-event with push, event → message latency p99 (${pushed})`,
      unit: 's',
      baselineName: 'the same node polling',
      goal: { text: '≤ 1 s', on: 'ours' as const, op: '<=' as const, value: 1 },
      notes: [] as string[],
    },
    pushCalls: {
      id: 'on-event-push-calls',
      label: 'push: API calls per 30 s vs polling',
      name: `on-event with push, event/query calls per 30 s with no event (${pushed})`,
      unit: 'calls/30 s',
      baselineName: 'the same node polling',
      goal: { text: '≤ 0.05×', on: 'ratio' as const, op: '<=' as const, value: 0.05 },
      notes: [] as string[],
    },
    pushCpu: {
      id: 'on-event-push-cpu',
      label: 'push: idle CPU (Node-RED process)',
      name: `on-event with push, CPU of the Node-RED process with no event (${pushed})`,
      unit: '% of a core',
      baselineName: '—',
      goal: { text: '< 1 %', on: 'ours' as const, op: '<' as const, value: 1 },
      notes: [] as string[],
    },
  };
  const all = Object.values(specs);
  if (!fs.existsSync(path.join(__dirname, '..', 'dist', 'nodes', 'on-event', 'link-visual-on-event.js'))) return all.map((spec) => notMeasured(spec, 'the link-visual-on-event node is not built'));

  let poll: ScenarioResult;
  let push: ScenarioResult;
  let reference: number[];
  try {
    push = await runScenario(scenario('push', rounds));
    poll = await runScenario(scenario('poll', rounds));
    const rate = stat(poll.callsPer30s).median / 30;
    reference = await referenceLoop(rate, rounds, 6000);
    log(`reference: a hand-written undici loop at ${rate.toFixed(1)} signed requests/s uses ${reference.map((r) => r.toFixed(2)).join(', ')} % of a core`);
  } catch (error) {
    const lines = (error as Error).message.split('\n').filter((line) => line.trim() !== '');
    const why = lines.length > 1 ? `${lines[0]} … ${lines.slice(-3).join(' | ')}` : (lines[0] ?? String(error));
    return all.map((spec) => notMeasured(spec, why));
  }
  const delivery = (r: ScenarioResult) => `${r.raised} events raised: lost ${r.lost}, delivered twice ${r.duplicates}`;
  const pollLatency = paired(
    { ...specs.pollLatency, notes: [`p50 ${f(poll.p50, 1)} s; ${delivery(poll)}`] },
    poll.p99,
    poll.p99.map(() => INTERVAL_S),
  );
  const pollCpu = paired(
    {
      ...specs.pollCpu,
      notes: [`${f(poll.callsPer30s, 0)} event/query calls per 30 s (one per camera per interval); emulator CPU ${poll.emulatorCpuPercent.toFixed(1)} %`],
    },
    poll.cpuPercent,
    reference,
  );
  const pushNotes = [
    `${delivery(push)}; ${push.callsPerEvent.toFixed(2)} event/query calls per event (a push queries its camera, retrying while the cloud indexes)`,
    `the emulator sent ${push.pushesSent ?? 0} pushes`,
  ];
  return [
    pollLatency,
    pollCpu,
    paired({ ...specs.pushP50, notes: pushNotes }, push.p50, poll.p50),
    paired({ ...specs.pushP99, notes: pushNotes }, push.p99, poll.p99),
    paired(
      { ...specs.pushCalls, notes: [`a sweep queries each of the ${CAMERAS} cameras once per ${SWEEP_S} s: ${((CAMERAS * 30) / SWEEP_S).toFixed(0)} calls per 30 s at best`] },
      push.callsPer30s,
      poll.callsPer30s,
    ),
    paired({ ...specs.pushCpu, notes: [`RSS ${f(push.rssMiB, 1)} MiB (polling ${f(poll.rssMiB, 1)} MiB)`] }, push.cpuPercent, null),
  ];
}
