/** State rules: plans, bindings, cloud storage grants, duration and business-event configuration. */
import assert from 'node:assert/strict';
import { EMULATOR_CODES, type EmulatorHandle } from '../../lib/emulator';
import { start, TestClient, type Json } from './helpers';

const WEEKDAY_MORNINGS = [1, 2, 3, 4, 5].map((dayOfWeek) => ({ dayOfWeek, begin: 8 * 3600, end: 12 * 3600 }));

describe('emulator state rules', () => {
  let emulator: EmulatorHandle;
  let client: TestClient;

  before(async () => {
    emulator = await start();
    client = new TestClient(emulator);
  });
  after(() => emulator.close());
  beforeEach(() => client.reset());

  async function recordPlan(name = 'mornings', extra: Json = {}): Promise<string> {
    const data = await client.ok<Json>('setRecordPlan', { name, allDay: 0, timeSectionList: WEEKDAY_MORNINGS, ...extra });
    return String(data.planId);
  }

  async function eventPlan(name = 'alerts'): Promise<string> {
    const data = await client.ok<Json>('setEventPlan', { name, allDay: 1, recordDuration: 30, preRecordDuration: 5, eventTypeList: [1, 3] });
    return String(data.planId);
  }

  it('creates, gets, updates, lists and deletes recording plans', async () => {
    const planId = await recordPlan();
    assert.deepEqual(await client.ok('getRecordPlan', { planId }), { planId, name: 'mornings', allDay: 0, timeSectionList: WEEKDAY_MORNINGS });
    assert.deepEqual(await client.ok('updateRecordPlan', { planId, name: 'all day', allDay: 1 }), { planId });
    const updated = await client.ok<Json>('getRecordPlan', { planId });
    assert.equal(updated.name, 'all day');
    assert.equal(updated.allDay, 1);
    const list = await client.ok<Json>('queryRecordPlans', {});
    assert.equal(list.total, 1);
    assert.equal(list.currentCount, 1);
    assert.equal(await client.ok('deleteRecordPlan', { planId }), null);
    await client.fails('getRecordPlan', { planId }, EMULATOR_CODES.RECORD_PLAN_NOT_FOUND.code);
    await client.fails('deleteRecordPlan', { planId }, EMULATOR_CODES.RECORD_PLAN_NOT_FOUND.code);
  });

  it('creates, gets, updates, lists and deletes event-triggered plans', async () => {
    const planId = await eventPlan();
    assert.deepEqual(await client.ok('getEventPlan', { planId }), {
      planId,
      name: 'alerts',
      preRecordDuration: 5,
      recordDuration: 30,
      allDay: 1,
      eventTypeList: [1, 3],
      timeSectionList: [],
    });
    assert.equal(await client.ok('updateEventPlan', { planId, recordDuration: 60, eventTypeList: [2] }), null);
    const updated = await client.ok<Json>('getEventPlan', { planId });
    assert.equal(updated.recordDuration, 60);
    assert.deepEqual(updated.eventTypeList, [2]);
    const list = await client.ok<Json>('queryEventPlans', {});
    assert.equal((list.eventRecordPlanList as Json[]).length, 1);
    await client.ok('deleteEventPlan', { planId });
    await client.fails('getEventPlan', { planId }, EMULATOR_CODES.EVENT_PLAN_NOT_FOUND.code);
  });

  it('refuses an event plan whose pre-recording exceeds its length, on set and on update', async () => {
    const onSet = await client.fails('setEventPlan', { name: 'x', allDay: 1, recordDuration: 10, preRecordDuration: 11, eventTypeList: [1] }, 460);
    assert.match(onSet, /preRecordDuration: must be ≤ recordDuration \(10\)/);
    const planId = await eventPlan();
    // The update sends one side of the rule: it is judged with the stored recordDuration (30).
    const onUpdate = await client.fails('updateEventPlan', { planId, preRecordDuration: 31 }, 460);
    assert.match(onUpdate, /preRecordDuration: must be ≤ recordDuration \(30\)/);
    await client.fails('updateEventPlan', { planId, recordDuration: 4 }, 460);
    assert.equal((await client.ok<Json>('getEventPlan', { planId })).preRecordDuration, 5);
    await client.ok('updateEventPlan', { planId, recordDuration: 5 });
  });

  it('pages plan lists with pageStart (0-based) and pageSize', async () => {
    for (let index = 0; index < 5; index += 1) await recordPlan(`plan ${index}`);
    const page1 = await client.ok<Json>('queryRecordPlans', { pageStart: 1, pageSize: 2 });
    assert.equal(page1.total, 5);
    assert.equal(page1.currentCount, 2);
    assert.deepEqual((page1.recordPlanList as Json[]).map((p) => p.name), ['plan 2', 'plan 3']);
    const last = await client.ok<Json>('queryRecordPlans', { pageStart: 2, pageSize: 2 });
    assert.deepEqual((last.recordPlanList as Json[]).map((p) => p.name), ['plan 4']);
  });

  it('renders plan sections in the time zone asked for', async () => {
    const planId = await recordPlan('utc', { timeSectionList: [{ dayOfWeek: 1, begin: 22 * 3600, end: 86399 }], timeZone: 0 });
    const inChina = await client.ok<Json>('getRecordPlan', { planId, timeZone: 8 });
    assert.deepEqual(inChina.timeSectionList, [{ dayOfWeek: 2, begin: 6 * 3600, end: 8 * 3600 }]);
    const inUtc = await client.ok<Json>('getRecordPlan', { planId, timeZone: 0 });
    assert.deepEqual(inUtc.timeSectionList, [{ dayOfWeek: 1, begin: 22 * 3600, end: 86399 }]);
  });

  it('keeps one plan of each kind per device and stream type: binding another replaces it', async () => {
    const first = await recordPlan('first');
    const second = await recordPlan('second');
    await client.ok('bindRecordPlan', { planId: first, iotId: 'demo-camera-1' });
    await client.ok('bindRecordPlan', { planId: first, iotId: 'demo-camera-1', streamType: 1 });
    assert.equal((await client.ok<Json>('getRecordPlanByDevice', { iotId: 'demo-camera-1' })).planId, first);
    await client.ok('bindRecordPlan', { planId: second, iotId: 'demo-camera-1', streamType: 0 });
    assert.equal((await client.ok<Json>('getRecordPlanByDevice', { iotId: 'demo-camera-1' })).planId, second);
    assert.equal((await client.ok<Json>('getRecordPlanByDevice', { iotId: 'demo-camera-1', streamType: 1 })).planId, first);
    assert.deepEqual(await client.ok('queryRecordPlanDevices', { planId: first }), {
      total: 1,
      currentCount: 1,
      deviceList: [{ iotId: 'demo-camera-1', streamType: 1 }],
    });
    const events = await eventPlan();
    await client.ok('bindEventPlan', { planId: events, iotId: 'demo-camera-1' });
    assert.equal((await client.ok<Json>('getEventPlanByDevice', { iotId: 'demo-camera-1' })).planId, events);
    assert.equal((await client.ok<Json>('getRecordPlanByDevice', { iotId: 'demo-camera-1' })).planId, second);
    assert.equal((await client.ok<Json>('queryEventPlanDevices', { planId: events })).total, 1);
  });

  it('unbinds (idempotently); getbyiotid then answers data null', async () => {
    const planId = await recordPlan();
    await client.ok('bindRecordPlan', { planId, iotId: 'demo-camera-2' });
    await client.ok('unbindRecordPlan', { iotId: 'demo-camera-2' });
    await client.ok('unbindRecordPlan', { iotId: 'demo-camera-2' });
    assert.equal(await client.ok('getRecordPlanByDevice', { iotId: 'demo-camera-2' }), null);
    assert.equal(await client.ok('getEventPlanByDevice', { iotId: 'demo-camera-2' }), null);
  });

  it('refuses to delete a plan while it is bound, and deletes it once unbound', async () => {
    const planId = await recordPlan();
    await client.ok('bindRecordPlan', { planId, iotId: 'demo-camera-1' });
    const message = await client.fails('deleteRecordPlan', { planId }, EMULATOR_CODES.PLAN_IN_USE.code);
    assert.match(message, /demo-camera-1/);
    assert.equal((await client.ok<Json>('getRecordPlan', { planId })).planId, planId);
    await client.ok('unbindRecordPlan', { iotId: 'demo-camera-1' });
    await client.ok('deleteRecordPlan', { planId });

    const events = await eventPlan();
    await client.ok('bindEventPlan', { planId: events, iotId: 'demo-camera-1', streamType: 1 });
    await client.fails('deleteEventPlan', { planId: events }, EMULATOR_CODES.PLAN_IN_USE.code);
  });

  it('binding needs cloud storage on the device; consuming the grant enables it', async () => {
    await client.controlOk('POST', 'devices', { iotId: 'cam-no-storage', cloudStorage: false });
    const planId = await recordPlan();
    await client.fails('bindRecordPlan', { planId, iotId: 'cam-no-storage' }, EMULATOR_CODES.CLOUD_STORAGE_DISABLED.code);
    await client.fails('bindEventPlan', { planId: await eventPlan(), iotId: 'cam-no-storage' }, EMULATOR_CODES.CLOUD_STORAGE_DISABLED.code);
    assert.equal(await client.ok('getRecordPlanByDevice', { iotId: 'cam-no-storage' }), null);
    await client.ok('consumePresentedStorage', { iotId: 'cam-no-storage' });
    await client.ok('bindRecordPlan', { planId, iotId: 'cam-no-storage' });
  });

  it('answers unknown devices and plans with their codes', async () => {
    const planId = await recordPlan();
    await client.fails('bindRecordPlan', { planId, iotId: 'ghost' }, EMULATOR_CODES.DEVICE_NOT_BOUND.code);
    await client.fails('bindRecordPlan', { planId: 'rp-ghost', iotId: 'demo-camera-1' }, EMULATOR_CODES.RECORD_PLAN_NOT_FOUND.code);
    await client.fails('bindEventPlan', { planId, iotId: 'demo-camera-1' }, EMULATOR_CODES.EVENT_PLAN_NOT_FOUND.code);
    await client.fails('getRecordDuration', { iotId: 'ghost' }, EMULATOR_CODES.DEVICE_NOT_BOUND.code);
    await client.fails('queryRecordPlanDevices', { planId: 'rp-ghost' }, EMULATOR_CODES.RECORD_PLAN_NOT_FOUND.code);
  });

  it('gets the complimentary grant and consumes it once; enableDefaultPlan binds a 7x24 plan', async () => {
    const before = await client.ok<Json>('getPresentedStorage', { iotId: 'demo-camera-1' });
    assert.equal(before.consumed, 0);
    assert.equal(before.expired, 0);
    const consumed = await client.ok<Json>('consumePresentedStorage', { iotId: 'demo-camera-1', enableDefaultPlan: true });
    assert.equal(consumed.consumed, 1);
    assert.match(String(consumed.startTimeUTC), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(String(consumed.endTime), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    const plan = await client.ok<Json>('getRecordPlanByDevice', { iotId: 'demo-camera-1' });
    assert.equal(plan.allDay, 1);
    await client.fails('consumePresentedStorage', { iotId: 'demo-camera-1' }, EMULATOR_CODES.PRESENTED_STORAGE_CONSUMED.code);
    assert.equal((await client.ok<Json>('getPresentedStorage', { iotId: 'demo-camera-1' })).consumed, 1);
    await client.ok('consumePresentedStorage', { iotId: 'demo-camera-2' });
    assert.equal(await client.ok('getRecordPlanByDevice', { iotId: 'demo-camera-2' }), null);
  });

  it('keeps the duration configuration: default 1800, set within 600–3600, absent value means the default', async () => {
    assert.deepEqual(await client.ok('getRecordDuration', { iotId: 'demo-camera-1' }), { recordDuration: 1800 });
    await client.ok('setRecordDuration', { iotId: 'demo-camera-1', recordDuration: 600 });
    assert.deepEqual(await client.ok('getRecordDuration', { iotId: 'demo-camera-1' }), { recordDuration: 600 });
    await client.ok('setRecordDuration', { iotId: 'demo-camera-1', recordDuration: 3600 });
    assert.deepEqual(await client.ok('getRecordDuration', { iotId: 'demo-camera-1' }), { recordDuration: 3600 });
    await client.ok('setRecordDuration', { iotId: 'demo-camera-1' });
    assert.deepEqual(await client.ok('getRecordDuration', { iotId: 'demo-camera-1' }), { recordDuration: 1800 });
  });

  it('keeps the business-event push interval per event type (default 120)', async () => {
    assert.deepEqual(await client.ok('getEventConfig', { iotId: 'demo-camera-1', eventType: 1 }), { eventType: 1, eventInterval: 120 });
    await client.ok('setEventConfig', { iotId: 'demo-camera-1', eventType: 1, eventInterval: 30 });
    assert.deepEqual(await client.ok('getEventConfig', { iotId: 'demo-camera-1', eventType: 1 }), { eventType: 1, eventInterval: 30 });
    assert.deepEqual(await client.ok('getEventConfig', { iotId: 'demo-camera-1', eventType: 2 }), { eventType: 2, eventInterval: 120 });
  });

  it('lists the devices page by page (pageNo from 1) and pings', async () => {
    for (let index = 3; index <= 5; index += 1) await client.controlOk('POST', 'devices', { iotId: `demo-camera-${index}`, online: index !== 5 });
    const page = await client.ok<Json>('listDevices', { pageNo: 2, pageSize: 2 });
    assert.equal(page.total, 5);
    assert.equal(page.pageNo, 2);
    assert.deepEqual((page.data as Json[]).map((d) => d.iotId), ['demo-camera-3', 'demo-camera-4']);
    const last = await client.ok<Json>('listDevices', { pageNo: 3, pageSize: 2 });
    assert.deepEqual(last.data, [{ iotId: 'demo-camera-5', productKey: 'demoProductKey', deviceName: 'demo-camera-5', nickName: 'demo-camera-5', status: 3 }]);
    assert.equal(await client.ok('ping', { input: 'hello' }, {}), 'hello');
  });
});
