// Packs the package once per test process, exactly as `npm publish` would ship it, and extracts the
// tarball so the package tests can read what a user gets. The package tests run after `npm run build`:
// the pack runs with --ignore-scripts so it does not rebuild (and rewrite dist/) in the middle of a run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');

export interface PackageJson {
  name: string;
  version: string;
  main?: string;
  types?: string;
  bin?: Record<string, string>;
  keywords?: string[];
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  'node-red'?: { version?: string; nodes?: Record<string, string>; plugins?: Record<string, string> };
  [key: string]: unknown;
}

/** One entry of `npm pack --json` (npm 10/11). */
export interface PackInfo {
  id: string;
  name: string;
  version: string;
  /** Packed (gzipped) size in bytes. */
  size: number;
  unpackedSize: number;
  filename: string;
  entryCount: number;
  files: { path: string; size: number; mode: number }[];
}

export interface Packed {
  /** The temporary directory holding the tarball and its extraction. */
  dir: string;
  tarball: string;
  info: PackInfo;
  /** The extracted `package/` directory of the tarball. */
  root: string;
  /** Wall time of `npm pack`, ms. */
  packMs: number;
}

export function readPackageJson(dir = repoRoot): PackageJson {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/**
 * Environment for child processes: no npm lifecycle / config variables leaking from `npm test`, and no
 * `node_modules/.bin` on PATH (npm puts the repository's there, and it holds the npm 10 that Node-RED
 * depends on, which would shadow the machine's npm).
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) || key === 'NODE_OPTIONS' || key === 'INIT_CWD' || /^TS_NODE_/.test(key)) continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => dir && !/[\\/]node_modules[\\/]\.bin[\\/]?$/.test(dir))
    .join(path.delimiter);
  return { ...env, NO_UPDATE_NOTIFIER: '1', NODE_RED_DISABLE_TELEMETRY: '1', ...extra };
}

/** The npm CLI of the machine (the npm installed beside the running Node.js), to run as `node npm-cli.js`. */
export function machineNpmCli(): string {
  const candidates = [
    path.resolve(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'),
    path.resolve(path.dirname(process.execPath), 'node_modules', 'npm', 'bin', 'npm-cli.js'),
    process.env.npm_execpath,
    '/usr/lib/node_modules/npm/bin/npm-cli.js',
    '/usr/local/lib/node_modules/npm/bin/npm-cli.js',
  ];
  const found = candidates.find(
    (file) => file && /npm-cli\.js$/.test(file) && fs.existsSync(file) && !file.includes(`${path.sep}node_modules${path.sep}node-red`) && !file.startsWith(repoRoot),
  );
  if (!found) throw new Error(`cannot find the machine's npm-cli.js (looked at ${candidates.filter(Boolean).join(', ')})`);
  return found;
}

function newestMtime(dir: string, skip: (file: string) => boolean): number {
  let newest = 0;
  if (!fs.existsSync(dir)) return newest;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (skip(file)) continue;
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(file, skip));
    else newest = Math.max(newest, fs.statSync(file).mtimeMs);
  }
  return newest;
}

/** Fails when there is no build; warns loudly when sources changed after the last build. */
function checkBuild(): void {
  const marker = path.join(repoRoot, 'dist', 'lib', 'index.js');
  if (!fs.existsSync(marker)) {
    throw new Error('dist/ is missing: the package tests pack the built package; run `npm run build` first');
  }
  const built = fs.statSync(marker).mtimeMs;
  const isTest = (file: string) => /\.test\.ts$/.test(file);
  const sources = Math.max(
    ...['lib', 'nodes', 'icons', 'examples', 'resources'].map((dir) => newestMtime(path.join(repoRoot, dir), isTest)),
  );
  if (sources > built + 1000) {
    console.warn(
      '\n  !!! WARNING: sources changed after the last build; the package tests pack dist/ as it is.' +
        '\n  !!! Run `npm run build` (or `npm test`) for a faithful result.\n',
    );
  }
}

let packed: Promise<Packed> | undefined;

/** `npm pack` the repository into a temporary directory (once per process) and extract it. */
export function packPackage(): Promise<Packed> {
  packed ??= Promise.resolve().then(() => {
    checkBuild();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-pack-'));
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    const started = Date.now();
    // The machine's npm, not the npm 10 under node_modules/.bin: that one runs `prepare` despite --ignore-scripts.
    const run = spawnSync(process.execPath, [machineNpmCli(), 'pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
      cwd: repoRoot,
      env: cleanEnv(),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const packMs = Date.now() - started;
    if (run.status !== 0) throw new Error(`npm pack failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
    const json = run.stdout.slice(run.stdout.indexOf('['));
    const [info] = JSON.parse(json) as PackInfo[];
    const tarball = path.join(dir, info.filename);
    if (!fs.existsSync(tarball)) throw new Error(`npm pack reported ${info.filename} but ${tarball} does not exist`);
    const extract = spawnSync('tar', ['-xzf', tarball, '-C', dir], { encoding: 'utf8' });
    if (extract.status !== 0) throw new Error(`tar -xzf ${tarball} failed:\n${extract.stderr}`);
    return { dir, tarball, info, root: path.join(dir, 'package'), packMs };
  });
  return packed;
}

/** Node types an editor `.html` registers: `RED.nodes.registerType('type', …)`. */
export function htmlNodeTypes(html: string): string[] {
  const types = new Set<string>();
  for (const match of html.matchAll(/RED\.nodes\.registerType\(\s*(['"`])([^'"`]+)\1/g)) types.add(match[2]);
  return [...types];
}

/** Literal icon names an editor `.html` uses (`icon: "name.svg"`); computed icons are not seen. */
export function htmlIcons(html: string): string[] {
  const icons = new Set<string>();
  for (const match of html.matchAll(/\bicon\s*:\s*(['"`])([^'"`]+)\1/g)) icons.add(match[2]);
  return [...icons];
}

export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}
