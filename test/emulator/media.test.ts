/** Media: real JPEG and MP4 bytes, padding to mp4Size, expiring signed URLs, Range, HEAD, deletes. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { EmulatorHandle } from '../../lib/emulator';
import { download, sleep, start, TestClient, type Json } from './helpers';

/** The top-level MP4 boxes: [type, size]; asserts they tile the file exactly. */
function topLevelBoxes(bytes: Buffer): [string, number][] {
  const boxes: [string, number][] = [];
  let offset = 0;
  while (offset < bytes.length) {
    let size = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    if (size === 1) size = Number(bytes.readBigUInt64BE(offset + 8));
    assert.ok(size >= 8, `box ${type} at ${offset} has size ${size}`);
    boxes.push([type, size]);
    offset += size;
  }
  assert.equal(offset, bytes.length, 'boxes end exactly at the end of the file');
  return boxes;
}

describe('emulator media', () => {
  let emulator: EmulatorHandle;
  let client: TestClient;
  let fileName: string;
  let pictureId: string;

  before(async () => {
    emulator = await start({ mp4Size: 3 * 1024 * 1024 + 7, mediaUrlTtlSeconds: 1, transcodeMs: 0 });
    client = new TestClient(emulator);
    const { planId } = await client.ok<Json>('setEventPlan', { name: 'e', allDay: 1, recordDuration: 20, eventTypeList: [1] });
    await client.ok('bindEventPlan', { planId, iotId: 'demo-camera-1' });
    const event = await client.controlOk<Json>('POST', 'events', { iotId: 'demo-camera-1', eventTime: Date.now() - 60_000 });
    fileName = (event.fileNames as string[])[0];
    pictureId = String(event.pictureId);
  });
  after(() => emulator.close());

  async function pictureUrls(): Promise<{ pictureUrl: string; thumbUrl: string }> {
    const [picture] = (await client.ok<Json>('queryPicturesByIds', { iotId: 'demo-camera-1', pictureIdList: [pictureId] })).pictureList as Json[];
    return { pictureUrl: String(picture.pictureUrl), thumbUrl: String(picture.thumbUrl) };
  }

  async function downloadUrl(): Promise<string> {
    const data = await client.ok<Json>('getDownloadUrl', { iotId: 'demo-camera-1', fileName });
    assert.equal(data.status, '0', 'transcodeMs 0: ready at once (numbers as text, the default form)');
    return String(data.url);
  }

  it('serves JPEGs that start with FFD8 and end with FFD9, as image/jpeg', async () => {
    const { pictureUrl, thumbUrl } = await pictureUrls();
    for (const url of [pictureUrl, thumbUrl]) {
      const { status, headers, body } = await download(url);
      assert.equal(status, 200);
      assert.equal(headers.get('content-type'), 'image/jpeg');
      assert.equal(Number(headers.get('content-length')), body.length);
      assert.deepEqual([...body.subarray(0, 2)], [0xff, 0xd8]);
      assert.deepEqual([...body.subarray(-2)], [0xff, 0xd9]);
    }
    const picture = await download(pictureUrl);
    // SOF0 frame header: 320x180 baseline picture.
    const sof = picture.body.indexOf(Buffer.from([0xff, 0xc0]));
    assert.ok(sof > 0);
    assert.deepEqual([picture.body.readUInt16BE(sof + 5), picture.body.readUInt16BE(sof + 7)], [180, 320]);
  });

  it('serves an MP4 padded to mp4Size: ftyp first, moov and mdat, then one trailing free box', async () => {
    const { status, headers, body } = await download(await downloadUrl());
    assert.equal(status, 200);
    assert.equal(headers.get('content-type'), 'video/mp4');
    assert.equal(body.length, 3 * 1024 * 1024 + 7);
    assert.equal(Number(headers.get('content-length')), body.length);
    assert.equal(body.toString('latin1', 4, 8), 'ftyp');
    const boxes = topLevelBoxes(body);
    const types = boxes.map(([type]) => type);
    assert.equal(types[0], 'ftyp');
    assert.ok(types.includes('moov') && types.includes('mdat'), types.join(','));
    const [lastType, lastSize] = boxes[boxes.length - 1];
    assert.equal(lastType, 'free');
    assert.ok(lastSize > 3 * 1024 * 1024 - 64 * 1024, 'the padding is one trailing free box');
    const listed = (await client.ok<Json>('queryRecordings', {
      iotId: 'demo-camera-1', beginTime: Math.floor(Date.now() / 1000) - 600, endTime: Math.floor(Date.now() / 1000),
    })).recordFileList as Json[];
    assert.equal(listed[0].fileSize, body.length);
  });

  it('passes ffprobe when ffprobe is installed', async function () {
    if (spawnSync('ffprobe', ['-version']).status !== 0) this.skip();
    const directory = mkdtempSync(path.join(tmpdir(), 'lv-media-'));
    try {
      const file = path.join(directory, 'clip.mp4');
      writeFileSync(file, (await download(await downloadUrl())).body);
      const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', file], { encoding: 'utf8' });
      assert.equal(probe.status, 0, probe.stderr);
      const streams = (JSON.parse(probe.stdout) as { streams: Json[] }).streams;
      assert.deepEqual(streams[0], { codec_name: 'h264', width: 160, height: 90 });
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('answers Range requests: 206 with Content-Range, suffix ranges, 416 past the end, If-Range', async () => {
    const url = await downloadUrl();
    const whole = (await download(url)).body;
    const part = await download(url, { range: 'bytes=100-199' });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 100-199/${whole.length}`);
    assert.equal(part.headers.get('content-length'), '100');
    assert.deepEqual(part.body, whole.subarray(100, 200));
    const tail = await download(url, { range: 'bytes=-10' });
    assert.equal(tail.status, 206);
    assert.deepEqual(tail.body, whole.subarray(-10));
    const open = await download(url, { range: `bytes=${whole.length - 5}-` });
    assert.deepEqual(open.body, whole.subarray(-5));
    const beyond = await download(url, { range: `bytes=${whole.length}-` });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get('content-range'), `bytes */${whole.length}`);
    const etag = part.headers.get('etag') ?? '';
    assert.equal((await download(url, { range: 'bytes=0-9', 'if-range': etag })).status, 206);
    assert.equal((await download(url, { range: 'bytes=0-9', 'if-range': '"stale"' })).status, 200);
    const head = await fetch(url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(whole.length));
    assert.equal(head.headers.get('accept-ranges'), 'bytes');
  });

  it('refuses expired URLs and forged signatures with 403', async () => {
    const { pictureUrl } = await pictureUrls();
    const forged = pictureUrl.replace(/sig=[^&]+/, 'sig=AAAA');
    assert.equal((await download(forged)).status, 403);
    const later = new URL(pictureUrl);
    later.searchParams.set('expires', String(Date.now() + 3_600_000));
    assert.equal((await download(later.toString())).status, 403, 'a longer expiry breaks the signature');
    await sleep(1100);
    const expired = await download(pictureUrl);
    assert.equal(expired.status, 403);
    assert.match(expired.body.toString(), /expired/);
  });

  it('answers 404 for media of deleted pictures and recordings', async () => {
    const { thumbUrl } = await pictureUrls();
    const url = await downloadUrl();
    await client.ok('deletePictures', { iotId: 'demo-camera-1', pictureIdList: [pictureId] });
    await client.ok('deleteRecordings', { iotId: 'demo-camera-1', fileNameList: [fileName] });
    assert.equal((await download(thumbUrl)).status, 404);
    assert.equal((await download(url)).status, 404);
  });
});

describe('emulator media: large files and faults', () => {
  let emulator: EmulatorHandle;
  let client: TestClient;

  before(async () => {
    emulator = await start({ mp4Size: 64 * 1024 * 1024, transcodeMs: 0 });
    client = new TestClient(emulator);
  });
  after(() => emulator.close());

  async function recordingUrl(): Promise<string> {
    const { planId } = await client.ok<Json>('setEventPlan', { name: 'e', allDay: 1, recordDuration: 20, eventTypeList: [1] });
    await client.ok('bindEventPlan', { planId, iotId: 'demo-camera-2' });
    const event = await client.controlOk<Json>('POST', 'events', { iotId: 'demo-camera-2', eventTime: Date.now() - 60_000 });
    const data = await client.ok<Json>('getDownloadUrl', { iotId: 'demo-camera-2', fileName: (event.fileNames as string[])[0] });
    return String(data.url);
  }

  it('streams a 64 MiB MP4 with the right length, ending in zeros of the free box', async () => {
    const response = await fetch(await recordingUrl());
    assert.equal(response.headers.get('content-length'), String(64 * 1024 * 1024));
    let total = 0;
    let last = 0xff;
    const reader = response.body?.getReader();
    assert.ok(reader);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      last = value[value.length - 1];
    }
    assert.equal(total, 64 * 1024 * 1024);
    assert.equal(last, 0);
  });

  it('drops a media download after afterBytes with a reset fault on /_media/*', async () => {
    const url = await recordingUrl();
    await client.controlOk('POST', 'faults', { path: '/_media/*', mode: 'reset', afterBytes: 100_000 });
    const response = await fetch(url);
    assert.equal(response.status, 200);
    await assert.rejects(response.arrayBuffer());
    const resumed = await download(url, { range: 'bytes=100000-100009' });
    assert.equal(resumed.status, 206);
    assert.equal(resumed.body.length, 10);
  });
});
