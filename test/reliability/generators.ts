/**
 * Generators of bad input for the reliability suites: valid parameter sets from the catalog, single
 * mutations that make one definitely invalid, and free-form garbage. Everything is drawn from a seeded
 * Rng, so a seed replays the same inputs.
 */
import type { ParamSpec } from '../../lib';
import { withOwnKey, type Rng } from './harness';

export const CAMERA = 'demo-camera-1';

/** A value that satisfies `spec`. */
export function validValue(spec: ParamSpec, rng: Rng): unknown {
  if (spec.enum && spec.enum.length > 0) return rng.pick(spec.enum);
  switch (spec.type) {
    case 'string':
      if (spec.name === 'iotId') return CAMERA;
      if (spec.name === 'month') return `2025${String(rng.int(1, 12)).padStart(2, '0')}`;
      return `${spec.name}-${rng.text(6)}`;
    case 'int':
    case 'long': {
      const min = spec.min ?? 0;
      const max = spec.max ?? (spec.unit === 'ms' ? Date.now() : spec.unit === 's' ? Math.floor(Date.now() / 1000) : min + 1000);
      return rng.int(min, Math.max(min, max));
    }
    case 'boolean':
      return rng.bool();
    case 'list': {
      const count = Math.max(spec.minItems ?? 0, 1);
      const item = spec.items;
      if (!item) return [];
      return Array.from({ length: Math.min(count + rng.int(0, 2), spec.maxItems ?? 3) }, () => validValue(item, rng));
    }
    case 'object': {
      if (spec.name === 'item' && spec.fields?.some((f) => f.name === 'dayOfWeek')) {
        const begin = rng.int(0, 80_000);
        return { dayOfWeek: rng.int(0, 6), begin, end: rng.int(begin, 86_399) };
      }
      return validParams(spec.fields ?? [], rng, false);
    }
  }
}

/** Every required parameter (and, when `optional`, some optional ones) with valid values. */
export function validParams(specs: readonly ParamSpec[], rng: Rng, optional = true): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const spec of specs) {
    if (spec.required || (optional && rng.bool(0.3))) params[spec.name] = validValue(spec, rng);
  }
  // allDay 0 needs a grid; a plan of kind event needs no more than the catalog says.
  if (params.allDay === 0 && params.timeSectionList === undefined) {
    const grid = specs.find((s) => s.name === 'timeSectionList');
    if (grid) params.timeSectionList = validValue(grid, rng);
  }
  return params;
}

/** Values of the wrong type for `spec` that no coercion can turn into a valid one. */
function wrongTypeValues(spec: ParamSpec, rng: Rng): unknown[] {
  const nested = { a: [1, { b: null }], c: 'd' };
  switch (spec.type) {
    case 'string':
      return [{}, [], [spec.name], true, false, null, NaN, Infinity, -Infinity, nested, [[[]]]];
    case 'int':
    case 'long':
      return [NaN, Infinity, -Infinity, {}, [], [1], true, null, 1.5, -0.25, 2 ** 53 + 2, 1e308, nested, `${rng.text(8, 'xyz!')}`, ''];
    case 'boolean':
      return ['yes', 'TRUE', 1, 0, {}, [], null, NaN, nested];
    case 'list':
      return [{}, 5, true, null, NaN, nested, '[1, 2', '[oops]'];
    case 'object':
      return [5, [], [{}], true, null, NaN, 'text'];
  }
}

/** One-past-the-limit values for `spec`, when it has limits. */
function outOfRangeValues(spec: ParamSpec): unknown[] {
  const values: unknown[] = [];
  if (spec.type === 'int' || spec.type === 'long') {
    if (spec.min !== undefined) values.push(spec.min - 1, spec.min - 1_000_000);
    if (spec.max !== undefined) values.push(spec.max + 1, spec.max * 1000 + 7);
    if (spec.type === 'int') values.push(2 ** 31, -(2 ** 31) - 1);
    if (spec.enum) {
      const numbers = spec.enum.filter((v): v is number => typeof v === 'number');
      if (numbers.length > 0) values.push(Math.max(...numbers) + 1, Math.min(...numbers) - 1);
    }
  }
  if (spec.type === 'list') {
    if (spec.minItems !== undefined && spec.minItems > 0) values.push([]);
    if (spec.maxItems !== undefined && spec.items) values.push(Array.from({ length: spec.maxItems + 1 }, (_v, i) => (spec.items?.type === 'string' ? `id-${i}` : 1)));
  }
  if (spec.type === 'string' && spec.maxLength !== undefined) values.push('x'.repeat(spec.maxLength + 1));
  if (spec.type === 'string' && spec.pattern !== undefined) values.push('2025-13', '202513', '20251', 'yyyyMM');
  return values;
}

/** Malformed schedule grids (timeSectionList) that validation must refuse. */
function badGrids(rng: Rng): unknown[] {
  const ok = () => {
    const begin = rng.int(0, 80_000);
    return { dayOfWeek: rng.int(0, 6), begin, end: rng.int(begin, 86_399) };
  };
  return [
    [{ dayOfWeek: 7, begin: 0, end: 60 }],
    [{ dayOfWeek: -1, begin: 0, end: 60 }],
    [{ dayOfWeek: 1.5, begin: 0, end: 60 }],
    [{ dayOfWeek: 1, begin: -1, end: 60 }],
    [{ dayOfWeek: 1, begin: 0, end: 86_400 }],
    [{ dayOfWeek: 1, begin: 5000, end: 100 }],
    [ok(), { dayOfWeek: 2, begin: 7200, end: 3600 }],
    [{ dayOfWeek: 1, begin: 0 }],
    [{ begin: 0, end: 60 }],
    [{}],
    [null],
    ['0-3600'],
    [[1, 0, 3600]],
    [ok(), 42],
    [{ dayOfWeek: '1x', begin: 0, end: 60 }],
    [{ dayOfWeek: 1, begin: NaN, end: 60 }],
    [{ dayOfWeek: 1, begin: 0, end: Infinity }],
    [withOwnKey(ok(), '__proto__', { polluted: 'grid' })],
    [withOwnKey(ok(), 'constructor', { prototype: { polluted: 'grid' } })],
    [withOwnKey(ok(), 'prototype', { polluted: 'grid' })],
    { 0: ok() },
    'mon 08:00-09:00',
  ];
}

export interface Mutation {
  readonly params: Record<string, unknown>;
  readonly what: string;
}

/**
 * Makes a valid parameter set definitely invalid with one mutation (undefined when none applies to
 * these specs). `specs` are the ones the node validates; `names` limits which may be touched.
 */
export function invalidMutation(specs: readonly ParamSpec[], base: Record<string, unknown>, rng: Rng): Mutation | undefined {
  const kinds = ['missing', 'wrongType', 'outOfRange', 'grid', 'requiredWhen', 'nestedProto'] as const;
  for (let attempt = 0; attempt < 12; attempt += 1) {
    const kind = rng.pick(kinds);
    const params = { ...base };
    switch (kind) {
      case 'missing': {
        const required = specs.filter((s) => s.required);
        if (required.length === 0) break;
        const spec = rng.pick(required);
        delete params[spec.name];
        return { params, what: `missing ${spec.name}` };
      }
      case 'wrongType': {
        if (specs.length === 0) break;
        const spec = rng.pick(specs);
        const value = rng.pick(wrongTypeValues(spec, rng));
        params[spec.name] = value;
        return { params, what: `${spec.name} of wrong type` };
      }
      case 'outOfRange': {
        const candidates = specs.filter((s) => outOfRangeValues(s).length > 0);
        if (candidates.length === 0) break;
        const spec = rng.pick(candidates);
        params[spec.name] = rng.pick(outOfRangeValues(spec));
        return { params, what: `${spec.name} out of range` };
      }
      case 'grid': {
        if (!specs.some((s) => s.name === 'timeSectionList')) break;
        params.timeSectionList = rng.pick(badGrids(rng));
        if (params.allDay === undefined) params.allDay = 0;
        return { params, what: 'malformed timeSectionList' };
      }
      case 'requiredWhen': {
        if (!specs.some((s) => s.name === 'timeSectionList') || !specs.some((s) => s.name === 'allDay')) break;
        params.allDay = 0;
        delete params.timeSectionList;
        return { params, what: 'allDay 0 without a grid' };
      }
      case 'nestedProto': {
        const objectLists = specs.filter((s) => s.type === 'list' && s.items?.type === 'object');
        if (objectLists.length === 0) break;
        const spec = rng.pick(objectLists);
        const item = validValue(spec.items as ParamSpec, rng) as Record<string, unknown>;
        params[spec.name] = [withOwnKey(item, rng.pick(['__proto__', 'constructor', 'prototype']), { polluted: 'nested' })];
        if (spec.name === 'timeSectionList' && params.allDay === undefined) params.allDay = 0;
        return { params, what: `${spec.name} item with a prototype key` };
      }
    }
  }
  return undefined;
}

/** A random JSON-ish value: nesting, odd numbers, big strings, prototype keys, Buffers, Dates. */
export function garbage(rng: Rng, depth = 0): unknown {
  const roll = rng.int(0, depth > 3 ? 11 : 15);
  switch (roll) {
    case 0:
      return null;
    case 1:
      return undefined;
    case 2:
      return rng.pick([NaN, Infinity, -Infinity, -0, 0, 1, -1, 1.5, 2 ** 31, 2 ** 53, -(2 ** 63), 1e308, Number.MIN_VALUE]);
    case 3:
      return rng.int(-1_000_000, 1_000_000);
    case 4:
      return rng.bool();
    case 5:
      return rng.text(rng.int(0, 20));
    case 6:
      return rng.pick(['', ' ', 'demo-camera-1', '../../etc/passwd', '..', '/', 'null', 'undefined', '[object Object]', '{"a":', '[1,2', '\u0000', '\ud800', '😀', 'ǅ'.repeat(3), '1e999', '0x10', ' 42 ', '2025-01-01T00:00:00Z']);
    case 7:
      // A big string: mostly tens of kB, sometimes a few MB (past the emulator's 1 MiB body limit).
      return 'Z'.repeat(rng.bool(0.1) ? rng.int(1_100_000, 3_000_000) : rng.int(1000, 60_000));
    case 8:
      return new Date(rng.pick([0, Date.now(), NaN, 8.64e15, -8.64e15]));
    case 9:
      return Buffer.from(rng.text(rng.int(0, 32)));
    case 10:
      return rng.pick([() => 1, Symbol('s'), BigInt(7), new Map([[1, 2]]), new Set([1]), /re/g, new Error('boom')]);
    case 11:
      return rng.pick([{}, [], [[]], [{}], { '': '' }]);
    case 12:
    case 13:
      return Array.from({ length: rng.int(0, 5) }, () => garbage(rng, depth + 1));
    default: {
      let object: Record<string, unknown> = {};
      const keys = rng.int(0, 6);
      for (let i = 0; i < keys; i += 1) object[rng.pick(['a', 'b', 'iotId', 'planId', 'name', 'fileName', 'eventId', 'timeSectionList', 'allDay', rng.text(4)])] = garbage(rng, depth + 1);
      if (rng.bool(0.2)) object = withOwnKey(JSON.parse(JSON.stringify(object, (_k, v: unknown) => (typeof v === 'bigint' ? 0 : v)) ?? '{}') as Record<string, unknown>, rng.pick(['__proto__', 'constructor', 'prototype']), { polluted: 'garbage' });
      return object;
    }
  }
}

/** A random parameter object: known names with random values, plus noise. */
export function garbageParams(specs: readonly ParamSpec[], rng: Rng): Record<string, unknown> {
  const params: Record<string, unknown> = rng.bool(0.5) ? validParams(specs, rng) : {};
  for (const spec of specs) {
    if (rng.bool(0.35)) params[spec.name] = rng.bool(0.3) ? validValue(spec, rng) : garbage(rng, 1);
  }
  if (rng.bool(0.2)) params[rng.text(5)] = garbage(rng, 1);
  if (rng.bool(0.1)) return withOwnKey(JSON.parse(JSON.stringify(params, (_k, v: unknown) => (typeof v === 'bigint' ? 0 : v)) ?? '{}') as Record<string, unknown>, '__proto__', { polluted: 'params' });
  return params;
}

/** Ids that must never become part of a file path. */
export const TRAVERSAL_IDS: readonly string[] = [
  '../escape',
  '../../../../tmp/escape',
  '..',
  '.',
  '.hidden',
  'a/b',
  '/abs',
  'a\\b',
  'C:\\x',
  'con:',
  'x'.repeat(300),
  'a\u0000b',
  'a\nb',
  'name?',
  'star*',
  '%2e%2e%2fescape',
  '..%2f..%2fescape',
  '~/../escape',
  'ok/../../escape',
  '',
];
