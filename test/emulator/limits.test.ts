/**
 * Limits: each value one past a catalog limit gets code 460 "request parameter error." with the
 * problem's path in the message, and nothing changes; the value at the limit is accepted.
 */
import assert from 'node:assert/strict';
import type { EmulatorHandle } from '../../lib/emulator';
import { start, TestClient, type Json } from './helpers';

const SECTION = { dayOfWeek: 1, begin: 0, end: 3600 };

describe('emulator limits (catalog validateParams)', () => {
  let emulator: EmulatorHandle;
  let client: TestClient;

  before(async () => {
    emulator = await start();
    client = new TestClient(emulator);
  });
  after(() => emulator.close());
  beforeEach(() => client.reset());

  async function refused(operation: string, params: Json, path: string): Promise<void> {
    const message = await client.fails(operation, params, 460);
    assert.match(message, /^request parameter error\./);
    assert.ok(message.includes(path), `${operation}: "${message}" should name ${path}`);
  }

  async function planCount(): Promise<number> {
    const records = await client.ok<Json>('queryRecordPlans', {});
    const events = await client.ok<Json>('queryEventPlans', {});
    return Number(records.total) + Number(events.total);
  }

  async function alertRecording(): Promise<string> {
    const plan = await client.ok<Json>('setEventPlan', { name: 'e', allDay: 1, recordDuration: 10, eventTypeList: [1] });
    await client.ok('bindEventPlan', { planId: plan.planId, iotId: 'demo-camera-1' });
    const event = await client.controlOk<Json>('POST', 'events', { iotId: 'demo-camera-1', eventTime: Date.now() - 60_000 });
    return (event.fileNames as string[])[0];
  }

  it('timeSectionList end 86400 (max 86399), dayOfWeek 7, begin -1 and end < begin: no plan', async () => {
    await refused('setRecordPlan', { name: 'p', allDay: 0, timeSectionList: [{ ...SECTION, end: 86400 }] }, 'timeSectionList[0].end');
    await refused('setRecordPlan', { name: 'p', allDay: 0, timeSectionList: [{ ...SECTION, dayOfWeek: 7 }] }, 'timeSectionList[0].dayOfWeek');
    await refused('setRecordPlan', { name: 'p', allDay: 0, timeSectionList: [{ ...SECTION, begin: -1 }] }, 'timeSectionList[0].begin');
    await refused('setRecordPlan', { name: 'p', allDay: 0, timeSectionList: [{ dayOfWeek: 1, begin: 100, end: 50 }] }, 'timeSectionList[0].end');
    await refused('setRecordPlan', { name: 'p', allDay: 0 }, 'timeSectionList');
    assert.equal(await planCount(), 0);
    await client.ok('setRecordPlan', { name: 'p', allDay: 0, timeSectionList: [{ ...SECTION, end: 86399 }] });
  });

  it('timeZone 13 and -12 (range -11..12): no plan, no update', async () => {
    await refused('setRecordPlan', { name: 'p', allDay: 1, timeZone: 13 }, 'timeZone');
    await refused('setEventPlan', { name: 'p', allDay: 1, recordDuration: 10, eventTypeList: [1], timeZone: -12 }, 'timeZone');
    assert.equal(await planCount(), 0);
    const { planId } = await client.ok<Json>('setRecordPlan', { name: 'p', allDay: 0, timeSectionList: [SECTION], timeZone: 12 });
    await refused('updateRecordPlan', { planId, name: 'changed', timeZone: 13 }, 'timeZone');
    assert.equal((await client.ok<Json>('getRecordPlan', { planId, timeZone: 12 })).name, 'p');
  });

  it('eventTypeList item 4, empty list, recordDuration 0: no event plan', async () => {
    await refused('setEventPlan', { name: 'e', allDay: 1, recordDuration: 10, eventTypeList: [4] }, 'eventTypeList[0]');
    await refused('setEventPlan', { name: 'e', allDay: 1, recordDuration: 10, eventTypeList: [] }, 'eventTypeList');
    await refused('setEventPlan', { name: 'e', allDay: 1, recordDuration: 0, eventTypeList: [1] }, 'recordDuration');
    assert.equal(await planCount(), 0);
  });

  it('pageSize one past each maximum (500, 100, 50) and pageStart -1', async () => {
    await refused('queryRecordPlans', { pageSize: 501 }, 'pageSize');
    await refused('queryEventPlans', { pageSize: 501 }, 'pageSize');
    await refused('queryRecordings', { iotId: 'demo-camera-1', beginTime: 0, endTime: 10, pageSize: 501 }, 'pageSize');
    await refused('queryEvents', { iotId: 'demo-camera-1', beginTime: 0, endTime: 10, pageSize: 101 }, 'pageSize');
    await refused('queryPicturesByTime', { iotId: 'demo-camera-1', startTime: 0, endTime: 10, pageSize: 101 }, 'pageSize');
    await refused('listDevices', { pageSize: 51 }, 'pageSize');
    await refused('queryRecordPlans', { pageStart: -1 }, 'pageStart');
    await refused('queryRecordPlans', { pageSize: 0 }, 'pageSize');
    await client.ok('queryRecordPlans', { pageSize: 500 });
    await client.ok('queryEvents', { iotId: 'demo-camera-1', beginTime: 0, endTime: 10, pageSize: 100 });
  });

  it('recordDuration 599 and 3601 (range 600..3600): the duration stays', async () => {
    await refused('setRecordDuration', { iotId: 'demo-camera-1', recordDuration: 599 }, 'recordDuration');
    await refused('setRecordDuration', { iotId: 'demo-camera-1', recordDuration: 3601 }, 'recordDuration');
    await refused('setRecordDuration', { iotId: 'demo-camera-1', recordDuration: 900.5 }, 'recordDuration');
    assert.deepEqual(await client.ok('getRecordDuration', { iotId: 'demo-camera-1' }), { recordDuration: 1800 });
  });

  it('record/trigger recordDuration 1801 (max 1800): no recording', async () => {
    const plan = await client.ok<Json>('setEventPlan', { name: 'e', allDay: 1, recordDuration: 10, eventTypeList: [1] });
    await client.ok('bindEventPlan', { planId: plan.planId, iotId: 'demo-camera-1' });
    await refused('triggerRecording', { iotId: 'demo-camera-1', recordDuration: 1801 }, 'recordDuration');
    await client.controlOk('POST', 'time', { advanceMs: 3_600_000 });
    const now = Math.floor(Date.now() / 1000);
    const found = await client.ok<Json>('queryRecordings', { iotId: 'demo-camera-1', beginTime: now - 3600, endTime: now + 7200 });
    assert.deepEqual(found.recordFileList, []);
    assert.ok((await client.ok<Json>('triggerRecording', { iotId: 'demo-camera-1', recordDuration: 1800 })).recordId);
  });

  it('record/batchdelete with 101 names (max 100): nothing deleted', async () => {
    const fileName = await alertRecording();
    const names = [fileName, ...Array.from({ length: 100 }, (_, i) => `missing-${i}`)];
    await refused('deleteRecordings', { iotId: 'demo-camera-1', fileNameList: names }, 'fileNameList');
    await client.ok('getVodUrlByFileName', { iotId: 'demo-camera-1', fileName });
    assert.deepEqual(await client.ok('deleteRecordings', { iotId: 'demo-camera-1', fileNameList: names.slice(0, 100) }), { deletedCount: 1 });
  });

  it('month 202613, streamType 2, eventInterval -1, missing iotId, wrong types', async () => {
    await refused('queryMonthRecordings', { iotId: 'demo-camera-1', month: '202613' }, 'month');
    const { planId } = await client.ok<Json>('setRecordPlan', { name: 'p', allDay: 1 });
    await refused('bindRecordPlan', { planId, iotId: 'demo-camera-1', streamType: 2 }, 'streamType');
    assert.equal(await client.ok('getRecordPlanByDevice', { iotId: 'demo-camera-1' }), null);
    await refused('setEventConfig', { iotId: 'demo-camera-1', eventType: 1, eventInterval: -1 }, 'eventInterval');
    assert.equal((await client.ok<Json>('getEventConfig', { iotId: 'demo-camera-1', eventType: 1 })).eventInterval, 120);
    await refused('getRecordDuration', {}, 'iotId');
    await refused('queryRecordings', { iotId: 'demo-camera-1', beginTime: '0', endTime: 10 }, 'beginTime');
    await refused('queryEvents', { iotId: 'demo-camera-1', beginTime: 10, endTime: 5 }, 'endTime');
    await refused('queryRecordings', { iotId: 'demo-camera-1', beginTime: 10, endTime: 5 }, 'endTime: must be ≥ beginTime (10)');
    await refused('queryPicturesByTime', { iotId: 'demo-camera-1', startTime: 10, endTime: 5 }, 'endTime: must be ≥ startTime (10)');
    await refused('triggerRecording', { iotId: 'demo-camera-1', recordDuration: 5, preRecordDuration: 6 }, 'preRecordDuration: must be ≤ recordDuration (5)');
  });

  it('counts every refusal under rejected.params', async () => {
    await refused('queryRecordPlans', { pageSize: 501 }, 'pageSize');
    assert.equal(emulator.stats().rejected.params, 1);
  });
});
