/**
 * How cost grows with the number of cameras (issue 16): one on-event node on one account watching
 * 100, 1,000 and 10,000 emulated cameras, polling (interval 30 s) and with push on (sweep 600 s).
 * For each: memory (heap after a GC, and RSS) and idle CPU of the Node-RED process over a bare run (the
 * account alone), API calls per minute, event latency p99. Goals: the cost of 10,000 cameras ≤ 12× the cost
 * of 1,000 (memory and CPU), latency within the mode's goal at 10,000 (polling: interval + 1 s; push: ≤ 1 s).
 */
import fs from 'node:fs';
import path from 'node:path';
import { POLL_BATCH } from '../lib/events/poller';
import { log, notMeasured, paired, stat, type MeasureResult } from './common';
import { measureBare, runScenario, type ScenarioMode, type ScenarioOptions, type ScenarioResult } from './on-event-scenario';

const SIZES = [100, 1000, 10_000] as const;
const INTERVAL_S = 30;
const SWEEP_S = 600;
// 10,000 cameras polled every 30 s are 333 calls/s; polls may use 80 % of the limit.
const RATE_LIMIT = 500;
const IDLE_ROUNDS = 5;
const IDLE_WINDOW_MS = 5000;

function scenario(mode: ScenarioMode, cameras: number): ScenarioOptions {
  return {
    cameras,
    mode,
    intervalS: INTERVAL_S,
    sweepS: SWEEP_S,
    rateLimit: RATE_LIMIT,
    idleRounds: IDLE_ROUNDS,
    // With push the sweep polls in batches every 30 s (lib/events/poller.ts): a window holds one whole batch.
    idleWindowMs: mode === 'push' ? POLL_BATCH.spacingMs : IDLE_WINDOW_MS,
    eventRounds: 2,
    eventsPerRound: 20,
    eventWindowMs: 6000,
    // Polling starts every camera's phase at once: let the first cycle run before measuring.
    warmUpMs: mode === 'poll' ? INTERVAL_S * 1000 + 2000 : 8000,
  };
}

export async function measureScale(): Promise<MeasureResult[]> {
  const modes: readonly ScenarioMode[] = ['push', 'poll'];
  const specs = modes.flatMap((mode) => {
    const what = mode === 'push' ? `push on, sweep ${SWEEP_S} s` : `polling every ${INTERVAL_S} s`;
    return [
      {
        id: `scale-${mode}-memory`,
        label: `scale, ${mode}: memory cost 10,000 vs 1,000 cameras`,
        name: `on-event, ${what}: memory Node-RED holds after a full GC (heap in use + external) over a bare run (the account alone), 10,000 cameras against 1,000`,
        unit: 'MiB',
        baselineName: 'the same with 1,000 cameras',
        goal: { text: '≤ 12×', on: 'ratio' as const, op: '<=' as const, value: 12 },
        notes: [] as string[],
      },
      {
        id: `scale-${mode}-cpu`,
        label: `scale, ${mode}: idle CPU cost 10,000 vs 1,000 cameras`,
        name: `on-event, ${what}: idle CPU of Node-RED over a bare run, 10,000 cameras against 1,000`,
        unit: '% of a core',
        baselineName: 'the same with 1,000 cameras',
        goal: { text: '≤ 12×', on: 'ratio' as const, op: '<=' as const, value: 12 },
        notes: [] as string[],
      },
      {
        id: `scale-${mode}-latency`,
        label: `scale, ${mode}: latency p99 with 10,000 cameras`,
        name: `on-event, ${what}: event → message latency p99 with 10,000 cameras`,
        unit: 's',
        baselineName: mode === 'push' ? '—' : 'the poll interval',
        goal:
          mode === 'push'
            ? { text: '≤ 1 s', on: 'ours' as const, op: '<=' as const, value: 1 }
            : { text: `≤ interval + 1 s (${INTERVAL_S + 1} s)`, on: 'ours' as const, op: '<=' as const, value: INTERVAL_S + 1 },
        notes: [] as string[],
      },
    ];
  });
  if (!fs.existsSync(path.join(__dirname, '..', 'dist', 'nodes', 'on-event', 'link-visual-on-event.js'))) return specs.map((spec) => notMeasured(spec, 'the link-visual-on-event node is not built'));

  const results: MeasureResult[] = [];
  for (const mode of modes) {
    const [memorySpec, cpuSpec, latencySpec] = specs.filter((spec) => spec.id.startsWith(`scale-${mode}-`));
    try {
      const bare = await measureBare({ mode, rateLimit: RATE_LIMIT, idleRounds: IDLE_ROUNDS, idleWindowMs: IDLE_WINDOW_MS, warmUpMs: 8000 });
      const bareRss = stat(bare.rssMiB).median;
      const bareHeap = stat(bare.heapMiB).median;
      const bareCpu = stat(bare.cpuPercent).median;
      log(`${mode}, bare (the account alone): RSS ${bareRss.toFixed(1)} MiB, heap ${bareHeap.toFixed(1)} MiB, CPU ${bareCpu.toFixed(2)} %`);
      const runs = new Map<number, ScenarioResult>();
      for (const cameras of SIZES) runs.set(cameras, await runScenario(scenario(mode, cameras)));
      const table = SIZES.map((cameras) => {
        const run = runs.get(cameras) as ScenarioResult;
        return (
          `${cameras} cameras: heap +${(stat(run.heapMiB).median - bareHeap).toFixed(1)} MiB, RSS +${(stat(run.rssMiB).median - bareRss).toFixed(1)} MiB, CPU +${(stat(run.cpuPercent).median - bareCpu).toFixed(2)} %, ` +
          `${(stat(run.callsPer30s).median * 2).toFixed(0)} calls/min, p99 ${stat(run.p99).median.toFixed(2)} s, ` +
          `lost ${run.lost}, twice ${run.duplicates}, emulator CPU ${run.emulatorCpuPercent.toFixed(1)} %`
        );
      });
      for (const line of table) log(`${mode}: ${line}`);
      const big = runs.get(10_000) as ScenarioResult;
      const mid = runs.get(1000) as ScenarioResult;
      const over = (values: readonly number[], base: number) => values.map((value) => Math.max(0.01, value - base));
      results.push(
        // Judged on the heap: RSS after a GC moves by tens of MiB between runs of the same flow (pages the allocator
        // keeps), more than 1,000 cameras add; it is reported beside it.
        paired({ ...memorySpec, notes: table }, over(big.heapMiB, bareHeap), over(mid.heapMiB, bareHeap)),
        paired({ ...cpuSpec, notes: [`bare Node-RED with the account: ${bareCpu.toFixed(2)} % of a core, RSS ${bareRss.toFixed(1)} MiB, heap ${bareHeap.toFixed(1)} MiB`] }, over(big.cpuPercent, bareCpu), over(mid.cpuPercent, bareCpu)),
        paired(
          { ...latencySpec, notes: [`${big.raised} events: lost ${big.lost}, delivered twice ${big.duplicates}`] },
          big.p99,
          mode === 'push' ? null : big.p99.map(() => INTERVAL_S),
        ),
      );
    } catch (error) {
      const why = (error as Error).message.split('\n')[0] ?? String(error);
      results.push(notMeasured(memorySpec, why), notMeasured(cpuSpec, why), notMeasured(latencySpec, why));
    }
  }
  return results;
}
