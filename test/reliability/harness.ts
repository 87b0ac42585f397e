/**
 * Shared machinery of the reliability suites (issue 10): the scale switch, a seeded PRNG, recorders for
 * crashes and unhandled rejections, the evidence log the secrets check scans, resource and heap probes.
 *
 * Short forms run in `npm test`; `LV_RELIABILITY=full` (npm run test:reliability) scales every suite up.
 * `LV_SEED=<n>` replays a run: every suite prints the seed it used.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { EmulatorHandle } from '../../lib/emulator';
import { helper, packageNodes } from '../helpers/node-red';

/** True for the full form (`LV_RELIABILITY=full`). */
export const FULL = process.env.LV_RELIABILITY === 'full';

/** `short` in `npm test`, `full` under `LV_RELIABILITY=full`. */
export function scale(short: number, full: number): number {
  return FULL ? full : short;
}

/** Every code `msg.error.code` may carry (lib/gateway/errors.ts `LinkVisualErrorCode`). */
export const DOCUMENTED_CODES: ReadonlySet<string> = new Set([
  'INVALID_PARAMS',
  'INVALID_RESPONSE',
  'UNKNOWN_OPERATION',
  'AUTH_FAILED',
  'THROTTLED',
  'TIMEOUT',
  'ABORTED',
  'NETWORK',
  'GATEWAY',
  'DEVICE',
  'API_ERROR',
  'CONFIG',
  'CLOSED',
  'URL_EXPIRED',
  'TOO_LARGE',
  'NOT_READY',
  'MEDIA',
]);

/** Figures the suites publish; printed at the end of the run (and copied into docs/reliability.md by hand). */
export const figures: Record<string, Record<string, unknown>> = {};

/** Records one suite's figures and prints them at once (so a failing later suite does not hide them). */
export function report(suite: string, values: Record<string, unknown>): void {
  figures[suite] = { ...(figures[suite] ?? {}), ...values };
  console.log(`      [reliability${FULL ? ' full' : ''}] ${suite}: ${JSON.stringify(values)}`);
}

// ---------------------------------------------------------------------------------------------
// Seeded PRNG
// ---------------------------------------------------------------------------------------------

/** A small, fast, seeded PRNG (mulberry32) with the helpers the generators need. */
export class Rng {
  #state: number;

  constructor(readonly seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  bool(p = 0.5): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** A random string of `length` characters from `alphabet`. */
  text(length: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-_'): string {
    let out = '';
    for (let i = 0; i < length; i += 1) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }
}

/** The seed of a suite: `LV_SEED` when given, else a fresh one; printed so a failure can be replayed. */
export function suiteSeed(suite: string): number {
  const fromEnv = Number(process.env.LV_SEED);
  const seed = Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : Math.floor(Math.random() * 2 ** 31) + 1;
  console.log(`      [reliability] ${suite}: seed ${seed} (replay with LV_SEED=${seed})`);
  return seed;
}

/** An object with an own `__proto__` (or any other) key, as JSON.parse makes it. */
export function withOwnKey(base: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const json = JSON.stringify(base);
  const extra = `${JSON.stringify(key)}:${JSON.stringify(value)}`;
  return JSON.parse(json === '{}' ? `{${extra}}` : `{${extra},${json.slice(1)}`) as Record<string, unknown>;
}

/** The keys Object.prototype has now: a prototype-pollution check compares two of these. */
export function prototypeKeys(): string[] {
  return Object.getOwnPropertyNames(Object.prototype).sort();
}

// ---------------------------------------------------------------------------------------------
// Crash recorders
// ---------------------------------------------------------------------------------------------

/** Records unhandled rejections and uncaught exceptions while installed. */
export class CrashRecorder {
  readonly unhandled: unknown[] = [];
  readonly uncaught: unknown[] = [];
  readonly #onRejection = (reason: unknown) => this.unhandled.push(reason);
  readonly #onException = (error: unknown) => this.uncaught.push(error);

  install(): this {
    process.on('unhandledRejection', this.#onRejection);
    process.on('uncaughtException', this.#onException);
    return this;
  }

  uninstall(): void {
    process.off('unhandledRejection', this.#onRejection);
    process.off('uncaughtException', this.#onException);
  }

  /** Fails when anything was recorded. */
  assertClean(): void {
    const show = (items: unknown[]) => items.slice(0, 5).map((item) => (item instanceof Error ? item.stack : String(item))).join('\n');
    assert.equal(this.uncaught.length, 0, `uncaught exceptions:\n${show(this.uncaught)}`);
    assert.equal(this.unhandled.length, 0, `unhandled rejections:\n${show(this.unhandled)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Evidence for the secrets check
// ---------------------------------------------------------------------------------------------

/**
 * Everything a user could see: log lines, node status texts, error messages, messages (what a debug
 * node shows), flows, files. The suites add to it; the secrets suite and a final root hook scan it.
 */
class Evidence {
  readonly secrets = new Set<string>();
  readonly texts = new Map<string, Set<string>>();
  /** Files to scan: [path, what it is]. */
  readonly files: { file: string; what: string }[] = [];
  /** Session files: must be 0600 and are allowed to hold tokens. */
  readonly sessionFiles = new Set<string>();

  secret(value: string | undefined | null): void {
    if (typeof value === 'string' && value.length >= 6) this.secrets.add(value);
  }

  text(where: string, value: unknown): void {
    let text: string;
    if (typeof value === 'string') text = value;
    else {
      try {
        text = JSON.stringify(value, (_key, v: unknown) => (Buffer.isBuffer(v) ? `<Buffer ${v.length}>` : typeof v === 'bigint' ? String(v) : v)) ?? String(value);
      } catch {
        text = String(value);
      }
    }
    if (!text) return;
    this.scanned += 1;
    // Long texts are checked now against the secrets known so far (suites collect an emulator's tokens
    // before they harvest) and not kept, so a long run does not hold every big message in memory.
    if (text.length > 4096) {
      this.found.push(...this.#scan(where, text));
      return;
    }
    let bucket = this.texts.get(where);
    if (!bucket) this.texts.set(where, (bucket = new Set()));
    if (bucket.size < 100_000) bucket.add(text);
  }

  /** Leaks found in texts checked as they came. */
  readonly found: { where: string; secret: string; sample: string }[] = [];
  /** How many texts were checked (kept or not). */
  scanned = 0;

  #scan(where: string, text: string): { where: string; secret: string; sample: string }[] {
    const found: { where: string; secret: string; sample: string }[] = [];
    for (const secret of this.secrets) {
      const at = text.indexOf(secret);
      if (at >= 0) found.push({ where, secret: mask(secret), sample: text.slice(Math.max(0, at - 60), at + secret.length + 20).split(secret).join('<SECRET>') });
    }
    return found;
  }

  file(file: string, what: string): void {
    this.files.push({ file, what });
  }

  /**
   * Reads every file under `dir` into the evidence now (for directories removed before the final scan).
   * Session files are not scanned (tokens belong there) but must be owner-only.
   */
  captureFiles(dir: string, what: string): void {
    for (const entry of walk(dir)) {
      if (/[\\/]link-visual[\\/]session-[^\\/]*\.json$/.test(entry)) {
        assert.equal(fs.statSync(entry).mode & 0o777, 0o600, `${entry} is owner-only`);
        continue;
      }
      this.text(`${what}: ${path.relative(dir, entry)}`, fs.readFileSync(entry, 'latin1'));
    }
  }

  /** Every (where, secret) pair found. Files that no longer exist are skipped. */
  leaks(): { where: string; secret: string; sample: string }[] {
    const found: { where: string; secret: string; sample: string }[] = [...this.found];
    const secrets = [...this.secrets];
    for (const [where, bucket] of this.texts) {
      for (const text of bucket) found.push(...this.#scan(where, text));
    }
    for (const { file, what } of this.files) {
      for (const entry of walk(file)) {
        if (this.sessionFiles.has(entry)) continue;
        let content: string;
        try {
          content = fs.readFileSync(entry, 'latin1');
        } catch {
          continue;
        }
        for (const secret of secrets) if (content.includes(secret)) found.push({ where: `${what}: ${entry}`, secret: mask(secret), sample: '' });
      }
    }
    return found;
  }

  /** How many texts and files the scan covers. */
  size(): { texts: number; files: number; secrets: number } {
    const texts = this.scanned;
    let files = 0;
    for (const { file } of this.files) files += walk(file).length;
    return { texts, files, secrets: this.secrets.size };
  }
}

function mask(secret: string): string {
  return `${secret.slice(0, 3)}…(${secret.length} chars)`;
}

function walk(target: string): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(target);
  } catch {
    return [];
  }
  if (stat.isFile()) return [target];
  if (!stat.isDirectory()) return [];
  return fs.readdirSync(target).flatMap((name) => walk(path.join(target, name)));
}

const globalKey = Symbol.for('link-visual.reliability.evidence');
/** The one evidence log of the process (shared by every suite file). */
export const evidence: Evidence = ((globalThis as Record<symbol, unknown>)[globalKey] as Evidence | undefined) ?? ((globalThis as Record<symbol, unknown>)[globalKey] = new Evidence());

/** Secrets an emulator knows: its AppSecret, auth code and every refresh, iot and cloud token it issued. */
export async function collectEmulatorSecrets(emulator: Pick<EmulatorHandle, 'url' | 'appSecret' | 'refreshToken' | 'authCode'>): Promise<void> {
  evidence.secret(emulator.appSecret);
  evidence.secret(emulator.refreshToken);
  evidence.secret(emulator.authCode);
  const state = (await control(emulator, 'state').catch(() => ({}))) as { sessions?: { refreshToken?: string; iotTokens?: Record<string, unknown>; cloudTokens?: Record<string, unknown> } };
  evidence.secret(state.sessions?.refreshToken);
  for (const token of Object.keys(state.sessions?.iotTokens ?? {})) evidence.secret(token);
  for (const token of Object.keys(state.sessions?.cloudTokens ?? {})) evidence.secret(token);
}

interface SpyLike {
  getCalls(): { args: unknown[]; thisValue?: unknown }[];
  resetHistory?(): void;
}

interface HelperInternals {
  _logSpy?: SpyLike;
  _NodePrototype?: Record<string, SpyLike>;
  _sandbox?: { resetHistory(): void };
  _redNodes?: { getFlows(): unknown };
}

const internals = helper as unknown as HelperInternals;

/**
 * Copies what the helper's spies saw (RED.log, node.log/warn/error/status/send) into the evidence, then
 * clears their history (so long runs do not keep every call in memory). Call before `helper.unload()`.
 */
export function harvestHelper(label: string): { logs: number; statuses: number; sends: number; errors: number } {
  const counts = { logs: 0, statuses: 0, sends: 0, errors: 0 };
  for (const call of internals._logSpy?.getCalls() ?? []) {
    counts.logs += 1;
    evidence.text(`${label}: RED.log`, call.args[0]);
  }
  const proto = internals._NodePrototype ?? {};
  for (const method of ['log', 'warn', 'error', 'debug', 'trace']) {
    for (const call of proto[method]?.getCalls?.() ?? []) {
      counts.errors += method === 'error' ? 1 : 0;
      evidence.text(`${label}: node.${method}`, call.args.map((arg) => (arg instanceof Error ? { message: arg.message, cause: (arg as Error & { cause?: unknown }).cause, code: (arg as Error & { code?: unknown }).code } : arg)));
    }
  }
  for (const call of proto.status?.getCalls?.() ?? []) {
    counts.statuses += 1;
    evidence.text(`${label}: status`, call.args[0]);
  }
  for (const call of proto.send?.getCalls?.() ?? []) {
    counts.sends += 1;
    evidence.text(`${label}: sent message`, call.args[0]);
  }
  const flows = internals._redNodes?.getFlows();
  if (flows) evidence.text(`${label}: deployed flow`, flows);
  internals._sandbox?.resetHistory();
  internals._logSpy?.resetHistory?.();
  return counts;
}

/** Clears the helper's spy history (a long soak would otherwise keep every call in memory). */
export function resetHelperHistory(): void {
  internals._sandbox?.resetHistory();
  internals._logSpy?.resetHistory?.();
}

// ---------------------------------------------------------------------------------------------
// Resources and heap
// ---------------------------------------------------------------------------------------------

/** Active handles and requests by type (process.getActiveResourcesInfo), TTYs left out. */
export function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) {
    if (name === 'TTYWrap') continue;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

export function totalResources(counts: Record<string, number>): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

let gcFunction: (() => void) | undefined;

/** A full garbage collection (exposes gc at run time when node was not started with --expose-gc). */
export function forceGc(): void {
  if (!gcFunction) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed) gcFunction = exposed;
    else {
      v8.setFlagsFromString('--expose-gc');
      gcFunction = vm.runInNewContext('gc') as () => void;
    }
  }
  gcFunction();
}

/** Heap used after repeated full collections (the lowest of a few readings). */
export async function settledHeap(): Promise<number> {
  let lowest = Infinity;
  for (let i = 0; i < 4; i += 1) {
    forceGc();
    await new Promise((resolve) => setImmediate(resolve));
    lowest = Math.min(lowest, process.memoryUsage().heapUsed);
  }
  return lowest;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A control API call on an emulator (POST with a JSON body, or GET), on a connection of its own that
 * closes at once: no keep-alive socket of the test lingers into a resource count.
 */
export function control(emulator: { url: string }, route: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<Record<string, unknown>> {
  const url = new URL(`${emulator.url}/_emulator/${route}`);
  const payload = method === 'POST' ? JSON.stringify(body ?? {}) : undefined;
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false, headers: { 'content-type': 'application/json', connection: 'close' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        try {
          const json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
          if (res.statusCode !== 200) reject(new Error(`control ${route}: HTTP ${res.statusCode} ${JSON.stringify(json)}`));
          else resolve(json);
        } catch (error) {
          reject(error as Error);
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** The on-event node module, once it exists (it is written in parallel); undefined before. */
export function onEventModule(): unknown {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('../../nodes/on-event/link-visual-on-event') as unknown;
  } catch {
    return undefined;
  }
}

/** Every node module of the package, the on-event node included whether or not packageNodes() lists it yet. */
export function allNodeModules(): unknown[] {
  const modules = packageNodes();
  const onEvent = onEventModule();
  return onEvent && !modules.includes(onEvent) ? [...modules, onEvent] : modules;
}

/**
 * Skews the local clock as the package sees it: `Date.now` is replaced by a wrapper that adds an
 * offset the test can change at any time (code that captured `Date.now` after `install` follows it).
 */
export class ClockSkew {
  #original: (() => number) | undefined;
  #offset = 0;

  install(): this {
    if (this.#original) return this;
    const original = Date.now;
    this.#original = original;
    Date.now = () => original() + this.#offset;
    return this;
  }

  set(offsetMs: number): void {
    this.#offset = offsetMs;
  }

  get offset(): number {
    return this.#offset;
  }

  uninstall(): void {
    if (this.#original) Date.now = this.#original;
    this.#original = undefined;
    this.#offset = 0;
  }
}

/** `helper.setFlows` (a full or partial deploy of the running flows; test/helpers does not type it). */
export function deploy(flow: unknown[], type: 'full' | 'nodes' | 'flows', credentials?: Record<string, Record<string, string>>): Promise<void> {
  return (helper as unknown as { setFlows(flow: unknown[], type: string, credentials?: unknown): Promise<void> }).setFlows(flow, type, credentials);
}
