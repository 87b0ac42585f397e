/** What real clients send and see (docs/protocol.md §8): monthrecord timeZone, recordType 3, needProlongOriginRecord, transcode answers. */
import assert from 'node:assert/strict';
import { LinkVisualClient } from '../../lib/client/client';
import type { EmulatorHandle } from '../../lib/emulator';
import { LinkVisualError } from '../../lib/gateway/errors';
import { sleep, start, TestClient, type Json } from './helpers';

const PARAM_ERROR = 460;
const CAMERA = 'demo-camera-1';
/** 24 Nov 2025 17:00 UTC: the 24th in UTC, already the 25th in UTC+8 (the demo camera's zone). */
const LATE_24TH = Date.UTC(2025, 10, 24, 17);
/** 30 Nov 2025 20:00 UTC: still November in UTC, 1 December in UTC+8. */
const LATE_30TH = Date.UTC(2025, 10, 30, 20);

/** The 1-based days flagged in a recordFlags string. */
function flaggedDays(flags: unknown): number[] {
  return [...String(flags)].flatMap((flag, index) => (flag === '1' ? [index + 1] : []));
}

describe('emulator: the variants real clients show', () => {
  let emulator: EmulatorHandle;
  let client: TestClient;

  before(async () => {
    emulator = await start({ startTime: Date.UTC(2025, 11, 3, 12), transcodeMs: 200 });
    client = new TestClient(emulator);
  });
  after(() => emulator.close());
  beforeEach(() => client.reset());

  async function alertRecording(eventTime: number): Promise<{ eventId: string; fileName: string }> {
    const { planId } = await client.ok<Json>('setEventPlan', { name: 'alerts', allDay: 1, recordDuration: 30, preRecordDuration: 5, eventTypeList: [1] });
    await client.ok('bindEventPlan', { planId, iotId: CAMERA });
    const raised = await client.controlOk<Json>('POST', 'events', { iotId: CAMERA, eventTime });
    const [fileName] = raised.fileNames as string[];
    assert.ok(fileName, 'the event made a recording');
    return { eventId: String(raised.eventId), fileName };
  }

  describe('monthrecord/query timeZone', () => {
    it('counts the days in the time zone asked for, else in the device zone', async () => {
      await alertRecording(LATE_24TH);
      await client.ok('unbindEventPlan', { iotId: CAMERA });
      await alertRecording(LATE_30TH);
      const month = async (yyyyMM: string, timeZone?: number) =>
        flaggedDays((await client.ok<Json>('queryMonthRecordings', { iotId: CAMERA, month: yyyyMM, ...(timeZone === undefined ? {} : { timeZone }) })).recordFlags);

      assert.deepEqual(await month('202511'), [25], 'device zone UTC+8: the 25th; the 30th event falls on 1 December');
      assert.deepEqual(await month('202512'), [1]);
      assert.deepEqual(await month('202511', 8), [25]);
      assert.deepEqual(await month('202511', 0), [24, 30]);
      assert.deepEqual(await month('202512', 0), []);
      assert.deepEqual(await month('202511', -11), [24, 30]);
      assert.deepEqual(await month('202511', 12), [25]);
    });

    it('refuses a timeZone outside -11..12 or not an integer (460)', async () => {
      for (const timeZone of [13, -12, 1.5, 'eight']) {
        const message = await client.fails('queryMonthRecordings', { iotId: CAMERA, month: '202511', timeZone }, PARAM_ERROR);
        assert.match(message, /timeZone/, JSON.stringify(timeZone));
      }
    });
  });

  describe('record/query recordType 3 (recorded while watching)', () => {
    it('accepts 3 and filters by it; refuses a type that does not exist', async () => {
      const { fileName } = await alertRecording(LATE_24TH);
      const window = { iotId: CAMERA, beginTime: Math.floor(LATE_24TH / 1000) - 60, endTime: Math.floor(LATE_24TH / 1000) + 60 };
      const names = async (recordType: number) =>
        ((await client.ok<Json>('queryRecordings', { ...window, recordType })).recordFileList as Json[]).map((f) => f.fileName);
      assert.deepEqual(await names(1), [fileName]);
      assert.deepEqual(await names(99), [fileName]);
      assert.deepEqual(await names(3), [], 'no recording of type 3: none listed');
      await client.fails('queryRecordings', { ...window, recordType: 4 }, PARAM_ERROR);
    });
  });

  describe('event/query/byeventids needProlongOriginRecord', () => {
    it('accepts the flag (true or false) and answers as without it; refuses a non-boolean', async () => {
      const { eventId, fileName } = await alertRecording(LATE_24TH);
      const plain = await client.ok<Json>('queryEventsByIds', { iotId: CAMERA, eventIds: [eventId] });
      for (const needProlongOriginRecord of [true, false]) {
        const answer = await client.ok<Json>('queryEventsByIds', { iotId: CAMERA, eventIds: [eventId], needProlongOriginRecord });
        assert.deepEqual(answer, plain);
        assert.equal((answer.eventList as Json[])[0].eventFileName, fileName);
      }
      await client.fails('queryEventsByIds', { iotId: CAMERA, eventIds: [eventId], needProlongOriginRecord: 'yes' }, PARAM_ERROR);
    });
  });

  describe('through the library client', () => {
    it('sends timeZone, recordType 3 and needProlongOriginRecord (at apiVer 1.0.1), and refuses bad values before sending', async () => {
      const { eventId } = await alertRecording(LATE_24TH);
      const lv = new LinkVisualClient({
        endpoint: emulator.url,
        appKey: emulator.appKey,
        appSecret: emulator.appSecret,
        auth: { mode: 'session', identityId: emulator.identityId, refreshToken: emulator.refreshToken },
      });
      try {
        const month = (await lv.call('queryMonthRecordings', { iotId: CAMERA, month: '202511', timeZone: 0 })) as Json;
        assert.deepEqual(flaggedDays(month.recordFlags), [24]);
        const watched = (await lv.call('queryRecordings', { iotId: CAMERA, beginTime: 0, endTime: Math.floor(LATE_24TH / 1000) + 60, recordType: 3 })) as Json;
        assert.deepEqual(watched.recordFileList, []);
        const byIds = await lv.callDetailed('queryEventsByIds', { iotId: CAMERA, eventIds: [eventId], needProlongOriginRecord: true }, { apiVer: '1.0.1' });
        assert.equal(byIds.apiVer, '1.0.1');
        assert.equal(((byIds.data as Json).eventList as Json[]).length, 1);

        const before = emulator.stats().requests;
        for (const [name, params] of [
          ['queryMonthRecordings', { iotId: CAMERA, month: '202511', timeZone: 13 }],
          ['queryRecordings', { iotId: CAMERA, beginTime: 0, endTime: 1, recordType: 4 }],
          ['queryEventsByIds', { iotId: CAMERA, eventIds: [eventId], needProlongOriginRecord: 'yes' }],
        ] as const) {
          await assert.rejects(lv.call(name, params), (error: unknown) => error instanceof LinkVisualError && error.code === 'INVALID_PARAMS', name);
        }
        assert.equal(emulator.stats().requests, before, 'nothing was sent for an invalid value');
      } finally {
        await lv.close();
      }
    });
  });

  describe('vod/cloudfile/get', () => {
    for (const numberForm of ['string', 'number'] as const) {
      it(`answers data: null for a new job, then status and progress as ${numberForm}s; a failed job ends with status 2`, async () => {
        await client.controlOk('POST', 'variants', { numberForm });
        const { fileName } = await alertRecording(LATE_24TH);
        const form = (value: number) => (numberForm === 'string' ? String(value) : value);
        assert.equal(await client.ok('getDownloadUrl', { iotId: CAMERA, fileName }), null, '"still being made"');
        const working = await client.ok<Json>('getDownloadUrl', { iotId: CAMERA, fileName });
        assert.equal(working.status, form(1));
        assert.equal(typeof working.progress, numberForm);
        await sleep(250);
        const done = await client.ok<Json>('getDownloadUrl', { iotId: CAMERA, fileName });
        assert.deepEqual([done.status, done.progress], [form(0), form(100)]);
        assert.match(String(done.url), /\/_media\/download\//);

        const { fileName: other } = await alertRecording(LATE_24TH + 60_000);
        await client.controlOk('POST', 'transcode-failures', { fileName: other });
        assert.equal(await client.ok('getDownloadUrl', { iotId: CAMERA, fileName: other }), null);
        await sleep(250);
        const failed = await client.ok<Json>('getDownloadUrl', { iotId: CAMERA, fileName: other });
        assert.deepEqual([failed.status, failed.url], [form(2), '']);
      });
    }
  });
});
