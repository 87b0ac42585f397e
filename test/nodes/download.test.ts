import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLOUD_LIKE_VARIANTS } from '../../lib/emulator';
import { dateParts } from '../../lib/media/path-template';
import { MessageQueue, accountNode, exchange, helper, packageNodes, tempUserDir, type TestNode } from '../helpers/node-red';
import { CAMERA, expectedSha256, fileSha256, listFiles, openSockets, startRecordingWorld, type RecordingWorld } from '../media/helpers';

/* eslint-disable @typescript-eslint/no-require-imports */
const catchNode = require('@node-red/nodes/core/common/25-catch.js') as unknown;
const completeNode = require('@node-red/nodes/core/common/24-complete.js') as unknown;
/* eslint-enable @typescript-eslint/no-require-imports */

const SIZE = 2_000_000;
type Msg = Record<string, unknown>;

function statusTexts(node: TestNode): string[] {
  return node.status.getCalls().map((call) => String((call.args[0] as { text?: string }).text ?? ''));
}

function errorOf(msg: Msg | undefined): { code: string; message: string } {
  assert.ok(msg, 'an error reached the Catch node');
  return msg.error as { code: string; message: string };
}

interface Loaded {
  node: TestNode;
  sink: MessageQueue;
  progress: MessageQueue;
  completed: MessageQueue;
}

// The emulator as it starts by default, and in its most cloud-like settings (one login on, too).
for (const form of [{ name: 'default answers', variants: {} }, { name: 'cloud-like answers', variants: CLOUD_LIKE_VARIANTS }] as const)
describe(`link-visual-download node (${form.name})`, function () {
  this.timeout(60_000);
  let world: RecordingWorld;
  let userDir: { dir: string; remove: () => void };
  let dir: string;
  let sha: string;

  before(async () => {
    userDir = tempUserDir();
    world = await startRecordingWorld({ mp4Size: SIZE, ...form.variants });
    sha = expectedSha256(SIZE);
  });
  after(async () => {
    await world.close();
    userDir.remove();
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-download-node-'));
  });
  afterEach(async () => {
    await helper.unload();
    await world.control('faults/clear');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function load(settings: Record<string, unknown> = {}, url = world.emulator.url): Promise<Loaded> {
    const account = accountNode(url);
    const flow = [
      { id: 'tab', type: 'tab', label: 'download' },
      account.node,
      { id: 'dl', type: 'link-visual-download', z: 'tab', x: 100, y: 100, account: 'account', target: 'file', directory: dir, wires: [['sink'], ['progress']], ...settings },
      { id: 'catcher', type: 'catch', z: 'tab', x: 100, y: 200, scope: ['dl'], uncaught: false, wires: [['sink']] },
      { id: 'completion', type: 'complete', z: 'tab', x: 100, y: 300, scope: ['dl'], uncaught: false, wires: [['completed']] },
      { id: 'sink', type: 'helper', z: 'tab', x: 300, y: 100 },
      { id: 'progress', type: 'helper', z: 'tab', x: 300, y: 150 },
      { id: 'completed', type: 'helper', z: 'tab', x: 300, y: 300 },
    ];
    await helper.load([catchNode, completeNode, ...packageNodes()], flow, account.credentials);
    return {
      node: helper.getNode('dl') as TestNode,
      sink: new MessageQueue(helper.getNode('sink') as TestNode),
      progress: new MessageQueue(helper.getNode('progress') as TestNode),
      completed: new MessageQueue(helper.getNode('completed') as TestNode),
    };
  }

  async function drain(queue: MessageQueue, settleMs = 300): Promise<Msg[]> {
    const messages: Msg[] = [];
    for (;;) {
      try {
        messages.push(await queue.next(settleMs));
      } catch {
        return messages;
      }
    }
  }

  it('saves a recording to a file: msg.payload is the path, msg.file describes it, status shows transcode then download', async () => {
    const { fileName, time } = await world.record();
    const { node, sink, progress, completed } = await load();
    const { output } = await exchange(node, { payload: { iotId: CAMERA, fileName, beginTimeUTC: new Date(time).toISOString().replace(/\.\d+Z$/, 'Z') }, topic: 'clip' }, sink);
    assert.ok(output);
    const expected = path.join(dir, CAMERA, dateParts(new Date(Math.floor(time / 1000) * 1000)).date, `${fileName}.mp4`);
    assert.equal(output.payload, expected);
    assert.deepEqual(output.file, { path: expected, size: SIZE, contentType: 'video/mp4', durationMs: 2000, skipped: false });
    assert.equal(output.topic, 'clip', 'the message keeps its other properties');
    const linkVisual = output.linkVisual as Record<string, unknown>;
    assert.equal(linkVisual.operation, 'download');
    assert.equal(linkVisual.fileName, fileName);
    assert.equal(typeof linkVisual.durationMs, 'number');
    assert.equal(await fileSha256(expected), sha);
    assert.deepEqual(listFiles(dir), [path.relative(dir, expected).split(path.sep).join('/')]);

    const phases = (await drain(progress)).map((msg) => (msg.payload as { phase: string }).phase);
    assert.deepEqual(phases.slice(0, 2), ['queued', 'started']);
    assert.ok(phases.indexOf('transcode') < phases.indexOf('download'), phases.join(' '));
    assert.equal(phases.at(-1), 'done');
    const texts = statusTexts(node);
    const transcode = texts.findIndex((t) => /^transcode \d+%/.test(t));
    const download = texts.findIndex((t) => /^download \d+%/.test(t));
    assert.ok(transcode >= 0 && download > transcode, texts.join(' | '));
    assert.match(texts.at(-1) ?? '', /MB in \d/);
    assert.equal((await drain(completed)).length, 1, 'done once');
  });

  it('keeps a Buffer in buffer mode with contentType and filename, and refuses one over maxBufferMB', async () => {
    const { fileName } = await world.record();
    const { node, sink } = await load({ target: 'buffer', directory: '', maxBufferMB: 5 });
    const { output } = await exchange(node, { payload: { iotId: CAMERA, fileName } }, sink);
    assert.ok(output && Buffer.isBuffer(output.payload));
    assert.equal((output.payload as Buffer).length, SIZE);
    assert.equal(output.contentType, 'video/mp4');
    assert.equal(output.filename, `${fileName}.mp4`);
    await helper.unload();
    const small = await load({ target: 'buffer', maxBufferMB: 1 });
    const { error } = await exchange(small.node, { payload: { iotId: CAMERA, fileName } }, small.sink);
    assert.equal(errorOf(error).code, 'TOO_LARGE');
  });

  it('takes an on-event message ({iotId, eventId, eventTime}) and names the file with {eventId}', async () => {
    const { eventId, fileName, time } = await world.record();
    const { node, sink } = await load({ path: 'events/{date}/{time} {eventId}.mp4' });
    const { output } = await exchange(node, { payload: { eventId, iotId: CAMERA, eventType: 1, eventTime: time }, topic: `link-visual/${CAMERA}/motion` }, sink);
    assert.ok(output);
    const { date, time: clock } = dateParts(new Date(time));
    assert.equal(output.payload, path.join(dir, 'events', date, `${clock} ${eventId}.mp4`));
    assert.equal((output.linkVisual as Msg).fileName, fileName);
    assert.equal((output.linkVisual as Msg).eventId, eventId);
  });

  it('downloads an array in order with the node concurrency: one output per item, one done', async () => {
    const recordings = [];
    for (let i = 0; i < 5; i += 1) recordings.push(await world.record());
    const { node, sink, progress, completed } = await load({ concurrency: 2, path: '{fileName}.mp4' });
    // A record/query list carries no iotId: msg.iotId gives it.
    node.receive({ iotId: CAMERA, payload: recordings.map((r) => ({ fileName: r.fileName })) });
    const outputs: Msg[] = [];
    for (let i = 0; i < 5; i += 1) outputs.push(await sink.next(20_000));
    assert.deepEqual(outputs.map((msg) => (msg.linkVisual as Msg).index).sort(), [0, 1, 2, 3, 4]);
    assert.deepEqual(new Set(outputs.map((msg) => msg.payload)), new Set(recordings.map((r) => path.join(dir, `${r.fileName}.mp4`))));
    const events = await drain(progress);
    let active = 0;
    let most = 0;
    const started: number[] = [];
    for (const msg of events) {
      const { phase, index } = msg.payload as { phase: string; index: number };
      if (phase === 'started') {
        assert.ok(!started.includes(index), `item ${index} started once`);
        started.push(index);
        active += 1;
        most = Math.max(most, active);
      }
      if (phase === 'done' || phase === 'failed') active -= 1;
    }
    assert.equal(most, 2, 'two at a time, never more');
    assert.deepEqual(started, [0, 1, 2, 3, 4], 'started in order');
    assert.equal((await drain(completed)).length, 1, 'one done for the message');
  });

  it('takes a record/query page ({recordFileList}) as its list, one item at a time by default', async () => {
    const a = await world.record();
    const b = await world.record();
    const { node, sink } = await load({ target: 'buffer', maxBufferMB: 5 });
    node.receive({ iotId: CAMERA, payload: { recordFileList: [{ fileName: a.fileName }, { fileName: b.fileName }], nextValid: false } });
    const first = await sink.next();
    const second = await sink.next();
    assert.deepEqual([first.filename, second.filename], [`${a.fileName}.mp4`, `${b.fileName}.mp4`], 'in order');
    assert.deepEqual([(first.linkVisual as Msg).index, (second.linkVisual as Msg).count], [0, 2]);
  });

  it('routes failures to a Catch node with a structured msg.error: transcode failure, bad ids, traversal', async () => {
    const { fileName } = await world.record();
    const { node, sink } = await load({ retries: 0 });
    await world.control('transcode-failures', { fileName });
    const failed = await exchange(node, { payload: { iotId: CAMERA, fileName } }, sink);
    const error = errorOf(failed.error);
    assert.equal(error.code, 'MEDIA');
    assert.match(error.message, /status 2\b/);
    const structured = (failed.error as Msg)._error as Msg; // the msg.error the node set, kept by the Catch node
    assert.equal(structured.code, 'MEDIA');
    assert.equal(structured.retryable, true);

    await world.control('faults', { path: '/_media/download/*', mode: 'reset', afterBytes: 500_000, times: 1 });
    const dropped = await exchange(node, { payload: { iotId: CAMERA, fileName: (await world.record()).fileName } }, sink);
    assert.equal(errorOf(dropped.error).code, 'NETWORK', 'retries 0: a dropped connection fails cleanly');

    const requests = world.emulator.stats().requests;
    for (const payload of [{ iotId: CAMERA, fileName: '../../../etc/passwd' }, { iotId: '/etc', fileName }, { iotId: CAMERA }, 'a string', { fileName }]) {
      const { error: refused } = await exchange(node, { payload }, sink);
      assert.equal(errorOf(refused).code, 'INVALID_PARAMS', JSON.stringify(payload));
    }
    assert.equal(world.emulator.stats().requests, requests, 'invalid input never reached the network');
    assert.deepEqual(listFiles(dir), []);
    assert.equal(statusTexts(node).at(-1), 'invalid input');
  });

  for (const numberForm of ['string', 'number'] as const) {
    it(`with vod/cloudfile/get numbers sent as ${numberForm}s: saves a recording, and reports a failed transcode at once, not at the transcode timeout`, async () => {
      await world.control('variants', { numberForm });
      try {
        const { node, sink } = await load({ retries: 0, transcodeTimeout: 60, path: '{fileName}.mp4' });
        const good = await world.record();
        const { output } = await exchange(node, { payload: { iotId: CAMERA, fileName: good.fileName } }, sink);
        assert.ok(output, 'a normal download succeeds');
        assert.equal(await fileSha256(output.payload as string), sha);
        const probe = (await world.client.call('getDownloadUrl', { iotId: CAMERA, fileName: good.fileName })) as Msg;
        assert.equal(typeof probe.status, numberForm, 'the emulator answered in the form under test');
        assert.equal(typeof probe.progress, numberForm);

        const bad = await world.record();
        await world.control('transcode-failures', { fileName: bad.fileName });
        const started = Date.now();
        const failed = await exchange(node, { payload: { iotId: CAMERA, fileName: bad.fileName } }, sink, 10_000);
        const elapsed = Date.now() - started;
        const error = errorOf(failed.error);
        assert.equal(error.code, 'MEDIA');
        assert.match(error.message, /status 2\b/);
        assert.ok(elapsed < 5_000, `reported after ${elapsed} ms, long before the 60 s transcode timeout`);
        assert.deepEqual(listFiles(dir), [`${good.fileName}.mp4`], 'nothing saved for the failed one');
      } finally {
        await world.control('variants', { numberForm: 'string' });
      }
    });
  }

  it('reports each failed item of an array on its own while the others are saved', async () => {
    const good = await world.record();
    const bad = await world.record();
    await world.control('transcode-failures', { fileName: bad.fileName });
    const { node, sink, completed } = await load({ path: '{fileName}.mp4' });
    node.receive({ payload: [{ iotId: CAMERA, fileName: good.fileName }, { iotId: CAMERA, fileName: bad.fileName }, { iotId: CAMERA, fileName: '..' }] });
    const messages = [await sink.next(), await sink.next(), await sink.next()];
    const errors = messages.filter((msg) => (msg.error as { source?: unknown } | undefined)?.source);
    const outputs = messages.filter((msg) => !errors.includes(msg));
    assert.equal(outputs.length, 1);
    assert.equal(outputs[0].payload, path.join(dir, `${good.fileName}.mp4`));
    assert.deepEqual(errors.map((msg) => (msg.error as { code: string }).code).sort(), ['INVALID_PARAMS', 'MEDIA']);
    const mediaError = errors.find((msg) => (msg.error as { code: string }).code === 'MEDIA');
    assert.deepEqual(mediaError?.payload, { iotId: CAMERA, fileName: bad.fileName }, 'the failed item comes with its error');
    assert.equal((await drain(completed)).length, 1);
    assert.match(statusTexts(node).at(-1) ?? '', /1 of 3 done, 2 failed/);
  });

  it('overwrite "never" outputs the existing file without downloading it again', async () => {
    const { fileName } = await world.record();
    const { node, sink } = await load({ overwrite: 'never', path: '{fileName}.mp4' });
    const first = await exchange(node, { payload: { iotId: CAMERA, fileName } }, sink);
    assert.equal((first.output?.file as Msg).skipped, false);
    const transcodes = world.calls('/vision/customer/vod/cloudfile/get');
    const second = await exchange(node, { payload: { iotId: CAMERA, fileName } }, sink);
    assert.equal((second.output?.file as Msg).skipped, true);
    assert.equal(world.calls('/vision/customer/vod/cloudfile/get'), transcodes);
    assert.match(statusTexts(node).at(-1) ?? '', /exists, kept/);
  });

  it('refuses bad settings with a red status and INVALID_PARAMS', async () => {
    const { node, sink } = await load({ directory: '', path: '../{fileName}' });
    assert.equal(statusTexts(node)[0], 'invalid settings');
    const { error } = await exchange(node, { payload: { iotId: CAMERA, fileName: 'x' } }, sink);
    assert.equal(errorOf(error).code, 'INVALID_PARAMS');
  });

  it('ignores an empty list (nothing to download, one done)', async () => {
    const { node, sink, completed } = await load();
    node.receive({ payload: [] });
    assert.equal((await drain(completed)).length, 1);
    assert.equal((await drain(sink, 200)).length, 0);
  });
});

describe('link-visual-download node: cancellation on redeploy', function () {
  this.timeout(60_000);

  it('leaves no .part file, no output, no error and no open socket', async () => {
    const userDir = tempUserDir();
    const world = await startRecordingWorld({ mp4Size: 2_000_000_000 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-download-node-'));
    try {
      const { fileName } = await world.record();
      const account = accountNode(world.emulator.url);
      const flow = [
        { id: 'tab', type: 'tab' },
        account.node,
        { id: 'dl', type: 'link-visual-download', z: 'tab', x: 1, y: 1, account: 'account', directory: dir, wires: [['sink'], ['progress']] },
        { id: 'catcher', type: 'catch', z: 'tab', x: 1, y: 2, scope: null, uncaught: false, wires: [['sink']] },
        { id: 'sink', type: 'helper', z: 'tab', x: 2, y: 1 },
        { id: 'progress', type: 'helper', z: 'tab', x: 2, y: 2 },
      ];
      await new Promise((resolve) => setTimeout(resolve, 1200)); // let the control call's keep-alive socket settle
      const before = openSockets();
      await helper.load([catchNode, ...packageNodes()], flow, account.credentials);
      const sink = new MessageQueue(helper.getNode('sink') as TestNode);
      const progress = new MessageQueue(helper.getNode('progress') as TestNode);
      (helper.getNode('dl') as TestNode).receive({ payload: { iotId: CAMERA, fileName } });
      for (;;) {
        const msg = await progress.next(20_000);
        if ((msg.payload as { phase: string }).phase === 'download') break;
      }
      const part = () => listFiles(dir).find((name) => name.endsWith('.part'));
      const deadline = Date.now() + 10_000;
      while (!(part() && fs.statSync(path.join(dir, part() as string)).size > 0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.ok(part(), 'the download was under way in a .part file');
      const during = openSockets();
      await helper.unload();
      assert.deepEqual(listFiles(dir), [], 'no .part file once the node is closed');
      assert.equal(sink.size, 0, 'a redeploy reports nothing');
      await new Promise((resolve) => setTimeout(resolve, 1200)); // undici's coarse timer stops once idle
      const after = openSockets();
      assert.ok(after < during, `sockets closed (${during} while downloading, ${after} after)`);
      assert.ok(after <= before, `no socket left open (${before} before, ${after} after)`);
    } finally {
      await helper.load([], [{ id: 'tab', type: 'tab' }]);
      await helper.unload();
      await world.close();
      fs.rmSync(dir, { recursive: true, force: true });
      userDir.remove();
    }
  });
});
