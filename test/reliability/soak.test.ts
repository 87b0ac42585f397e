/**
 * Reliability: redeploy soak (issue 10). Full and partial ("nodes") deploys over and over while
 * operation nodes are driven by repeating inject nodes (the pollers users build), downloads are in
 * flight (media answers held back) and on-event pollers run. Goal: active handles, timers and sockets
 * back to baseline and heap growth under 5 MB.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { helper, tempUserDir, accountNode, type TestNode } from '../helpers/node-red';
import { CAMERA, listFiles, startRecordingWorld, type RecordingWorld } from '../media/helpers';
import {
  CrashRecorder,
  DOCUMENTED_CODES,
  FULL,
  Rng,
  allNodeModules,
  onEventModule,
  collectEmulatorSecrets,
  control,
  deploy,
  evidence,
  harvestHelper,
  report,
  resetHelperHistory,
  resources,
  scale,
  settledHeap,
  sleep,
  suiteSeed,
  totalResources,
} from './harness';

/* eslint-disable @typescript-eslint/no-require-imports */
const catchNode = require('@node-red/nodes/core/common/25-catch.js') as unknown;
const injectNode = require('@node-red/nodes/core/common/20-inject.js') as unknown;
/* eslint-enable @typescript-eslint/no-require-imports */

type Msg = Record<string, unknown>;

describe('reliability: redeploy soak', function () {
  this.timeout(FULL ? 3_600_000 : 120_000);
  const crashes = new CrashRecorder();
  let world: RecordingWorld;
  let userDir: { dir: string; remove: () => void };
  let downloadDir: string;
  let seed: number;
  const counts = { outputs: 0, errors: 0, events: 0, downloads: 0 };
  const errorCodes: Record<string, number> = {};

  before(async () => {
    crashes.install();
    seed = suiteSeed('redeploy soak');
    userDir = tempUserDir();
    downloadDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-soak-download-'));
    world = await startRecordingWorld({ mp4Size: 400_000, cameras: 6, captureDelayMs: 5 });
  });
  after(async () => {
    crashes.uninstall();
    await collectEmulatorSecrets(world.emulator);
    await world.close();
    evidence.captureFiles(userDir.dir, 'soak user directory');
    evidence.captureFiles(downloadDir, 'soak downloads');
    userDir.remove();
    fs.rmSync(downloadDir, { recursive: true, force: true });
  });

  /** The soak flow; `variant` renames some nodes (a partial deploy restarts only those), `quiet` drops the pumps. */
  function soakFlow(clip: { fileName: string; time: number }, variant: number, quiet: boolean): { flow: Msg[]; credentials: Record<string, Record<string, string>> } {
    const account = accountNode(world.emulator.url, { id: 'soak-account', rateLimit: 500, credentials: { appKey: world.emulator.appKey, appSecret: world.emulator.appSecret, identityId: world.emulator.identityId, refreshToken: world.emulator.refreshToken } });
    if (variant % 5 === 4) account.node.name = `soak account ${variant}`; // now and then the account itself restarts
    const operationNodes: Msg[] = [
      { id: 'soak-duration', type: 'link-visual-recordings', operation: 'getDuration', iotId: CAMERA, iotIdType: 'str' },
      { id: 'soak-events', type: 'link-visual-events', operation: 'byTime', iotId: CAMERA, iotIdType: 'str', beginTime: '0', beginTimeType: 'num', endTime: String(Date.now() + 86_400_000), endTimeType: 'num' },
      { id: 'soak-plans', type: 'link-visual-plan', operation: 'query', kind: 'event' },
      { id: 'soak-pictures', type: 'link-visual-pictures', operation: 'byTime', iotId: CAMERA, iotIdType: 'str', startTime: '0', startTimeType: 'num', endTime: String(Date.now() + 86_400_000), endTimeType: 'num', fetchImages: true, maxImages: 2 },
    ].map((node, index) => ({ ...node, z: 'soak-tab', x: 300, y: 60 * (index + 1), account: 'soak-account', name: index % 2 === variant % 2 ? `${String(node.id)} ${variant}` : String(node.id), wires: [['soak-sink']] }));
    const download: Msg = {
      id: 'soak-download',
      type: 'link-visual-download',
      z: 'soak-tab',
      x: 300,
      y: 400,
      account: 'soak-account',
      name: variant % 3 === 0 ? `download ${variant}` : 'download',
      target: rng(variant).bool() ? 'file' : 'buffer',
      directory: downloadDir,
      overwrite: 'always',
      concurrency: 2,
      retries: 1,
      wires: [['soak-sink'], []],
    };
    const pumps: Msg[] = quiet
      ? []
      : [
          ...operationNodes.map((node, index) => ({ id: `soak-pump-${index}`, type: 'inject', z: 'soak-tab', x: 100, y: 60 * (index + 1), props: [{ p: 'payload' }], payload: '', payloadType: 'date', repeat: '0.1', once: true, onceDelay: 0.01, wires: [[node.id]] })),
          {
            id: 'soak-pump-download',
            type: 'inject',
            z: 'soak-tab',
            x: 100,
            y: 400,
            props: [{ p: 'payload' }],
            payload: JSON.stringify({ iotId: CAMERA, fileName: clip.fileName, beginTime: clip.time }),
            payloadType: 'json',
            repeat: '0.2',
            once: true,
            onceDelay: 0.01,
            wires: [['soak-download']],
          },
        ];
    const onEvent = onEventModule() && !quiet
      ? [1, 2].map((n) => ({ id: `soak-on-event-${n}`, type: 'link-visual-on-event', z: 'soak-tab', x: 300, y: 500 + 40 * n, account: 'soak-account', devices: `demo-camera-${n + 2}`, interval: 1, startup: 'new', image: n === 1, name: variant % 4 === n ? `on-event ${variant}` : `on-event ${n}`, wires: [['soak-events-sink'], []] }))
      : [];
    return {
      flow: [
        { id: 'soak-tab', type: 'tab', label: 'soak' },
        account.node,
        ...operationNodes,
        download,
        ...pumps,
        ...onEvent,
        { id: 'soak-catch', type: 'catch', z: 'soak-tab', x: 300, y: 700, scope: null, uncaught: false, wires: [['soak-caught']] },
        { id: 'soak-sink', type: 'helper', z: 'soak-tab', x: 500, y: 100 },
        { id: 'soak-events-sink', type: 'helper', z: 'soak-tab', x: 500, y: 500 },
        { id: 'soak-caught', type: 'helper', z: 'soak-tab', x: 500, y: 700 },
      ],
      credentials: account.credentials,
    };
  }

  function rng(variant: number): Rng {
    return new Rng(seed + variant);
  }

  /** Counts what the sinks of the running flow receive (new helper nodes after each deploy). */
  const watched = new WeakSet<object>();
  /** A node instance not listened to yet (a partial deploy keeps the sinks). */
  function fresh(id: string): TestNode | undefined {
    const node = helper.getNode(id) as TestNode | null;
    if (!node || watched.has(node)) return undefined;
    watched.add(node);
    return node;
  }

  function watchSinks(): void {
    const sink = fresh('soak-sink');
    const events = fresh('soak-events-sink');
    const caught = fresh('soak-caught');
    sink?.on('input', ((msg: Msg) => {
      counts.outputs += 1;
      if ((msg.linkVisual as Msg | undefined)?.operation === 'download') counts.downloads += 1;
    }) as (...args: never[]) => void);
    events?.on('input', (() => (counts.events += 1)) as (...args: never[]) => void);
    caught?.on('input', ((msg: Msg) => {
      counts.errors += 1;
      const code = String((msg.error as { code?: unknown } | undefined)?.code);
      errorCodes[code] = (errorCodes[code] ?? 0) + 1;
    }) as (...args: never[]) => void);
  }

  /** Flows running but idle, in-flight work finished, undici's coarse timer stopped: a comparable moment. */
  async function quietMeasure(clip: { fileName: string; time: number }, variant: number): Promise<{ handles: Record<string, number>; heap: number }> {
    await deploy(soakFlow(clip, variant, true).flow, 'full');
    watchSinks();
    await sleep(1600); // in-flight downloads and polls end; undici's 500 ms timer stops ~1 s after the last request
    harvestOnlyLogs();
    const heap = await settledHeap();
    return { handles: resources(), heap };
  }

  function harvestOnlyLogs(): void {
    // Keep what the log and the status showed (for the secrets check), not every message: the evidence
    // log would otherwise grow with the soak and count as a leak.
    resetHelperHistory();
  }

  it(`survives ${scale(20, 200)} full and partial redeploys with pollers, downloads and on-event active: handles back to baseline, heap growth < 5 MB`, async () => {
    const clip = await world.record();
    // Media answers are held back, so downloads and alert images are in flight when a deploy lands.
    await control(world.emulator, 'faults', { path: '/_media/*', mode: 'delay', delayMs: 250, times: 1_000_000 });
    const cycles = scale(20, 200);
    const random = new Rng(seed);
    const settle = () => sleep(1300);
    await settle();
    const idleBefore = resources();

    const first = soakFlow(clip, 0, false);
    await helper.load([catchNode, injectNode, ...allNodeModules()], first.flow, first.credentials);
    watchSinks();
    // Warm up (module caches, JIT, first sessions), then take the baseline in the quiet state.
    for (let i = 1; i <= 3; i += 1) {
      await sleep(random.int(100, 300));
      await deploy(soakFlow(clip, i, false).flow, i % 2 === 0 ? 'full' : 'nodes');
      watchSinks();
    }
    const baseline = await quietMeasure(clip, 3);
    const deploys: Record<string, number> = { full: 0, nodes: 0 };
    const started = Date.now();
    for (let cycle = 4; cycle < cycles + 4; cycle += 1) {
      const type = random.bool(0.5) ? 'full' : 'nodes';
      await deploy(soakFlow(clip, cycle, false).flow, type);
      deploys[type] += 1;
      watchSinks();
      // Events for the on-event pollers; polls, downloads and event pollers run, then the next deploy lands mid-work
      // (now and then a longer spell, so downloads also finish).
      if (onEventModule()) await control(world.emulator, 'events', { iotId: `demo-camera-${3 + (cycle % 2)}` });
      await sleep(cycle % 10 === 0 ? 1200 : random.int(60, 300));
      if (cycle % 20 === 0) resetHelperHistory();
    }
    const soakMs = Date.now() - started;
    const end = await quietMeasure(clip, cycles + 4);
    await collectEmulatorSecrets(world.emulator);
    harvestHelper('soak (end)');
    await helper.unload();
    await control(world.emulator, 'faults/clear', {});
    await settle();
    const idleAfter = resources();

    const heapGrowth = end.heap - baseline.heap;
    const figures = {
      seed,
      cycles,
      deploys,
      soakSeconds: Math.round(soakMs / 1000),
      handlesBefore: baseline.handles,
      handlesAfter: end.handles,
      idleBefore: totalResources(idleBefore),
      idleAfter: totalResources(idleAfter),
      heapBeforeMB: +(baseline.heap / 1048576).toFixed(2),
      heapAfterMB: +(end.heap / 1048576).toFixed(2),
      heapGrowthMB: +(heapGrowth / 1048576).toFixed(2),
      outputs: counts.outputs,
      downloads: counts.downloads,
      onEventMessages: counts.events,
      onEvent: onEventModule() ? 'included' : 'not yet available',
      caughtErrors: errorCodes,
    };
    report('redeploy soak', figures);
    assert.ok(counts.outputs > cycles, `the flows did work between deploys: ${JSON.stringify(counts)}`);
    assert.ok(counts.downloads > 0, 'downloads completed between deploys');
    for (const code of Object.keys(errorCodes)) assert.ok(DOCUMENTED_CODES.has(code), `caught error code ${code} is documented`);
    assert.ok(totalResources(end.handles) <= totalResources(baseline.handles), `handles grew: ${JSON.stringify(baseline.handles)} → ${JSON.stringify(end.handles)}`);
    for (const [name, count] of Object.entries(end.handles)) assert.ok(count <= (baseline.handles[name] ?? 0), `${name}: ${baseline.handles[name] ?? 0} → ${count}`);
    assert.ok(totalResources(idleAfter) <= totalResources(idleBefore), `after unloading: ${JSON.stringify(idleBefore)} → ${JSON.stringify(idleAfter)}`);
    assert.ok(heapGrowth < 5 * 1024 * 1024, `heap grew by ${(heapGrowth / 1048576).toFixed(2)} MB`);
    assert.deepEqual(listFiles(downloadDir).filter((name) => name.endsWith('.part')), [], 'no partial download is left');
    crashes.assertClean();
  });
});
