/**
 * Reliability: the on-event fault matrix (issue 10). Events raised on many cameras of an emulator that
 * runs in its own process (so the local clock can be skewed alone), delivered by two on-event nodes of
 * a Node-RED flow, with every fault mixed in: Node-RED restarts (same user directory), full and partial
 * redeploys, emulator restarts with --state, 5xx bursts, 429 storms, dropped connections, answers slower
 * than the timeout, token expiry, late events, and local clock skew within the gateway's window.
 * Figures: generated, delivered, duplicates, max delay. Goal: delivered = generated, 0 duplicates.
 * Its push form (issue 15) turns the account's push on and adds the push faults: dropped, duplicated,
 * delayed and early pushes, events indexed late, broker disconnects and refused logins; quiet probe events
 * at the end show that push, not polling, did the work.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LinkVisualClient } from '../../lib';
import { freePort } from '../helpers/free-port';
import { accountNode, helper, statusOf, type TestNode } from '../helpers/node-red';
import {
  ClockSkew,
  CrashRecorder,
  DOCUMENTED_CODES,
  FULL,
  Rng,
  allNodeModules,
  collectEmulatorSecrets,
  control,
  deploy,
  evidence,
  harvestHelper,
  onEventModule,
  report,
  scale,
  sleep,
  suiteSeed,
} from './harness';

/* eslint-disable @typescript-eslint/no-require-imports */
const catchNode = require('@node-red/nodes/core/common/25-catch.js') as unknown;
// The hooks of the Node-RED runtime the test helper runs (the same @node-red/util module).
const nodeRedHooks = (require('@node-red/util') as { hooks: { add(id: string, callback: (event: never) => void): void; remove(id: string): void } }).hooks;
/* eslint-enable @typescript-eslint/no-require-imports */

type Msg = Record<string, unknown>;
const REPO = path.join(__dirname, '..', '..');
const APP_SECRET = 'onevent-APP-SECRET-feedc0de';
const RECEIVE_HOOK = 'onReceive.lvMatrix';
/** The real time: Date.now may be skewed on purpose. */
const realNow = () => performance.timeOrigin + performance.now();


/** The emulator CLI in a child process, restartable on the same port and state file. */
class EmulatorProcess {
  child: ChildProcess | undefined;
  up = false;
  restarts = 0;
  constructor(
    readonly port: number,
    readonly state: string,
    readonly cameras: number,
    /** The cloud's answer variants, as CLI flags (`--event-order oldest` …). */
    readonly variantFlags: readonly string[] = [],
    /** The AMQP data-sync port (push), the same across restarts; none when undefined. */
    readonly amqpPort?: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const dist = path.join(REPO, 'dist', 'lib', 'emulator', 'cli.js');
    const command = fs.existsSync(dist) ? [dist] : ['-r', 'ts-node/register/transpile-only', path.join(REPO, 'lib', 'emulator', 'cli.ts')];
    const args = [...command, '--port', String(this.port), '--state', this.state, '--cameras', String(this.cameras), '--app-secret', APP_SECRET, '--rotate-refresh-tokens', ...this.variantFlags, ...(this.amqpPort === undefined ? [] : ['--amqp-port', String(this.amqpPort)])];
    for (let attempt = 0; ; attempt += 1) {
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
      let output = '';
      const ready = await new Promise<boolean>((resolve) => {
        child.stdout?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('Press Ctrl+C')) resolve(true);
        });
        child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.on('exit', () => resolve(false));
      });
      if (ready) {
        this.child = child;
        child.on('exit', () => (this.up = false));
        this.up = true;
        await sleep(100); // its signal handlers are set just after the banner
        return;
      }
      if (attempt >= 20 || !/EADDRINUSE/.test(output)) throw new Error(`the emulator did not start:\n${output}`);
      await sleep(250); // the port of the previous run is still being released
    }
  }

  /** SIGTERM (the state is saved), then a new process on the same port after `downMs`. */
  async restart(downMs: number): Promise<void> {
    await this.stop();
    await sleep(downMs);
    await this.start();
    this.restarts += 1;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    this.child = undefined;
  }
}

interface MatrixForm {
  readonly name: string;
  readonly flags: readonly string[];
  /** The account's push on (issue 15): pushes trigger the polls, and the push faults join the HTTP ones. */
  readonly push?: boolean;
}

// The matrix runs with the cloud's lists newest first (its most cloud-like form) and oldest first with the
// other answer forms (numbers, ms event times, 460 for tokens), and with push on: exactly once must hold in all.
const MATRIX_FORMS: readonly MatrixForm[] = [
  { name: 'newest first, numbers as text, 401', flags: ['--event-order', 'newest'] },
  { name: 'oldest first, numbers, ms event times, 460', flags: ['--event-order', 'oldest', '--numbers', 'number', '--event-time', 'ms', '--token-error-code', '460'] },
  { name: 'push on: dropped, duplicated, delayed and early pushes, late indexing, broker disconnects, refused logins', flags: ['--event-order', 'newest'], push: true },
];
/** Push form: seconds between sweeps (the least allowed) and the poll interval a lost connection falls back to. */
const PUSH_SWEEP_S = 10;
const PUSH_INTERVAL_S = 10;
/** Push form: a delivery this soon after its event came by push, not by a poll (sweeps come every 10 s). */
const PUSH_FAST_MS = 2000;

describe('reliability: on-event fault matrix', function () {
  this.timeout(FULL ? 3_600_000 : 120_000);
  const crashes = new CrashRecorder();

  before(function () {
    if (!onEventModule()) this.skip(); // the on-event node is written in parallel
  });

  for (const form of MATRIX_FORMS)
  it(`delivers every one of ${scale(1000, 10_000)} events exactly once through restarts, redeploys, emulator restarts, 5xx, 429, resets, timeouts, token expiry, late events and clock skew (${form.name})`, async () => {
    crashes.install();
    const seed = suiteSeed('on-event fault matrix');
    const rng = new Rng(seed);
    const target = scale(1000, 10_000);
    const pushOn = form.push === true;
    // With push, fewer events per camera and second: each push must bring its own event (dense pushes
    // for one camera would each find the others' events and hide a push that did not).
    const cameras = pushOn ? scale(24, 40) : scale(16, 40);
    const watchedByA = Math.ceil(cameras / 2);
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-onevent-userdir-'));
    helper.settings({ userDir, linkVisualOnEventOverlap: 300 });
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-onevent-emulator-'));
    const emulator = new EmulatorProcess(await freePort(), path.join(stateDir, 'emulator-state.json'), cameras, form.flags, pushOn ? await freePort() : undefined);
    await emulator.start();
    const camera = (n: number) => `demo-camera-${n}`;

    // Generated events (eventId → the real time it was raised, the camera), deliveries per node.
    const generated = new Map<string, { at: number; iotId: string; late: boolean; indexedLate?: boolean; probe?: boolean }>();
    const delivered = { a: new Map<string, number>(), b: new Map<string, number>() };
    const unexpected: string[] = [];
    // onTime: raised now (any indexing); promptly: raised now and listed at once (what a push can bring at once).
    // probes: the quiet events after the storm (push form).
    const delays: { all: number[]; onTime: number[]; promptly: number[]; probes: number[] } = { all: [], onTime: [], promptly: [], probes: [] };
    // The on-time event that took longest, and every fault with its span, to say what held it up.
    let slowest = { delay: 0, raisedAt: 0, deliveredAt: 0, iotId: '', node: '' };
    const faultSpans: { name: string; from: number; to: number }[] = [];
    const caught: Record<string, number> = {};
    const faultsApplied: Record<string, number> = {};

    const account = accountNode(emulator.url, { id: 'oe-account', rateLimit: 400, credentials: { appKey: 'demo-app-key', appSecret: APP_SECRET, identityId: 'demo-identity', refreshToken: 'demo-refresh-token' } });
    account.node.timeout = 1; // seconds: the "slow" fault answers after this
    if (pushOn) Object.assign(account.node, { push: true, pushEndpoint: `amqp://127.0.0.1:${String(emulator.amqpPort)}` });
    // Polling every second, or (push) sweeps every 10 s and the same interval while the connection is lost.
    const timing = pushOn ? { interval: PUSH_INTERVAL_S, sweep: PUSH_SWEEP_S } : { interval: 1 };
    const flow = (variant: number): Msg[] => [
      { id: 'oe-tab', type: 'tab', label: 'on-event' },
      account.node,
      { id: 'oe-a', type: 'link-visual-on-event', z: 'oe-tab', x: 100, y: 100, account: 'oe-account', name: variant % 2 === 0 ? 'listed cameras' : `listed cameras ${variant}`, devices: Array.from({ length: watchedByA }, (_v, i) => camera(i + 1)).join('\n'), ...timing, startup: 'new', wires: [['oe-sink-a'], ['oe-sink-a']] },
      { id: 'oe-b', type: 'link-visual-on-event', z: 'oe-tab', x: 100, y: 200, account: 'oe-account', name: 'every camera', devices: '', eventType: 0, ...timing, startup: 'new', wires: [['oe-sink-b'], ['oe-sink-b']] },
      { id: 'oe-catch', type: 'catch', z: 'oe-tab', x: 100, y: 300, scope: null, uncaught: false, wires: [['oe-caught']] },
      { id: 'oe-sink-a', type: 'helper', z: 'oe-tab', x: 300, y: 100 },
      { id: 'oe-sink-b', type: 'helper', z: 'oe-tab', x: 300, y: 200 },
      { id: 'oe-caught', type: 'helper', z: 'oe-tab', x: 300, y: 300 },
    ];
    // Counted with Node-RED's onReceive hook, not listeners on the sink nodes: a listener is attached only
    // after a deploy or restart returns, and a node may deliver before that (the message would be missed).
    const onSink = (which: 'a' | 'b', msg: Msg) => {
      const payload = msg.payload as { eventId?: string; iotId?: string };
      const id = String(payload.eventId);
      const count = (delivered[which].get(id) ?? 0) + 1;
      delivered[which].set(id, count);
      const origin = generated.get(id);
      if (!origin) unexpected.push(`${which}:${id}`);
      else if (count === 1) {
        const delay = realNow() - origin.at;
        delays.all.push(delay);
        if (!origin.late) delays.onTime.push(delay);
        if (origin.probe) delays.probes.push(delay);
        else if (!origin.late && !origin.indexedLate) delays.promptly.push(delay);
        if (!origin.late && delay > slowest.delay) slowest = { delay, raisedAt: origin.at, deliveredAt: realNow(), iotId: origin.iotId, node: which };
      }
    };
    nodeRedHooks.add(RECEIVE_HOOK, (event: { msg: Msg; destination: { id: string } }) => {
      const { id } = event.destination;
      if (id === 'oe-sink-a') onSink('a', event.msg);
      else if (id === 'oe-sink-b') onSink('b', event.msg);
      else if (id === 'oe-caught') {
        const code = String((event.msg.error as { code?: unknown } | undefined)?.code);
        caught[code] = (caught[code] ?? 0) + 1;
      }
    });
    const emulatorSecrets = () => (emulator.up ? collectEmulatorSecrets({ url: emulator.url, appSecret: APP_SECRET, refreshToken: 'demo-refresh-token', authCode: 'demo-auth-code' }).catch(() => undefined) : Promise.resolve());
    let variant = 0;
    let loaded = false;
    let statusTimer: NodeJS.Timeout | undefined;
    let emulatorFaults = 0;
    // The emulator's push counters, summed over its restarts (each process counts from 0).
    const pushCounts: Record<string, number> = {};
    const addPushCounts = (counts: unknown) => {
      for (const [key, value] of Object.entries((counts ?? {}) as Record<string, unknown>)) if (key !== 'open' && typeof value === 'number') pushCounts[key] = (pushCounts[key] ?? 0) + value;
    };
    const load = async () => {
      await helper.load([catchNode, ...allNodeModules()], flow(variant), account.credentials);
      loaded = true;
    };
    // Installed before any node starts, so every poller's clock follows the offset.
    const clock = new ClockSkew().install();
    const unskew = () => clock.set(0);

    try {
      await load();
      const firstStart = realNow();
      // Both nodes start ("new") and poll every camera once before the first event: a node redeployed before its
      // first poll of a camera starts that camera anew. With push, first polls are spread over the sweep.
      await sleep(pushOn ? PUSH_SWEEP_S * 1000 + 1500 : FULL ? 3000 : 2000);

      // The faults: each applied while events keep coming.
      const faults: Record<string, () => Promise<void>> = {
        'node-red restart': async () => {
          await emulatorSecrets();
          harvestHelper('on-event (restart)');
          await helper.unload();
          loaded = false;
          await sleep(rng.int(300, 2000)); // events keep coming while Node-RED is down
          await load();
        },
        'full redeploy': async () => {
          await deploy(flow(variant), 'full');
        },
        'partial redeploy': async () => {
          variant += 1;
          await deploy(flow(variant), 'nodes');
        },
        'emulator restart': async () => {
          const before = await control(emulator, 'stats');
          emulatorFaults += Number(before.faultsApplied ?? 0);
          addPushCounts(before.push);
          await emulator.restart(rng.int(200, 1500));
        },
        '5xx burst': () => control(emulator, 'faults', { path: '/vision/customer/event/query', mode: 'http', status: rng.pick([500, 502, 503, 504]), times: rng.int(10, 80) }).then(() => undefined),
        '429 storm': () => control(emulator, 'faults', rng.bool() ? { path: '*', mode: 'code', code: 429, times: rng.int(10, 60) } : { path: '*', mode: 'http', status: 429, times: rng.int(5, 30), retryAfterSeconds: 1 }).then(() => undefined),
        'dropped connections': () => control(emulator, 'faults', { path: '/vision/customer/event/query', mode: 'reset', times: rng.int(5, 40) }).then(() => undefined),
        'slow answers': () => control(emulator, 'faults', { path: '/vision/customer/event/query', mode: 'delay', delayMs: 1600, times: rng.int(3, 15) }).then(() => undefined),
        'token expiry': () => control(emulator, 'tokens/expire', {}).then(() => undefined),
        'clock skew': async () => {
          // The local machine's clock set either way by up to 13 minutes: past the overlap (5 min), inside the
          // gateway's window (15 min), where requests are still accepted and only the local clock is wrong.
          const skew = rng.pick([-1, 1]) * rng.int(FULL ? 1_000 : 30_000, 13 * 60_000);
          clock.set(skew);
          largestSkew = Math.max(largestSkew, Math.abs(skew));
          timeline.push(`clock skew ${clock.offset} ms`);
        },
      };
      // The push faults (push form), beside the HTTP ones. A setting holds for a few seconds, then is set back
      // (an emulator restart clears it sooner); early pushes meet the events indexed late.
      const pushResets: { at: number; body: Record<string, unknown> }[] = [];
      const pushFault = async (body: Record<string, unknown>, back: Record<string, unknown>) => {
        await control(emulator, 'push', body);
        pushResets.push({ at: realNow() + rng.int(2000, 6000), body: back });
      };
      if (pushOn) {
        Object.assign(faults, {
          'dropped pushes': () => pushFault({ drop: rng.pick([0.3, 0.6, 1]) }, { drop: 0 }),
          'duplicated pushes': () => pushFault({ duplicate: rng.pick([0.5, 1]) }, { duplicate: 0 }),
          'delayed pushes': () => pushFault({ delayMs: rng.int(300, 3000) }, { delayMs: 0 }),
          'early pushes': () => pushFault({ early: true }, { early: false }),
          'broker disconnect': () => control(emulator, 'push', { disconnect: true }).then(() => undefined),
          // Held until a login is refused: a fault coming next (an emulator restart clears the setting) must not
          // take it back before a client has met it.
          'refused logins': async () => {
            const refused = async () => Number(((await control(emulator, 'stats')).push as { refused?: number } | undefined)?.refused ?? 0);
            const before = await refused();
            await control(emulator, 'push', { refuse: rng.int(1, 3), disconnect: true });
            const until = realNow() + 10_000;
            while (realNow() < until && (await refused()) <= before) await sleep(100);
          },
        } satisfies Record<string, () => Promise<void>>);
      }
      // LV_MATRIX_SKIP=<fault>,<fault> leaves faults out (to tell which one a failure needs).
      const skipped = (process.env.LV_MATRIX_SKIP ?? '').split(',').map((n) => n.trim());
      const names = Object.keys(faults).filter((n) => !skipped.includes(n));
      const timeline: string[] = [];
      const queue: string[] = [];
      const started = realNow();
      // Push form: node A's status changes go into the timeline (push mode, lost, refused …), minus its event count.
      let lastStatus = '';
      if (pushOn) statusTimer = setInterval(() => {
        const node = loaded ? (helper.getNode('oe-a') as TestNode | null) : null;
        const text = node ? String(statusOf(node).text ?? '').replace(/\d+ events?/, 'n events') : '';
        if (text === '' || text === lastStatus) return;
        lastStatus = text;
        timeline.push(`${Math.round(realNow() - started)} ms: status ${text}`);
      }, 100);
      let nextFault = realNow() + 1500;
      let skewEnds = 0;
      let largestSkew = 0;
      // Raise events at a steady pace, a batch every 100 ms, until the target is reached.
      const perBatch = pushOn ? scale(6, 8) : scale(16, 8);
      let rounds = 0;
      // With push, the first round of faults is finished even if the events run out first (a slow machine):
      // every push fault must be mixed in.
      while (generated.size < target || (pushOn && rounds === 1 && queue.length > 0)) {
        if (!emulator.up) {
          await sleep(50);
          continue;
        }
        const batch: Promise<void>[] = [];
        for (let i = 0; i < perBatch && generated.size + batch.length < target; i += 1) {
          const iotId = camera(rng.int(1, cameras));
          const late = rng.bool(0.12);
          const body: Record<string, unknown> = { iotId, eventType: rng.int(1, 3), picture: false, recording: false };
          if (late) {
            // Happened a while ago (but after the nodes first started: "new" skips what came before) …
            body.eventTime = Math.floor(Math.max(firstStart + 500, realNow() - rng.int(1000, 60_000)));
            body.visibleAfterMs = rng.int(0, 4000); // … and is indexed late
          }
          // With push, a quarter happen now but are listed a little later: an early push comes before event/query has them.
          const indexedLate = pushOn && !late && rng.bool(0.25);
          if (indexedLate) body.visibleAfterMs = rng.int(200, 3000);
          batch.push(
            control(emulator, 'events', body).then(
              (answer) => void generated.set(String(answer.eventId), { at: realNow(), iotId, late, indexedLate }),
              () => undefined, // the emulator went down under it: not raised, not counted
            ),
          );
        }
        await Promise.all(batch);
        if (realNow() >= nextFault) {
          // Every kind in turn (a seeded shuffle per round), so even the short form mixes most of them.
          if (queue.length === 0) rounds += 1;
          if (queue.length === 0) queue.push(...names.map((n) => [rng.next(), n] as const).sort((x, y) => x[0] - y[0]).map(([, n]) => n));
          const name = queue.shift() as string;
          faultsApplied[name] = (faultsApplied[name] ?? 0) + 1;
          timeline.push(`${Math.round(realNow() - started)} ms: ${name} …`);
          const from = realNow();
          await faults[name]();
          faultSpans.push({ name, from, to: realNow() });
          timeline.push(`${Math.round(realNow() - started)} ms: … ${name} done`);
          if (name === 'clock skew') {
            skewEnds = realNow() + rng.int(3000, 8000);
            faultSpans[faultSpans.length - 1].to = skewEnds;
          }
          nextFault = realNow() + rng.int(FULL ? 2000 : 400, FULL ? 6000 : 1000);
        }
        if (clock.offset !== 0 && realNow() >= skewEnds) unskew();
        for (const reset of pushResets.filter((r) => realNow() >= r.at)) {
          pushResets.splice(pushResets.indexOf(reset), 1);
          await control(emulator, 'push', reset.body).catch(() => undefined); // down: its restart cleared the fault
        }
        await sleep(100);
      }
      unskew();
      clearInterval(statusTimer);
      await control(emulator, 'faults/clear', {});
      if (pushOn) await control(emulator, 'push', { drop: 0, duplicate: 0, delayMs: 0, early: false, refuse: 0 });
      if (!loaded) await load();
      const generationSeconds = (realNow() - started) / 1000;

      // Drain: wait for every event, then a little longer for any duplicate.
      const listed = () => [...generated.entries()].filter(([, e]) => Number(e.iotId.split('-').pop()) <= watchedByA).map(([id]) => id);
      let expectedA = listed();
      const missing = () => expectedA.filter((id) => !delivered.a.has(id)).length + [...generated.keys()].filter((id) => !delivered.b.has(id)).length;
      const drainStarted = realNow();
      const drainUntil = drainStarted + (FULL ? 120_000 : 45_000);
      while (missing() > 0 && realNow() < drainUntil) await sleep(250);
      const drainSeconds = (realNow() - drainStarted) / 1000;
      // Push form: the storm over and the connection back, one quiet event on every camera must come within
      // PUSH_FAST_MS to both nodes. Only a push can do that: a camera is polled every 10 s.
      let probes = 0;
      let reconnectSeconds = 0;
      if (pushOn && missing() === 0) {
        const waitFrom = realNow();
        const connectedBy = waitFrom + 65_000; // a reconnect backoff (up to a minute) may still be running
        while (Number(((await control(emulator, 'stats')).push as { open?: number } | undefined)?.open ?? 0) < 1 && realNow() < connectedBy) await sleep(250);
        reconnectSeconds = (realNow() - waitFrom) / 1000;
        await sleep(500); // the receiver attaches just after the login
        for (let n = 1; n <= cameras; n += 1) {
          const iotId = camera(n);
          const answer = await control(emulator, 'events', { iotId, eventType: rng.int(1, 3), picture: false, recording: false });
          generated.set(String(answer.eventId), { at: realNow(), iotId, late: false, probe: true });
          probes += 1;
          await sleep(40);
        }
        expectedA = listed();
        const probesUntil = realNow() + 15_000;
        while (missing() > 0 && realNow() < probesUntil) await sleep(50);
      }
      await sleep(FULL ? 3000 : 1500); // a duplicate would come by now
      const stats = await control(emulator, 'stats');
      addPushCounts(stats.push);
      await emulatorSecrets();
      harvestHelper('on-event (end)');
      await helper.unload();
      loaded = false;

      const duplicates = (map: Map<string, number>) => [...map.values()].reduce((sum, n) => sum + n - 1, 0);
      const missingA = expectedA.filter((id) => !delivered.a.has(id));
      const missingB = [...generated.keys()].filter((id) => !delivered.b.has(id));
      const max = (values: number[]) => Math.round(values.reduce((m, v) => Math.max(m, v), 0));
      const percentile = (values: number[], p: number) => Math.round([...values].sort((x, y) => x - y)[Math.min(values.length - 1, Math.floor(values.length * p))] ?? 0);
      // How much push did: events raised now and listed at once, delivered within PUSH_FAST_MS (a sweep comes every 10 s).
      const promptShare = delays.promptly.filter((ms) => ms <= PUSH_FAST_MS).length / Math.max(1, delays.promptly.length);
      const pushFigures = () => ({
        ...pushCounts,
        indexedLate: [...generated.values()].filter((e) => e.indexedLate).length,
        promptEvents: delays.promptly.length,
        promptWithin2s: Math.round(promptShare * 1000) / 1000,
        promptP50Ms: percentile(delays.promptly, 0.5),
        promptP90Ms: percentile(delays.promptly, 0.9),
        reconnectSeconds: Math.round(reconnectSeconds),
        probes: delays.probes.length,
        probeMaxMs: max(delays.probes),
        probeP50Ms: percentile(delays.probes, 0.5),
      });
      const figures = {
        seed,
        cameras,
        generated: generated.size,
        expectedDeliveries: expectedA.length + generated.size,
        delivered: { listedCameras: delivered.a.size, everyCamera: delivered.b.size },
        missing: missingA.length + missingB.length,
        duplicates: duplicates(delivered.a) + duplicates(delivered.b),
        unexpected: unexpected.length,
        maxDelayMs: max(delays.all),
        maxDelayOnTimeMs: max(delays.onTime),
        // Faults begun from 10 s before the slowest on-time event was raised until it was delivered.
        slowest: { node: slowest.node, iotId: slowest.iotId, raisedAtMs: Math.round(slowest.raisedAt - started), delayMs: Math.round(slowest.delay) },
        slowestHeldUpBy: [...new Set(faultSpans.filter((f) => f.to >= slowest.raisedAt - 10_000 && f.from <= slowest.deliveredAt).map((f) => f.name))],
        largestClockSkewMs: largestSkew,
        lateEvents: [...generated.values()].filter((e) => e.late).length,
        faultsApplied,
        emulatorFaultsApplied: emulatorFaults + Number(stats.faultsApplied ?? 0),
        emulatorRestarts: emulator.restarts,
        caught,
        generationSeconds: Math.round(generationSeconds),
        drainSeconds: Math.round(drainSeconds),
        ...(pushOn ? { push: pushFigures() } : {}),
      };
      report('on-event fault matrix', figures);
      if (process.env.LV_TIMELINE) console.log(`      timeline:\n        ${timeline.join('\n        ')}`);
      if (missingA.length + missingB.length > 0) {
        const describeMissing = (ids: string[]) => ids.slice(0, 40).map((id) => {
          const e = generated.get(id);
          return `${id} ${e?.iotId} ${e?.late ? 'late' : 'on time'} raised at ${Math.round((e?.at ?? 0) - started)} ms`;
        });
        // Does the emulator itself still know them? (A cloud that lost them is not the package's fault.)
        const sessions = (await control(emulator, 'state')).sessions as { refreshToken?: string } | undefined;
        const probe = new LinkVisualClient({ endpoint: emulator.url, appKey: 'demo-app-key', appSecret: APP_SECRET, auth: { mode: 'session', identityId: 'demo-identity', refreshToken: String(sessions?.refreshToken) }, rateLimit: 100 });
        try {
          for (const id of [...new Set([...missingA, ...missingB])].slice(0, 10)) {
            const e = generated.get(id);
            const found = (await probe.call('queryEventsByIds', { iotId: e?.iotId, eventIds: [id] }).catch((error: Error) => error.message)) as unknown;
            const clock = await control(emulator, 'time');
            console.log(`      emulator on ${id}: ${JSON.stringify(found).slice(0, 300)} (emulator now ${String(clock.now)}, real ${String(clock.realNow)})`);
          }
        } finally {
          await probe.close();
        }
        // Where each node's cursor of a device with missing events stands (the files outlive the unload).
        for (const [node, ids] of [['oe-a', missingA], ['oe-b', missingB]] as const) {
          const file = path.join(userDir, 'link-visual', `on-event-${node}.json`);
          const saved = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { devices?: Record<string, Record<string, unknown>> }) : {};
          for (const iotId of new Set(ids.map((id) => generated.get(id)?.iotId ?? ''))) {
            const { recent, ...cursor } = saved.devices?.[iotId] ?? {};
            console.log(`      cursor of ${node} ${iotId}: ${JSON.stringify(cursor)} (${Object.keys((recent ?? {}) as object).length} recent ids; real now ${Math.round(realNow())})`);
          }
        }
        console.log(`      timeline:\n        ${timeline.join('\n        ')}`);
        console.log(`      missing (listed):\n        ${describeMissing(missingA).join('\n        ')}`);
        console.log(`      missing (every):\n        ${describeMissing(missingB).join('\n        ')}`);
      }
      if (figures.duplicates > 0) {
        const twice = (map: Map<string, number>) => [...map.entries()].filter(([, n]) => n > 1).slice(0, 30).map(([id, n]) => {
          const e = generated.get(id);
          return `${id} ×${n} ${e?.iotId} ${e?.late ? 'late' : 'on time'} raised at ${Math.round((e?.at ?? 0) - started)} ms`;
        });
        console.log(`      timeline:\n        ${timeline.join('\n        ')}`);
        console.log(`      duplicates (listed):\n        ${twice(delivered.a).join('\n        ')}`);
        console.log(`      duplicates (every):\n        ${twice(delivered.b).join('\n        ')}`);
      }
      assert.equal(generated.size, target + probes);
      assert.deepEqual(missingA.slice(0, 10), [], `listed cameras: ${missingA.length} events missing`);
      assert.deepEqual(missingB.slice(0, 10), [], `every camera: ${missingB.length} events missing`);
      assert.equal(figures.duplicates, 0, 'no event delivered twice');
      assert.deepEqual(unexpected, [], 'nothing delivered that was not generated');
      for (const code of Object.keys(caught)) assert.ok(DOCUMENTED_CODES.has(code), `caught ${code}`);
      assert.ok(Object.keys(faultsApplied).length >= (FULL ? names.length : 5), `faults mixed in: ${JSON.stringify(faultsApplied)}`);
      if (pushOn) {
        // Every push fault was mixed in and took effect at the emulator ...
        for (const name of ['dropped pushes', 'duplicated pushes', 'delayed pushes', 'early pushes', 'broker disconnect', 'refused logins']) {
          if (!skipped.includes(name)) assert.ok(faultsApplied[name] > 0, `${name} mixed in: ${JSON.stringify(faultsApplied)}`);
        }
        if (!skipped.includes('dropped pushes')) assert.ok(pushCounts.dropped > 0, `pushes dropped: ${JSON.stringify(pushCounts)}`);
        if (!skipped.includes('duplicated pushes')) assert.ok(pushCounts.duplicated > 0, `pushes duplicated: ${JSON.stringify(pushCounts)}`);
        if (!skipped.includes('refused logins')) assert.ok(pushCounts.refused > 0, `logins refused: ${JSON.stringify(pushCounts)}`);
        assert.ok(pushCounts.connections >= 3, `the nodes logged in again after disconnects and restarts: ${JSON.stringify(pushCounts)}`);
        assert.ok(pushCounts.sent >= generated.size / 3, `pushes sent for a good share of the events: ${JSON.stringify(pushCounts)}`);
        // ... and push did the work: after the storm, every quiet event came well before a poll could have found it.
        assert.equal(delays.probes.length, probes + Math.min(probes, watchedByA), 'every probe delivered to both nodes');
        assert.ok(max(delays.probes) <= PUSH_FAST_MS, `probes delivered within ${PUSH_FAST_MS} ms (slowest ${max(delays.probes)} ms)`);
      }
      crashes.assertClean();
    } finally {
      clearInterval(statusTimer);
      nodeRedHooks.remove(RECEIVE_HOOK);
      clock.uninstall();
      if (loaded) await helper.unload();
      crashes.uninstall();
      if (emulator.up) await collectEmulatorSecrets({ url: emulator.url, appSecret: APP_SECRET, refreshToken: 'demo-refresh-token', authCode: 'demo-auth-code' }).catch(() => undefined);
      await emulator.stop();
      evidence.captureFiles(userDir, 'on-event user directory');
      fs.rmSync(userDir, { recursive: true, force: true });
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });

  /**
   * One camera, one on-event node (default overlap, 5 min); the local clock is set to each of `skews` in
   * turn for 3 s, then right again (NTP); an event is raised every 500 ms from the first jump until
   * `afterMs` past the correction. Returns each event's delay from being raised to being delivered.
   */
  async function clockRun(skews: number[], afterMs: number, waitMs: number): Promise<{ delays: Map<string, number>; lost: string[] }> {
    crashes.install();
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-onevent-skew-'));
    helper.settings({ userDir });
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-onevent-skew-emulator-'));
    const emulator = new EmulatorProcess(await freePort(), path.join(stateDir, 'state.json'), 2);
    await emulator.start();
    const account = accountNode(emulator.url, { id: 'skew-account', credentials: { appKey: 'demo-app-key', appSecret: APP_SECRET, identityId: 'demo-identity', refreshToken: 'demo-refresh-token' } });
    const flow = [
      { id: 'skew-tab', type: 'tab' },
      account.node,
      { id: 'skew-node', type: 'link-visual-on-event', z: 'skew-tab', x: 1, y: 1, account: 'skew-account', devices: 'demo-camera-1', interval: 1, startup: 'new', wires: [['skew-sink'], ['skew-sink']] },
      { id: 'skew-sink', type: 'helper', z: 'skew-tab', x: 2, y: 2 },
    ];
    const clock = new ClockSkew().install();
    const raised = new Map<string, number>();
    const delays = new Map<string, number>();
    let raising = true;
    try {
      await helper.load([catchNode, ...allNodeModules()], flow, account.credentials);
      (helper.getNode('skew-sink') as TestNode).on('input', ((msg: Msg) => {
        const id = String((msg.payload as Msg).eventId);
        assert.ok(!delays.has(id), `${id} delivered twice`);
        delays.set(id, realNow() - (raised.get(id) ?? realNow()));
      }) as (...args: never[]) => void);
      await sleep(2500);
      const raise = (async () => {
        while (raising) {
          const answer = await control(emulator, 'events', { iotId: 'demo-camera-1', picture: false, recording: false });
          raised.set(String(answer.eventId), realNow());
          await sleep(500);
        }
      })();
      for (const skew of skews) {
        clock.set(skew);
        await sleep(3000);
      }
      clock.set(0);
      await sleep(afterMs);
      raising = false;
      await raise;
      await sleep(waitMs);
      const lost = [...raised.keys()].filter((id) => !delays.has(id));
      const sorted = [...delays.values()].sort((a, b) => a - b);
      report('on-event clock', { skewsS: skews.map((ms) => ms / 1000), raised: raised.size, delivered: delays.size, notDelivered: lost.length, delayP50Ms: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0), delayMaxMs: Math.round(sorted.at(-1) ?? 0) });
      return { delays, lost };
    } finally {
      raising = false;
      clock.uninstall();
      await helper.unload();
      crashes.uninstall();
      await emulator.stop();
      fs.rmSync(userDir, { recursive: true, force: true });
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  }

  // The cursor's position and every query window are the server's time (learned from the answers' Date
  // headers), and the poll schedule runs on the monotonic clock: a local clock that is fast, slow, or set
  // by NTP, by more than the overlap but inside the gateway's window, neither loses events nor stalls.
  it('keeps every event, on time, when the local clock runs 10 minutes fast, then 10 minutes slow, and is set right', async () => {
    const { delays, lost } = await clockRun([600_000, -600_000], 4000, 4000);
    assert.deepEqual(lost, [], `${lost.length} events never delivered`);
    const late = [...delays.entries()].filter(([, ms]) => ms > 5000);
    assert.deepEqual(late, [], 'every event within 5 s of being raised (interval 1 s)');
  });
});
