/** Simulated cameras: a scaled day of scheduled recordings, cuts, alert and manual recordings, the calendar. */
import assert from 'node:assert/strict';
import type { EmulatorHandle } from '../../lib/emulator';
import { localMidnight, sleep, start, TestClient, type Json } from './helpers';

const HOUR = 3_600_000;
const MINUTE = 60_000;
/** Monday 2025-11-24, 00:00 in UTC+8. */
const MONDAY = localMidnight(Date.UTC(2025, 10, 24, 12), 8);

function utc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

function local8(ms: number): string {
  return new Date(ms + 8 * HOUR).toISOString().slice(0, 19).replace('T', ' ');
}

async function waitForSimulated(client: TestClient, target: number): Promise<void> {
  for (;;) {
    const time = await client.controlOk<Json>('GET', 'time');
    if (Number(time.now) >= target) return;
    await sleep(50);
  }
}

describe('emulator cameras: a simulated day', () => {
  let emulator: EmulatorHandle;
  let client: TestClient;

  after(() => emulator?.close());

  it('records exactly the files the plan implies (sections, dayOfWeek, timeZone, duration, cuts at section ends)', async function () {
    this.timeout(30_000);
    // 86400× : one simulated day per real second; start six hours before Monday.
    emulator = await start({ timeScale: 86_400, startTime: MONDAY - 6 * HOUR });
    client = new TestClient(emulator);
    const sections = [
      { dayOfWeek: 1, begin: 8 * 3600, end: 12 * 3600 },
      { dayOfWeek: 1, begin: 13 * 3600 + 30 * 60, end: 14 * 3600 + 10 * 60 },
      { dayOfWeek: 1, begin: 23 * 3600, end: 86399 },
      { dayOfWeek: 2, begin: 8 * 3600, end: 9 * 3600 }, // Tuesday: outside the day we check
    ];
    const { planId } = await client.ok<Json>('setRecordPlan', { name: 'monday', allDay: 0, timeSectionList: sections, timeZone: 8 });
    await client.ok('setRecordDuration', { iotId: 'demo-camera-1', recordDuration: 1200 });
    await client.ok('bindRecordPlan', { planId, iotId: 'demo-camera-1' });
    const bound = Number((await client.controlOk<Json>('GET', 'time')).now);
    assert.ok(bound < MONDAY, 'bound before Monday began');

    await waitForSimulated(client, MONDAY + 33 * HOUR + 30 * MINUTE);
    const mondayStart = MONDAY / 1000;
    const mondayEnd = mondayStart + 86400 - 1;
    const answer = await client.ok<Json>('queryRecordings', { iotId: 'demo-camera-1', beginTime: mondayStart, endTime: mondayEnd, pageSize: 500 });
    const files = answer.recordFileList as Json[];

    const expected: [number, number][] = [];
    const cut = (from: number, to: number): void => {
      for (let begin = from; begin < to; begin += 20 * MINUTE) expected.push([begin, Math.min(begin + 20 * MINUTE, to)]);
    };
    cut(MONDAY + 8 * HOUR, MONDAY + 12 * HOUR);
    cut(MONDAY + 13.5 * HOUR, MONDAY + 14 * HOUR + 10 * MINUTE);
    cut(MONDAY + 23 * HOUR, MONDAY + 24 * HOUR);
    assert.equal(files.length, 17);
    assert.deepEqual(
      files.map((f) => [f.beginTimeUTC, f.endTimeUTC]),
      expected.map(([b, e]) => [utc(b), utc(e)]),
    );
    assert.deepEqual(files[0], {
      beginTime: '2025-11-24 08:00:00',
      endTime: '2025-11-24 08:20:00',
      beginTimeUTC: '2025-11-24T00:00:00Z',
      endTimeUTC: '2025-11-24T00:20:00Z',
      recordType: 0,
      streamType: 0,
      fileName: files[0].fileName,
      fileSize: files[0].fileSize,
    });
    assert.equal(files[13].beginTime, local8(MONDAY + 14 * HOUR - 20 * MINUTE + 10 * MINUTE));
    assert.equal(answer.nextValid, false);

    // Tuesday's 08:00–09:00 section: 3 files, the last cut at the section end.
    const tuesday = await client.ok<Json>('queryRecordings', { iotId: 'demo-camera-1', beginTime: mondayEnd + 1, endTime: mondayEnd + 86400 });
    assert.deepEqual((tuesday.recordFileList as Json[]).map((f) => f.beginTime), [
      '2025-11-25 08:00:00',
      '2025-11-25 08:20:00',
      '2025-11-25 08:40:00',
    ]);

    // The other stream and the other camera recorded nothing.
    const minor = await client.ok<Json>('queryRecordings', { iotId: 'demo-camera-1', streamType: 1, beginTime: mondayStart, endTime: mondayEnd });
    assert.deepEqual(minor.recordFileList, []);
    const other = await client.ok<Json>('queryRecordings', { iotId: 'demo-camera-2', beginTime: mondayStart, endTime: mondayEnd });
    assert.deepEqual(other.recordFileList, []);

    // Month calendar: only the 24th and 25th of November 2025 have recordings.
    const month = await client.ok<Json>('queryMonthRecordings', { iotId: 'demo-camera-1', month: '202511' });
    assert.equal(month.recordFlags, `${'0'.repeat(23)}11${'0'.repeat(5)}`);

    // Paging: the time cursor (nextBeginTime, seconds) and pageStart give the same 17 files in order.
    const byCursor: string[] = [];
    let beginTime = mondayStart;
    for (let pages = 0; pages < 10; pages += 1) {
      const page = await client.ok<Json>('queryRecordings', { iotId: 'demo-camera-1', beginTime, endTime: mondayEnd, pageSize: 5 });
      for (const file of page.recordFileList as Json[]) if (!byCursor.includes(String(file.fileName))) byCursor.push(String(file.fileName));
      if (page.nextValid !== true) break;
      assert.ok(Number(page.nextBeginTime) > beginTime);
      beginTime = Number(page.nextBeginTime);
    }
    const byPage: string[] = [];
    for (let pageStart = 0; pageStart < 10; pageStart += 1) {
      const page = await client.ok<Json>('queryRecordings', { iotId: 'demo-camera-1', beginTime: mondayStart, endTime: mondayEnd, pageSize: 5, pageStart });
      byPage.push(...(page.recordFileList as Json[]).map((f) => String(f.fileName)));
      if (page.nextValid !== true) break;
    }
    assert.deepEqual(byCursor, files.map((f) => f.fileName));
    assert.deepEqual(byPage, files.map((f) => f.fileName));
  });
});

describe('emulator cameras: recordings, events and pictures', () => {
  let emulator: EmulatorHandle;
  let client: TestClient;
  const T0 = localMidnight(Date.UTC(2025, 10, 24, 12), 8) + 10 * HOUR;

  before(async () => {
    emulator = await start({ startTime: T0, captureDelayMs: 200, transcodeMs: 300 });
    client = new TestClient(emulator);
  });
  after(() => emulator.close());
  beforeEach(() => client.reset());

  async function now(): Promise<number> {
    return Number((await client.controlOk<Json>('GET', 'time')).now);
  }

  async function bindEventPlan(iotId = 'demo-camera-1', extra: Json = {}): Promise<string> {
    const { planId } = await client.ok<Json>('setEventPlan', { name: 'alerts', allDay: 1, recordDuration: 30, preRecordDuration: 5, eventTypeList: [1, 3], ...extra });
    await client.ok('bindEventPlan', { planId, iotId });
    return String(planId);
  }

  it('cuts the file in progress when the schedule changes (unbind), and continues contiguously', async () => {
    const { planId } = await client.ok<Json>('setRecordPlan', { name: 'always', allDay: 1 });
    await client.ok('bindRecordPlan', { planId, iotId: 'demo-camera-2' });
    const boundAt = await now();
    await client.controlOk('POST', 'time', { advanceMs: 50 * MINUTE });
    await client.ok('unbindRecordPlan', { iotId: 'demo-camera-2' });
    await client.controlOk('POST', 'time', { advanceMs: 60 * MINUTE });
    const begin = Math.floor(boundAt / 1000) - 60;
    const files = (await client.ok<Json>('queryRecordings', { iotId: 'demo-camera-2', beginTime: begin, endTime: begin + 4 * 3600 })).recordFileList as Json[];
    assert.equal(files.length, 2);
    const span = (f: Json): number => Date.parse(String(f.endTimeUTC)) - Date.parse(String(f.beginTimeUTC));
    assert.equal(span(files[0]), 30 * MINUTE);
    assert.ok(span(files[1]) > 19 * MINUTE && span(files[1]) < 21 * MINUTE, `partial file of ${span(files[1])} ms`);
    assert.equal(files[0].endTimeUTC, files[1].beginTimeUTC);
  });

  it('records an alert recording for an event inside a bound event plan (pre-record, length)', async () => {
    await bindEventPlan();
    const eventTime = (await now()) - 2 * MINUTE;
    const raised = await client.controlOk<Json>('POST', 'events', { iotId: 'demo-camera-1', eventTime, eventType: 1 });
    assert.equal(raised.eventTime, eventTime);
    const eventId = String(raised.eventId);
    const vod = await client.ok<Json>('getVodUrlByEvent', { iotId: 'demo-camera-1', eventId });
    const [file] = vod.vodList as Json[];
    assert.equal(file.beginTimeUTC, utc(Math.floor((eventTime - 5000) / 1000) * 1000));
    assert.equal(Date.parse(String(file.endTimeUTC)) - Date.parse(String(file.beginTimeUTC)), 30_000);
    assert.match(String(file.vodUrl), /^http:\/\/127\.0\.0\.1:\d+\/_media\/vod\//);
    const alerts = await client.ok<Json>('queryRecordings', {
      iotId: 'demo-camera-1', beginTime: Math.floor(eventTime / 1000) - 60, endTime: Math.floor(eventTime / 1000) + 60, recordType: 1,
    });
    assert.deepEqual((alerts.recordFileList as Json[]).map((f) => f.fileName), [file.fileName]);

    // A type the plan does not list, and recording: false, make no recording.
    const sound = await client.controlOk<Json>('POST', 'events', { iotId: 'demo-camera-1', eventTime, eventType: 2 });
    assert.deepEqual(sound.fileNames, []);
    const quiet = await client.controlOk<Json>('POST', 'events', { iotId: 'demo-camera-1', eventTime, recording: false });
    assert.deepEqual(quiet.fileNames, []);
    assert.deepEqual(await client.ok('getVodUrlByEvent', { iotId: 'demo-camera-1', eventId: quiet.eventId }), { vodList: [] });
  });

  it('records alerts only inside the event plan sections (its time zone honoured)', async () => {
    const t = await now();
    const localHour = new Date(t + 8 * HOUR).getUTCHours();
    const dayOfWeek = new Date(t + 8 * HOUR).getUTCDay();
    // A section covering the current local hour, and nothing else.
    await bindEventPlan('demo-camera-2', { allDay: 0, timeZone: 8, timeSectionList: [{ dayOfWeek, begin: localHour * 3600, end: (localHour + 1) * 3600 }] });
    const inside = await client.controlOk<Json>('POST', 'events', { iotId: 'demo-camera-2', eventTime: localMidnight(t, 8) + localHour * HOUR + 1000 });
    const outside = await client.controlOk<Json>('POST', 'events', { iotId: 'demo-camera-2', eventTime: localMidnight(t, 8) + localHour * HOUR - 1000 });
    assert.equal((inside.fileNames as string[]).length, 1);
    assert.deepEqual(outside.fileNames, []);
  });

  it('answers event lookups: by time with eventType filter, by ids, images by event; unknown ids', async () => {
    await bindEventPlan();
    const t = (await now()) - 10 * MINUTE;
    const motion = await client.controlOk<Json>('POST', 'events', { iotId: 'demo-camera-1', eventTime: t, eventType: 1 });
    const human = await client.controlOk<Json>('POST', 'events', { iotId: 'demo-camera-1', eventTime: t + 1000, eventType: 3, picture: false });
    const all = await client.ok<Json>('queryEvents', { iotId: 'demo-camera-1', beginTime: t - 1000, endTime: t + 5000 });
    // Newest first, as the apps see the cloud list them.
    const events = (all.eventList as Json[]).slice().reverse();
    assert.deepEqual(events.map((e) => e.eventId), [motion.eventId, human.eventId]);
    assert.equal(events[0].eventPicId, motion.pictureId);
    assert.match(String(events[0].eventPicUrl), /\/_media\/picture\//);
    assert.match(String(events[0].eventPicThumbUrl), /\/_media\/thumb\//);
    assert.equal(events[0].eventTime, local8(t));
    assert.equal(events[1].eventPicId, '');
    assert.equal(events[1].intelligentTypeList, '3');
    const humans = await client.ok<Json>('queryEvents', { iotId: 'demo-camera-1', beginTime: t - 1000, endTime: t + 5000, eventType: 3 });
    assert.deepEqual((humans.eventList as Json[]).map((e) => e.eventId), [human.eventId]);
    const thumbsOnly = await client.ok<Json>('queryEvents', { iotId: 'demo-camera-1', beginTime: t - 1000, endTime: t, pictureType: 2 });
    assert.equal((thumbsOnly.eventList as Json[])[0].eventPicUrl, undefined);

    const byIds = await client.ok<Json>('queryEventsByIds', {
      iotId: 'demo-camera-1', eventIds: [motion.eventId, 'ev-unknown'], needAlarmPicture: true, needRecordSnapshot: true,
    });
    const [detail] = byIds.eventList as Json[];
    assert.equal((byIds.eventList as Json[]).length, 1);
    assert.equal(detail.eventFileName, (motion.fileNames as string[])[0]);
    assert.match(String(detail.recordSnapshotUrl), /\/_media\/snapshot\//);
    assert.match(String(detail.eventPicUrl), /\/_media\/picture\//);

    const pictures = await client.ok<Json>('getPicturesByEvent', { iotId: 'demo-camera-1', eventIds: [motion.eventId, human.eventId] });
    assert.deepEqual((pictures.pictureList as Json[]).map((p) => [p.eventId, p.alarmPicId]), [[motion.eventId, motion.pictureId]]);

    await client.fails('getVodUrlByEvent', { iotId: 'demo-camera-1', eventId: 'ev-unknown' }, 20506);
    await client.fails('queryEvents', { iotId: 'ghost', beginTime: 0, endTime: 1 }, 2065);
  });

  it('pages events by pageStart over a fixed window, newest first by default and oldest first when asked', async () => {
    const t = (await now()) - HOUR;
    const ids: string[] = [];
    for (let index = 0; index < 7; index += 1) {
      ids.push(String((await client.controlOk<Json>('POST', 'events', { iotId: 'demo-camera-2', eventTime: t + index * 1000 })).eventId));
    }
    const pages = async (): Promise<{ ids: string[]; cursors: unknown[] }> => {
      const seen: string[] = [];
      const cursors: unknown[] = [];
      for (let pageStart = 0; ; pageStart += 1) {
        const page = await client.ok<Json>('queryEvents', { iotId: 'demo-camera-2', beginTime: t, endTime: t + MINUTE, pageSize: 3, pageStart });
        seen.push(...(page.eventList as Json[]).map((e) => String(e.eventId)));
        cursors.push(page.nextBeginTime);
        if (!page.nextValid) break;
      }
      return { ids: seen, cursors };
    };
    const newest = await pages();
    assert.deepEqual(newest.ids, [...ids].reverse());
    // The next page's first event is older: a client that re-queried from nextBeginTime would skip.
    assert.ok(Number(newest.cursors[0]) < t + 6000);
    await fetch(`${emulator.url}/_emulator/variants`, { method: 'POST', body: JSON.stringify({ eventOrder: 'oldest' }) });
    try {
      assert.deepEqual((await pages()).ids, ids);
    } finally {
      await fetch(`${emulator.url}/_emulator/variants`, { method: 'POST', body: JSON.stringify({ eventOrder: 'newest' }) });
    }
  });

  it('hides an event with visibleAfterMs from every query until then', async () => {
    await bindEventPlan();
    const t = (await now()) - MINUTE;
    const late = await client.controlOk<Json>('POST', 'events', { iotId: 'demo-camera-1', eventTime: t, visibleAfterMs: 400 });
    const query = { iotId: 'demo-camera-1', beginTime: t - 1000, endTime: t + 1000 };
    assert.deepEqual((await client.ok<Json>('queryEvents', query)).eventList, []);
    assert.deepEqual((await client.ok<Json>('queryEventsByIds', { iotId: 'demo-camera-1', eventIds: [late.eventId] })).eventList, []);
    assert.deepEqual((await client.ok<Json>('getPicturesByEvent', { iotId: 'demo-camera-1', eventIds: [late.eventId] })).pictureList, []);
    assert.deepEqual((await client.ok<Json>('queryPicturesByTime', { iotId: 'demo-camera-1', startTime: t - 1000, endTime: t + 1000 })).pictureList, []);
    await client.fails('getVodUrlByEvent', { iotId: 'demo-camera-1', eventId: late.eventId }, 20506);
    await sleep(450);
    assert.deepEqual(((await client.ok<Json>('queryEvents', query)).eventList as Json[]).map((e) => e.eventId), [late.eventId]);
    assert.equal(((await client.ok<Json>('getVodUrlByEvent', { iotId: 'demo-camera-1', eventId: late.eventId })).vodList as Json[]).length, 1);
  });

  it('takes a picture on picture/trigger, visible after the capture delay; filters by source and type; deletes', async () => {
    const before = (await now()) - 1000;
    const { pictureId } = await client.ok<Json>('triggerPicture', { iotId: 'demo-camera-1' });
    const range = { iotId: 'demo-camera-1', startTime: before, endTime: before + HOUR };
    assert.deepEqual((await client.ok<Json>('queryPicturesByTime', range)).pictureList, []);
    await sleep(250);
    const [picture] = (await client.ok<Json>('queryPicturesByTime', range)).pictureList as Json[];
    assert.equal(picture.pictureId, pictureId);
    assert.equal(picture.source, 2);
    assert.match(String(picture.pictureUrl), /\/_media\/picture\//);
    await client.controlOk('POST', 'events', { iotId: 'demo-camera-1', eventTime: before + 500 });
    assert.equal(((await client.ok<Json>('queryPicturesByTime', { ...range, source: 1 })).pictureList as Json[]).length, 1);
    assert.equal(((await client.ok<Json>('queryPicturesByTime', { ...range, source: 2 })).pictureList as Json[]).length, 1);
    assert.equal(((await client.ok<Json>('queryPicturesByTime', { ...range, pageSize: 1, pageStart: 1 })).pictureList as Json[]).length, 1);
    const thumbs = (await client.ok<Json>('queryPicturesByIds', { iotId: 'demo-camera-1', pictureIdList: [pictureId, 'nope'], type: 2 })).pictureList as Json[];
    assert.equal(thumbs.length, 1);
    assert.equal(thumbs[0].pictureUrl, '');
    assert.match(String(thumbs[0].thumbUrl), /\/_media\/thumb\//);
    assert.deepEqual(await client.ok('deletePictures', { iotId: 'demo-camera-1', pictureIdList: [pictureId, pictureId, 'nope'] }), { deleteCount: 1 });
    assert.deepEqual((await client.ok<Json>('queryPicturesByIds', { iotId: 'demo-camera-1', pictureIdList: [pictureId] })).pictureList, []);
  });

  it('record/trigger needs cloud storage, an event plan and an online device; records a manual file', async () => {
    await client.controlOk('POST', 'devices', { iotId: 'bare', cloudStorage: false });
    await client.fails('triggerRecording', { iotId: 'bare', recordDuration: 10 }, 20504);
    await client.fails('triggerRecording', { iotId: 'demo-camera-1', recordDuration: 10 }, 20507);
    await bindEventPlan();
    await client.controlOk('POST', 'devices', { iotId: 'demo-camera-1', online: false });
    await client.fails('triggerRecording', { iotId: 'demo-camera-1', recordDuration: 10 }, 6205);
    await client.fails('triggerPicture', { iotId: 'demo-camera-1' }, 6205);
    await client.controlOk('POST', 'devices', { iotId: 'demo-camera-1', online: true });
    const t = await now();
    const { recordId } = await client.ok<Json>('triggerRecording', { iotId: 'demo-camera-1', recordDuration: 60, preRecordDuration: 10 });
    assert.ok(recordId);
    const window = { iotId: 'demo-camera-1', beginTime: Math.floor(t / 1000) - 60, endTime: Math.floor(t / 1000) + 120, recordType: 2 };
    assert.deepEqual((await client.ok<Json>('queryRecordings', window)).recordFileList, [], 'not complete yet');
    await client.controlOk('POST', 'time', { advanceMs: 2 * MINUTE });
    const [file] = (await client.ok<Json>('queryRecordings', window)).recordFileList as Json[];
    assert.equal(file.recordType, 2);
    assert.equal(Date.parse(String(file.endTimeUTC)) - Date.parse(String(file.beginTimeUTC)), 60_000);
  });

  it('gives VOD URLs by file name, runs the download transcode job, and fails a job on request', async () => {
    await bindEventPlan();
    const raised = await client.controlOk<Json>('POST', 'events', { iotId: 'demo-camera-1', eventTime: (await now()) - MINUTE });
    const fileName = (raised.fileNames as string[])[0];
    const vod = await client.ok<Json>('getVodUrlByFileName', { iotId: 'demo-camera-1', fileName });
    assert.match(String(vod.vodUrl), /\/_media\/vod\/demo-camera-1\/.+\.mp4\?expires=\d+&sig=/);
    assert.ok(Number(vod.expiresAt) > Date.now());
    await client.fails('getVodUrlByFileName', { iotId: 'demo-camera-1', fileName: 'nope' }, 20505);
    await client.fails('getDownloadUrl', { iotId: 'demo-camera-1', fileName: 'nope' }, 20505);

    // The call that starts the job answers data: null ("still being made"); numbers come as text by default.
    assert.equal(await client.ok('getDownloadUrl', { iotId: 'demo-camera-1', fileName }), null);
    const first = await client.ok<Json>('getDownloadUrl', { iotId: 'demo-camera-1', fileName });
    assert.deepEqual([first.status, first.url], ['1', '']);
    assert.ok(Number(first.progress) < 50);
    await sleep(150);
    const middle = await client.ok<Json>('getDownloadUrl', { iotId: 'demo-camera-1', fileName });
    assert.equal(middle.status, '1');
    assert.ok(Number(middle.progress) > Number(first.progress) && Number(middle.progress) < 100, `progress ${middle.progress}`);
    await sleep(200);
    const done = await client.ok<Json>('getDownloadUrl', { iotId: 'demo-camera-1', fileName });
    assert.equal(done.status, '0');
    assert.equal(done.progress, '100');
    assert.match(String(done.url), /\/_media\/download\/.+\.mp4\?expires=/);

    const second = await client.controlOk<Json>('POST', 'events', { iotId: 'demo-camera-1', eventTime: (await now()) - MINUTE });
    const other = (second.fileNames as string[])[0];
    await client.controlOk('POST', 'transcode-failures', { fileName: other });
    assert.equal(await client.ok('getDownloadUrl', { iotId: 'demo-camera-1', fileName: other }), null);
    assert.equal((await client.ok<Json>('getDownloadUrl', { iotId: 'demo-camera-1', fileName: other })).status, '1');
    await sleep(350);
    assert.equal((await client.ok<Json>('getDownloadUrl', { iotId: 'demo-camera-1', fileName: other })).status, '2', 'failed: 2, as in the Chinese reference');
    assert.equal(await client.ok('getDownloadUrl', { iotId: 'demo-camera-1', fileName: other }), null, 'a new job starts');
  });

  it('deletes recordings in a batch', async () => {
    await bindEventPlan();
    const t = (await now()) - 10 * MINUTE;
    const names: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      names.push(...((await client.controlOk<Json>('POST', 'events', { iotId: 'demo-camera-1', eventTime: t + index * MINUTE })).fileNames as string[]));
    }
    assert.deepEqual(await client.ok('deleteRecordings', { iotId: 'demo-camera-1', fileNameList: [names[0], names[2], 'nope'] }), { deletedCount: 2 });
    const left = await client.ok<Json>('queryRecordings', { iotId: 'demo-camera-1', beginTime: Math.floor(t / 1000) - 60, endTime: Math.floor(t / 1000) + 600 });
    assert.deepEqual((left.recordFileList as Json[]).map((f) => f.fileName), [names[1]]);
  });
});
