import assert from 'node:assert/strict';
import { findOperation, operations } from '../../lib/catalog/operations';
import type { Operation, ParamSpec } from '../../lib/catalog/types';
import { checkAcrossFields, checkParamValue, validateParams } from '../../lib/catalog/validate';

function op(name: string): Operation {
  const found = findOperation(name);
  assert.ok(found, `operation ${name} exists`);
  return found;
}

/** A minimal value that satisfies a spec (used to build a valid base before probing one limit). */
function sample(spec: ParamSpec): unknown {
  if (spec.enum && spec.type !== 'list') return spec.enum[0];
  switch (spec.type) {
    case 'string':
      return spec.pattern ? '202401' : 'x';
    case 'int':
    case 'long':
      return spec.min ?? 0;
    case 'boolean':
      return false;
    case 'list':
      return spec.items ? Array.from({ length: Math.max(1, spec.minItems ?? 1) }, () => sample(spec.items as ParamSpec)) : [];
    case 'object':
      return Object.fromEntries((spec.fields ?? []).map((f) => [f.name, sample(f)]));
  }
}

function validBase(operation: Operation): Record<string, unknown> {
  return Object.fromEntries(operation.params.filter((p) => p.required || p.requiredWhen).map((p) => [p.name, sample(p)]));
}

function problemPaths(operation: Operation, params: Record<string, unknown>): string[] {
  return validateParams(operation, params).map((p) => p.path);
}

// The limits the seed states, per operation and parameter: [operation, param, min, max].
const seedLimits: [string, string, number, number][] = [
  ...['setRecordPlan', 'updateRecordPlan', 'queryRecordPlans', 'getRecordPlan', 'getRecordPlanByDevice', 'setEventPlan', 'updateEventPlan', 'queryEventPlans', 'getEventPlan', 'getEventPlanByDevice'].map(
    (name) => [name, 'timeZone', -11, 12] as [string, string, number, number],
  ),
  ['queryRecordPlans', 'pageSize', 1, 500],
  ['queryEventPlans', 'pageSize', 1, 500],
  ['queryRecordPlanDevices', 'pageSize', 1, 500],
  ['queryEventPlanDevices', 'pageSize', 1, 500],
  ['queryRecordings', 'pageSize', 1, 500],
  ['queryPicturesByTime', 'pageSize', 1, 100],
  ['queryEvents', 'pageSize', 1, 100],
  ['triggerRecording', 'recordDuration', 1, 1800],
  ['setRecordDuration', 'recordDuration', 600, 3600],
];

describe('catalog validation', () => {
  it('accepts a minimal valid parameter set for every operation', () => {
    for (const operation of operations) {
      assert.deepEqual(validateParams(operation, validBase(operation)), [], operation.name);
    }
  });

  for (const [name, param, min, max] of seedLimits) {
    it(`${name}.${param}: accepts ${min} and ${max}, refuses ${min - 1} and ${max + 1}`, () => {
      const operation = op(name);
      const base = validBase(operation);
      assert.deepEqual(problemPaths(operation, { ...base, [param]: min }), []);
      assert.deepEqual(problemPaths(operation, { ...base, [param]: max }), []);
      assert.deepEqual(problemPaths(operation, { ...base, [param]: min - 1 }), [param]);
      assert.deepEqual(problemPaths(operation, { ...base, [param]: max + 1 }), [param]);
    });
  }

  for (const name of ['setRecordPlan', 'updateRecordPlan', 'setEventPlan', 'updateEventPlan']) {
    it(`${name}.timeSectionList: dayOfWeek 0..6, begin/end 0..86399`, () => {
      const operation = op(name);
      const base = { ...validBase(operation), allDay: 0 };
      const section = (s: Record<string, number>) => ({ ...base, timeSectionList: [{ dayOfWeek: 0, begin: 0, end: 86399, ...s }] });
      assert.deepEqual(problemPaths(operation, section({ dayOfWeek: 6 })), []);
      assert.deepEqual(problemPaths(operation, section({ dayOfWeek: 7 })), ['timeSectionList[0].dayOfWeek']);
      assert.deepEqual(problemPaths(operation, section({ dayOfWeek: -1 })), ['timeSectionList[0].dayOfWeek']);
      assert.deepEqual(problemPaths(operation, section({ begin: -1 })), ['timeSectionList[0].begin']);
      assert.deepEqual(problemPaths(operation, section({ end: 86400 })), ['timeSectionList[0].end']);
      assert.deepEqual(problemPaths(operation, section({ begin: 100, end: 50 })), ['timeSectionList[0].end']);
    });
  }

  it('requires timeSectionList when allDay is 0, not when it is 1', () => {
    const operation = op('setRecordPlan');
    assert.deepEqual(problemPaths(operation, { name: 'n', allDay: 0 }), ['timeSectionList']);
    assert.deepEqual(problemPaths(operation, { name: 'n', allDay: 1 }), []);
    assert.deepEqual(problemPaths(operation, { name: 'n', allDay: 2 }), ['allDay']);
  });

  it('limits allDay, streamType and the documented enumerations', () => {
    const cases: [string, string, unknown[], unknown[]][] = [
      ['setRecordPlan', 'allDay', [0, 1], [2, -1]],
      ['bindRecordPlan', 'streamType', [0, 1], [2]],
      ['bindEventPlan', 'streamType', [0, 1], [2]],
      ['queryRecordings', 'recordType', [0, 1, 2, 3, 99], [4, 98]], // 3: recorded while watching (docs/protocol.md §8.7)
      ['queryEvents', 'eventType', [0, 1, 2, 3], [4, -1]],
      ['queryEvents', 'pictureType', [0, 1, 2], [3]],
      ['queryPicturesByTime', 'type', [0, 1, 2], [3]],
      ['queryPicturesByTime', 'source', [0, 1, 2, 3], [4]],
      ['setEventConfig', 'eventType', [1, 2], [0, 3]],
    ];
    for (const [name, param, good, bad] of cases) {
      const operation = op(name);
      const base = validBase(operation);
      for (const value of good) assert.deepEqual(problemPaths(operation, { ...base, [param]: value }), [], `${name}.${param}=${value}`);
      for (const value of bad) assert.deepEqual(problemPaths(operation, { ...base, [param]: value }), [param], `${name}.${param}=${value}`);
    }
  });

  it('limits fileNameList to 100 names and eventTypeList to known types', () => {
    const del = op('deleteRecordings');
    const names = (n: number) => Array.from({ length: n }, (_, i) => `f${i}`);
    assert.deepEqual(problemPaths(del, { iotId: 'c', fileNameList: names(100) }), []);
    assert.deepEqual(problemPaths(del, { iotId: 'c', fileNameList: names(101) }), ['fileNameList']);
    assert.deepEqual(problemPaths(del, { iotId: 'c', fileNameList: [] }), ['fileNameList']);
    const plan = op('setEventPlan');
    const base = validBase(plan);
    assert.deepEqual(problemPaths(plan, { ...base, eventTypeList: [1] }), []);
    assert.deepEqual(problemPaths(plan, { ...base, eventTypeList: [9] }), ['eventTypeList[0]']);
  });

  it('checks the month format yyyyMM', () => {
    const month = op('queryMonthRecordings');
    assert.deepEqual(problemPaths(month, { iotId: 'c', month: '202412' }), []);
    for (const bad of ['2024-12', '202413', '20241', 202412]) assert.deepEqual(problemPaths(month, { iotId: 'c', month: bad }), ['month'], String(bad));
  });

  it('refuses wrong types, NaN, non-integers, missing required values and prototype keys', () => {
    const get = op('getRecordDuration');
    assert.deepEqual(problemPaths(get, {}), ['iotId']);
    assert.deepEqual(problemPaths(get, { iotId: 5 }), ['iotId']);
    assert.deepEqual(problemPaths(get, { iotId: '' }), ['iotId']);
    const trigger = op('triggerRecording');
    for (const bad of [Number.NaN, 1.5, '10', null, Infinity, [10], { n: 10 }]) {
      assert.deepEqual(problemPaths(trigger, { iotId: 'c', recordDuration: bad }), ['recordDuration'], String(bad));
    }
    const withProto = JSON.parse('{"iotId":"c","__proto__":{"polluted":true}}') as Record<string, unknown>;
    assert.deepEqual(problemPaths(get, withProto), ['__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(problemPaths(get, 'not an object' as unknown as Record<string, unknown>), ['params']);
  });

  it('lets parameters the seed does not list pass through', () => {
    assert.deepEqual(problemPaths(op('queryMonthRecordings'), { iotId: 'c', month: '202401', timeZone: 8 }), []);
  });

  it('checks each limit of every operation generically (bound accepted, one past refused)', () => {
    let probed = 0;
    for (const operation of operations) {
      const base = validBase(operation);
      for (const spec of operation.params) {
        if (spec.type !== 'int' && spec.type !== 'long') continue;
        if (spec.enum) continue;
        for (const [bound, past] of [
          [spec.min, spec.min === undefined ? undefined : spec.min - 1],
          [spec.max, spec.max === undefined ? undefined : spec.max + 1],
        ]) {
          if (bound === undefined || past === undefined) continue;
          probed += 1;
          assert.deepEqual(problemPaths(operation, { ...base, [spec.name]: bound }), [], `${operation.name}.${spec.name}=${bound}`);
          assert.deepEqual(problemPaths(operation, { ...base, [spec.name]: past }), [spec.name], `${operation.name}.${spec.name}=${past}`);
        }
      }
    }
    assert.ok(probed > 40, `probed ${probed} limits`);
  });
});

describe('rules across fields (catalog data: atLeast / atMost)', () => {
  it('refuses a time range that ends before it begins, naming the end and the begin', () => {
    const cases: [string, Record<string, unknown>, string, string][] = [
      ['queryRecordings', { iotId: 'c', beginTime: 100, endTime: 99 }, 'endTime', 'must be ≥ beginTime (100)'],
      ['queryEvents', { iotId: 'c', beginTime: 5000, endTime: 4999 }, 'endTime', 'must be ≥ beginTime (5000)'],
      ['queryPicturesByTime', { iotId: 'c', startTime: 5000, endTime: 1 }, 'endTime', 'must be ≥ startTime (5000)'],
    ];
    for (const [name, params, path, message] of cases) {
      const problems = validateParams(op(name), params);
      assert.deepEqual(
        problems.map((p) => [p.path, p.message, p.rule]),
        [[path, message, 'order']],
        name,
      );
      const equal = { ...params, endTime: params.beginTime ?? params.startTime };
      assert.deepEqual(validateParams(op(name), equal), [], `${name}: an empty range is allowed`);
    }
  });

  it('refuses a pre-recording longer than the recording, on a plan and on a manual recording', () => {
    const plan = { name: 'p', allDay: 1, eventTypeList: [1], recordDuration: 10, preRecordDuration: 11 };
    const [problem] = validateParams(op('setEventPlan'), plan);
    assert.deepEqual([problem.path, problem.message, problem.rule, problem.rule === 'max' && problem.than], ['preRecordDuration', 'must be ≤ recordDuration (10)', 'max', 'recordDuration']);
    assert.deepEqual(validateParams(op('setEventPlan'), { ...plan, preRecordDuration: 10 }), []);
    assert.deepEqual(problemPaths(op('triggerRecording'), { iotId: 'c', recordDuration: 5, preRecordDuration: 6 }), ['preRecordDuration']);
    assert.deepEqual(problemPaths(op('updateEventPlan'), { planId: 'x', recordDuration: 5, preRecordDuration: 6 }), ['preRecordDuration']);
    // An update that sends one side only cannot be judged from the call; with the stored plan it can.
    assert.deepEqual(problemPaths(op('updateEventPlan'), { planId: 'x', preRecordDuration: 60 }), []);
    assert.deepEqual(
      checkAcrossFields(op('updateEventPlan').params, { recordDuration: 30, preRecordDuration: 60 }).map((p) => p.message),
      ['must be ≤ recordDuration (30)'],
    );
  });

  it("checks a time section's end against its begin in the list alone, as the editor's grid checks it", () => {
    const list = op('setRecordPlan').params.find((p) => p.name === 'timeSectionList') as ParamSpec;
    const problems = checkParamValue(list, [{ dayOfWeek: 1, begin: 0, end: 10 }, { dayOfWeek: 1, begin: 500, end: 100 }], 'timeSectionList');
    assert.deepEqual(problems.map((p) => [p.path, p.message]), [['timeSectionList[1].end', 'must be ≥ begin (500)']]);
  });

  it('leaves a rule alone while either side is missing or not a number (those have their own problems)', () => {
    assert.deepEqual(problemPaths(op('queryRecordings'), { iotId: 'c', beginTime: 'x', endTime: 1 }), ['beginTime']);
    assert.deepEqual(problemPaths(op('triggerRecording'), { iotId: 'c', recordDuration: 5 }), []);
  });
});

describe('isPlainObject', () => {
  it('accepts objects from another realm (a Function node sandbox) and refuses Buffers, Dates and class instances', async () => {
    const { isPlainObject } = await import('../../lib/util/plain-object');
    const vm = await import('node:vm');
    const foreign = vm.runInNewContext('({ iotId: "cam" })') as unknown;
    assert.equal(isPlainObject(foreign), true);
    assert.equal(isPlainObject(Object.create(null)), true);
    assert.equal(isPlainObject(Buffer.from('x')), false);
    assert.equal(isPlainObject(new Date()), false);
    assert.equal(isPlainObject(new (class Plan {})()), false);
    assert.equal(isPlainObject(vm.runInNewContext('new Date()')), false);
    assert.equal(isPlainObject([]), false);
  });
});
