/**
 * The timeline widget fed by link-visual-push: a pushed alarm carries no eventId, so the widget looks
 * the event up with its account (event/query around the pushed time, again while the cloud has not
 * indexed it); other pushes (status, properties) are left alone; without an account a pushed alarm is
 * a clear error. The dashboard's ui-group is stood in for by a node that hands each message to the
 * widget's beforeSend and records what the browsers would get, as Dashboard 2's group does.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type EmulatorHandle } from '../../lib/emulator';
import { eventsOfPush } from '../../lib/events/pushed-event-lookup';
import type { LinkVisualClient } from '../../lib/client/client';
import { control, inject, until } from '../events/helpers';
import { accountNode, callsOf, helper, packageNodes, statusOf, type TestNode } from '../helpers/node-red';

type Msg = Record<string, unknown>;
type Card = { eventId: string; iotId: string };
const QUERY_PATH = '/vision/customer/event/query';

/** What the stand-in group saw leave the widget: the cards of every message and publish. */
const sent: Card[][] = [];

/** A ui-group as far as the widget uses it: register, getBase (stores, emit), and input → beforeSend. */
function fakeDashboard(RED: { nodes: { createNode(node: unknown, def: unknown): void; registerType(type: string, ctor: unknown): void } }): void {
  function Group(this: Record<string, unknown>, def: unknown): void {
    RED.nodes.createNode(this, def);
    const record = (msg: Msg) => sent.push(((msg.payload as { cards?: Card[] } | undefined)?.cards ?? []).map(({ eventId, iotId }) => ({ eventId, iotId })));
    const base = { stores: { data: { save: () => undefined } }, emit: (_event: string, msg: Msg) => record(msg) };
    this.getBase = () => base;
    this.register = (widget: { on(event: string, listener: (msg: Msg) => void): void }, _config: unknown, events: { beforeSend(msg: Msg): Msg }) => {
      widget.on('input', (msg) => record(events.beforeSend(msg)));
    };
  }
  RED.nodes.registerType('ui-group', Group);
}

const latestCards = (): Card[] => sent[sent.length - 1] ?? [];

describe('dashboard timeline fed by link-visual-push', function () {
  this.timeout(60_000);
  let emulator: EmulatorHandle;
  let userDir: string;

  before(async () => {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-push-timeline-'));
    helper.settings({ userDir });
    emulator = await startEmulator({ port: 0, cameras: 3, amqpPort: 0 });
  });
  after(async () => {
    await emulator.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await helper.unload();
    await control(emulator, 'push', { early: false });
    sent.length = 0;
  });

  async function load(widget: Msg): Promise<void> {
    const account = accountNode(emulator.url, { rateLimit: 100 });
    const flow = [
      { id: 'tab', type: 'tab', label: 'push timeline' },
      { ...account.node, push: true, pushEndpoint: emulator.amqpUrl },
      { id: 'group', type: 'ui-group', name: 'cameras' },
      { id: 'push', type: 'link-visual-push', z: 'tab', account: 'account', wires: [['timeline']] },
      { id: 'timeline', type: 'ui-link-visual-events', z: 'tab', group: 'group', account: 'account', historyHours: '0', maxEvents: '20', wires: [], ...widget },
    ];
    await helper.load([fakeDashboard, ...packageNodes()], flow, account.credentials);
    const push = helper.getNode('push') as TestNode;
    await until(() => statusOf(push).fill === 'green', 10_000, `the push node connected (status ${JSON.stringify(statusOf(push))})`);
  }

  it('shows each pushed alarm as its event (looked up by device and time), once, and leaves status pushes alone', async () => {
    await load({ devices: 'demo-camera-1 demo-camera-2' });
    const widget = helper.getNode('timeline') as TestNode;
    // Status and property pushes (all kinds are on) are not events: no error, no card.
    widget.receive({ topic: '/as/mqtt/status/pk/dn', payload: { iotId: 'demo-camera-2', kind: 'status', identifier: 'status', time: Date.now(), value: 'offline' } });
    widget.receive({ topic: '/sys/pk/dn/thing/event/property/post', payload: { iotId: 'demo-camera-1', kind: 'property', identifier: 'property', time: Date.now(), value: {} } });
    const first = await inject(emulator, { iotId: 'demo-camera-1' });
    await until(() => latestCards().some((card) => card.eventId === first), 10_000, 'the pushed event as a card');
    // Early pushes: the alarm arrives before the cloud lists its event; the widget asks again.
    await control(emulator, 'push', { early: true });
    const second = await inject(emulator, { iotId: 'demo-camera-2' });
    const third = await inject(emulator, { iotId: 'demo-camera-1' });
    await until(() => [second, third].every((id) => latestCards().some((card) => card.eventId === id)), 15_000, 'the early-pushed events as cards');
    // A camera the widget does not watch: its pushes are not looked up.
    const queries = emulator.stats().byPath[QUERY_PATH] ?? 0;
    await inject(emulator, { iotId: 'demo-camera-3' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(emulator.stats().byPath[QUERY_PATH] ?? 0, queries, 'no lookup for an unwatched camera');
    const cards = latestCards();
    assert.deepEqual(cards.map((card) => card.eventId).sort(), [first, second, third].sort(), 'each event once');
    assert.deepEqual(callsOf(widget, 'error'), [], 'no error for status or property pushes');
  });

  it('says clearly that a pushed alarm needs the widget\'s account, and keeps going', async () => {
    await load({ account: '' });
    const widget = helper.getNode('timeline') as TestNode;
    widget.receive({ payload: { iotId: 'demo-camera-1', kind: 'event', identifier: 'AlarmEvent', time: Date.now(), value: {} } });
    await until(() => callsOf(widget, 'error').length > 0, 5000, 'an error');
    const [, msg] = callsOf(widget, 'error')[0].args as [unknown, Msg];
    assert.deepEqual({ ...(msg.error as Msg), message: undefined }, { code: 'CONFIG', message: undefined, retryable: false });
    assert.match(String((msg.error as Msg).message), /Account/);
    // An on-event message still shows without an account.
    widget.receive({ payload: { iotId: 'demo-camera-1', eventId: 'e-1', eventType: 1, eventTime: Date.now() } });
    await until(() => latestCards().some((card) => card.eventId === 'e-1'), 5000, 'the on-event card');
  });
});

describe('eventsOfPush', () => {
  function fakeClient(answers: unknown[][]): { client: LinkVisualClient; asked: Msg[] } {
    const asked: Msg[] = [];
    const client = {
      serverNow: () => 1_700_000_100_000,
      list: async (_operation: string, params: Msg) => {
        asked.push(params);
        return answers[Math.min(asked.length - 1, answers.length - 1)];
      },
    } as unknown as LinkVisualClient;
    return { client, asked };
  }
  const at = 1_700_000_000_000;
  const listed = (eventId: string, time: number) => ({ eventId, eventType: 1, eventTime: String(time) });

  it('asks around the pushed time, again while the event is not listed, and returns only new events, oldest first', async () => {
    const { client, asked } = fakeClient([[], [listed('old', at - 30_000)], [listed('old', at - 30_000), listed('new', at + 1000), listed('newer', at + 2000)]]);
    const found = await eventsOfPush(client, { iotId: 'cam', time: at }, { retryDelaysMs: [1, 1, 1, 1], isKnown: (event) => event.eventId === 'old' });
    assert.deepEqual(found.map((event) => event.eventId), ['new', 'newer']);
    assert.equal(asked.length, 3, 'stops once an event near the pushed time is listed');
    assert.equal(asked[0].iotId, 'cam');
    assert.ok(Number(asked[0].beginTime) <= at - 30_000 && Number(asked[0].endTime) >= at + 5000, JSON.stringify(asked[0]));
  });

  it('gives up after its retries with what it found, and stops at once when aborted', async () => {
    const { client, asked } = fakeClient([[listed('far', at - 50_000)]]);
    assert.deepEqual((await eventsOfPush(client, { iotId: 'cam', time: at }, { retryDelaysMs: [1, 1] })).map((event) => event.eventId), ['far']);
    assert.equal(asked.length, 3);
    const aborted = new AbortController();
    const pending = eventsOfPush(client, { iotId: 'cam', time: at }, { retryDelaysMs: [60_000], signal: aborted.signal });
    setTimeout(() => aborted.abort(), 20);
    await assert.rejects(pending, { code: 'ABORTED' });
  });
});
