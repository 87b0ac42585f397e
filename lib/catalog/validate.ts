import type { Operation, ParamSpec, ParamType } from './types';

/**
 * A refused value as a message shows it: its JSON text when short (or `String(value)` for a non-string), else
 * what it is. Language-neutral, so the editor can say it in the user's language without holding the value.
 */
export type ValueShape =
  | { readonly kind: 'list' | 'object' }
  | { readonly kind: 'longString'; readonly length: number }
  | { readonly kind: 'literal'; readonly text: string };

/**
 * Which rule a value broke, with what a message needs to say it (the editor translates from these; `message`
 * is the English text): `type` (not the spec's type), `empty` (a required string is ''), `int32`/`safe` (an
 * integer out of range), `min`/`max`/`maxLength`/`minItems`/`maxItems`/`pattern` (a limit), `enum`,
 * `required`, `requiredWhen` (required because another parameter has a value), `key` (a forbidden object key)
 * and `order` (a time section ending before it begins).
 */
export type ParamRule =
  | { readonly rule: 'type'; readonly expected: ParamType; readonly got: ValueShape }
  | { readonly rule: 'empty' | 'int32' | 'safe' | 'required' | 'key' }
  | { readonly rule: 'min' | 'max' | 'maxLength' | 'minItems' | 'order'; readonly limit: number }
  | { readonly rule: 'maxItems'; readonly limit: number; readonly count: number }
  | { readonly rule: 'pattern'; readonly limit: string }
  | { readonly rule: 'enum'; readonly values: readonly (number | string | boolean)[] }
  | { readonly rule: 'requiredWhen'; readonly param: string; readonly equals: unknown };

/** One reason a parameter set is refused, addressed by parameter path (`timeSectionList[3].end`). */
export type ParamProblem = { readonly path: string; readonly message: string } & ParamRule;

// Keys that would let a hostile object rewrite prototypes if a later consumer merged it naïvely.
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** True for a plain JSON-like object (not null, not an array, not a Buffer/Date). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto === null || proto === Object.prototype) return true;
  // An object made in another realm (e.g. a Node-RED Function node's sandbox) has that realm's Object.prototype.
  return Object.getPrototypeOf(proto) === null && Object.prototype.toString.call(value) === '[object Object]';
}

/** How a message shows `value` (see ValueShape). */
export function valueShape(value: unknown): ValueShape {
  if (Array.isArray(value)) return { kind: 'list' };
  if (typeof value === 'string') return value.length > 40 ? { kind: 'longString', length: value.length } : { kind: 'literal', text: JSON.stringify(value) };
  if (typeof value === 'object' && value !== null) return { kind: 'object' };
  return { kind: 'literal', text: String(value) };
}

function describe(value: unknown): string {
  const shape = valueShape(value);
  switch (shape.kind) {
    case 'list':
      return 'a list';
    case 'object':
      return 'an object';
    case 'longString':
      return `a string of ${shape.length} characters`;
    default:
      return shape.text;
  }
}

function wrongType(path: string, expected: ParamType, value: unknown, message: string): ParamProblem {
  return { path, message, rule: 'type', expected, got: valueShape(value) };
}

function checkValue(spec: ParamSpec, value: unknown, path: string, problems: ParamProblem[]): void {
  switch (spec.type) {
    case 'string':
      if (typeof value !== 'string') {
        problems.push(wrongType(path, 'string', value, `must be a string, got ${describe(value)}`));
        return;
      }
      if (spec.required && value.length === 0) problems.push({ path, message: 'must not be empty', rule: 'empty' });
      if (spec.maxLength !== undefined && value.length > spec.maxLength) {
        problems.push({ path, message: `must be at most ${spec.maxLength} characters`, rule: 'maxLength', limit: spec.maxLength });
      }
      if (spec.pattern !== undefined && !new RegExp(spec.pattern).test(value)) {
        const hint = spec.patternHint ?? spec.pattern;
        problems.push({ path, message: `must match ${hint}`, rule: 'pattern', limit: hint });
      }
      break;
    case 'int':
    case 'long':
      if (typeof value !== 'number' || !Number.isFinite(value) || !Number.isInteger(value)) {
        problems.push(wrongType(path, spec.type, value, `must be an integer, got ${describe(value)}`));
        return;
      }
      if (spec.type === 'int' && (value > 2147483647 || value < -2147483648)) {
        problems.push({ path, message: 'must fit in a 32-bit integer', rule: 'int32' });
        return;
      }
      if (!Number.isSafeInteger(value)) {
        problems.push({ path, message: 'must be a safe integer', rule: 'safe' });
        return;
      }
      if (spec.min !== undefined && value < spec.min) problems.push({ path, message: `must be ≥ ${spec.min}`, rule: 'min', limit: spec.min });
      if (spec.max !== undefined && value > spec.max) problems.push({ path, message: `must be ≤ ${spec.max}`, rule: 'max', limit: spec.max });
      break;
    case 'boolean':
      if (typeof value !== 'boolean') {
        problems.push(wrongType(path, 'boolean', value, `must be true or false, got ${describe(value)}`));
        return;
      }
      break;
    case 'list':
      if (!Array.isArray(value)) {
        problems.push(wrongType(path, 'list', value, `must be a list, got ${describe(value)}`));
        return;
      }
      if (spec.minItems !== undefined && value.length < spec.minItems) {
        problems.push({ path, message: `must have at least ${spec.minItems} item${spec.minItems === 1 ? '' : 's'}`, rule: 'minItems', limit: spec.minItems });
      }
      if (spec.maxItems !== undefined && value.length > spec.maxItems) {
        problems.push({ path, message: `must have at most ${spec.maxItems} items, got ${value.length}`, rule: 'maxItems', limit: spec.maxItems, count: value.length });
      }
      if (spec.items) {
        const itemSpec = spec.items;
        value.forEach((item, index) => checkValue(itemSpec, item, `${path}[${index}]`, problems));
      }
      return; // enum applies to items, not to the list
    case 'object':
      if (!isPlainObject(value)) {
        problems.push(wrongType(path, 'object', value, `must be an object, got ${describe(value)}`));
        return;
      }
      checkFields(spec.fields ?? [], value, path ? `${path}.` : '', problems);
      return;
  }
  if (spec.enum !== undefined && !spec.enum.includes(value as never)) {
    problems.push({ path, message: `must be one of ${spec.enum.map((v) => JSON.stringify(v)).join(', ')}`, rule: 'enum', values: spec.enum });
  }
}

function checkFields(
  fields: readonly ParamSpec[],
  values: Record<string, unknown>,
  prefix: string,
  problems: ParamProblem[],
): void {
  for (const key of Object.keys(values)) {
    if (FORBIDDEN_KEYS.has(key)) problems.push({ path: `${prefix}${key}`, message: 'is not an allowed key', rule: 'key' });
  }
  for (const spec of fields) {
    const value = values[spec.name];
    const path = `${prefix}${spec.name}`;
    if (value === undefined) {
      const conditional = spec.requiredWhen;
      if (spec.required) problems.push({ path, message: 'is required', rule: 'required' });
      else if (conditional && values[conditional.param] === conditional.equals) {
        problems.push({
          path,
          message: `is required when ${conditional.param} is ${JSON.stringify(conditional.equals)}`,
          rule: 'requiredWhen',
          param: conditional.param,
          equals: conditional.equals,
        });
      }
      continue;
    }
    checkValue(spec, value, path, problems);
  }
  checkTimeSections(values, prefix, problems);
}

// A time section whose end precedes its begin cannot be recorded; refuse it here so the grid and API agree.
function checkTimeSections(values: Record<string, unknown>, prefix: string, problems: ParamProblem[]): void {
  const sections = values.timeSectionList;
  if (!Array.isArray(sections)) return;
  sections.forEach((section, index) => {
    if (!isPlainObject(section)) return;
    const { begin, end } = section;
    if (typeof begin === 'number' && typeof end === 'number' && end < begin) {
      problems.push({ path: `${prefix}timeSectionList[${index}].end`, message: `must be ≥ begin (${begin})`, rule: 'order', limit: begin });
    }
  });
}

/** Checks `params` against parameter specs (an operation's, or an action's own); every problem, empty when valid. */
export function checkParams(specs: readonly ParamSpec[], params: unknown): ParamProblem[] {
  const problems: ParamProblem[] = [];
  if (params === undefined) params = {};
  if (!isPlainObject(params)) {
    return [wrongType('params', 'object', params, `must be an object, got ${describe(params)}`)];
  }
  checkFields(specs, params, '', problems);
  return problems;
}

/** Checks `params` against the operation's catalog entry; returns every problem (empty when valid). */
export function validateParams(operation: Operation, params: unknown): ParamProblem[] {
  return checkParams(operation.params, params);
}

/** Checks one value against one spec, its problems addressed from `path`. */
export function checkParamValue(spec: ParamSpec, value: unknown, path = ''): ParamProblem[] {
  const problems: ParamProblem[] = [];
  checkValue(spec, value, path, problems);
  return problems;
}

/** Formats problems as one readable line per problem. */
export function formatProblems(problems: readonly { readonly path: string; readonly message: string }[]): string {
  return problems.map((p) => `${p.path}: ${p.message}`).join('; ');
}
