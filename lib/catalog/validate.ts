import type { Operation, ParamSpec, ParamType } from './types';
import { isPlainObject } from '../util/plain-object';


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
 * and `order` (an end before its begin). A rule across fields (ParamSpec `atLeast`/`atMost`) is `order` or `max`,
 * with `than` naming the other parameter and `limit` its value.
 */
export type ParamRule =
  | { readonly rule: 'type'; readonly expected: ParamType; readonly got: ValueShape }
  | { readonly rule: 'empty' | 'int32' | 'safe' | 'required' | 'key' }
  | { readonly rule: 'min' | 'max' | 'maxLength' | 'minItems'; readonly limit: number; readonly than?: string }
  | { readonly rule: 'order'; readonly limit: number; readonly than: string }
  | { readonly rule: 'maxItems'; readonly limit: number; readonly count: number }
  | { readonly rule: 'pattern'; readonly limit: string }
  | { readonly rule: 'enum'; readonly values: readonly (number | string | boolean)[] }
  | { readonly rule: 'requiredWhen'; readonly param: string; readonly equals: unknown };

/** One reason a parameter set is refused, addressed by parameter path (`timeSectionList[3].end`). */
export type ParamProblem = { readonly path: string; readonly message: string } & ParamRule;

// Keys that would let a hostile object rewrite prototypes if a later consumer merged it naïvely.
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

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
    const before = problems.length;
    checkValue(spec, value, path, problems);
    if (problems.length === before) checkAcross(spec, value, values, path, problems); // a value out of its own limits says so once
  }
}

// The catalog's rules across fields (an end before its begin, a pre-recording longer than the whole):
// checked with the call's own values, so the editor, the client and the emulator refuse the same calls.
function checkAcross(spec: ParamSpec, value: unknown, values: Record<string, unknown>, path: string, problems: ParamProblem[]): void {
  if (typeof value !== 'number') return;
  const atLeast = spec.atLeast === undefined ? undefined : values[spec.atLeast];
  if (spec.atLeast !== undefined && typeof atLeast === 'number' && value < atLeast) {
    problems.push({ path, message: `must be ≥ ${spec.atLeast} (${atLeast})`, rule: 'order', limit: atLeast, than: spec.atLeast });
  }
  const atMost = spec.atMost === undefined ? undefined : values[spec.atMost];
  if (spec.atMost !== undefined && typeof atMost === 'number' && value > atMost) {
    problems.push({ path, message: `must be ≤ ${spec.atMost} (${atMost})`, rule: 'max', limit: atMost, than: spec.atMost });
  }
}

/** The problems of `values` against the rules across fields of `specs` alone (for an update: the record as it will be). */
export function checkAcrossFields(specs: readonly ParamSpec[], values: Record<string, unknown>): ParamProblem[] {
  const problems: ParamProblem[] = [];
  for (const spec of specs) checkAcross(spec, values[spec.name], values, spec.name, problems);
  return problems;
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
