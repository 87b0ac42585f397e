import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmulator } from '../../lib/emulator';
import { MessageQueue, helper, packageNodes, tempUserDir, type TestNode } from '../helpers/node-red';

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
type Msg = Record<string, unknown>;
type FlowNode = Record<string, unknown> & { id: string; type: string };

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');
const core = (file: string): unknown => require(require.resolve(`@node-red/nodes/core/${file}`)); // eslint-disable-line @typescript-eslint/no-require-imports
const CORE_NODES = [
  'common/20-inject.js',
  'common/25-catch.js',
  'common/25-status.js',
  'common/90-comment.js',
  'function/10-function.js',
  'function/10-switch.js',
  'function/15-change.js',
  'function/89-trigger.js',
  'sequence/17-split.js',
].map(core);
// Dashboard 2's config nodes, for the example that puts events on a dashboard page.
const DASHBOARD_NODES = ['ui_base', 'ui_page', 'ui_group', 'ui_theme'].map((name) => require(require.resolve(`@flowfuse/node-red-dashboard/nodes/config/${name}.js`))); // eslint-disable-line @typescript-eslint/no-require-imports

/** What a scenario does to an example and what it expects to see at a debug node. */
interface Scenario {
  readonly example: string;
  /** Steps run in order after deploy. */
  readonly steps: readonly (
    | { inject: string }
    | { event: { iotId: string; picture?: boolean; recording?: boolean; eventTime?: number } }
    | { expect: string; check: (msg: Msg) => void; within?: number }
    | { plan: 'event' }
    | { wait: number }
  )[];
}

function yesterdayNoon(): number {
  const day = new Date();
  day.setHours(0, 0, 0, 0);
  return day.getTime() - 12 * 3600 * 1000;
}

const isJpeg = (value: unknown) => Buffer.isBuffer(value) && value[0] === 0xff && value[1] === 0xd8;

const scenarios: Scenario[] = [
  {
    example: '00-demo-at-a-glance',
    steps: [
      { expect: 'demo-debug-plan', check: (msg) => assert.ok(Array.isArray(msg.payload) && msg.payload.length === 2) },
      { event: { iotId: 'demo-camera-1', picture: true, recording: true } },
      { expect: 'demo-debug-event', check: (msg) => assert.ok(isJpeg(msg.image), 'the alert image is a JPEG Buffer') },
      { expect: 'demo-debug-file', check: (msg) => assert.ok(fs.statSync(String(msg.payload)).size > 0), within: 40_000 },
      { inject: 'demo-snap-inject' },
      { expect: 'demo-debug-snap', check: (msg) => assert.ok(isJpeg(msg.payload)) },
    ],
  },
  {
    example: '01-motion-alert-image-cooldown',
    steps: [
      { event: { iotId: 'demo-camera-2', picture: true } },
      { expect: 'ex01-notify', check: (msg) => assert.ok(isJpeg((msg.payload as Msg).content)) },
    ],
  },
  {
    example: '02-night-motion-light',
    steps: [
      { inject: 'ex02-night' },
      { event: { iotId: 'demo-camera-1' } },
      { expect: 'ex02-light', check: (msg) => assert.equal(msg.payload, 'on') },
    ],
  },
  {
    example: '03-motion-clip-download-send',
    steps: [
      { plan: 'event' },
      { event: { iotId: 'demo-camera-1', recording: true } },
      { expect: 'ex03-send-clip', check: (msg) => assert.ok((msg.file as { size: number }).size > 0), within: 40_000 },
    ],
  },
  {
    example: '04-presence-recording-plans',
    steps: [
      { inject: 'ex04-away' },
      { expect: 'ex04-result', check: (msg) => assert.deepEqual((msg.payload as { action: string }[]).map((r) => r.action), ['bound', 'bound']) },
      { inject: 'ex04-away' },
      { expect: 'ex04-result', check: (msg) => assert.deepEqual((msg.payload as { action: string }[]).map((r) => r.action), ['unchanged', 'unchanged']) },
      { inject: 'ex04-home' },
      { expect: 'ex04-unbound', check: (msg) => assert.equal((msg.linkVisual as { path: string }).path, '/vision/customer/eventrecord/plan/unbind') },
    ],
  },
  {
    example: '05-nightly-archive',
    steps: [
      { plan: 'event' },
      { event: { iotId: 'demo-camera-1', recording: true, eventTime: yesterdayNoon() } },
      { inject: 'ex05-nightly' },
      { expect: 'ex05-done', check: (msg) => assert.equal((msg.payload as { deletedCount: number }).deletedCount, 1), within: 40_000 },
    ],
  },
  {
    example: '06-door-sensor-snapshot-recording',
    steps: [
      { plan: 'event' },
      { inject: 'ex06-door' },
      { expect: 'ex06-recording', check: (msg) => assert.equal(typeof (msg.payload as Msg).recordId, 'string') },
      { expect: 'ex06-photo', check: (msg) => assert.ok(isJpeg(msg.payload)) },
    ],
  },
  {
    example: '07-event-timeline',
    steps: [
      { plan: 'event' },
      { event: { iotId: 'demo-camera-1', recording: true } },
      { expect: 'ex07-list', check: (msg) => assert.equal((msg.payload as unknown[]).length, 1) },
      { wait: 3000 }, // the alert recording (2 s) is complete
      { inject: 'ex07-play' },
      { expect: 'ex07-url', check: (msg) => assert.ok(typeof msg.expiresAt === 'number') },
    ],
  },
  {
    example: '08-health-watchdog',
    steps: [
      { inject: 'ex08-provoke' },
      { expect: 'ex08-alert', check: (msg) => assert.equal((msg.payload as { problem: string }).problem, 'API_ERROR') },
    ],
  },
  {
    example: '09-overlapping-cameras',
    steps: [
      { event: { iotId: 'demo-camera-1', picture: true } },
      { event: { iotId: 'demo-camera-2', picture: true } },
      { expect: 'ex09-notify', check: (msg) => assert.deepEqual([...(msg.payload as { cameras: string[] }).cameras].sort(), ['demo-camera-1', 'demo-camera-2']), within: 45_000 },
    ],
  },
  {
    example: '10-plans-and-bindings',
    steps: [
      { inject: 'ex10-apply' },
      { expect: 'ex10-plan-out', check: (msg) => assert.equal((msg.payload as { action: string }).action, 'created') },
      { inject: 'ex10-list' },
      { expect: 'ex10-list-out', check: (msg) => assert.equal((msg.payload as unknown[]).length, 1) },
      { inject: 'ex10-bind' },
      { expect: 'ex10-bind-out', check: (msg) => assert.equal((msg.payload as { action: string }).action, 'bound') },
      { inject: 'ex10-which' },
      { expect: 'ex10-which-out', check: (msg) => assert.equal((msg.payload as { name: string }).name, 'evenings') },
    ],
  },
  {
    example: '12-push-motion-light-clip',
    steps: [
      { plan: 'event' },
      { event: { iotId: 'demo-camera-1', recording: true } },
      { expect: 'ex12-light', check: (msg) => assert.equal(msg.payload, 'ON'), within: 5000 },
      { expect: 'ex12-pushed', check: (msg) => assert.equal((msg.payload as Msg).kind, 'event') },
      { expect: 'ex12-file', check: (msg) => assert.ok(fs.statSync(String((msg.file as Msg).path)).size > 0), within: 40_000 },
    ],
  },
  {
    example: '13-dashboard-event-timeline',
    steps: [
      { plan: 'event' },
      { event: { iotId: 'demo-camera-2', picture: true, recording: true } },
      { expect: 'ex13-seen', check: (msg) => assert.equal((msg.payload as Msg).iotId, 'demo-camera-2') },
    ],
  },
  {
    example: '11-recordings-pictures-events',
    steps: [
      { inject: 'ex11-go' },
      ...Array.from({ length: 5 }, () => ({ expect: 'ex11-out', check: (msg: Msg) => assert.ok(msg.payload !== undefined) })),
      { inject: 'ex11-ping' },
      { expect: 'ex11-api-out', check: (msg) => assert.equal(msg.payload, 'hello') },
    ],
  },
];

/** Adapts an example to the test: the emulator's endpoint, faster polling, a temp download folder, debug nodes as sinks. */
function prepare(flow: FlowNode[], emulator: Emulator, downloads: string): { flow: FlowNode[]; credentials: Record<string, Record<string, string>> } {
  const credentials: Record<string, Record<string, string>> = {};
  const prepared = flow.map((node) => {
    const copy: FlowNode = { ...node };
    if (copy.type === 'link-visual-config') {
      copy.endpoint = emulator.url;
      copy.rateLimit = '50';
      if (copy.push === true) copy.pushEndpoint = emulator.amqpUrl;
      credentials[copy.id] = { appKey: emulator.appKey, appSecret: emulator.appSecret, identityId: emulator.identityId, refreshToken: emulator.refreshToken };
    }
    if (copy.type === 'link-visual-on-event') copy.interval = '1';
    if (copy.type === 'link-visual-download') copy.directory = downloads;
    if (copy.type === 'debug') return { id: copy.id, type: 'helper', z: copy.z, name: copy.name, x: copy.x, y: copy.y } as FlowNode;
    if (copy.type === 'function') copy.func = String(copy.func).replace('const WINDOW_MS = 30000;', 'const WINDOW_MS = 3000;');
    return copy;
  });
  return { flow: prepared, credentials };
}

async function control(emulator: Emulator, route: string, body: unknown): Promise<Msg> {
  const response = await fetch(`${emulator.url}/_emulator/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.ok(response.ok, `${route}: HTTP ${response.status}`);
  return (await response.json()) as Msg;
}

describe('examples run against the emulator', function () {
  this.timeout(120_000);
  let userDir: { dir: string; remove: () => void };
  let downloads: string;

  before(() => {
    userDir = tempUserDir();
    downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-examples-'));
  });
  after(() => {
    userDir.remove();
    fs.rmSync(downloads, { recursive: true, force: true });
  });

  it('has a scenario for every example, and the examples use every node type of the package', () => {
    const files = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
    assert.deepEqual(files.sort(), scenarios.map((s) => s.example).sort());
    const used = new Set(files.flatMap((f) => (JSON.parse(fs.readFileSync(path.join(EXAMPLES, `${f}.json`), 'utf8')) as FlowNode[]).map((n) => n.type)));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const declared = Object.keys((require('../../package.json') as { 'node-red': { nodes: Record<string, string> } })['node-red'].nodes);
    assert.deepEqual(declared.filter((type) => !used.has(type)), []);
  });

  for (const scenario of scenarios) {
    it(`runs ${scenario.example}`, async () => {
      const emulator = await startEmulator({ port: 0, transcodeMs: 300, captureDelayMs: 100, amqpPort: 0 });
      try {
        const source = JSON.parse(fs.readFileSync(path.join(EXAMPLES, `${scenario.example}.json`), 'utf8')) as FlowNode[];
        const { flow, credentials } = prepare(source, emulator, downloads);
        await helper.load([...CORE_NODES, ...DASHBOARD_NODES, ...packageNodes()], flow, credentials);
        const queues = new Map<string, MessageQueue>();
        for (const node of flow.filter((n) => n.type === 'helper')) queues.set(node.id, new MessageQueue(helper.getNode(node.id) as TestNode));
        for (const step of scenario.steps) {
          if ('inject' in step) (helper.getNode(step.inject) as TestNode).receive({});
          else if ('event' in step) {
            await new Promise((resolve) => setTimeout(resolve, 1500)); // let the poller take its first position
            await control(emulator, 'events', { eventType: 1, picture: false, recording: false, eventTime: Date.now(), ...step.event });
          } else if ('wait' in step) {
            await new Promise((resolve) => setTimeout(resolve, step.wait));
          } else if ('plan' in step) {
            const { LinkVisualClient } = await import('../../lib/client/client');
            const client = new LinkVisualClient({ endpoint: emulator.url, appKey: emulator.appKey, appSecret: emulator.appSecret, auth: { mode: 'session', identityId: emulator.identityId, refreshToken: emulator.refreshToken } });
            const { planId } = (await client.call('setEventPlan', { name: 'alerts', allDay: 1, eventTypeList: [1], recordDuration: 2, preRecordDuration: 0 })) as { planId: string };
            for (const iotId of ['demo-camera-1', 'demo-camera-2']) await client.call('bindEventPlan', { iotId, planId });
            await client.close();
          } else {
            const queue = queues.get(step.expect);
            assert.ok(queue, `debug node ${step.expect} exists`);
            step.check(await queue.next(step.within ?? 20_000));
          }
        }
      } finally {
        await helper.unload();
        await emulator.close();
      }
    });
  }
});
