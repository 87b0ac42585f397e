/**
 * `npm run bench`: every measure of issue 9, each a ratio of our code against a baseline run side by
 * side in the same run (paired rounds, alternating order), median with min and max. Prints a table
 * and writes bench/results.json (a run artefact, git-ignored). The last line printed is
 * `bench: N of M goals met`.
 *
 *   npm run bench                      all measures
 *   npm run bench -- --only client,flow   some of them (ids: client, flow, events, download, start, scale)
 *   npm run bench -- --rounds 5        rounds per measure (default 7, at least 5)
 *
 * Talks only to 127.0.0.1: the emulator, Node-RED and the download run in child processes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measureClientCalls } from './client-calls';
import { ROOT, formatNumber, type MeasureResult } from './common';
import { measureDownload } from './download';
import { measureOnEvent } from './on-event';
import { measureFlowThroughput } from './flow-throughput';
import { measureNodeRedStart } from './node-red-start';
import { measureScale } from './scale';

interface Step {
  readonly id: string;
  readonly title: string;
  /** Goals the step judges (rows it adds), so that a step that breaks still counts them. */
  readonly goals: number;
  readonly run: (rounds: number) => Promise<MeasureResult[]>;
}

const STEPS: readonly Step[] = [
  // Short rounds, more of them: the client figures are the most exposed to a busy machine.
  { id: 'client', title: 'client calls/s and CPU per call', goals: 4, run: (rounds) => measureClientCalls({ rounds: Math.max(rounds, 11), durationMs: 1000 }) },
  { id: 'flow', title: 'Node-RED flow msgs/s (measure 3)', goals: 1, run: async (rounds) => [await measureFlowThroughput({ rounds, targetMs: 2500 })] },
  { id: 'events', title: 'on-event with 1,000 cameras, polling and with push', goals: 6, run: (rounds) => measureOnEvent({ rounds }) },
  { id: 'download', title: 'download of a 200 MiB recording (measure 7: speed, RSS)', goals: 2, run: (rounds) => measureDownload({ rounds }) },
  { id: 'start', title: 'Node-RED start (measure 8)', goals: 1, run: async (rounds) => [await measureNodeRedStart({ rounds: Math.max(rounds, 11) })] },
  { id: 'scale', title: 'on-event with 100, 1,000 and 10,000 cameras: how cost grows', goals: 6, run: () => measureScale() },
];

function parseArgs(argv: readonly string[]): { only?: Set<string>; rounds: number } {
  let only: Set<string> | undefined;
  let rounds = 7;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => (arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[(i += 1)]);
    if (arg.startsWith('--only')) only = new Set(value().split(',').map((s) => s.trim()));
    else if (arg.startsWith('--rounds')) rounds = Math.max(5, Number(value()) || 7);
    else throw new Error(`unknown argument ${arg}; use --only ${STEPS.map((s) => s.id).join(',')} and --rounds N`);
  }
  return { only, rounds };
}

function machine(): Record<string, unknown> {
  const nodeRed = JSON.parse(fs.readFileSync(require.resolve('node-red/package.json', { paths: [ROOT] }), 'utf8')) as { version: string };
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    model: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    nodeRed: nodeRed.version,
    loadAverageAtStart: os.loadavg().map((n) => Math.round(n * 100) / 100),
  };
}

function range(stat: { median: number; min: number; max: number } | null, unit = '', digits = 3): string {
  if (!stat) return '—';
  const f = (n: number) => formatNumber(n, digits);
  return `${f(stat.median)}${unit} [${f(stat.min)}–${f(stat.max)}]`;
}

function signed(stat: { median: number; min: number; max: number } | null, unit: string): string {
  if (!stat) return '—';
  const f = (n: number) => `${n >= 0 ? '+' : ''}${formatNumber(n)}`;
  return `${f(stat.median)} ${unit} [${f(stat.min)}…${f(stat.max)}]`;
}

/** The table rows: one per goal. */
export function tableLines(results: readonly MeasureResult[]): string[] {
  const header = ['#', 'measure', 'ours (median [min–max])', 'baseline', 'ours vs baseline', 'goal', 'met'];
  const rows = results.map((r, index) => [
    String(index + 1),
    r.label,
    r.ours ? `${range(r.ours)} ${r.unit}` : 'not measured',
    r.baseline ? `${range(r.baseline)} ${r.unit}` : '—',
    r.goal.on === 'difference' ? signed(r.difference, r.unit) : r.ratio ? `${range(r.ratio, '×')}` : '—',
    r.goal.text,
    r.met === null ? 'not measured' : r.met ? 'yes' : 'NO',
  ]);
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(...all.map((row) => row[col].length)));
  const line = (row: string[]) => `| ${row.map((cell, col) => cell.padEnd(widths[col])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)];
}

async function main(): Promise<void> {
  const started = Date.now();
  const { only, rounds } = parseArgs(process.argv.slice(2));
  const info = machine();
  const date = new Date().toISOString();
  console.log(`bench: ${date}, ${String(info.cpus)} × ${String(info.model)}, ${String(info.memoryGiB)} GiB, Node ${String(info.node)}, Node-RED ${String(info.nodeRed)}`);
  console.log(`bench: ${rounds} rounds per measure, ours and the baseline alternating; load average at start ${(info.loadAverageAtStart as number[]).join(' ')}`);
  const results: MeasureResult[] = [];
  const durations: Record<string, number> = {};
  for (const step of STEPS) {
    if (only && !only.has(step.id)) continue;
    const stepStarted = Date.now();
    console.log(`\n${step.title}`);
    try {
      results.push(...(await step.run(rounds)));
    } catch (error) {
      // A measure that breaks is reported as not measured; the others still run.
      console.log(`  ! ${step.id} failed: ${(error as Error).stack ?? String(error)}`);
      for (let goal = 0; goal < step.goals; goal += 1) {
        results.push({
          id: `${step.id}-${goal + 1}`,
          label: `${step.id}, goal ${goal + 1}`,
          name: `${step.title}, goal ${goal + 1}`,
          unit: '',
          baselineName: '—',
          ours: null,
          baseline: null,
          ratio: null,
          difference: null,
          rounds: 0,
          goal: { text: '—', on: 'ratio', op: '>=', value: Infinity },
          met: null,
          notes: [`not measured: ${(error as Error).message}`],
        });
      }
    }
    durations[step.id] = Math.round((Date.now() - stepStarted) / 1000);
    console.log(`  (${durations[step.id]} s)`);
  }

  const met = results.filter((r) => r.met === true).length;
  const totalSeconds = Math.round((Date.now() - started) / 1000);
  console.log(`\nBenchmarks, ${date.slice(0, 10)}, ${String(info.cpus)} × ${String(info.model)}, Node ${String(info.node)}, Node-RED ${String(info.nodeRed)} (${totalSeconds} s)\n`);
  for (const line of tableLines(results)) console.log(line);
  console.log('\nNotes:');
  results.forEach((r, index) => {
    console.log(`  ${index + 1}. ${r.name}; baseline: ${r.baselineName}; ${r.rounds} rounds`);
    for (const note of r.notes) console.log(`     ${note}`);
  });
  const report = {
    date,
    machine: { ...info, loadAverageAtEnd: os.loadavg().map((n) => Math.round(n * 100) / 100) },
    rounds,
    durationSeconds: totalSeconds,
    stepSeconds: durations,
    goalsMet: met,
    goals: results.length,
    measures: results,
  };
  fs.writeFileSync(path.join(__dirname, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nbench/results.json written; load average at end ${os.loadavg().map((n) => n.toFixed(2)).join(' ')}`);
  console.log(`bench: ${met} of ${results.length} goals met`);
}

main().then(
  () => {
    // Every child is stopped by now; a stray handle must not keep the run from ending.
    setTimeout(() => process.exit(0), 5000).unref();
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
