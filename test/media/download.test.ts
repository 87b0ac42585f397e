import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLOUD_LIKE_VARIANTS } from '../../lib/emulator';
import { LinkVisualError } from '../../lib/gateway/errors';
import { dateParts } from '../../lib/media/path-template';
import { downloadRecording, type DownloadProgress, type FileDownload } from '../../lib/media/download';
import { CAMERA, expectedSha256, fileSha256, listFiles, openSockets, startRecordingWorld, type RecordingWorld } from './helpers';

const SIZE = 3_000_000;
const GET_URL = '/vision/customer/vod/cloudfile/get';

function code(expected: string, pattern?: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof LinkVisualError, String(error));
    assert.equal(error.code, expected, error.message);
    if (pattern) assert.match(error.message, pattern);
    return true;
  };
}

// The emulator as it starts by default, and in its most cloud-like settings (one login on, too).
for (const form of [{ name: 'default answers', variants: {} }, { name: 'cloud-like answers', variants: CLOUD_LIKE_VARIANTS }] as const)
describe(`downloadRecording against the emulator (${form.name})`, function () {
  this.timeout(60_000);
  let world: RecordingWorld;
  let dir: string;
  let sha: string;

  before(async () => {
    world = await startRecordingWorld({ mp4Size: SIZE, ...form.variants });
    sha = expectedSha256(SIZE);
  });
  after(async () => {
    await world.close();
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-download-'));
  });
  afterEach(async () => {
    await world.control('faults/clear');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('saves a recording under the directory by the default template, checked, with progress', async () => {
    const { fileName, time } = await world.record();
    const phases: DownloadProgress[] = [];
    const result = (await downloadRecording(world.client, { iotId: CAMERA, fileName, time }, { kind: 'file', directory: dir }, { onProgress: (p) => phases.push(p) })) as FileDownload;
    const expected = path.join(dir, CAMERA, dateParts(new Date(time)).date, `${fileName}.mp4`);
    assert.equal(result.path, expected);
    assert.equal(result.size, SIZE);
    assert.equal(result.contentType, 'video/mp4');
    assert.equal(result.durationMs, 2000);
    assert.equal(result.skipped, false);
    assert.equal(await fileSha256(expected), sha);
    assert.deepEqual(listFiles(dir), [path.relative(dir, expected).split(path.sep).join('/')], 'no .part file left');
    assert.ok(phases.some((p) => p.phase === 'transcode'), 'transcode progress reported');
    const last = phases.at(-1);
    assert.equal(last?.phase, 'download');
    assert.equal(last?.percent, 100);
    assert.ok((last?.bytesPerSecond ?? 0) > 0);
    const transcodes = phases.filter((p) => p.phase === 'transcode').map((p) => p.percent ?? 0);
    assert.deepEqual([...transcodes].sort((a, b) => a - b), transcodes, 'transcode progress only grows');
  });

  it('keeps a Buffer in buffer mode and refuses one over maxBytes before downloading it', async () => {
    const { fileName } = await world.record();
    const result = await downloadRecording(world.client, { iotId: CAMERA, fileName }, { kind: 'buffer', maxBytes: 10_000_000 });
    assert.equal(result.kind, 'buffer');
    if (result.kind !== 'buffer') return;
    assert.equal(result.buffer.length, SIZE);
    assert.equal(result.filename, `${fileName}.mp4`);
    assert.equal(result.contentType, 'video/mp4');
    assert.equal(result.buffer.toString('latin1', 4, 8), 'ftyp');
    await assert.rejects(downloadRecording(world.client, { iotId: CAMERA, fileName }, { kind: 'buffer', maxBytes: 1_000_000 }), code('TOO_LARGE', /buffer mode/));
  });

  it('expands {iotId} {fileName} {date} {time} {eventId}, creating directories', async () => {
    const { fileName, eventId, time } = await world.record();
    const { date, time: clock } = dateParts(new Date(time));
    const result = (await downloadRecording(
      world.client,
      { iotId: CAMERA, eventId, time },
      { kind: 'file', directory: path.join(dir, 'new', 'base'), path: 'by-event/{iotId}/{date}/{time}_{eventId}_{fileName}.mp4' },
    )) as FileDownload;
    assert.equal(result.path, path.join(dir, 'new', 'base', 'by-event', CAMERA, date, `${clock}_${eventId}_${fileName}.mp4`));
    assert.equal(result.fileName, fileName, 'the event led to its recording');
    assert.equal(await fileSha256(result.path), sha);
  });

  it('waits for an event whose recording shows up late', async () => {
    const { eventId, fileName } = await world.record({ visibleAfterMs: 1200 });
    const waits: string[] = [];
    const result = await downloadRecording(world.client, { iotId: CAMERA, eventId }, { kind: 'buffer', maxBytes: 10_000_000 }, { onProgress: (p) => (p.phase === 'waiting' ? waits.push(p.detail ?? '') : undefined) });
    assert.equal(result.fileName, fileName);
    assert.ok(waits.length >= 2, `waited: ${waits.join('; ')}`);
  });

  it('overwrite never: keeps the existing file and makes no request; always: replaces it; rename: numbers the new one', async () => {
    const { fileName } = await world.record();
    const target = { kind: 'file' as const, directory: dir, path: '{fileName}.mp4' };
    const file = path.join(dir, `${fileName}.mp4`);
    fs.writeFileSync(file, 'old contents');
    const before = world.calls(GET_URL);
    const kept = (await downloadRecording(world.client, { iotId: CAMERA, fileName }, { ...target, overwrite: 'never' })) as FileDownload;
    assert.equal(kept.skipped, true);
    assert.equal(kept.size, 'old contents'.length);
    assert.equal(fs.readFileSync(file, 'utf8'), 'old contents');
    assert.equal(world.calls(GET_URL), before, 'nothing was asked of the cloud');

    const renamed = (await downloadRecording(world.client, { iotId: CAMERA, fileName }, { ...target, overwrite: 'rename' })) as FileDownload;
    assert.equal(renamed.path, path.join(dir, `${fileName} (1).mp4`));
    const again = (await downloadRecording(world.client, { iotId: CAMERA, fileName }, { ...target, overwrite: 'rename' })) as FileDownload;
    assert.equal(again.path, path.join(dir, `${fileName} (2).mp4`));
    assert.equal(fs.readFileSync(file, 'utf8'), 'old contents');

    const replaced = (await downloadRecording(world.client, { iotId: CAMERA, fileName }, { ...target, overwrite: 'always' })) as FileDownload;
    assert.equal(replaced.path, file);
    assert.equal(await fileSha256(file), sha);
    assert.deepEqual(listFiles(dir), [`${fileName} (1).mp4`, `${fileName} (2).mp4`, `${fileName}.mp4`]);
  });

  it('two jobs for the same name never share a .part: the second meets the overwrite policy', async () => {
    const { fileName } = await world.record();
    const target = { kind: 'file' as const, directory: dir, path: 'same.mp4', overwrite: 'rename' as const };
    const results = (await Promise.all([0, 1, 2].map(() => downloadRecording(world.client, { iotId: CAMERA, fileName }, target)))) as FileDownload[];
    assert.deepEqual(results.map((r) => path.basename(r.path)).sort(), ['same (1).mp4', 'same (2).mp4', 'same.mp4']);
    for (const result of results) assert.equal(await fileSha256(result.path), sha);
  });

  it('reports a failed transcode (status 2) as MEDIA and leaves nothing', async () => {
    const { fileName } = await world.record();
    await world.control('transcode-failures', { fileName });
    await assert.rejects(downloadRecording(world.client, { iotId: CAMERA, fileName }, { kind: 'file', directory: dir }), code('MEDIA', /status 2\b/));
    assert.deepEqual(listFiles(dir), []);
  });

  it('asks again, once and transparently, for a URL that expired before the fetch', async () => {
    const { fileName } = await world.record();
    await world.control('faults', { path: '/_media/download/*', mode: 'http', status: 403, message: 'Request has expired', times: 1 });
    const result = await downloadRecording(world.client, { iotId: CAMERA, fileName }, { kind: 'file', directory: dir });
    assert.equal(result.transfer?.renewedUrl, true);
    assert.equal(result.size, SIZE);
  });

  it('resumes with Range after the connection drops mid-body', async () => {
    const { fileName } = await world.record();
    await world.control('faults', { path: '/_media/download/*', mode: 'reset', afterBytes: 1_000_000, times: 1 });
    const result = (await downloadRecording(world.client, { iotId: CAMERA, fileName }, { kind: 'file', directory: dir }, { retries: 2 })) as FileDownload;
    assert.equal(result.transfer?.resumed, 1);
    assert.equal(result.transfer?.attempts, 2);
    assert.equal(await fileSha256(result.path), sha);
  });

  it('fails cleanly (NETWORK, no .part, no file) when the connection drops and no retry is left', async () => {
    const { fileName } = await world.record();
    await world.control('faults', { path: '/_media/download/*', mode: 'reset', afterBytes: 1_000_000, times: 1 });
    await assert.rejects(downloadRecording(world.client, { iotId: CAMERA, fileName }, { kind: 'file', directory: dir }, { retries: 0 }), code('NETWORK'));
    assert.deepEqual(listFiles(dir), []);
  });

  it('refuses ids and templates that would leave the directory, before any request', async () => {
    const { fileName } = await world.record();
    const before = world.emulator.stats().requests;
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-outside-'));
    try {
      const file = (p?: string) => ({ kind: 'file' as const, directory: dir, ...(p ? { path: p } : {}) });
      for (const bad of ['../../etc/passwd', '/etc/passwd', '..', 'a/b', 'a\\..\\b', 'x%00', `${fileName}\n`]) {
        await assert.rejects(downloadRecording(world.client, { iotId: CAMERA, fileName: bad }, file()), code('INVALID_PARAMS'), bad);
      }
      await assert.rejects(downloadRecording(world.client, { iotId: '../..', fileName }, file()), code('INVALID_PARAMS'));
      await assert.rejects(downloadRecording(world.client, { iotId: CAMERA, eventId: '../x' }, file()), code('INVALID_PARAMS'));
      for (const template of ['../{fileName}.mp4', '/tmp/{fileName}.mp4', '{iotId}/../../{fileName}.mp4', '{nope}.mp4']) {
        await assert.rejects(downloadRecording(world.client, { iotId: CAMERA, fileName }, file(template)), code('INVALID_PARAMS'), template);
      }
      assert.equal(world.emulator.stats().requests, before, 'nothing reached the network');
      // A symbolic link inside the directory that points outside it is not followed.
      fs.symlinkSync(outside, path.join(dir, 'escape'));
      await assert.rejects(downloadRecording(world.client, { iotId: CAMERA, fileName }, file('escape/{fileName}.mp4')), code('INVALID_PARAMS', /symbolic link/));
      assert.deepEqual(fs.readdirSync(outside), []);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('cancels mid-transfer: no .part file, the media connection closed', async () => {
    const big = await startRecordingWorld({ mp4Size: 1_000_000_000 });
    try {
      const { fileName } = await big.record();
      const controller = new AbortController();
      let sawPart = false;
      let socketsDuring = 0;
      const pending = downloadRecording(big.client, { iotId: CAMERA, fileName }, { kind: 'file', directory: dir }, {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'download' && (p.received ?? 0) > 1_000_000 && !controller.signal.aborted) {
            sawPart = listFiles(dir).some((name) => name.endsWith('.part'));
            socketsDuring = openSockets();
            controller.abort(new LinkVisualError('ABORTED', 'cancelled by the test'));
          }
        },
      });
      await assert.rejects(pending, code('ABORTED'));
      assert.ok(sawPart, 'the .part file existed while downloading');
      assert.deepEqual(listFiles(dir), [], 'no .part file after the cancellation');
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.ok(openSockets() < socketsDuring, `the media connection was closed (${socketsDuring} → ${openSockets()})`);
    } finally {
      await big.close();
    }
  });
});

describe('downloadRecording: timeouts and expiry', function () {
  this.timeout(60_000);

  it('gives up on a slow transcode with NOT_READY at the transcode timeout', async () => {
    const world = await startRecordingWorld({ transcodeMs: 20_000 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-download-'));
    try {
      const { fileName } = await world.record();
      const started = Date.now();
      await assert.rejects(downloadRecording(world.client, { iotId: CAMERA, fileName }, { kind: 'file', directory: dir }, { transcodeTimeoutMs: 1500 }), code('NOT_READY', /transcod/));
      const waited = Date.now() - started;
      assert.ok(waited >= 1400 && waited < 3000, `gave up after ${waited} ms`);
      assert.deepEqual(listFiles(dir), []);
    } finally {
      await world.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports URL_EXPIRED when the URL is expired again after the one new request', async () => {
    const world = await startRecordingWorld({ transcodeMs: 0, mediaUrlTtlSeconds: 0 });
    try {
      const { fileName } = await world.record();
      const before = world.calls(GET_URL);
      await assert.rejects(downloadRecording(world.client, { iotId: CAMERA, fileName }, { kind: 'buffer', maxBytes: 1e7 }), code('URL_EXPIRED'));
      assert.equal(world.calls(GET_URL) - before, 2, 'the URL was requested exactly twice');
    } finally {
      await world.close();
    }
  });
});

describe('downloadRecording: a 200 MB file', function () {
  this.timeout(120_000);

  it('streams it with flat memory', async () => {
    const size = 200_000_000;
    const world = await startRecordingWorld({ mp4Size: size });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-download-'));
    try {
      const { fileName } = await world.record();
      global.gc?.();
      const baseline = process.memoryUsage().rss;
      let peak = baseline;
      const result = await downloadRecording(world.client, { iotId: CAMERA, fileName }, { kind: 'file', directory: dir }, {
        onProgress: () => {
          peak = Math.max(peak, process.memoryUsage().rss);
        },
      });
      peak = Math.max(peak, process.memoryUsage().rss);
      assert.equal(result.size, size);
      assert.equal(fs.statSync(path.join(dir, CAMERA, fs.readdirSync(path.join(dir, CAMERA))[0], `${fileName}.mp4`)).size, size);
      const growth = peak - baseline;
      console.log(`      200 MB: RSS growth ${(growth / 1e6).toFixed(1)} MB, ${((result.transfer?.bytesPerSecond ?? 0) / 1e6).toFixed(0)} MB/s`);
      assert.ok(growth < 64_000_000, `RSS grew by ${(growth / 1e6).toFixed(1)} MB while streaming 200 MB`);
    } finally {
      await world.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
