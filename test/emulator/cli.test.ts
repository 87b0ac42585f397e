/** The link-visual-emulator CLI: starts, prints the URL and demo credentials, stops on SIGTERM, refuses bad flags. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DEFAULT_PORT, parseArgs } from '../../lib/emulator/cli';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'lib', 'emulator', 'cli.ts');

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function run(args: string[]): Run {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', CLI, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exit };
}

async function waitFor(read: () => string, pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = read().match(pattern);
    if (match) return match;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${pattern} in:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('emulator CLI', () => {
  let directory: string;
  const running: ChildProcess[] = [];

  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'lv-cli-'));
  });
  afterEach(() => {
    for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(directory, { recursive: true, force: true });
  });

  it('starts, prints the URL and demo credentials, serves, and stops cleanly on SIGTERM saving the state', async function () {
    this.timeout(30_000);
    const state = path.join(directory, 'state.json');
    const cli = run(['--port', '0', '--cameras', '3', '--state', state, '--time-scale', '60', '--vod-format', 'hls']);
    running.push(cli.child);
    const [, url] = await waitFor(cli.stdout, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
    for (const credential of ['demo-app-key', 'demo-app-secret', 'demo-identity', 'demo-refresh-token', 'demo-auth-code', 'demo-project']) {
      assert.ok(cli.stdout().includes(credential), `prints ${credential}`);
    }
    const devices = (await (await fetch(`${url}/_emulator/devices`)).json()) as { devices: { iotId: string }[] };
    assert.deepEqual(devices.devices.map((d) => d.iotId), ['demo-camera-1', 'demo-camera-2', 'demo-camera-3']);
    const time = (await (await fetch(`${url}/_emulator/time`)).json()) as { timeScale: number };
    assert.equal(time.timeScale, 60);
    const variants = (await (await fetch(`${url}/_emulator/variants`)).json()) as { vodFormat: string };
    assert.equal(variants.vodFormat, 'hls', '--vod-format hls: recordings play as HLS playlists');
    cli.child.kill('SIGTERM');
    assert.equal(await cli.exit, 0, cli.stderr());
    assert.match(cli.stdout(), /Stopped\./);
    const saved = JSON.parse(readFileSync(state, 'utf8')) as { world: { devices: unknown[] } };
    assert.equal(saved.world.devices.length, 3);
  });

  it('exits 2 with a message on a bad flag, and 0 with the usage on --help', async function () {
    this.timeout(30_000);
    const bad = run(['--port', 'eighty']);
    assert.equal(await bad.exit, 2);
    assert.match(bad.stderr(), /--port needs an integer/);
    assert.match(bad.stderr(), /Usage: link-visual-emulator/);
    const badFormat = run(['--vod-format', 'webm']);
    assert.equal(await badFormat.exit, 2);
    assert.match(badFormat.stderr(), /--vod-format needs one of mp4, hls, got "webm"/);
    const help = run(['--help']);
    assert.equal(await help.exit, 0);
    assert.match(help.stdout(), /--time-scale X/);
    assert.match(help.stdout(), /--vod-format mp4\|hls/);
  });

  it('parses flags by hand', () => {
    assert.deepEqual(parseArgs([]), { help: false, options: { port: DEFAULT_PORT } });
    assert.deepEqual(parseArgs(['--port=0', '--host', '0.0.0.0', '--cameras', '4', '--state', 'w.json', '--time-scale', '3600', '--demo-events', '5000', '--rotate-refresh-tokens']), {
      help: false,
      options: { port: 0, host: '0.0.0.0', cameras: 4, state: 'w.json', timeScale: 3600, demoEvents: 5000, rotateRefreshTokens: true },
    });
    assert.deepEqual(parseArgs(['--event-order', 'oldest', '--numbers=number', '--event-time', 'ms', '--token-error-code', '460', '--one-login']), {
      help: false,
      options: { port: DEFAULT_PORT, eventOrder: 'oldest', numberForm: 'number', eventTimeForm: 'ms', tokenErrorCode: 460, oneLogin: true },
    });
    assert.deepEqual(parseArgs(['--vod-format', 'hls']), { help: false, options: { port: DEFAULT_PORT, vodFormat: 'hls' } });
    assert.deepEqual(parseArgs(['--vod-format=mp4']), { help: false, options: { port: DEFAULT_PORT, vodFormat: 'mp4' } });
    assert.deepEqual(parseArgs(['-h']), { help: true });
    for (const bad of [
      ['--port'], ['--port', '70000'], ['--cameras', '-1'], ['--time-scale', '0'], ['--wat'], ['--state', '--port'], ['--rotate-refresh-tokens=yes'],
      ['--event-order', 'sideways'], ['--numbers', 'roman'], ['--event-time', 'iso'], ['--token-error-code', '403'], ['--one-login=no'],
      ['--vod-format'], ['--vod-format', 'webm'], ['--vod-format=HLS'],
    ]) {
      assert.ok('error' in parseArgs(bad), bad.join(' '));
    }
  });
});
