/** VOD recordings as HLS (vodFormat 'hls'): signed playlists of signed MPEG-TS segments; MP4 stays the default. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { EmulatorHandle } from '../../lib/emulator';
import { CLIP_HLS_SEGMENTS } from '../../lib/emulator/fixtures';
import { segmentBody } from '../../lib/emulator/hls-vod';
import { download, sleep, start, TestClient, type Json } from './helpers';

const CAMERA = 'demo-camera-1';

/** The URIs of a playlist (its lines that are not tags), as written. */
function playlistUris(text: string): string[] {
  return text.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
}

/** A recording made by an event-triggered plan: its event id and file name. */
async function recordedEvent(client: TestClient): Promise<{ eventId: string; fileName: string }> {
  const { planId } = await client.ok<Json>('setEventPlan', { name: 'e', allDay: 1, recordDuration: 20, eventTypeList: [1] });
  await client.ok('bindEventPlan', { planId, iotId: CAMERA });
  // A minute ago: the recording has ended, vod/getbyeventid answers at once.
  const event = await client.controlOk<Json>('POST', 'events', { iotId: CAMERA, eventTime: Date.now() - 60_000 });
  return { eventId: String(event.eventId), fileName: (event.fileNames as string[])[0] };
}

async function eventVodUrl(client: TestClient, eventId: string): Promise<string> {
  const { vodList } = await client.ok<{ vodList: Json[] }>('getVodUrlByEvent', { iotId: CAMERA, eventId });
  assert.equal(vodList.length, 1);
  return String(vodList[0].vodUrl);
}

/** The playlist at `url` and its segment URLs, resolved against it. */
async function fetchPlaylist(url: string): Promise<{ text: string; segments: string[] }> {
  const answer = await download(url);
  assert.equal(answer.status, 200, answer.body.toString());
  assert.equal(answer.headers.get('content-type'), 'application/vnd.apple.mpegurl');
  const text = answer.body.toString('utf8');
  return { text, segments: playlistUris(text).map((uri) => new URL(uri, url).toString()) };
}

describe('emulator VOD as HLS (vodFormat hls)', () => {
  let emulator: EmulatorHandle;
  let client: TestClient;

  before(async () => {
    emulator = await start({ vodFormat: 'hls', mediaUrlTtlSeconds: 1, transcodeMs: 0 });
    client = new TestClient(emulator);
  });
  after(() => emulator.close());

  it('answers vod/getbyeventid with a signed .m3u8: a VOD playlist of relative segment URIs, each signed for its own path', async () => {
    const { eventId, fileName } = await recordedEvent(client);
    const url = new URL(await eventVodUrl(client, eventId));
    assert.match(url.pathname, new RegExp(`^/_media/vod/${CAMERA}/${fileName}\\.m3u8$`));
    assert.ok(url.searchParams.get('expires') && url.searchParams.get('sig'), url.search);
    const { text, segments } = await fetchPlaylist(url.toString());
    assert.match(text, /^#EXTM3U\n/);
    assert.match(text, /\n#EXT-X-PLAYLIST-TYPE:VOD\n/);
    assert.match(text, /\n#EXT-X-TARGETDURATION:1\n/);
    assert.match(text, /\n#EXT-X-ENDLIST\n?$/);
    assert.deepEqual([...text.matchAll(/#EXTINF:([\d.]+),/g)].map((match) => Number(match[1])), [1, 1]);
    const uris = playlistUris(text);
    assert.equal(uris.length, 2);
    for (const [index, uri] of uris.entries()) {
      assert.match(uri, new RegExp(`^${fileName}/${index}\\.ts\\?expires=\\d+&sig=[\\w-]+$`), 'relative to the playlist');
    }
    const signatures = segments.map((segment) => new URL(segment).searchParams.get('sig'));
    assert.equal(new Set([url.searchParams.get('sig'), ...signatures]).size, 3, 'every path has its own signature');
    for (const segment of segments) {
      assert.equal(new URL(segment).pathname, `/_media/vod/${CAMERA}/${fileName}/${segments.indexOf(segment)}.ts`);
      assert.equal(new URL(segment).searchParams.get('expires'), url.searchParams.get('expires'), 'the segments expire with their playlist');
    }
  });

  it('serves the segments as video/mp2t: MPEG-TS packets that ffprobe decodes (when installed)', async function () {
    const { eventId } = await recordedEvent(client);
    const { segments } = await fetchPlaylist(await eventVodUrl(client, eventId));
    const bodies: Buffer[] = [];
    for (const segment of segments) {
      const { status, headers, body } = await download(segment);
      assert.equal(status, 200);
      assert.equal(headers.get('content-type'), 'video/mp2t');
      assert.equal(Number(headers.get('content-length')), body.length);
      assert.equal(body.length % 188, 0, 'whole 188-byte transport packets');
      for (let offset = 0; offset < body.length; offset += 188) assert.equal(body[offset], 0x47, `sync byte at ${offset}`);
      bodies.push(body);
    }
    assert.ok(bodies.reduce((sum, body) => sum + body.length, 0) < 16 * 1024, 'small fixtures');
    if (spawnSync('ffprobe', ['-version']).status !== 0) this.skip();
    const directory = mkdtempSync(path.join(tmpdir(), 'lv-hls-'));
    try {
      for (const [index, body] of bodies.entries()) {
        const file = path.join(directory, `${index}.ts`);
        writeFileSync(file, body);
        const probe = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'stream=codec_name,width,height:frame=key_frame', '-show_frames', '-of', 'json', file], { encoding: 'utf8' });
        assert.equal(probe.status, 0, probe.stderr);
        const parsed = JSON.parse(probe.stdout) as { streams: Json[]; frames: { key_frame: number }[] };
        assert.deepEqual(parsed.streams[0], { codec_name: 'h264', width: 160, height: 90 });
        assert.equal(parsed.frames.length, 5, '1 s at 5 fps');
        assert.equal(parsed.frames[0].key_frame, 1, 'each segment starts with a keyframe');
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('answers vod/getbyfilename with a playlist too, while vod/cloudfile/get still gives the MP4', async () => {
    const { fileName } = await recordedEvent(client);
    const { vodUrl } = await client.ok<Json>('getVodUrlByFileName', { iotId: CAMERA, fileName });
    assert.match(new URL(String(vodUrl)).pathname, /\.m3u8$/);
    const { segments } = await fetchPlaylist(String(vodUrl));
    assert.equal((await download(segments[1])).status, 200);
    const { url } = await client.ok<Json>('getDownloadUrl', { iotId: CAMERA, fileName });
    const mp4 = await download(String(url));
    assert.equal(mp4.headers.get('content-type'), 'video/mp4');
    assert.equal(mp4.body.toString('latin1', 4, 8), 'ftyp');
  });

  it('refuses tampered and expired playlist and segment URLs with 403 (the playlist signature opens no segment)', async () => {
    const { eventId } = await recordedEvent(client);
    const url = await eventVodUrl(client, eventId);
    const { segments } = await fetchPlaylist(url);
    const forged = (target: string, change: (parsed: URL) => void): string => {
      const parsed = new URL(target);
      change(parsed);
      return parsed.toString();
    };
    const refused = [
      forged(url, (parsed) => parsed.searchParams.set('sig', 'AAAA')),
      forged(url, (parsed) => parsed.searchParams.set('expires', String(Date.now() + 3_600_000))),
      forged(segments[0], (parsed) => parsed.searchParams.set('sig', [...String(parsed.searchParams.get('sig'))].reverse().join(''))),
      forged(segments[0], (parsed) => (parsed.search = new URL(url).search)), // the playlist's signature on a segment path
      forged(segments[0], (parsed) => (parsed.pathname = parsed.pathname.replace(/0\.ts$/, '1.ts'))), // segment 0's signature on segment 1
    ];
    for (const target of refused) {
      const answer = await download(target);
      assert.equal(answer.status, 403, target);
      assert.match(answer.body.toString(), /Invalid signature/);
    }
    assert.equal((await download(segments[0])).status, 200, 'the untouched segment URL works');
    await sleep(1100);
    for (const target of [url, ...segments]) {
      const expired = await download(target);
      assert.equal(expired.status, 403, target);
      assert.match(expired.body.toString(), /expired/);
    }
  });

  it('answers 404 for the playlist and segments of a deleted recording, and knows only the fixture\'s segments', async () => {
    const { eventId, fileName } = await recordedEvent(client);
    const url = await eventVodUrl(client, eventId);
    const { segments } = await fetchPlaylist(url);
    await client.ok('deleteRecordings', { iotId: CAMERA, fileNameList: [fileName] });
    for (const target of [url, ...segments]) assert.equal((await download(target)).status, 404, target);
    assert.equal(segmentBody(CLIP_HLS_SEGMENTS.length), undefined, 'no segment past the last');
  });

  it('applies media faults to playlist and segment paths', async () => {
    const { eventId } = await recordedEvent(client);
    const url = await eventVodUrl(client, eventId);
    await client.controlOk('POST', 'faults', { path: '/_media/vod/*', mode: 'http', status: 503 });
    assert.equal((await download(url)).status, 503);
    const { segments } = await fetchPlaylist(url);
    await client.controlOk('POST', 'faults', { path: new URL(segments[1]).pathname, mode: 'reset', afterBytes: 100 });
    const response = await fetch(segments[1]);
    assert.equal(response.status, 200);
    await assert.rejects(response.arrayBuffer(), 'the connection drops after 100 bytes');
    assert.equal((await download(segments[1])).status, 200, 'the fault was used up');
  });

  it('switches live through POST /_emulator/variants {vodFormat}; a playlist handed out before still plays', async () => {
    const { eventId } = await recordedEvent(client);
    const playlist = await eventVodUrl(client, eventId);
    assert.equal((await client.controlOk<Json>('GET', 'variants')).vodFormat, 'hls');
    assert.equal((await client.controlOk<Json>('POST', 'variants', { vodFormat: 'mp4' })).vodFormat, 'mp4');
    try {
      const mp4 = await eventVodUrl(client, eventId);
      assert.match(new URL(mp4).pathname, /\.mp4$/);
      const clip = await download(mp4);
      assert.equal(clip.headers.get('content-type'), 'video/mp4');
      assert.equal(clip.body.toString('latin1', 4, 8), 'ftyp');
      assert.equal((await download(playlist)).headers.get('content-type'), 'application/vnd.apple.mpegurl', 'what a URL serves follows the URL');
      for (const vodFormat of ['webm', 'HLS', true, null]) {
        const answer = await client.control<Json>('POST', 'variants', { vodFormat });
        assert.equal(answer.status, 400, JSON.stringify(vodFormat));
        assert.match(String(answer.json.error), /vodFormat must be one of "mp4", "hls"/);
      }
      assert.equal((await client.controlOk<Json>('GET', 'variants')).vodFormat, 'mp4', 'a refused change changes nothing');
    } finally {
      await client.reset();
    }
    assert.equal((await client.controlOk<Json>('GET', 'variants')).vodFormat, 'hls', 'reset restores the start option');
  });
});

describe('emulator VOD default (vodFormat mp4)', () => {
  let emulator: EmulatorHandle;
  let client: TestClient;

  before(async () => {
    emulator = await start({ transcodeMs: 0 });
    client = new TestClient(emulator);
  });
  after(() => emulator.close());

  it('plays recordings as MP4, as before', async () => {
    assert.equal(emulator.variants.vodFormat, 'mp4');
    const { eventId, fileName } = await recordedEvent(client);
    const byEvent = await eventVodUrl(client, eventId);
    const { vodUrl } = await client.ok<Json>('getVodUrlByFileName', { iotId: CAMERA, fileName });
    for (const url of [byEvent, String(vodUrl)]) {
      assert.equal(new URL(url).pathname, `/_media/vod/${CAMERA}/${fileName}.mp4`);
      const clip = await download(url);
      assert.equal(clip.status, 200);
      assert.equal(clip.headers.get('content-type'), 'video/mp4');
      assert.equal(clip.body.toString('latin1', 4, 8), 'ftyp');
    }
  });
});
