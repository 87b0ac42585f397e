/**
 * Shared pieces of `npm run bench`: statistics, the result shape, the emulator in a child process
 * (with its CPU share), TypeScript child processes and small timing helpers.
 */
import { fork, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import type { EmulatorOptions } from '../lib/emulator';

export const ROOT = path.resolve(__dirname, '..');

/** Median, min and max of one series. */
export interface Stat {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly values: readonly number[];
}

export function stat(values: readonly number[]): Stat {
  if (values.length === 0) return { median: NaN, min: NaN, max: NaN, values: [] };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], values };
}

/** The p-th percentile (0–100) of a series, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

/** How a measure's goal is judged. */
export interface Goal {
  /** As the issue states it, e.g. "≥ 0.85×". */
  readonly text: string;
  /** Which figure the goal applies to: a median, or the worst round of ours (`oursMax`, for ceilings). */
  readonly on: 'ratio' | 'ours' | 'oursMax' | 'difference';
  readonly op: '>=' | '<=' | '<';
  readonly value: number;
}

/** One row of the table and of results.json. */
export interface MeasureResult {
  readonly id: string;
  /** Short name for the table. */
  readonly label: string;
  /** What exactly is measured. */
  readonly name: string;
  readonly unit: string;
  readonly baselineName: string;
  /** Per-round figures of our code; null when not measured. */
  readonly ours: Stat | null;
  readonly baseline: Stat | null;
  /** Per-round ours / baseline (paired rounds). */
  readonly ratio: Stat | null;
  /** Per-round ours − baseline (for goals on a difference). */
  readonly difference: Stat | null;
  readonly rounds: number;
  readonly goal: Goal;
  /** null: not measured. */
  readonly met: boolean | null;
  readonly notes: readonly string[];
  readonly extra?: Record<string, unknown>;
}

export function judge(goal: Goal, result: { ours: Stat | null; ratio: Stat | null; difference: Stat | null }): boolean | null {
  const figure = goal.on === 'ratio' ? result.ratio : goal.on === 'difference' ? result.difference : result.ours;
  if (!figure || !Number.isFinite(figure.median)) return null;
  const value = goal.on === 'oursMax' ? figure.max : figure.median;
  return goal.op === '>=' ? value >= goal.value : goal.op === '<=' ? value <= goal.value : value < goal.value;
}

/** Builds a result from paired per-round figures of ours and the baseline. */
export function paired(
  spec: Omit<MeasureResult, 'ours' | 'baseline' | 'ratio' | 'difference' | 'rounds' | 'met'>,
  ours: readonly number[],
  baseline: readonly number[] | null,
): MeasureResult {
  const ratio = baseline ? ours.map((value, index) => value / baseline[index]) : null;
  const difference = baseline ? ours.map((value, index) => value - baseline[index]) : null;
  const partial = {
    ours: stat(ours),
    baseline: baseline ? stat(baseline) : null,
    ratio: ratio ? stat(ratio) : null,
    difference: difference ? stat(difference) : null,
  };
  return { ...spec, ...partial, rounds: ours.length, met: judge(spec.goal, partial) };
}

/** A measure that could not be taken: reported as such, never with a figure. */
export function notMeasured(spec: Omit<MeasureResult, 'ours' | 'baseline' | 'ratio' | 'difference' | 'rounds' | 'met'>, why: string): MeasureResult {
  return { ...spec, ours: null, baseline: null, ratio: null, difference: null, rounds: 0, met: null, notes: [...spec.notes, `not measured: ${why}`] };
}

export function log(line: string): void {
  process.stdout.write(`  · ${line}\n`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** CPU time (user + system) of this process, µs. */
export function ownCpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Forks a TypeScript file of bench/ with ts-node (transpile only) and an IPC channel. */
export function forkTs(file: string, args: readonly string[] = [], options: { silent?: boolean; execArgv?: readonly string[] } = {}): ChildProcess {
  return fork(path.join(__dirname, file), [...args], {
    execArgv: [...(options.execArgv ?? []), '-r', 'ts-node/register/transpile-only'],
    cwd: ROOT,
    stdio: options.silent === false ? ['ignore', 'inherit', 'inherit', 'ipc'] : ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json') },
  });
}

/** Request/answer over a child's IPC channel, matched by `seq`. */
export class Ipc {
  private seq = 0;
  private readonly waiting = new Map<number, (message: Record<string, unknown>) => void>();

  constructor(readonly child: ChildProcess) {
    child.on('message', (message: Record<string, unknown>) => {
      const seq = typeof message.seq === 'number' ? message.seq : undefined;
      if (seq === undefined) return;
      const resolve = this.waiting.get(seq);
      this.waiting.delete(seq);
      resolve?.(message);
    });
  }

  ask(request: Record<string, unknown>, timeoutMs = 120_000): Promise<Record<string, unknown>> {
    const seq = (this.seq += 1);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(seq);
        reject(new Error(`child did not answer ${JSON.stringify(request)} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(seq, (message) => {
        clearTimeout(timer);
        if (typeof message.error === 'string') reject(new Error(message.error));
        else resolve(message);
      });
      this.child.send({ ...request, seq });
    });
  }
}

/** Waits for a child's first message that has `key`, or fails when it exits first. */
export function firstMessage(child: ChildProcess, key: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`child sent no "${key}" within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (message: Record<string, unknown>) => {
      if (message && typeof message === 'object' && key in message) done(undefined, message);
    };
    const onExit = (code: number | null) => done(new Error(`child exited (${code}) before "${key}"`));
    function done(error?: Error, message?: Record<string, unknown>) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(message as Record<string, unknown>);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** An emulator running in its own process. */
export interface EmulatorProcess {
  readonly url: string;
  readonly appKey: string;
  readonly appSecret: string;
  readonly identityId: string;
  readonly refreshToken: string;
  /** The AMQP data-sync endpoint, when started with `amqpPort`. */
  readonly amqpUrl?: string;
  readonly pid: number;
  /** The emulator process's CPU time so far, µs. */
  cpuMicros(): Promise<number>;
  close(): Promise<void>;
}

export async function startEmulatorProcess(options: EmulatorOptions = {}): Promise<EmulatorProcess> {
  const child = forkTs('emulator-child.ts', [JSON.stringify(options)]);
  const ipc = new Ipc(child);
  const ready = await firstMessage(child, 'ready');
  let closed = false;
  return {
    url: String(ready.url),
    appKey: String(ready.appKey),
    appSecret: String(ready.appSecret),
    identityId: String(ready.identityId),
    refreshToken: String(ready.refreshToken),
    ...(typeof ready.amqpUrl === 'string' ? { amqpUrl: ready.amqpUrl } : {}),
    pid: child.pid ?? -1,
    async cpuMicros() {
      return Number((await ipc.ask({ cmd: 'cpu' })).cpuMicros);
    },
    async close() {
      if (closed) return;
      closed = true;
      const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
      try {
        await ipc.ask({ cmd: 'close' }, 10_000);
      } catch {
        child.kill('SIGKILL');
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Measures what `work` does to the CPU of the emulator process: share of one core over the wall time. */
export async function withEmulatorCpu<T>(emulator: EmulatorProcess, work: () => Promise<T>): Promise<{ value: T; emulatorCpuShare: number; wallMs: number }> {
  const cpuBefore = await emulator.cpuMicros();
  const started = process.hrtime.bigint();
  const value = await work();
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const cpuAfter = await emulator.cpuMicros();
  return { value, emulatorCpuShare: (cpuAfter - cpuBefore) / 1000 / wallMs, wallMs };
}

/** Round order alternates (ours first, then baseline first) so slow drift on a shared machine cancels. */
export function oursFirst(round: number): boolean {
  return round % 2 === 0;
}

export function formatNumber(value: number, digits = 3): string {
  if (value === Infinity) return '∞';
  if (!Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toString();
  if (abs >= 100) return value.toFixed(Math.max(0, digits - 3));
  if (abs >= 10) return value.toFixed(Math.max(0, digits - 2));
  return value.toFixed(Math.max(0, digits - 1));
}
