import assert from 'node:assert/strict';
import { findOperation, operations, operationsByName, operationsByPath } from '../../lib/catalog/operations';
import type { Operation, ParamSpec } from '../../lib/catalog/types';
import { validateParams } from '../../lib/catalog/validate';

/** apiVer of every seed operation, transcribed from the seed's Definition tables. */
const SEED_API_VERSIONS: Readonly<Record<string, string>> = {
  '/vision/customer/record/plan/set': '2.1.0',
  '/vision/customer/record/plan/update': '2.1.0',
  '/vision/customer/record/plan/query': '2.1.0',
  '/vision/customer/record/plan/get': '2.1.0',
  '/vision/customer/record/plan/delete': '2.0.0',
  '/vision/customer/record/plan/bind': '2.0.0',
  '/vision/customer/record/plan/unbind': '2.0.0',
  '/vision/customer/record/plan/getbyiotid': '2.1.0',
  '/vision/customer/record/plan/bind/device/query': '2.0.0',
  '/vision/customer/eventrecord/plan/set': '2.1.0',
  '/vision/customer/eventrecord/plan/update': '2.1.0',
  '/vision/customer/eventrecord/plan/query': '2.1.0',
  '/vision/customer/eventrecord/plan/delete': '2.0.0',
  '/vision/customer/eventrecord/plan/getbyid': '2.1.0',
  '/vision/customer/eventrecord/plan/device/bind': '2.0.0',
  '/vision/customer/eventrecord/plan/unbind': '2.0.0',
  '/vision/customer/eventrecord/plan/getbyiotid': '2.1.0',
  '/vision/customer/eventrecord/bind/device/query': '2.0.0',
  '/vision/customer/record/query': '2.1.3',
  '/vision/customer/vod/getbyfilename': '2.0.0',
  '/vision/customer/monthrecord/query': '2.0.0',
  '/vision/customer/event/query': '2.1.2',
  '/vision/customer/vod/getbyeventid': '2.1.0',
  '/vision/customer/record/batchdelete': '2.0.0',
  '/vision/customer/vod/cloudfile/get': '2.1.0',
  '/vision/customer/record/trigger': '2.1.0',
  '/vision/customer/record/durationconfig/set': '1.0.0',
  '/vision/customer/record/durationconfig/get': '1.0.0',
  '/vision/customer/cloudstorage/presented/get': '2.1.2',
  '/vision/customer/cloudstorage/presented/consume': '2.1.3',
  '/vision/customer/picture/trigger': '2.0.0',
  '/vision/customer/picture/querybytime': '2.1.1',
  '/vision/customer/picture/querybyids': '2.1.0',
  '/vision/customer/picture/batchdelete': '2.0.0',
  '/vision/customer/bizevent/config/set': '1.0.0',
  '/vision/customer/bizevent/config/get': '1.0.0',
  '/vision/customer/pic/getbyevent': '2.1.0',
  '/vision/customer/event/query/byeventids': '1.0.0',
};

/** The stable camelCase name of every seed operation. */
const SEED_NAMES: Readonly<Record<string, string>> = {
  setRecordPlan: '/vision/customer/record/plan/set',
  updateRecordPlan: '/vision/customer/record/plan/update',
  queryRecordPlans: '/vision/customer/record/plan/query',
  getRecordPlan: '/vision/customer/record/plan/get',
  deleteRecordPlan: '/vision/customer/record/plan/delete',
  bindRecordPlan: '/vision/customer/record/plan/bind',
  unbindRecordPlan: '/vision/customer/record/plan/unbind',
  getRecordPlanByDevice: '/vision/customer/record/plan/getbyiotid',
  queryRecordPlanDevices: '/vision/customer/record/plan/bind/device/query',
  setEventPlan: '/vision/customer/eventrecord/plan/set',
  updateEventPlan: '/vision/customer/eventrecord/plan/update',
  queryEventPlans: '/vision/customer/eventrecord/plan/query',
  deleteEventPlan: '/vision/customer/eventrecord/plan/delete',
  getEventPlan: '/vision/customer/eventrecord/plan/getbyid',
  bindEventPlan: '/vision/customer/eventrecord/plan/device/bind',
  unbindEventPlan: '/vision/customer/eventrecord/plan/unbind',
  getEventPlanByDevice: '/vision/customer/eventrecord/plan/getbyiotid',
  queryEventPlanDevices: '/vision/customer/eventrecord/bind/device/query',
  queryRecordings: '/vision/customer/record/query',
  getVodUrlByFileName: '/vision/customer/vod/getbyfilename',
  queryMonthRecordings: '/vision/customer/monthrecord/query',
  queryEvents: '/vision/customer/event/query',
  getVodUrlByEvent: '/vision/customer/vod/getbyeventid',
  deleteRecordings: '/vision/customer/record/batchdelete',
  getDownloadUrl: '/vision/customer/vod/cloudfile/get',
  triggerRecording: '/vision/customer/record/trigger',
  setRecordDuration: '/vision/customer/record/durationconfig/set',
  getRecordDuration: '/vision/customer/record/durationconfig/get',
  getPresentedStorage: '/vision/customer/cloudstorage/presented/get',
  consumePresentedStorage: '/vision/customer/cloudstorage/presented/consume',
  triggerPicture: '/vision/customer/picture/trigger',
  queryPicturesByTime: '/vision/customer/picture/querybytime',
  queryPicturesByIds: '/vision/customer/picture/querybyids',
  deletePictures: '/vision/customer/picture/batchdelete',
  setEventConfig: '/vision/customer/bizevent/config/set',
  getEventConfig: '/vision/customer/bizevent/config/get',
  getPicturesByEvent: '/vision/customer/pic/getbyevent',
  queryEventsByIds: '/vision/customer/event/query/byeventids',
};

const NOT_IDEMPOTENT = new Set([
  'setRecordPlan',
  'setEventPlan',
  'triggerRecording',
  'triggerPicture',
  'consumePresentedStorage',
  'createSessionByAuthCode',
  'checkOrRefreshSession',
  'getCloudToken',
  'refreshCloudToken',
]);

const seedOps = operations.filter((op) => op.extra !== true);
const extraOps = operations.filter((op) => op.extra === true);

function op(name: string): Operation {
  const found = operationsByName.get(name);
  assert.ok(found, `no operation named ${name}`);
  return found;
}

function param(operation: Operation, name: string): ParamSpec {
  const found = operation.params.find((p) => p.name === name);
  assert.ok(found, `${operation.name} has no parameter ${name}`);
  return found;
}

/** Every ParamSpec reachable from `specs`, with its dotted location. */
function walk(specs: readonly ParamSpec[], where: string): Array<{ spec: ParamSpec; where: string; siblings: readonly ParamSpec[] }> {
  const out: Array<{ spec: ParamSpec; where: string; siblings: readonly ParamSpec[] }> = [];
  for (const spec of specs) {
    const here = `${where}.${spec.name}`;
    out.push({ spec, where: here, siblings: specs });
    if (spec.fields) out.push(...walk(spec.fields, here));
    if (spec.items) out.push(...walk([spec.items], `${here}[]`));
  }
  return out;
}

describe('catalog/operations', () => {
  describe('seed coverage', () => {
    it('holds exactly 38 seed operations, all under /vision/customer/', () => {
      assert.equal(seedOps.length, 38);
      assert.equal(Object.keys(SEED_API_VERSIONS).length, 38);
      for (const o of seedOps) assert.ok(o.path.startsWith('/vision/customer/'), `${o.name}: ${o.path}`);
    });

    it('covers every seed path, with the seed apiVer', () => {
      for (const [path, apiVer] of Object.entries(SEED_API_VERSIONS)) {
        const o = operationsByPath.get(path);
        assert.ok(o, `missing ${path}`);
        assert.equal(o.extra, undefined, `${path} must not be extra`);
        assert.equal(o.apiVer, apiVer, `${path} apiVer`);
      }
    });

    it('uses the agreed camelCase names', () => {
      for (const [name, path] of Object.entries(SEED_NAMES)) assert.equal(op(name).path, path, name);
      assert.equal(Object.keys(SEED_NAMES).length, 38);
    });

    it('requires a user session for every seed operation', () => {
      for (const o of seedOps) assert.equal(o.auth, 'user', o.name);
    });

    it('keeps extras outside /vision/customer/', () => {
      assert.deepEqual(
        extraOps.map((o) => o.name).sort(),
        ['checkOrRefreshSession', 'createSessionByAuthCode', 'getCloudToken', 'listDevices', 'ping', 'refreshCloudToken'],
      );
      for (const o of extraOps) assert.ok(!o.path.startsWith('/vision/'), o.name);
    });
  });

  describe('identity and lookup', () => {
    it('has unique names and paths', () => {
      assert.equal(new Set(operations.map((o) => o.name)).size, operations.length);
      assert.equal(new Set(operations.map((o) => o.path)).size, operations.length);
      assert.equal(operationsByName.size, operations.length);
      assert.equal(operationsByPath.size, operations.length);
    });

    it('uses camelCase names, absolute paths and dotted versions', () => {
      for (const o of operations) {
        assert.match(o.name, /^[a-z][A-Za-z]*$/, o.name);
        assert.match(o.path, /^\/[a-zA-Z/]+$/, o.path);
        assert.match(o.apiVer, /^\d+\.\d+\.\d+$/, o.name);
        assert.ok(o.description.length > 0 && !o.description.includes('\n'), `${o.name} description`);
      }
    });

    it('finds operations by name and by path with or without the leading slash', () => {
      const query = op('queryRecordings');
      assert.equal(findOperation('queryRecordings'), query);
      assert.equal(findOperation('/vision/customer/record/query'), query);
      assert.equal(findOperation('vision/customer/record/query'), query);
      assert.equal(findOperation('ping'), op('ping'));
      assert.equal(findOperation('kit/debug/ping'), op('ping'));
      assert.equal(findOperation('noSuchOperation'), undefined);
      assert.equal(findOperation(''), undefined);
    });
  });

  describe('structure', () => {
    it('gives every parameter and response field a name, a type and a description', () => {
      for (const o of operations) {
        for (const { spec, where } of [...walk(o.params, o.name), ...walk(o.response ?? [], `${o.name}→`)]) {
          assert.ok(spec.name.length > 0, where);
          assert.ok(spec.description.length > 0, `${where} description`);
          if (spec.type === 'list') assert.ok(spec.items, `${where} list without items`);
          if (spec.items?.type === 'object') assert.ok(spec.items.fields?.length, `${where} object items without fields`);
        }
      }
    });

    it('has no duplicate parameter names at any level', () => {
      for (const o of operations) {
        for (const { spec, where } of walk(o.params, o.name)) {
          if (!spec.fields) continue;
          assert.equal(new Set(spec.fields.map((f) => f.name)).size, spec.fields.length, where);
        }
        assert.equal(new Set(o.params.map((p) => p.name)).size, o.params.length, o.name);
      }
    });

    it('points every requiredWhen at an existing sibling parameter', () => {
      let seen = 0;
      for (const o of operations) {
        for (const { spec, where, siblings } of walk(o.params, o.name)) {
          if (!spec.requiredWhen) continue;
          seen++;
          const other = siblings.find((s) => s.name === spec.requiredWhen?.param);
          assert.ok(other, `${where}: requiredWhen refers to missing ${spec.requiredWhen.param}`);
          assert.notEqual(spec.required, true, `${where}: requiredWhen on an always-required parameter`);
          if (other.enum) assert.ok(other.enum.includes(spec.requiredWhen.equals as number), `${where}: equals outside enum`);
        }
      }
      assert.ok(seen >= 4, 'timeSectionList on both set and update of both plan kinds');
    });

    it('keeps min ≤ max, defaults inside limits and enums, and item counts consistent', () => {
      for (const o of operations) {
        for (const { spec, where } of walk(o.params, o.name)) {
          if (spec.min !== undefined && spec.max !== undefined) assert.ok(spec.min <= spec.max, where);
          if (spec.minItems !== undefined && spec.maxItems !== undefined) assert.ok(spec.minItems <= spec.maxItems, where);
          if (spec.default === undefined) continue;
          assert.notEqual(spec.required, true, `${where}: a required parameter has a default`);
          if (typeof spec.default === 'number') {
            if (spec.min !== undefined) assert.ok(spec.default >= spec.min, `${where} default < min`);
            if (spec.max !== undefined) assert.ok(spec.default <= spec.max, `${where} default > max`);
          }
          if (spec.enum) assert.ok(spec.enum.includes(spec.default as string | number | boolean), `${where} default outside enum`);
        }
      }
    });

    it('labels only enum values that exist', () => {
      for (const o of operations) {
        for (const { spec, where } of [...walk(o.params, o.name), ...walk(o.response ?? [], `${o.name}→`)]) {
          if (!spec.enum || !spec.enumLabels) continue;
          const values = new Set(spec.enum.map(String));
          for (const key of Object.keys(spec.enumLabels)) assert.ok(values.has(key), `${where}: label for ${key}`);
        }
      }
    });

    it('documents every paging listField (as a list) and totalField in the response', () => {
      const paged = operations.filter((o) => o.paging);
      assert.equal(paged.length, 8);
      for (const o of paged) {
        const paging = o.paging!;
        const response = o.response ?? [];
        const list = response.find((f) => f.name === paging.listField);
        assert.ok(list, `${o.name}: listField ${paging.listField} not in response`);
        assert.equal(list.type, 'list', `${o.name}: listField is not a list`);
        assert.ok(list.items?.fields?.length, `${o.name}: list items have no fields`);
        if (paging.totalField) assert.ok(response.some((f) => f.name === paging.totalField), `${o.name}: totalField`);
        if (paging.moreField) assert.ok(response.some((f) => f.name === paging.moreField), `${o.name}: moreField`);
        // Items are told apart and ordered by fields the response documents.
        assert.ok(list.items?.fields?.some((f) => f.name === paging.idField), `${o.name}: idField ${paging.idField}`);
        for (const field of paging.timeFields ?? []) assert.ok(list.items?.fields?.some((f) => f.name === field), `${o.name}: time field ${field}`);
      }
    });

    it('names paging parameters that exist, with limits that match the pageSize parameter', () => {
      for (const o of operations) {
        const paging = o.paging;
        if (!paging) continue;
        const page = param(o, paging.pageParam);
        const size = param(o, paging.sizeParam);
        assert.equal(page.min, paging.pageBase, `${o.name}: page param min`);
        assert.equal(page.default, paging.pageBase, `${o.name}: page param default`);
        assert.equal(size.max, paging.maxPageSize, `${o.name}: maxPageSize`);
        assert.equal(size.default, paging.defaultPageSize, `${o.name}: defaultPageSize`);
        assert.ok(paging.defaultPageSize <= paging.maxPageSize, o.name);
      }
    });

    it('pages the documented list operations the documented way', () => {
      // [operation, moreField, listField, max, totalField, idField]
      const expectations: Array<[string, string | undefined, string, number, string | undefined, string]> = [
        ['queryRecordPlans', undefined, 'recordPlanList', 500, 'total', 'planId'],
        ['queryRecordPlanDevices', undefined, 'deviceList', 500, 'total', 'iotId'],
        ['queryEventPlans', undefined, 'eventRecordPlanList', 500, 'total', 'planId'],
        ['queryEventPlanDevices', undefined, 'deviceList', 500, 'total', 'iotId'],
        ['queryRecordings', 'nextValid', 'recordFileList', 500, undefined, 'fileName'],
        ['queryEvents', 'nextValid', 'eventList', 100, undefined, 'eventId'],
        ['queryPicturesByTime', undefined, 'pictureList', 100, undefined, 'pictureId'],
        ['listDevices', undefined, 'data', 50, 'total', 'iotId'],
      ];
      for (const [name, moreField, listField, max, totalField, idField] of expectations) {
        const paging = op(name).paging;
        assert.ok(paging, name);
        assert.equal(paging.moreField, moreField, name);
        assert.equal(paging.idField, idField, name);
        assert.equal(paging.listField, listField, name);
        assert.equal(paging.maxPageSize, max, name);
        assert.equal(paging.totalField, totalField, name);
      }
      assert.equal(op('listDevices').paging?.pageBase, 1);
    });
  });

  describe('flags', () => {
    it('marks only create, trigger, consume and token calls as not idempotent', () => {
      for (const o of operations) assert.equal(o.idempotent, !NOT_IDEMPOTENT.has(o.name), o.name);
    });

    it('groups operations as agreed', () => {
      const groups = new Map<string, string[]>();
      for (const o of operations) groups.set(o.group, [...(groups.get(o.group) ?? []), o.name]);
      assert.equal(groups.get('recordPlan')?.length, 9);
      assert.equal(groups.get('eventPlan')?.length, 9);
      assert.equal(groups.get('cloudStorage')?.length, 2);
      assert.deepEqual(groups.get('picture')?.sort(), ['deletePictures', 'queryPicturesByIds', 'queryPicturesByTime', 'triggerPicture']);
      assert.deepEqual(
        groups.get('event')?.sort(),
        ['getEventConfig', 'getPicturesByEvent', 'queryEvents', 'queryEventsByIds', 'setEventConfig'],
      );
      assert.equal(groups.get('recording')?.length, 9);
      assert.deepEqual(groups.get('device'), ['listDevices']);
      assert.deepEqual(groups.get('debug'), ['ping']);
    });
  });

  describe('what real clients show (docs/protocol.md §8)', () => {
    const problems = (name: string, params: Record<string, unknown>) => validateParams(op(name), params).map((p) => p.path);

    it('record/query: recordType 3 (recorded while watching) is a request value and a response value', () => {
      const recordType = param(op('queryRecordings'), 'recordType');
      assert.deepEqual(recordType.enum, [0, 1, 2, 3, 99]);
      assert.match(String(recordType.enumLabels?.['3']), /watching/);
      const window = { iotId: 'cam', beginTime: 0, endTime: 10 };
      assert.deepEqual(problems('queryRecordings', { ...window, recordType: 3 }), []);
      assert.deepEqual(problems('queryRecordings', { ...window, recordType: 4 }), ['recordType']);
      const item = op('queryRecordings').response?.find((f) => f.name === 'recordFileList')?.items?.fields?.find((f) => f.name === 'recordType');
      assert.deepEqual(item?.enum, [0, 1, 2, 3]);
    });

    it('monthrecord/query: an optional int timeZone with the limits of the plan timeZone, and no default', () => {
      const timeZone = param(op('queryMonthRecordings'), 'timeZone');
      const planTimeZone = param(op('setRecordPlan'), 'timeZone');
      assert.equal(timeZone.type, 'int');
      assert.equal(timeZone.required, undefined);
      assert.equal(timeZone.default, undefined, "absent means the device's own zone");
      assert.deepEqual([timeZone.min, timeZone.max], [planTimeZone.min, planTimeZone.max]);
      assert.deepEqual(problems('queryMonthRecordings', { iotId: 'cam', month: '202511' }), []);
      for (const ok of [8, 0, -11, 12]) assert.deepEqual(problems('queryMonthRecordings', { iotId: 'cam', month: '202511', timeZone: ok }), [], String(ok));
      for (const bad of [13, -12, 1.5, '8']) assert.deepEqual(problems('queryMonthRecordings', { iotId: 'cam', month: '202511', timeZone: bad }), ['timeZone'], String(bad));
    });

    it('event/query/byeventids: an optional boolean needProlongOriginRecord (version 1.0.1), the catalog staying at the seed version', () => {
      const flag = param(op('queryEventsByIds'), 'needProlongOriginRecord');
      assert.equal(flag.type, 'boolean');
      assert.equal(flag.required, undefined);
      assert.match(flag.description, /1\.0\.1/);
      assert.equal(op('queryEventsByIds').apiVer, '1.0.0');
      assert.deepEqual(problems('queryEventsByIds', { iotId: 'cam', eventIds: ['e'], needProlongOriginRecord: true }), []);
      assert.deepEqual(problems('queryEventsByIds', { iotId: 'cam', eventIds: ['e'], needProlongOriginRecord: 'yes' }), ['needProlongOriginRecord']);
    });

    it('vod/cloudfile/get: documents status 2 and -1 as failed and numbers that may come as text', () => {
      const status = op('getDownloadUrl').response?.find((f) => f.name === 'status');
      assert.equal(status?.enum, undefined, 'any other status is a failure: no closed list');
      assert.equal(status?.enumLabels?.['2'], 'failed');
      assert.equal(status?.enumLabels?.['-1'], 'failed');
      assert.match(String(status?.description), /text/);
    });
  });
});
