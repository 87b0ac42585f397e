/**
 * Reliability: files (issue 10). Session files, emulator state files and downloads are atomic: a
 * simulated disk-full or write error (ENOSPC part-way through a write, EIO on fsync, ENOSPC on rename or
 * link) leaves no partial file and the previous contents intact; a process killed with SIGKILL while it
 * writes its state never leaves a torn file; path traversal through every templated field is refused.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sinon from 'sinon';
import { LinkVisualClient, LinkVisualError } from '../../lib';
import { SessionFile } from '../../lib/client/session-file';
import { startEmulator } from '../../lib/emulator';
import { readStateFile } from '../../lib/emulator/state-file';
import { writeFileAtomic } from '../../lib/files/atomic-write';
import { downloadRecording } from '../../lib/media/download';
import { startFakeGateway, ok } from '../helpers/fake-gateway';
import { MessageQueue, accountNode, exchange, helper, packageNodes, tempUserDir, type TestNode } from '../helpers/node-red';
import { CAMERA, expectedSha256, fileSha256, listFiles, startRecordingWorld, type RecordingWorld } from '../media/helpers';
import { TRAVERSAL_IDS } from './generators';
import { CrashRecorder, FULL, Rng, collectEmulatorSecrets, evidence, harvestHelper, report, scale, sleep, suiteSeed } from './harness';

/* eslint-disable @typescript-eslint/no-require-imports */
const catchNode = require('@node-red/nodes/core/common/25-catch.js') as unknown;
/* eslint-enable @typescript-eslint/no-require-imports */

type Fault = 'write' | 'sync' | 'rename' | 'open' | 'link';
const FAULTS: readonly Fault[] = ['write', 'sync', 'rename', 'open'];

function errno(code: string, syscall: string): NodeJS.ErrnoException {
  const error = new Error(`${code}: simulated failure, ${syscall}`) as NodeJS.ErrnoException;
  error.code = code;
  error.syscall = syscall;
  return error;
}

const realOpen = fs.promises.open.bind(fs.promises);

/**
 * Injects one fault into the file writes whose path matches: `write` writes part of the data then
 * fails with ENOSPC (a disk that fills up mid-file), `sync` fails fsync with EIO, `rename` and `link`
 * fail with ENOSPC, `open` fails with EMFILE. Returns the restore function.
 */
function injectFault(fault: Fault, match: (file: string) => boolean): () => void {
  const sandbox = sinon.createSandbox();
  sandbox.stub(fs.promises, 'open').callsFake(async (file: fs.PathLike | fs.promises.FileHandle, flags?: string | number, mode?: fs.Mode) => {
    const name = String(file);
    const writing = typeof flags === 'string' && /[wa+]/.test(flags);
    if (writing && match(name) && fault === 'open') throw errno('EMFILE', 'open');
    const handle = await realOpen(file as fs.PathLike, flags, mode);
    if (!writing || !match(name) || (fault !== 'write' && fault !== 'sync')) return handle;
    return new Proxy(handle, {
      get(target, property) {
        if (fault === 'write' && property === 'writeFile') {
          return async (data: string | Buffer) => {
            const buffer = Buffer.from(data);
            await target.write(buffer, 0, Math.floor(buffer.length / 2));
            throw errno('ENOSPC', 'write');
          };
        }
        if (fault === 'write' && property === 'writev') {
          return async (buffers: Buffer[], position?: number) => {
            const first = buffers[0] ?? Buffer.alloc(0);
            await target.write(first, 0, Math.floor(first.length / 2), position);
            throw errno('ENOSPC', 'write');
          };
        }
        if (fault === 'sync' && property === 'sync') return async () => Promise.reject(errno('EIO', 'fsync'));
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  });
  if (fault === 'rename') {
    const realRename = fs.promises.rename.bind(fs.promises);
    sandbox.stub(fs.promises, 'rename').callsFake(async (from: fs.PathLike, to: fs.PathLike) => {
      if (match(String(to)) || match(String(from))) throw errno('ENOSPC', 'rename');
      return realRename(from, to);
    });
  }
  if (fault === 'link' || fault === 'rename') {
    const realLink = fs.promises.link.bind(fs.promises);
    sandbox.stub(fs.promises, 'link').callsFake(async (from: fs.PathLike, to: fs.PathLike) => {
      if (match(String(to)) || match(String(from))) throw errno(fault === 'link' ? 'EIO' : 'ENOSPC', 'link');
      return realLink(from, to);
    });
  }
  return () => sandbox.restore();
}

/** Files in `dir` (one level) other than `keep`: temp files left behind. */
/** The pid of a process that has exited (to name a temp file as a killed writer leaves it). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid as number;
}

function leftovers(dir: string, keep: readonly string[]): string[] {
  return fs.readdirSync(dir).filter((name) => !keep.includes(name));
}

describe('reliability: files', function () {
  this.timeout(FULL ? 1_200_000 : 60_000);
  const crashes = new CrashRecorder();
  let seed: number;
  let dir: string;
  const figures = { atomicWrites: 0, faultsInjected: 0, kills: 0, killsMidWrite: 0, traversalsRefused: 0, downloadFaults: 0 };

  before(() => {
    crashes.install();
    seed = suiteSeed('files');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-files-'));
  });
  after(() => {
    // The state files under `state/` and `killed/` are the emulator's own world (the cloud side): not scanned.
    for (const sub of ['atomic', 'sessions', 'downloads']) evidence.captureFiles(path.join(dir, sub), `files suite ${sub}`);
    fs.rmSync(dir, { recursive: true, force: true });
    crashes.uninstall();
    report('files', { seed, ...figures });
    crashes.assertClean();
  });

  it(`keeps the previous file whole when a write fails part-way (${scale(40, 400)} writes with ENOSPC, EIO, EMFILE)`, async () => {
    const rng = new Rng(seed);
    const target = path.join(dir, 'atomic', 'data.json');
    let previous = JSON.stringify({ version: 0 });
    await writeFileAtomic(target, previous);
    for (let i = 0; i < scale(40, 400); i += 1) {
      const next = JSON.stringify({ version: i + 1, filler: rng.text(rng.int(10, 200_000)) });
      if (rng.bool(0.5)) {
        const fault = rng.pick(FAULTS);
        const restore = injectFault(fault, (file) => file.includes(path.join(dir, 'atomic')));
        try {
          await assert.rejects(writeFileAtomic(target, next), (error: NodeJS.ErrnoException) => ['ENOSPC', 'EIO', 'EMFILE'].includes(error.code ?? ''), `#${i} ${fault} (seed ${seed})`);
        } finally {
          restore();
        }
        figures.faultsInjected += 1;
      } else {
        await writeFileAtomic(target, next);
        previous = next;
      }
      assert.equal(fs.readFileSync(target, 'utf8'), previous, `#${i}: the file holds the last complete write`);
      assert.deepEqual(leftovers(path.dirname(target), ['data.json']), [], `#${i}: no temporary file is left`);
      figures.atomicWrites += 1;
    }
  });

  it('keeps the stored session (mode 0600) when saving a rotated one fails', async () => {
    const rng = new Rng(seed ^ 0x9e3779b9);
    const file = path.join(dir, 'sessions', 'session-account.json');
    const sessions = new SessionFile(file, 'fingerprint-1');
    const session = (n: number) => ({ mode: 'session' as const, identityId: 'id', refreshToken: `refresh-${n}-${rng.text(16)}`, iotToken: `iot-${n}-${rng.text(16)}`, iotTokenExpiresAt: Date.now() + n });
    let stored = session(0);
    await sessions.save(stored);
    for (let i = 1; i <= scale(20, 200); i += 1) {
      const next = session(i);
      const fault = rng.bool(0.5) ? rng.pick(FAULTS) : undefined;
      if (fault) {
        const restore = injectFault(fault, (name) => name.includes(path.join(dir, 'sessions')));
        try {
          await assert.rejects(sessions.save(next));
        } finally {
          restore();
        }
        figures.faultsInjected += 1;
      } else {
        await sessions.save(next);
        stored = next;
      }
      assert.deepEqual(await sessions.load(), stored, `#${i} ${fault ?? 'ok'}: the last saved session is intact`);
      assert.equal(fs.statSync(file).mode & 0o777, 0o600, 'owner-only');
      assert.deepEqual(leftovers(path.dirname(file), ['session-account.json']), []);
    }
  });

  it('keeps working, warns without a secret and keeps the session file intact when the account cannot save its session', async () => {
    const userDir = tempUserDir();
    const emulator = await startEmulator({ port: 0, rotateRefreshTokens: true, appSecret: 'files-APP-SECRET-31337', refreshToken: 'files-REFRESH-0000001' });
    const account = accountNode(emulator.url, { id: 'files-account', credentials: { appKey: 'demo-app-key', appSecret: 'files-APP-SECRET-31337', identityId: 'demo-identity', refreshToken: 'files-REFRESH-0000001' } });
    const flow = [
      { id: 'files-tab', type: 'tab' },
      account.node,
      { id: 'files-duration', type: 'link-visual-recordings', z: 'files-tab', x: 1, y: 1, account: 'files-account', operation: 'getDuration', wires: [['files-sink']] },
      { id: 'files-sink', type: 'helper', z: 'files-tab', x: 2, y: 2 },
    ];
    const sessionFile = path.join(userDir.dir, 'link-visual', 'session-files-account.json');
    try {
      await helper.load(packageNodes(), flow, account.credentials);
      const sink = new MessageQueue(helper.getNode('files-sink') as TestNode);
      assert.ok((await exchange(helper.getNode('files-duration') as TestNode, { payload: { iotId: CAMERA } }, sink)).output);
      await sleep(100);
      const saved = fs.readFileSync(sessionFile, 'utf8');
      const restore = injectFault('write', (name) => name.includes(path.join(userDir.dir, 'link-visual')));
      try {
        await fetch(`${emulator.url}/_emulator/tokens/expire`, { method: 'POST' });
        const { output } = await exchange(helper.getNode('files-duration') as TestNode, { payload: { iotId: CAMERA } }, sink);
        assert.ok(output, 'the node keeps working');
        await sleep(100);
      } finally {
        restore();
      }
      assert.equal(fs.readFileSync(sessionFile, 'utf8'), saved, 'the stored session is untouched');
      assert.equal(fs.statSync(sessionFile).mode & 0o777, 0o600);
      assert.deepEqual(leftovers(path.dirname(sessionFile), ['session-files-account.json']), []);
      const warnings = (helper.getNode('files-account') as TestNode).warn.getCalls().map((call) => String(call.args[0]));
      assert.ok(warnings.some((text) => /could not save the session/.test(text)), warnings.join(' | '));
      evidence.sessionFiles.add(sessionFile);
      await collectEmulatorSecrets(emulator);
      harvestHelper('files (session save failure)');
      await helper.unload();
    } finally {
      await emulator.close();
      evidence.captureFiles(userDir.dir, 'files suite user directory');
      userDir.remove();
    }
  });

  it('keeps the previous emulator state when a state write fails, and restarts from it', async () => {
    const stateDir = path.join(dir, 'state');
    const file = path.join(stateDir, 'world.json');
    const logs: string[] = [];
    const options = { port: 0, state: file, saveDebounceMs: 60_000, log: (line: string) => logs.push(line) };
    let emulator = await startEmulator(options);
    const client = () => new LinkVisualClient({ endpoint: emulator.url, appKey: emulator.appKey, appSecret: emulator.appSecret, auth: { mode: 'session', identityId: emulator.identityId, refreshToken: emulator.refreshToken }, rateLimit: 1000 });
    let api = client();
    const planNames = async () => ((await api.call('queryRecordPlans', {})) as { recordPlanList?: { name: string }[] }).recordPlanList?.map((p) => p.name).sort() ?? [];
    try {
      await api.call('setRecordPlan', { name: 'kept', allDay: 1 });
      await emulator.save();
      const kept = fs.readFileSync(file, 'utf8');
      for (const fault of FAULTS) {
        await api.call('setRecordPlan', { name: `lost-${fault}`, allDay: 1 });
        const restore = injectFault(fault, (name) => name.startsWith(stateDir));
        try {
          await assert.rejects(emulator.save(), `${fault}: the save reports its failure`);
        } finally {
          restore();
        }
        figures.faultsInjected += 1;
        assert.equal(fs.readFileSync(file, 'utf8'), kept, `${fault}: the state file is the previous one`);
        assert.ok(readStateFile(file), `${fault}: and it loads`);
        assert.deepEqual(leftovers(stateDir, ['world.json']), [], `${fault}: no temporary file`);
      }
      // Fail the final save on close too, then restart: the world is the last one saved.
      const restore = injectFault('write', (name) => name.startsWith(stateDir));
      await api.close();
      await emulator.close().catch(() => undefined);
      restore();
      assert.equal(fs.readFileSync(file, 'utf8'), kept);
      emulator = await startEmulator(options);
      api = client();
      assert.deepEqual(await planNames(), ['kept']);
    } finally {
      await api.close();
      await emulator.close();
    }
  });

  it(`never leaves a torn state file when the emulator is killed (SIGKILL) while saving (${scale(1, 25)} kills)`, async () => {
    const rng = new Rng(seed ^ 0x85ebca6b);
    const file = path.join(dir, 'killed', 'state.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const dist = path.join(__dirname, '..', '..', 'dist', 'lib', 'emulator', 'cli.js');
    const command = fs.existsSync(dist) ? [dist] : ['-r', 'ts-node/register/transpile-only', path.join(__dirname, '..', '..', 'lib', 'emulator', 'cli.ts')];
    const start = (): Promise<ChildProcess> =>
      new Promise((resolve, reject) => {
        // Many cameras raising events all the time: the state changes constantly and grows with each save.
        const child = spawn(process.execPath, [...command, '--port', '0', '--state', file, '--cameras', '40', '--demo-events', '20'], { stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('listening on')) resolve(child);
        };
        child.stdout?.on('data', onData);
        child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.on('exit', (code) => reject(new Error(`the emulator exited (${String(code)}) before listening:\n${output}`)));
      });
    let stale: string[] = [];
    for (let i = 0; i < scale(1, 25); i += 1) {
      const child = await start();
      // The copy a killed save left behind is removed by the next start.
      for (const temp of stale) assert.ok(!fs.existsSync(path.join(path.dirname(file), temp)), `kill #${i - 1}: ${temp} removed at the next start`);
      // The first save comes about a second after the first event: aim around it, or anywhere later.
      await sleep(rng.bool(0.6) ? rng.int(1000, 1150) : rng.int(1150, 3000));
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      figures.kills += 1;
      const temps = leftovers(path.dirname(file), ['state.json']);
      if (temps.length > 0) figures.killsMidWrite += 1;
      if (fs.existsSync(file)) assert.ok(readStateFile(file), `kill #${i} (seed ${seed}): the state file loads`);
      stale = temps;
    }
    if (stale.length === 0) {
      // Make sure the clean-up is exercised even when no kill landed mid-write: a copy as a killed save leaves it.
      stale = [`.state.json.${await deadPid()}.0badc0ffee.tmp`];
      fs.writeFileSync(path.join(path.dirname(file), stale[0]), '{"format":"link-visual-emu');
    }
    // A last start proves the file it left is usable; SIGTERM saves and exits cleanly.
    const child = await start();
    for (const temp of stale) assert.ok(!fs.existsSync(path.join(path.dirname(file), temp)), `${temp} removed at the next start`);
    const exited = new Promise<string>((resolve) => child.on('exit', (code, signal) => resolve(`${String(code)} ${String(signal)}`)));
    await sleep(300); // the CLI sets its signal handlers just after it prints the banner
    child.kill('SIGTERM');
    assert.equal(await exited, '0 null');
    assert.ok(readStateFile(file));
  });

  describe('downloads', () => {
    let world: RecordingWorld;
    let userDir: { dir: string; remove: () => void };
    let base: string;
    let sink: MessageQueue;
    const SIZE = 300_000;

    before(async () => {
      userDir = tempUserDir();
      world = await startRecordingWorld({ mp4Size: SIZE });
      base = path.join(dir, 'downloads');
      fs.mkdirSync(base, { recursive: true });
    });
    after(async () => {
      await helper.unload();
      await collectEmulatorSecrets(world.emulator);
      await world.close();
      evidence.captureFiles(userDir.dir, 'files suite download user directory');
      userDir.remove();
    });

    async function load(settings: Record<string, unknown>, url = world.emulator.url, authMode = 'session'): Promise<TestNode> {
      await helper.unload();
      const account = accountNode(url, { id: 'dl-account', authMode, credentials: { appKey: 'demo-app-key', appSecret: 'demo-app-secret', identityId: 'demo-identity', refreshToken: world.emulator.refreshToken, iotToken: 'files-IOT-TOKEN-424242' } });
      const flow = [
        { id: 'dl-tab', type: 'tab' },
        account.node,
        { id: 'dl-node', type: 'link-visual-download', z: 'dl-tab', x: 1, y: 1, account: 'dl-account', target: 'file', directory: base, overwrite: 'always', retries: 0, transcodeTimeout: 5, stallTimeout: 5, wires: [['dl-sink'], []], ...settings },
        { id: 'dl-catch', type: 'catch', z: 'dl-tab', x: 1, y: 2, scope: null, uncaught: false, wires: [['dl-sink']] },
        { id: 'dl-sink', type: 'helper', z: 'dl-tab', x: 2, y: 2 },
      ];
      await helper.load([catchNode, ...packageNodes()], flow, account.credentials);
      sink = new MessageQueue(helper.getNode('dl-sink') as TestNode);
      return helper.getNode('dl-node') as TestNode;
    }

    it('leaves no partial file and the previous download intact on disk-full, fsync and rename failures', async () => {
      const node = await load({});
      const clip = await world.record();
      const first = await exchange(node, { payload: { iotId: CAMERA, fileName: clip.fileName, beginTime: clip.time } }, sink, 30_000);
      assert.ok(first.output, JSON.stringify(first.error?.error));
      const file = first.output.payload as string;
      const sha = expectedSha256(SIZE);
      assert.equal(await fileSha256(file), sha);
      fs.writeFileSync(file, 'the previous download');
      for (const fault of ['write', 'sync', 'rename', 'open'] as const) {
        const restore = injectFault(fault, (name) => name.startsWith(base));
        let result: Awaited<ReturnType<typeof exchange>>;
        try {
          result = await exchange(node, { payload: { iotId: CAMERA, fileName: clip.fileName, beginTime: clip.time } }, sink, 30_000);
        } finally {
          restore();
        }
        const caught = result.error?.error as { code?: string; message?: string } | undefined;
        assert.ok(caught, `${fault}: the failure reached the Catch node (${JSON.stringify(result.output?.payload)})`);
        assert.ok(['CONFIG', 'MEDIA'].includes(caught.code ?? ''), `${fault}: ${JSON.stringify(caught)}`);
        assert.equal(fs.readFileSync(file, 'utf8'), 'the previous download', `${fault}: the previous file is intact`);
        assert.deepEqual(listFiles(base).filter((name) => name.endsWith('.part')), [], `${fault}: no .part file is left`);
        figures.downloadFaults += 1;
      }
      // The policies that claim a name with link(): a failing link leaves nothing behind either.
      const renameNode = await load({ overwrite: 'rename' });
      const restore = injectFault('link', (name) => name.startsWith(base));
      try {
        const result = await exchange(renameNode, { payload: { iotId: CAMERA, fileName: clip.fileName, beginTime: clip.time } }, sink, 30_000);
        assert.ok(result.error, 'a failing link is reported');
      } finally {
        restore();
      }
      assert.deepEqual(listFiles(base).filter((name) => name.endsWith('.part') || name.includes(' (')), []);
      figures.downloadFaults += 1;
      // And with the disk back, the download replaces the file whole.
      const alwaysNode = await load({});
      const again = await exchange(alwaysNode, { payload: { iotId: CAMERA, fileName: clip.fileName, beginTime: clip.time } }, sink, 30_000);
      assert.ok(again.output, JSON.stringify(again.error?.error));
      assert.equal(await fileSha256(file), sha);
      await collectEmulatorSecrets(world.emulator);
      harvestHelper('files (download faults)');
    });

    it('refuses path traversal through every templated field: message fields, server answers, the template, a symlink', async () => {
      const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-outside-'));
      try {
        const template = '{iotId}/{eventId}/{date}-{time}/{fileName}.mp4';
        // 1. Fields of the message: iotId, fileName, eventId (and msg.iotId, used when the item has none).
        const node = await load({ path: template });
        const clip = await world.record();
        for (const bad of TRAVERSAL_IDS) {
          for (const field of ['iotId', 'fileName', 'eventId', 'msg.iotId'] as const) {
            const payload: Record<string, unknown> = { iotId: CAMERA, fileName: clip.fileName, eventId: clip.eventId };
            const msg: Record<string, unknown> = { payload };
            if (field === 'msg.iotId') {
              delete payload.iotId;
              msg.iotId = bad;
            } else payload[field] = bad;
            if (field === 'fileName' && bad === '') payload.fileName = '..';
            const before = world.emulator.stats().requests;
            const { error } = await exchange(node, msg, sink, 15_000);
            assert.equal((error?.error as { code?: string } | undefined)?.code, 'INVALID_PARAMS', `${field}=${JSON.stringify(bad)}: ${JSON.stringify(error?.error)}`);
            assert.equal(world.emulator.stats().requests, before, `${field}=${JSON.stringify(bad)}: no request`);
            figures.traversalsRefused += 1;
          }
        }
        // 2. A template that climbs out, or is absolute, is refused at deploy: every message fails up front.
        for (const bad of ['../{fileName}.mp4', '{iotId}/../../{fileName}.mp4', '/etc/{fileName}', '{iotId}/./{fileName}', 'C:\\{fileName}', '{iotId}\\..\\{fileName}', '{unknown}/{fileName}.mp4']) {
          const refusing = await load({ path: bad });
          const { error } = await exchange(refusing, { payload: { iotId: CAMERA, fileName: clip.fileName } }, sink, 15_000);
          assert.equal((error?.error as { code?: string } | undefined)?.code, 'INVALID_PARAMS', `template ${bad}`);
          figures.traversalsRefused += 1;
        }
        // 3. A symbolic link inside the directory that points outside it.
        fs.mkdirSync(path.join(base, 'linked'), { recursive: true });
        fs.symlinkSync(outside, path.join(base, 'linked', CAMERA));
        const linked = await load({ directory: path.join(base, 'linked'), path: '{iotId}/{fileName}.mp4' });
        const viaLink = await exchange(linked, { payload: { iotId: CAMERA, fileName: clip.fileName } }, sink, 15_000);
        assert.equal((viaLink.error?.error as { code?: string } | undefined)?.code, 'INVALID_PARAMS', JSON.stringify(viaLink.error?.error ?? viaLink.output?.payload));
        figures.traversalsRefused += 1;
        // 4. Names the server hands back (an event's file name, a VOD list entry).
        for (const bad of TRAVERSAL_IDS.filter((id) => id !== '')) {
          for (const where of ['eventFileName', 'vodList'] as const) {
            const gateway = await startFakeGateway((request) => {
              if (request.path.endsWith('/event/query/byeventids')) return ok({ eventList: [{ eventId: 'ev-1', eventTimeUTC: '2025-01-01T00:00:00Z', ...(where === 'eventFileName' ? { eventFileName: bad } : {}) }] });
              if (request.path.endsWith('/vod/getbyeventid')) return ok({ vodList: [{ fileName: bad, vodUrl: 'http://127.0.0.1:1/x' }] });
              return ok({ status: 1, progress: 100, url: 'http://127.0.0.1:1/x.mp4' });
            });
            try {
              const fake = await load({ path: '{iotId}/{fileName}.mp4' }, gateway.url, 'iotToken');
              const { error } = await exchange(fake, { payload: { iotId: CAMERA, eventId: 'ev-1' } }, sink, 15_000);
              assert.equal((error?.error as { code?: string } | undefined)?.code, 'INVALID_PARAMS', `${where}=${JSON.stringify(bad)}: ${JSON.stringify(error?.error)}`);
              assert.ok(!gateway.requests.some((r) => r.path.includes('/cloudfile/') || r.path.includes('/downloadurl')), `${where}: no download was started`);
              figures.traversalsRefused += 1;
            } finally {
              await helper.unload();
              await gateway.close();
            }
          }
        }
        // The library entry point checks the same, whatever the caller passes.
        const client = world.client;
        for (const bad of TRAVERSAL_IDS) {
          await assert.rejects(downloadRecording(client, { iotId: bad || '..', fileName: 'x' }, { kind: 'file', directory: base }), LinkVisualError);
          await assert.rejects(downloadRecording(client, { iotId: CAMERA, fileName: bad || '..' }, { kind: 'file', directory: base }), LinkVisualError);
          figures.traversalsRefused += 2;
        }
        assert.deepEqual(fs.readdirSync(outside), [], 'nothing was written outside the directory');
        for (const entry of listFiles(path.dirname(base))) assert.ok(!entry.includes('escape'), `no file named after a traversal: ${entry}`);
        await collectEmulatorSecrets(world.emulator);
        harvestHelper('files (traversal)');
      } finally {
        fs.rmSync(outside, { recursive: true, force: true });
      }
    });
  });
});
