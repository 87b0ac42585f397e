/**
 * A real Node-RED (the devDependency's red.js) in a temporary user directory, on 127.0.0.1, as
 * `npm start` runs it: the package is a symlink in `<userDir>/node_modules` (or absent, for a
 * baseline), flows and plain credentials are files written before the start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { ROOT, freePort } from './common';

export const PACKAGE_NAME = 'node-red-contrib-link-visual';

export interface UserDirOptions {
  /** Link the package into the user directory. */
  readonly withPackage: boolean;
  readonly flows: readonly Record<string, unknown>[];
  readonly credentials?: Record<string, Record<string, string>>;
  /** JavaScript source of `functionGlobalContext` in settings.js (an object literal). */
  readonly functionGlobalContext?: string;
}

/** Creates a user directory; `remove()` deletes it. */
export function createUserDir(options: UserDirOptions): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-bench-userdir-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true }, null, 2));
  if (options.withPackage) {
    fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
    fs.symlinkSync(ROOT, path.join(dir, 'node_modules', PACKAGE_NAME), 'dir');
  }
  fs.writeFileSync(path.join(dir, 'flows.json'), JSON.stringify(options.flows, null, 2));
  fs.writeFileSync(path.join(dir, 'flows_cred.json'), JSON.stringify(options.credentials ?? {}, null, 2), { mode: 0o600 });
  const settings = `module.exports = {
  uiHost: '127.0.0.1',
  uiPort: Number(process.env.LV_BENCH_PORT),
  flowFile: 'flows.json',
  credentialSecret: false,
  editorTheme: { tours: false, projects: { enabled: false } },
  telemetry: { enabled: false },
  diagnostics: { enabled: false },
  externalModules: { autoInstall: false, palette: { allowInstall: false } },
  functionGlobalContext: ${options.functionGlobalContext ?? '{}'},
  logging: { console: { level: 'info', metrics: false, audit: false } },
};
`;
  fs.writeFileSync(path.join(dir, 'settings.js'), settings);
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export interface RunningNodeRed {
  readonly url: string;
  readonly child: ChildProcess;
  /** Milliseconds from spawn to "Started flows". */
  readonly startMs: number;
  /** CPU time (user + system) Node-RED had used when it printed "Started flows", ms; NaN without /proc. */
  readonly startCpuMs: number;
  /** Everything Node-RED printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts red.js on a free port and resolves once it printed "Started flows". A Node-RED that exits
 * before starting (a port taken meanwhile, a signal from outside on a shared machine) is tried once more.
 */
export async function startNodeRed(userDir: string, options: StartOptions = {}): Promise<RunningNodeRed> {
  try {
    return await startOnce(userDir, options);
  } catch (error) {
    if (!(error instanceof EarlyExit)) throw error;
    process.stdout.write(`  · Node-RED exited before starting (${error.message.split('\n')[0]}); trying once more\n`);
    return startOnce(userDir, options);
  }
}

class EarlyExit extends Error {}

export interface StartOptions {
  readonly timeoutMs?: number;
  /** Options for node itself, before red.js (e.g. `--expose-gc`). */
  readonly nodeArgs?: readonly string[];
}

async function startOnce(userDir: string, options: StartOptions): Promise<RunningNodeRed> {
  const port = await freePort();
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), require.resolve('node-red/red.js', { paths: [ROOT] }), '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')], {
    cwd: userDir,
    env: { ...process.env, LV_BENCH_PORT: String(port), NODE_RED_DISABLE_TELEMETRY: '1', NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  let startCpuMs = NaN;
  const startMs = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`Node-RED did not start within ${options.timeoutMs ?? 60_000} ms:\n${output.slice(-2000)}`)), options.timeoutMs ?? 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Started flows/.test(output)) {
        startCpuMs = (processCpuMicros(child.pid ?? -1) ?? NaN) / 1000;
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(Number(process.hrtime.bigint() - started) / 1e6);
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => fail(new EarlyExit(`Node-RED exited (${signal ?? code}) before starting:\n${output.slice(-2000)}`));
    function fail(error: Error) {
      clearTimeout(timer);
      void stop().then(() => reject(error));
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', onExit);
  });
  return { url: `http://127.0.0.1:${port}`, child, startMs, startCpuMs, output: () => output, stop };
}

/** POSTs JSON to Node-RED and resolves with the parsed answer. */
export function postJson(url: string, body: unknown, timeoutMs = 300_000): Promise<Record<string, unknown>> {
  const data = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': data.length }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) return reject(new Error(`${url}: HTTP ${res.statusCode} ${text.slice(0, 300)}`));
        try {
          resolve(JSON.parse(text) as Record<string, unknown>);
        } catch {
          reject(new Error(`${url}: not JSON: ${text.slice(0, 300)}`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(data);
  });
}

/** CPU time (user + system, µs) of a process so far, from /proc; undefined where there is no /proc. */
export function processCpuMicros(pid: number): number | undefined {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
    return (ticks * 1e6) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}
