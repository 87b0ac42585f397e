// The dashboard timeline's server side, outside Node-RED: the bounded event list, HLS playlist rewriting,
// and the media relay against the emulator (signed URLs that expire, renewed on the server).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulator, type EmulatorHandle } from '../../lib/emulator';
import type { LinkVisualClient } from '../../lib';
import { parseEvent, type CameraEvent } from '../../lib/events/camera-event';
import { EventTimeline, eventFromPayload, recentEvents, timelineKey } from '../../lib/events/event-timeline';
import { EventMediaRelay, recordingKey } from '../../lib/media/event-media-relay';
import { monthText, recordingDays, recordingsBetween } from '../../lib/media/recording-calendar';
import { isPlaylist, rewritePlaylist } from '../../lib/media/hls-playlist';
import { control, emulatorClient } from '../events/helpers';

function event(iotId: string, eventId: string, eventTime: number, fields: Record<string, unknown> = {}): CameraEvent {
  return { iotId, eventId, eventType: 1, eventTime, fields: { eventId, ...fields } };
}

async function readAll(body: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('dashboard timeline: EventTimeline', () => {
  it('keeps events newest first, at most the limit, and updates a repeated event in place', () => {
    const timeline = new EventTimeline(3);
    timeline.add(event('cam-a', 'e1', 1000));
    timeline.add(event('cam-a', 'e3', 3000));
    timeline.add(event('cam-b', 'e2', 2000));
    timeline.add(event('cam-b', 'e4', 4000));
    assert.deepEqual(timeline.cards().map((card) => card.eventId), ['e4', 'e3', 'e2']);
    assert.equal(timeline.get(timelineKey('cam-a', 'e1')), undefined, 'the oldest was dropped');
    assert.equal(timeline.add(event('cam-a', 'e0', 500)), undefined, 'older than every kept event of a full timeline');
    timeline.add(event('cam-a', 'e3', 3000, { deviceName: 'Porch' }));
    assert.equal(timeline.size, 3);
    assert.equal(timeline.cards()[1].deviceName, 'Porch');
  });

  it('reads on-event payloads, refuses anything without iotId/eventId, and names cameras learnt later', () => {
    assert.equal(eventFromPayload({ eventId: 'x' }), undefined);
    assert.equal(eventFromPayload('motion'), undefined);
    const parsed = eventFromPayload({ iotId: 'cam-a', eventId: 'e1', eventType: 3, eventTime: 1_733_300_000_000, eventPicId: '' });
    assert.ok(parsed);
    const timeline = new EventTimeline(5);
    timeline.add(parsed);
    const [card] = timeline.cards();
    assert.equal(card.eventTypeName, 'human');
    assert.equal(card.eventTime, 1_733_300_000_000);
    assert.equal(card.picture, false, 'an empty eventPicId means no picture');
    assert.match(card.key, /^[0-9a-f]{20}$/);
    timeline.nameDevices(new Map([['cam-a', 'Garden']]));
    assert.equal(timeline.cards()[0].deviceName, 'Garden');
    assert.equal(JSON.stringify(timeline.cards()).includes('http'), false, 'cards carry no URLs');
  });

  it('refuses a limit that is not a positive whole number', () => {
    assert.throws(() => new EventTimeline(0), RangeError);
    assert.throws(() => new EventTimeline(2.5), RangeError);
  });
});

describe('dashboard timeline: HLS playlists', () => {
  it('recognises playlists by path or content type', () => {
    assert.equal(isPlaylist('https://cdn.example/v/index.m3u8?auth_key=1-2'), true);
    assert.equal(isPlaylist('https://cdn.example/v/clip.mp4'), false);
    assert.equal(isPlaylist('https://cdn.example/v/clip', 'application/vnd.apple.mpegURL'), true);
  });

  it('replaces every URI (segments, keys, init sections) with a relay href, resolved against the playlist', () => {
    const text = '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-KEY:METHOD=AES-128,URI="key.bin?sig=k"\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:2.0,\nseg-0.ts?sig=a\n#EXTINF:2.0,\nhttps://other.example/seg-1.ts?sig=b\n#EXT-X-ENDLIST\n';
    const seen: string[] = [];
    const out = rewritePlaylist(text, 'https://cdn.example/v/index.m3u8?sig=p', (target) => `clip/${seen.push(target) - 1}`);
    assert.deepEqual(seen, ['https://cdn.example/v/key.bin?sig=k', 'https://cdn.example/v/init.mp4', 'https://cdn.example/v/seg-0.ts?sig=a', 'https://other.example/seg-1.ts?sig=b']);
    assert.match(out, /URI="clip\/0"/);
    assert.match(out, /URI="clip\/1"/);
    assert.match(out, /\nclip\/2\n/);
    assert.match(out, /\nclip\/3\n/);
    assert.equal(out.includes('sig='), false, 'no signed URL reaches the browser');
    assert.throws(() => rewritePlaylist('<html>', 'https://cdn.example/x.m3u8', String), /EXTM3U/);
  });
});

describe('dashboard timeline: EventMediaRelay against the emulator', function () {
  this.timeout(30_000);
  let emulator: EmulatorHandle;
  let client: LinkVisualClient;

  before(async () => {
    emulator = await startEmulator({ port: 0, cameras: 2, mediaUrlTtlSeconds: 2 });
    client = emulatorClient(emulator);
    // An event-triggered plan on both cameras: their events get a recording (vod/getbyeventid answers).
    const plan = (await client.call('setEventPlan', { name: 'clips', allDay: 1, eventTypeList: [1, 2, 3], recordDuration: 10, preRecordDuration: 0 })) as { planId: string };
    for (const iotId of ['demo-camera-1', 'demo-camera-2']) await client.call('bindEventPlan', { iotId, planId: plan.planId });
  });
  after(async () => {
    await client.close();
    await emulator.close();
  });

  async function raised(iotId: string): Promise<CameraEvent> {
    // Half a minute ago: its recording has ended, so vod/getbyeventid answers at once.
    const created = (await control(emulator, 'events', { iotId, picture: true, recording: true, eventTime: Date.now() - 30_000 })) as { eventId: string; eventTime: number };
    const data = (await client.call('queryEventsByIds', { iotId, eventIds: [created.eventId], needAlarmPicture: true })) as { eventList: unknown[] };
    const parsed = parseEvent(iotId, data.eventList[0], created.eventTime);
    assert.ok(parsed, 'the emulator lists the event');
    return parsed;
  }

  it('serves the picture and the MP4 clip (and a range of it), renewing URLs that expired', async () => {
    const relay = new EventMediaRelay({ client: async () => client, renewMarginMs: 0 });
    const ev = await raised('demo-camera-1');
    const key = timelineKey(ev.iotId, ev.eventId);
    const first = await relay.picture(key, ev);
    assert.equal(first.contentType, 'image/jpeg');
    assert.ok(first.buffer.length > 100);

    const clip = await relay.clip(key, ev, String);
    assert.equal(clip.kind, 'media');
    const whole = clip.kind === 'media' ? await readAll(clip.stream.body) : Buffer.alloc(0);
    assert.equal(whole.subarray(4, 8).toString('latin1'), 'ftyp', 'an MP4');
    const tail = await relay.clip(key, ev, String, { rangeStart: 100 });
    assert.ok(tail.kind === 'media' && tail.stream.statusCode === 206);
    if (tail.kind === 'media') assert.deepEqual(await readAll(tail.stream.body), whole.subarray(100));

    await new Promise((resolve) => setTimeout(resolve, 2300)); // every URL handed out so far has expired
    const again = await relay.picture(key, ev);
    assert.deepEqual(again.buffer, first.buffer);
    assert.notEqual(again.url, first.url, 'a new signed URL');
    const renewed = await relay.clip(key, ev, String);
    assert.ok(renewed.kind === 'media');
    if (renewed.kind === 'media') assert.equal((await readAll(renewed.stream.body)).length, whole.length);
  });

  it('asks for a new clip URL when the remembered one turns out to be expired', async () => {
    let clock = Date.now();
    const relay = new EventMediaRelay({ client: async () => client, renewMarginMs: 0, now: () => clock });
    const ev = await raised('demo-camera-2');
    const key = timelineKey(ev.iotId, ev.eventId);
    const firstUrl = (await relay.clipUrl(key, ev)).url;
    await new Promise((resolve) => setTimeout(resolve, 2300));
    clock = Date.now() - 60_000; // the relay believes the URL is still fresh: the media server says 403
    const clip = await relay.clip(key, ev, String);
    assert.ok(clip.kind === 'media');
    if (clip.kind === 'media') clip.stream.body.resume();
    assert.notEqual((await relay.clipUrl(key, ev)).url, firstUrl);
  });

  it('finds the days with recordings and a day\'s files, and plays a file by name (a new URL each time)', async () => {
    const ev = await raised('demo-camera-1');
    const day = new Date(ev.eventTime);
    const month = `${day.getUTCFullYear()}${String(day.getUTCMonth() + 1).padStart(2, '0')}`;
    const days = await recordingDays(client, 'demo-camera-1', month, 0);
    assert.ok(days.includes(day.getUTCDate()), `day ${day.getUTCDate()} is marked in ${JSON.stringify(days)}`);
    assert.throws(() => monthText('2026-12'), { code: 'INVALID_PARAMS' });
    const from = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate());
    const files = await recordingsBetween(client, 'demo-camera-1', from, from + 86_400_000);
    const mine = files.find((file) => file.begin <= ev.eventTime + 1000 && file.end >= ev.eventTime);
    assert.ok(mine, `a recording covers the event (${JSON.stringify(files)})`);
    assert.deepEqual([...files].sort((a, b) => a.begin - b.begin), files, 'oldest first');
    await assert.rejects(recordingsBetween(client, 'demo-camera-1', from, from), { code: 'INVALID_PARAMS' });
    const relay = new EventMediaRelay({ client: async () => client });
    for (let i = 0; i < 2; i += 1) {
      const clip = await relay.recording('demo-camera-1', mine.fileName, String);
      assert.ok(clip.kind === 'media');
      if (clip.kind === 'media') assert.equal((await readAll(clip.stream.body)).subarray(4, 8).toString('latin1'), 'ftyp');
    }
  });

  it('loads the cameras\' recent events for a timeline that fills itself: newest first, at most the limit', async () => {
    const now = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      // Newer than the events the tests before raised (half a minute ago).
      const iotId = i % 2 === 0 ? 'demo-camera-1' : 'demo-camera-2';
      ids.push(String((await control(emulator, 'events', { iotId, eventTime: now - 5000 + i * 1000, picture: false, recording: false })).eventId));
    }
    await control(emulator, 'events', { iotId: 'demo-camera-1', eventTime: now - 3 * 3600_000, picture: false, recording: false }); // outside the window
    const events = await recentEvents(client, ['demo-camera-1', 'demo-camera-2'], 3600_000, 2);
    assert.deepEqual(events.map((event) => event.eventId), [ids[2], ids[1]]);
    const all = await recentEvents(client, ['demo-camera-1', 'demo-camera-2'], 3600_000, 100);
    assert.ok(ids.every((id) => all.some((event) => event.eventId === id)));
    assert.ok(all.every((event) => event.eventTime >= now - 3600_000 - 5000), 'nothing older than the window');
  });

  it('relays an HLS recording: the playlist with relay hrefs, then each segment by index', async () => {
    const segments: Record<string, Buffer> = { '/v/seg-0.ts': Buffer.from('segment zero'), '/v/seg-1.ts': Buffer.from('segment one') };
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname === '/v/index.m3u8') {
        res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' });
        res.end(`#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nseg-0.ts?sig=${url.searchParams.get('sig')}\n#EXTINF:2.0,\nseg-1.ts?sig=${url.searchParams.get('sig')}\n#EXT-X-ENDLIST\n`);
        return;
      }
      const body = segments[url.pathname];
      res.writeHead(body ? 200 : 404, { 'content-type': 'video/mp2t' });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const playlistUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v/index.m3u8?sig=s1`;
    // A CDN whose segments carry the playlist's own query signature (the emulator signs each segment path).
    const hlsClient = {
      call: async () => ({ vodList: [{ vodUrl: playlistUrl }] }),
      fetchMedia: (url: string, options?: object) => client.fetchMedia(url, options),
      openMedia: (url: string, options?: object) => client.openMedia(url, options),
    } as unknown as LinkVisualClient;
    try {
      const relay = new EventMediaRelay({ client: async () => hlsClient });
      const ev = event('cam-h', 'e-hls', Date.now());
      const key = timelineKey(ev.iotId, ev.eventId);
      const playlist = await relay.clip(key, ev, (index) => `clip/${index}`);
      assert.equal(playlist.kind, 'playlist');
      if (playlist.kind === 'playlist') {
        assert.match(playlist.text, /\nclip\/0\n[\s\S]*\nclip\/1\n/);
        assert.equal(playlist.text.includes('sig='), false);
      }
      const part = await relay.eventPart(key, ev, 1, String);
      assert.ok(part.kind === 'media');
      if (part.kind === 'media') assert.equal((await readAll(part.stream.body)).toString(), 'segment one');
      await assert.rejects(relay.eventPart(key, ev, 7, String), { code: 'INVALID_PARAMS' });
    } finally {
      server.close();
    }
  });

  it('saves a clip or a recording as one MP4 file: the playback file itself, or the cloud\'s MP4 transcode when it plays as HLS', async () => {
    const relay = new EventMediaRelay({ client: async () => client });
    const transcodes = () => emulator.stats().byPath['/vision/customer/vod/cloudfile/get'] ?? 0;
    const isMp4 = (bytes: Buffer) => bytes.subarray(4, 8).toString('latin1') === 'ftyp';
    const plain = await raised('demo-camera-1');
    const before = transcodes();
    assert.ok(isMp4(await readAll((await relay.clipFile(timelineKey(plain.iotId, plain.eventId), plain)).body)));
    assert.equal(transcodes(), before, 'an MP4 playback URL is the file: no transcode');
    emulator.variants.set({ vodFormat: 'hls' });
    try {
      const ev = await raised('demo-camera-2');
      const key = timelineKey(ev.iotId, ev.eventId);
      const file = await relay.clipFile(key, ev);
      assert.equal(file.headers['content-type'], 'video/mp4');
      assert.ok(isMp4(await readAll(file.body)), 'an MP4, not the playlist');
      assert.ok(transcodes() > before, 'the cloud transcoded the recording (vod/cloudfile/get)');
      const { fileName } = await relay.clipUrl(key, ev);
      assert.ok(fileName);
      assert.ok(isMp4(await readAll((await relay.recordingFile(ev.iotId, fileName)).body)));
    } finally {
      emulator.variants.set({ vodFormat: 'mp4' });
    }
  });

  it('relays the emulator\'s HLS recordings (vodFormat hls): playlist, segments by index, renewed once their URLs expired', async () => {
    emulator.variants.set({ vodFormat: 'hls' });
    try {
      const relay = new EventMediaRelay({ client: async () => client, renewMarginMs: 0 });
      const ev = await raised('demo-camera-2');
      const key = timelineKey(ev.iotId, ev.eventId);
      const playlist = await relay.clip(key, ev, (index) => `clip/${index}`);
      assert.equal(playlist.kind, 'playlist');
      const text = playlist.kind === 'playlist' ? playlist.text : '';
      assert.match(text, /^#EXTM3U\n/);
      assert.match(text, /\nclip\/0\n[\s\S]*\nclip\/1\n#EXT-X-ENDLIST/);
      assert.equal(text.includes('sig='), false, 'no signed URL reaches the browser');
      assert.equal(text.includes(emulator.url), false);
      const segments: Buffer[] = [];
      for (const index of [0, 1]) {
        const part = await relay.eventPart(key, ev, index, String);
        assert.ok(part.kind === 'media');
        if (part.kind !== 'media') continue;
        assert.equal(part.stream.headers['content-type'], 'video/mp2t');
        const bytes = await readAll(part.stream.body);
        assert.equal(bytes[0], 0x47, 'an MPEG-TS packet');
        assert.equal(bytes.length % 188, 0);
        segments.push(bytes);
      }
      const { fileName } = await relay.clipUrl(key, ev);
      assert.ok(fileName);

      await new Promise((resolve) => setTimeout(resolve, 2300)); // the playlist and its segment URLs have expired
      const renewed = await relay.eventPart(key, ev, 1, String);
      assert.ok(renewed.kind === 'media', 'the relay fetched the playlist again and kept the index');
      if (renewed.kind === 'media') assert.deepEqual(await readAll(renewed.stream.body), segments[1]);

      // By file name (the recordings view): a new playlist each time, its parts under the recording's key.
      const byName = await relay.recording(ev.iotId, fileName, (index) => `${fileName}/${index}`);
      assert.ok(byName.kind === 'playlist' && byName.text.includes(`\n${fileName}/0\n`), byName.kind === 'playlist' ? byName.text : byName.kind);
      const renew = () => relay.recording(ev.iotId, fileName, String);
      const part = await relay.part(recordingKey(ev.iotId, fileName), 0, String, renew);
      assert.ok(part.kind === 'media');
      if (part.kind === 'media') assert.deepEqual(await readAll(part.stream.body), segments[0]);
    } finally {
      emulator.variants.set({ vodFormat: 'mp4' });
    }
  });
});
