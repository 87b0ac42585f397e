// The editor and the runtime refuse the same inputs. Each case is an operation node as a flow holds it (the
// defaults of its editor registration, then the case's fields, overrides locked so every field counts); it goes to
// the editor's validate functions (the bundle resources/link-visual-editor.js with every built node HTML, in a VM
// with a stub RED, as contract.test.ts runs it) and to the node itself (node-red-node-test-helper against the
// emulator). Refused by the editor: some property's validate answers a message. Refused by the runtime: the node
// fails with INVALID_PARAMS, UNKNOWN_OPERATION or (a setting out of its range) CONFIG before anything reaches the
// emulator. Fields the editor cannot evaluate (msg, flow, global, env) are left out: the runtime decides them with
// the message.
// Runs after `npm run build` (the bundle and the node HTML come from the build).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { startEmulator, type EmulatorHandle } from '../../lib/emulator';
import { findOperation } from '../../lib/catalog/operations';
import type { ParamSpec } from '../../lib/catalog/types';
import { checkParams } from '../../lib/catalog/validate';
import { clientOptionsFrom, type AccountProperties } from '../../nodes/config/account-settings';
import { pushSettingsFrom, type PushProperties } from '../../nodes/config/push-settings';
import { readDownloadSettings } from '../../nodes/download/settings';
import { onEventSettings } from '../../nodes/on-event/settings';
import { pushNodeSettings } from '../../nodes/push/settings';
import { coerceParams } from '../../nodes/shared/message-params';
import { isFieldSet, typedParamValue } from '../../nodes/shared/typed-input';
import { MessageQueue, accountNode, exchange, helper, packageNodes, tempUserDir, type TestNode } from '../helpers/node-red';

/* eslint-disable @typescript-eslint/no-require-imports */
const catchNode = require('@node-red/nodes/core/common/25-catch.js') as unknown;
const { util: redUtil } = require('@node-red/util') as { util: { evaluateNodeProperty(value: unknown, type: string, node: unknown, msg: unknown): unknown } };
/* eslint-enable @typescript-eslint/no-require-imports */

const root = path.resolve(__dirname, '..', '..');
const MODULE = 'node-red-contrib-link-visual';
const CAMERA = 'demo-camera-1';

type Fields = Record<string, unknown>;
type Validate = (this: Fields, value: unknown, options: unknown) => true | string;
interface Registration {
  defaults: Record<string, { value?: unknown; validate?: Validate }>;
}

interface Case {
  readonly title: string;
  readonly type: string;
  readonly fields: Fields;
  /** What both should do: pins the case to the rule it is about. */
  readonly refused: boolean;
}

// ---- the editor: the bundle and the built node HTML in a VM

function nodeFiles(): { set: string; js: string }[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
  return Object.entries(pkg['node-red'].nodes).map(([set, file]) => ({ set, js: path.join(root, file) }));
}

function flatten(value: unknown, prefix: string, out: Map<string, string>): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) flatten(child, prefix ? `${prefix}.${key}` : key, out);
  } else out.set(prefix, String(value));
  return out;
}

/** The bundle's LinkVisualEditor, for its checkTyped helper (one field against one spec). */
interface EditorApi {
  checkTyped(param: ParamSpec, type: string, raw: unknown, requiredMessage: string): string;
}

/** The bundle and every built node HTML run in a VM: the node registrations and LinkVisualEditor. */
function loadEditor(): { registrations: Map<string, Registration>; editor: EditorApi } {
  const registered = new Map<string, Registration>();
  const catalogs = new Map<string, Map<string, string>>(
    nodeFiles().map(({ set, js }) => {
      const file = path.join(path.dirname(js), 'locales', 'en-US', `${path.basename(js, '.js')}.json`);
      return [`${MODULE}/${set}`, flatten(JSON.parse(fs.readFileSync(file, 'utf8')), '', new Map())] as const;
    }),
  );
  const sandbox: Record<string, unknown> = {
    console,
    URL, // a browser global the push endpoint check uses
    RED: {
      nodes: { registerType: (type: string, def: Registration) => registered.set(type, def), node: () => null },
      _: (key: string, options?: Record<string, unknown>) => {
        const colon = key.indexOf(':');
        const text = colon === -1 ? undefined : catalogs.get(key.slice(0, colon))?.get(key.slice(colon + 1));
        return String(text ?? options?.defaultValue ?? key).replace(/__(\w+)__/g, (match, name: string) => (options && options[name] !== undefined ? String(options[name]) : match));
      },
    },
  };
  sandbox.window = sandbox;
  const context = vm.createContext(sandbox);
  vm.runInContext(fs.readFileSync(path.join(root, 'resources', 'link-visual-editor.js'), 'utf8'), context);
  for (const { js } of nodeFiles()) {
    const html = fs.readFileSync(js.replace(/\.js$/, '.html'), 'utf8');
    for (const match of html.matchAll(/<script.+?type=['"]text\/javascript['"].*?>([\S\s]*?)<\/script>/gi)) vm.runInContext(match[1], context);
  }
  return { registrations: registered, editor: sandbox.LinkVisualEditor as EditorApi };
}

/** The node as a flow holds it: every default of its registration, then the case's fields. */
function flowNode(registration: Registration, fields: Fields): Fields {
  const node: Fields = {};
  for (const [name, entry] of Object.entries(registration.defaults)) if (name !== 'account') node[name] = entry.value;
  return { ...node, ...fields };
}

/** The editor's messages for the node (empty: valid). */
function editorProblems(registration: Registration, node: Fields): string[] {
  const problems: string[] = [];
  for (const [name, entry] of Object.entries(registration.defaults)) {
    if (typeof entry.validate !== 'function') continue;
    const answer = entry.validate.call(node, node[name], {});
    if (answer !== true) problems.push(String(answer));
  }
  return problems;
}

// ---- the cases

const record = { operation: 'trigger', iotId: CAMERA, iotIdType: 'str', recordDuration: '10', recordDurationType: 'num', ignoreMsg: true };
const month = { operation: 'month', iotId: CAMERA, iotIdType: 'str', month: '202401', monthType: 'str', ignoreMsg: true };
const remove = { operation: 'delete', iotId: CAMERA, iotIdType: 'str', fileNameList: '["no-such.mp4"]', fileNameListType: 'json', ignoreMsg: true };
const plan = { operation: 'set', kind: 'record', planName: 'same rules', planNameType: 'str', allDay: '1', allDayType: 'num', ignoreMsg: true };
const sections = (list: unknown) => ({ ...plan, allDay: '0', timeSectionList: JSON.stringify(list), timeSectionListType: 'json' });
const now = Math.floor(Date.now() / 1000);
// The range ends an hour ahead, so a beginTime of "now" (the date TypedInput) is not after it.
const query = { operation: 'query', iotId: CAMERA, iotIdType: 'str', beginTime: '0', beginTimeType: 'num', endTime: String(now + 3600), endTimeType: 'num', ignoreMsg: true };
const events = { operation: 'byTime', iotId: CAMERA, iotIdType: 'str', beginTime: '0', beginTimeType: 'num', endTime: String(Date.now()), endTimeType: 'num', ignoreMsg: true };
const byIds = { operation: 'byIds', iotId: CAMERA, iotIdType: 'str', eventIds: '["e1"]', eventIdsType: 'json', ignoreMsg: true };
const api = { operation: 'getRecordDuration', params: `{"iotId":"${CAMERA}"}`, paramsType: 'json', apiVer: '', apiVerType: 'str', ignoreMsg: true };

const many = JSON.stringify(Array.from({ length: 101 }, (_v, i) => `f${i}.mp4`));
const snapshot = { operation: 'snapshot', iotId: CAMERA, iotIdType: 'str', ignoreMsg: true };
const pictures = { operation: 'byTime', iotId: CAMERA, iotIdType: 'str', startTime: '0', startTimeType: 'num', endTime: String(Date.now()), endTimeType: 'num', fetchImages: true, ignoreMsg: true };

function cases(): Case[] {
  const list: Case[] = [];
  const add = (title: string, type: string, fields: Fields, refused: boolean) => list.push({ title, type, fields, refused });
  // int with min and max (recordDuration 1 … 1800), as number and as text
  for (const [value, type, refused] of [
    ['10', 'num', false], ['1800', 'num', false], ['1801', 'num', true], ['0', 'num', true], ['1.5', 'num', true], ['abc', 'num', true],
    ['1e3', 'num', false], ['0x10', 'num', false], [' 60 ', 'num', false], ['60', 'str', false], [' 60 ', 'str', false], ['abc', 'str', true],
    ['', 'num', true], ['9999999999', 'num', true],
  ] as const) add(`recordDuration ${type} ${JSON.stringify(value)}`, 'link-visual-record', { ...record, recordDuration: value, recordDurationType: type }, refused);
  // enum (streamType 0 | 1) and a required string
  for (const [value, type, refused] of [['1', 'num', false], ['3', 'num', true], ['1', 'str', false], ['x', 'str', true], ['', 'num', false]] as const) {
    add(`streamType ${type} ${JSON.stringify(value)}`, 'link-visual-record', { ...record, streamType: value, streamTypeType: type }, refused);
  }
  add('iotId empty', 'link-visual-record', { ...record, iotId: '' }, true);
  add('iotId spaces', 'link-visual-record', { ...record, iotId: '  ' }, false);
  // pattern (month yyyyMM) and a range of negatives (timeZone -11 … 12)
  for (const [value, refused] of [['202401', false], ['2024-01', true], ['202413', true], ['', true]] as const) add(`month ${JSON.stringify(value)}`, 'link-visual-recordings', { ...month, month: value }, refused);
  for (const [value, refused] of [['-11', false], ['12', false], ['13', true], ['-12', true]] as const) {
    add(`timeZone ${value}`, 'link-visual-recordings', { ...month, timeZone: value, timeZoneType: 'num' }, refused);
  }
  // list sizes and items (fileNameList: at least 1 string; the node deletes 100 a request, so more are fine)
  for (const [value, type, refused] of [
    ['["a.mp4","b.mp4"]', 'json', false], ['[]', 'json', true], [many, 'json', false], ['[1]', 'json', false], ['[true]', 'json', true], ['[{"a":1}]', 'json', true],
    ['{"a":1}', 'json', true], ['[oops', 'json', true], ['a.mp4, b.mp4', 'str', false],
  ] as const) add(`fileNameList ${type} ${value.slice(0, 30)}`, 'link-visual-recordings', { ...remove, fileNameList: value, fileNameListType: type }, refused);
  // objects in a list, required/requiredWhen, end < begin (the plan's time sections)
  add('allDay 1 without sections', 'link-visual-plan', plan, false);
  add('allDay 0 without sections (requiredWhen)', 'link-visual-plan', { ...plan, allDay: '0' }, true);
  add('allDay 2 (enum)', 'link-visual-plan', { ...plan, allDay: '2' }, true);
  add('planName empty (required)', 'link-visual-plan', { ...plan, planName: '' }, true);
  add('a valid section', 'link-visual-plan', sections([{ dayOfWeek: 1, begin: 0, end: 3600 }]), false);
  add('a whole day', 'link-visual-plan', sections([{ dayOfWeek: 0, begin: 0, end: 86399 }]), false);
  add('dayOfWeek 7', 'link-visual-plan', sections([{ dayOfWeek: 7, begin: 0, end: 3600 }]), true);
  add('end before begin', 'link-visual-plan', sections([{ dayOfWeek: 1, begin: 500, end: 100 }]), true);
  add('end 86400', 'link-visual-plan', sections([{ dayOfWeek: 1, begin: 0, end: 86400 }]), true);
  add('begin missing', 'link-visual-plan', sections([{ dayOfWeek: 1, end: 3600 }]), true);
  add('begin as text', 'link-visual-plan', sections([{ dayOfWeek: 1, begin: '0', end: 3600 }]), false);
  add('a section that is not an object', 'link-visual-plan', sections([1]), true);
  add('a forbidden key', 'link-visual-plan', { ...sections([]), timeSectionList: '[{"dayOfWeek":1,"begin":0,"end":60,"__proto__":{}}]' }, true);
  add('sections not a list', 'link-visual-plan', sections({ dayOfWeek: 1 }), true);
  // epoch times: numbers, text dates, the date TypedInput (seconds and milliseconds)
  for (const [value, type, refused] of [
    ['2024-05-01T00:00:00Z', 'str', false], ['1714521600', 'str', false], ['yesterday-ish', 'str', true], ['iso', 'date', false], ['object', 'date', false], ['-5', 'num', true],
  ] as const) add(`recordings beginTime ${type} ${value}`, 'link-visual-recordings', { ...query, beginTime: value, beginTimeType: type }, refused);
  for (const [value, refused] of [['', false], ['iso', false]] as const) add(`events endTime date ${JSON.stringify(value)}`, 'link-visual-events', { ...events, endTime: value, endTimeType: 'date' }, refused);
  // booleans: the bool TypedInput reads anything but "true" as false; text must say true or false
  for (const [value, type, refused] of [['true', 'bool', false], ['yes', 'bool', false], ['true', 'str', false], ['yes', 'str', true]] as const) {
    add(`needAlarmPicture ${type} ${value}`, 'link-visual-events', { ...byIds, needAlarmPicture: value, needAlarmPictureType: type }, refused);
  }
  // the operation: an action key, a catalog name or path of one, or nothing (the first action)
  const triggerPath = findOperation('triggerRecording')?.path ?? '';
  for (const [value, refused] of [['trigger', false], ['triggerRecording', false], [triggerPath, false], [triggerPath.slice(1), false], ['', false], [' trigger', true], ['explode', true], ['/vision/customer/record/query', true]] as const) {
    add(`operation ${JSON.stringify(value)}`, 'link-visual-record', { ...record, operation: value }, refused);
  }
  for (const [value, refused] of [['record', false], ['event', false], ['', true], ['x', true]] as const) {
    add(`kind ${JSON.stringify(value)}`, 'link-visual-plan', { operation: 'query', kind: value, ignoreMsg: true }, refused);
  }
  // the api node: catalog names and paths, paths outside it (which need apiVer), params as a JSON object
  for (const [fields, refused] of [
    [{}, false], [{ operation: '/vision/customer/record/durationconfig/get' }, false], [{ operation: 'noSuchOperation' }, true], [{ operation: '' }, true],
    [{ operation: '/no/such/path' }, true], [{ operation: '/no/such/path', apiVer: '1.0.0' }, false], [{ operation: '/a/../b', apiVer: '1.0.0' }, true],
    [{ operation: 'bad path' }, true], [{ apiVer: '2.1' }, true], [{ apiVer: '2.1.0' }, false], [{ params: '[1]' }, true], [{ params: '[oops' }, true], [{ params: '' }, true], [{ params: '{"iotId":7}' }, true],
    [{ params: '{"iotId":"x","extra":1}' }, false], [{ operation: '/no/such/path', apiVer: '1.0.0', params: '{"a":1}' }, false],
    // the catalog's own list limit, reached through the api node (deleteRecordings: 1 … 100 names)
    [{ operation: 'deleteRecordings', params: JSON.stringify({ iotId: CAMERA, fileNameList: JSON.parse(many) as unknown }) }, true],
    [{ operation: 'deleteRecordings', params: JSON.stringify({ iotId: CAMERA, fileNameList: ['a.mp4'] }) }, false],
  ] as const) add(`api ${JSON.stringify(fields).slice(0, 80)}`, 'link-visual-api', { ...api, ...fields }, refused);
  // the operation nodes' own settings with a range (timeout > 0 … 600 s, maxImages 1 … 1000): blank takes the default
  for (const [value, refused] of [['', false], ['5', false], [' 0.5 ', false], ['600', false], ['601', true], ['0', true], ['-1', true], ['abc', true], ['1e9', true]] as const) {
    add(`snapshot timeout ${JSON.stringify(value)}`, 'link-visual-snapshot', { ...snapshot, timeout: value }, refused);
  }
  for (const [value, refused] of [['', false], ['1', false], ['1000', false], ['1001', true], ['0', true], ['2.5', true], ['x', true]] as const) {
    add(`pictures maxImages ${JSON.stringify(value)}`, 'link-visual-pictures', { ...pictures, maxImages: value }, refused);
  }
  // not read by delete (its row is not shown for it), and read with images off (msg.fetchImages may turn them on)
  add('pictures maxImages "x" for delete', 'link-visual-pictures', { operation: 'delete', iotId: CAMERA, iotIdType: 'str', pictureIdList: '["no-such"]', pictureIdListType: 'json', maxImages: 'x', ignoreMsg: true }, false);
  add('pictures maxImages "x" with images off', 'link-visual-pictures', { ...pictures, fetchImages: false, maxImages: 'x' }, true);
  // bind › apply takes planId or planName (the editor's hint for the action's own rule)
  const apply = { operation: 'apply', kind: 'record', iotId: `${CAMERA}, demo-camera-2`, iotIdType: 'str', planIdType: 'str', planNameType: 'str', ignoreMsg: true };
  add('apply with neither planId nor planName', 'link-visual-bind', { ...apply, planId: '', planName: '' }, true);
  add('apply with planName', 'link-visual-bind', { ...apply, planId: '', planName: 'no such plan' }, false);
  add('apply with planId', 'link-visual-bind', { ...apply, planId: 'no-such-plan', planName: '' }, false);
  return list;
}

// ---- one field against one spec: rules no catalog parameter of a node has (maxLength, lists of numbers,
// objects with requiredWhen), through the bundle's checkTyped and through the runtime's steps: Node-RED's own
// evaluateNodeProperty, then nodes/shared (typedParamValue, coerceParams) and lib's checkParams.

const specCases: { spec: ParamSpec; fields: [type: string, raw: string, refused: boolean][] }[] = [
  {
    spec: { name: 'count', type: 'int', description: '', required: true, min: 1, max: 10 },
    fields: [['num', '5', false], ['num', '0', true], ['num', '11', true], ['num', '1.5', true], ['num', 'abc', true], ['str', ' 7 ', false], ['str', '7a', true], ['num', '', true]],
  },
  { spec: { name: 'at', type: 'long', description: '', unit: 's', min: 0 }, fields: [['str', '2024-01-01', false], ['str', 'nope', true], ['date', 'iso', false], ['num', '-1', true]] },
  {
    spec: { name: 'code', type: 'string', description: '', required: true, maxLength: 5, pattern: '^[a-z]+$', patternHint: 'lowercase' },
    fields: [['str', 'abc', false], ['str', 'abcdef', true], ['str', 'ABC', true], ['str', '', true], ['num', '12', true]],
  },
  { spec: { name: 'mode', type: 'string', description: '', enum: ['a', 'b'] }, fields: [['str', 'a', false], ['str', 'c', true], ['str', '', false]] },
  { spec: { name: 'flag', type: 'boolean', description: '' }, fields: [['bool', 'TRUE', false], ['str', 'TRUE', true], ['str', 'false', false], ['json', '1', true]] },
  {
    spec: { name: 'ids', type: 'list', description: '', minItems: 1, maxItems: 2, items: { name: 'id', type: 'int', description: '', min: 0 } },
    fields: [['json', '[1]', false], ['json', '[]', true], ['json', '[1,2,3]', true], ['json', '[-1]', true], ['json', '["3"]', false], ['str', '1, 2', false], ['str', '1,2,3', true], ['json', '{}', true]],
  },
  {
    spec: {
      name: 'shape',
      type: 'object',
      description: '',
      fields: [
        { name: 'a', type: 'int', description: '', required: true },
        { name: 'b', type: 'string', description: '', requiredWhen: { param: 'a', equals: 1 } },
      ],
    },
    fields: [['json', '{"a":2}', false], ['json', '{"a":1}', true], ['json', '{"a":1,"b":"x"}', false], ['json', '{}', true], ['json', '[]', true], ['json', '{"a":"1","b":"x"}', false], ['json', '{"a":2,"constructor":1}', true]],
  },
  {
    spec: {
      name: 'timeSectionList',
      type: 'list',
      description: '',
      items: {
        name: 'item',
        type: 'object',
        description: '',
        fields: ['begin', 'end'].map((name) => ({ name, type: 'int' as const, description: '', required: true, ...(name === 'end' ? { atLeast: 'begin' } : {}) })),
      },
    },
    fields: [['json', '[{"begin":0,"end":60}]', false], ['json', '[{"begin":60,"end":0}]', true]],
  },
];

/** What the runtime does with one field (gatherParams, then validation): its problems, or the evaluation error. */
function runtimeRefuses(spec: ParamSpec, type: string, raw: string): boolean {
  const params: Record<string, unknown> = {};
  if (isFieldSet(raw, type)) {
    let value: unknown;
    try {
      value = redUtil.evaluateNodeProperty(raw, type, {}, {});
    } catch {
      return true; // INVALID_PARAMS: the field does not evaluate
    }
    value = typedParamValue(spec, type, value);
    if (value !== undefined) params[spec.name] = value;
  }
  return checkParams([spec], coerceParams([spec], params)).length > 0;
}

describe('one field against one spec: the editor and the runtime refuse the same', function () {
  let editor: EditorApi;
  before(function () {
    editor = loadEditor().editor;
  });
  for (const { spec, fields } of specCases) {
    for (const [type, raw, refused] of fields) {
      it(`${spec.name} (${spec.type}) ${type} ${JSON.stringify(raw)} — ${refused ? 'refused' : 'accepted'} by both`, function () {
        const problem = editor.checkTyped(spec, type, raw, spec.required ? 'is required' : '');
        assert.equal(problem !== '', runtimeRefuses(spec, type, raw), `editor and runtime disagree (editor: ${JSON.stringify(problem)})`);
        assert.equal(problem !== '', refused, `editor: ${JSON.stringify(problem)}`);
      });
    }
  }
});

// ---- the settings of the config, download, on-event and push nodes (their specs, nodes/*/settings-spec.ts): each case
// goes to the editor's validate functions and to the runtime's settings parser of the node.

const credentials = { appKey: 'demo-app-key', appSecret: 'demo-secret', identityId: 'id', refreshToken: 'token', authCode: 'code', iotToken: 'iot', projectId: 'project' };

/** Whether the runtime's settings parser of a node refuses its properties (undefined: a property a flow lacks). */
function parserRefuses(type: string, node: Fields): boolean {
  const def = { id: 'n', type, ...node } as Parameters<typeof readDownloadSettings>[0];
  try {
    if (type === 'link-visual-download') readDownloadSettings(def, os.tmpdir());
    else if (type === 'link-visual-on-event') onEventSettings(def);
    else if (type === 'link-visual-push') pushNodeSettings(def);
    else {
      clientOptionsFrom(node as AccountProperties, credentials);
      pushSettingsFrom(node as PushProperties, credentials.appKey, os.tmpdir());
    }
    return false;
  } catch {
    return true;
  }
}

const longId = 'x'.repeat(129);
/** A JSON.stringify replacer for titles: a long text by its length. */
const shortText = (_key: string, value: unknown): unknown => (typeof value === 'string' && value.length > 40 ? `${value.slice(0, 3)}… (${value.length} characters)` : value);
const settingCases: [type: string, title: string, fields: Fields, refused: boolean][] = [
  ...([
    [{}, false], [{ target: 'buffer', directory: '' }, false], [{ target: 'ftp' }, true], [{ target: '' }, false],
    [{ directory: '' }, true], [{ directory: '  ' }, true],
    [{ path: '../x.mp4' }, true], [{ path: '{iotId}/{bad}.mp4' }, true], [{ path: '/abs/{fileName}.mp4' }, true], [{ path: 'a/{fileName}.mp4' }, false], [{ path: '' }, false],
    [{ overwrite: 'rename' }, false], [{ overwrite: 'sometimes' }, true], [{ overwrite: 'sometimes', target: 'buffer' }, false],
    [{ target: 'buffer', maxBufferMB: '0' }, true], [{ maxBufferMB: '0' }, false], [{ target: 'buffer', maxBufferMB: '2048' }, false], [{ target: 'buffer', maxBufferMB: '2049' }, true], [{ target: 'buffer', maxBufferMB: '0.5' }, false],
    [{ concurrency: '1.5' }, true], [{ concurrency: '16' }, false], [{ concurrency: 17 }, true], [{ concurrency: '0' }, true], [{ concurrency: '' }, false], [{ concurrency: 'abc' }, true],
    [{ transcodeTimeout: '0.5' }, true], [{ transcodeTimeout: '1' }, false], [{ transcodeTimeout: '86400' }, false], [{ transcodeTimeout: '86401' }, true],
    [{ stallTimeout: '3601' }, true], [{ stallTimeout: ' 30 ' }, false], [{ stallTimeout: undefined }, false],
    [{ retries: '0' }, false], [{ retries: '21' }, true], [{ retries: '-1' }, true],
  ] as [Fields, boolean][]).map(([fields, refused]) => ['link-visual-download', JSON.stringify(fields), { directory: '/tmp/lv', ...fields }, refused] as [string, string, Fields, boolean]),
  ...([
    [{}, false], [{ interval: '0' }, true], [{ interval: '1' }, false], [{ interval: 86400 }, false], [{ interval: '86401' }, true], [{ interval: '' }, false], [{ interval: 'x' }, true], [{ interval: '0.5' }, true],
    [{ sweep: '9' }, true], [{ sweep: '10' }, false], [{ sweep: undefined }, false],
    [{ eventType: '4' }, true], [{ eventType: '3' }, false], [{ eventType: 3 }, false], [{ eventType: '1.5' }, true],
    [{ startup: 'later' }, true], [{ startup: 'backfill', backfillMinutes: '43201' }, true], [{ startup: 'new', backfillMinutes: '43201' }, false], [{ startup: 'backfill', backfillMinutes: '0' }, false],
    [{ cooldown: '-1' }, true], [{ cooldown: '' }, false], [{ devices: longId }, true], [{ devices: 'cam1, cam2\ncam3' }, false],
  ] as [Fields, boolean][]).map(([fields, refused]) => ['link-visual-on-event', JSON.stringify(fields), fields, refused] as [string, string, Fields, boolean]),
  ...([
    [{}, false], [{ devices: longId }, true], [{ devices: 'cam1, cam2\ncam3' }, false],
    // The kinds: at least one ticked; a kind a flow lacks (made before it existed) is ticked.
    [{ event: false, property: false, onlineStatus: false, other: false }, true], [{ event: 'false', property: 'false', onlineStatus: 'false', other: 'false' }, true],
    [{ event: false, property: false, onlineStatus: false, other: true }, false], [{ event: false, property: false, onlineStatus: undefined, other: false }, false], [{ event: 'true', property: false, onlineStatus: false, other: false }, false],
    // Online/offline was `status` before: it counts in older flows only (no onlineStatus), never Node-RED's status object there.
    [{ event: false, property: false, onlineStatus: undefined, status: false, other: false }, true], [{ event: false, property: false, onlineStatus: undefined, status: 'false', other: false }, true],
    [{ event: false, property: false, onlineStatus: true, status: false, other: false }, false],
    [{ event: false, property: false, onlineStatus: undefined, status: { fill: 'green', shape: 'dot', text: 'connected' }, other: false }, false],
    [{ event: false, property: false, onlineStatus: 'false', status: { fill: 'green', shape: 'dot', text: 'connected' }, other: false }, true],
    [{ identifier: 'x'.repeat(129) }, true], [{ identifier: 'x'.repeat(128) }, false], [{ identifier: ` ${'x'.repeat(128)} ` }, false], [{ identifier: 'AlarmEvent' }, false],
  ] as [Fields, boolean][]).map(([fields, refused]) => ['link-visual-push', JSON.stringify(fields, shortText), fields, refused] as [string, string, Fields, boolean]),
  ...([
    [{}, false], [{ region: 'mars' }, true], [{ region: '' }, false], [{ region: 'custom', endpoint: '' }, true], [{ region: 'custom', endpoint: 'ftp://x' }, true],
    [{ region: 'custom', endpoint: 'http://127.0.0.1:1' }, false], [{ region: 'cn-shanghai', endpoint: 'junk' }, false],
    [{ authMode: 'magic' }, true], [{ authMode: 'cloud' }, false], [{ rateLimit: '0' }, true], [{ rateLimit: '0.5' }, false], [{ rateLimit: 'x' }, true], [{ rateLimit: '' }, false], [{ timeout: '-1' }, true],
    [{ push: true, pushEndpoint: 'amqp://example.com' }, true], [{ push: true, pushEndpoint: 'amqp://127.0.0.1:5672' }, false], [{ push: true, pushEndpoint: 'amqps://host.example:5671' }, false],
    [{ push: true, pushEndpoint: 'amqps://user:pw@host.example' }, true], [{ push: false, pushEndpoint: 'junk' }, false], [{ push: true, pushEndpoint: 'junk' }, true],
    [{ push: true, region: 'custom', endpoint: 'http://127.0.0.1:1', pushEndpoint: '' }, true], [{ push: true, pushEndpoint: '' }, false],
    [{ push: true, consumerGroup: 'a b' }, true], [{ push: 'true', clientId: 'x'.repeat(65) }, true], [{ push: 'true', clientId: 'node-red:1' }, false], [{ push: undefined, consumerGroup: 'a b' }, false],
  ] as [Fields, boolean][]).map(([fields, refused]) => ['link-visual-config', JSON.stringify(fields), fields, refused] as [string, string, Fields, boolean]),
];

describe('the settings of the config, download, on-event and push nodes: the editor and the runtime parser refuse the same', function () {
  let registrations: Map<string, Registration>;
  before(function () {
    registrations = loadEditor().registrations;
  });
  for (const [type, title, fields, refused] of settingCases) {
    it(`${type.replace('link-visual-', '')}: ${title} — ${refused ? 'refused' : 'accepted'} by both`, function () {
      const registration = registrations.get(type);
      assert.ok(registration, `${type} registered`);
      const node = { ...flowNode(registration, {}), ...fields };
      const editor = editorProblems(registration, node);
      const runtime = parserRefuses(type, node);
      assert.equal(editor.length > 0, runtime, `editor and runtime disagree (editor: ${JSON.stringify(editor)})`);
      assert.equal(runtime, refused, `both ${runtime ? 'refuse' : 'accept'} it (editor: ${JSON.stringify(editor)})`);
    });
  }
});

// ---------------------------------------------------------------------------------------------

describe('the editor and the runtime refuse the same inputs', function () {
  this.timeout(120_000);
  const all = cases();
  let registrations: Map<string, Registration>;
  let emulator: EmulatorHandle;
  let userDir: { dir: string; remove: () => void };
  let sink: MessageQueue;

  before(async function () {
    if (!fs.existsSync(path.join(root, 'resources', 'link-visual-editor.js')) || !fs.existsSync(path.join(root, 'dist', 'nodes'))) {
      throw new Error('the build output is missing: run `npm run build` first');
    }
    registrations = loadEditor().registrations;
    userDir = tempUserDir();
    emulator = await startEmulator({ port: 0 });
    const account = accountNode(emulator.url);
    const flow = [
      { id: 'tab', type: 'tab', label: 'same rules' },
      account.node,
      ...all.map((c, index) => ({ ...flowNode(registrations.get(c.type) as Registration, c.fields), id: `case${index}`, type: c.type, z: 'tab', account: 'account', wires: [['sink']] })),
      { id: 'catcher', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['sink']] },
      { id: 'sink', type: 'helper', z: 'tab' },
    ];
    await helper.load([catchNode, ...packageNodes()], flow, account.credentials);
    sink = new MessageQueue(helper.getNode('sink') as TestNode);
  });

  after(async function () {
    await helper.unload();
    await emulator?.close();
    userDir?.remove();
  });

  all.forEach((c, index) => {
    it(`${c.type.replace('link-visual-', '')}: ${c.title} — ${c.refused ? 'refused' : 'accepted'} by both`, async function () {
      const registration = registrations.get(c.type);
      assert.ok(registration, `${c.type} registered`);
      const editor = editorProblems(registration, flowNode(registration, c.fields));
      const before = emulator.stats().requests;
      const { error } = await exchange(helper.getNode(`case${index}`) as TestNode, {}, sink);
      const failure = error?._error as { code?: string; apiCode?: number; httpStatus?: number; message?: string } | undefined;
      const refusedHere = !!failure && ['INVALID_PARAMS', 'UNKNOWN_OPERATION', 'CONFIG'].includes(String(failure.code)) && failure.apiCode === undefined && failure.httpStatus === undefined;
      if (refusedHere) assert.equal(emulator.stats().requests, before, 'a refusal sends nothing');
      const said = `editor: ${JSON.stringify(editor)}; runtime: ${failure ? `${failure.code} ${failure.message}` : 'ok'}`;
      assert.equal(editor.length > 0, refusedHere, `editor and runtime disagree (${said})`);
      assert.equal(refusedHere, c.refused, `both ${refusedHere ? 'refuse' : 'accept'} it (${said})`);
    });
  });
});
