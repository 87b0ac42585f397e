import type { Operation, ParamSpec } from './types';

/** One reason a parameter set is refused, addressed by parameter path (`timeSectionList[3].end`). */
export interface ParamProblem {
  readonly path: string;
  readonly message: string;
}

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

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function checkValue(spec: ParamSpec, value: unknown, path: string, problems: ParamProblem[]): void {
  switch (spec.type) {
    case 'string':
      if (typeof value !== 'string') {
        problems.push({ path, message: `must be a string, got ${describe(value)}` });
        return;
      }
      if (spec.required && value.length === 0) problems.push({ path, message: 'must not be empty' });
      if (spec.maxLength !== undefined && value.length > spec.maxLength) {
        problems.push({ path, message: `must be at most ${spec.maxLength} characters` });
      }
      if (spec.pattern !== undefined && !new RegExp(spec.pattern).test(value)) {
        problems.push({ path, message: `must match ${spec.patternHint ?? spec.pattern}` });
      }
      break;
    case 'int':
    case 'long':
      if (typeof value !== 'number' || !Number.isFinite(value) || !Number.isInteger(value)) {
        problems.push({ path, message: `must be an integer, got ${describe(value)}` });
        return;
      }
      if (spec.type === 'int' && (value > 2147483647 || value < -2147483648)) {
        problems.push({ path, message: 'must fit in a 32-bit integer' });
        return;
      }
      if (!Number.isSafeInteger(value)) {
        problems.push({ path, message: 'must be a safe integer' });
        return;
      }
      if (spec.min !== undefined && value < spec.min) problems.push({ path, message: `must be ≥ ${spec.min}` });
      if (spec.max !== undefined && value > spec.max) problems.push({ path, message: `must be ≤ ${spec.max}` });
      break;
    case 'boolean':
      if (typeof value !== 'boolean') {
        problems.push({ path, message: `must be true or false, got ${describe(value)}` });
        return;
      }
      break;
    case 'list':
      if (!Array.isArray(value)) {
        problems.push({ path, message: `must be a list, got ${describe(value)}` });
        return;
      }
      if (spec.minItems !== undefined && value.length < spec.minItems) {
        problems.push({ path, message: `must have at least ${spec.minItems} item${spec.minItems === 1 ? '' : 's'}` });
      }
      if (spec.maxItems !== undefined && value.length > spec.maxItems) {
        problems.push({ path, message: `must have at most ${spec.maxItems} items, got ${value.length}` });
      }
      if (spec.items) {
        const itemSpec = spec.items;
        value.forEach((item, index) => checkValue(itemSpec, item, `${path}[${index}]`, problems));
      }
      return; // enum applies to items, not to the list
    case 'object':
      if (!isPlainObject(value)) {
        problems.push({ path, message: `must be an object, got ${describe(value)}` });
        return;
      }
      checkFields(spec.fields ?? [], value, `${path}.`, problems);
      return;
  }
  if (spec.enum !== undefined && !spec.enum.includes(value as never)) {
    problems.push({ path, message: `must be one of ${spec.enum.map((v) => JSON.stringify(v)).join(', ')}` });
  }
}

function checkFields(
  fields: readonly ParamSpec[],
  values: Record<string, unknown>,
  prefix: string,
  problems: ParamProblem[],
): void {
  for (const key of Object.keys(values)) {
    if (FORBIDDEN_KEYS.has(key)) problems.push({ path: `${prefix}${key}`, message: 'is not an allowed key' });
  }
  for (const spec of fields) {
    const value = values[spec.name];
    const path = `${prefix}${spec.name}`;
    if (value === undefined) {
      const conditional = spec.requiredWhen;
      if (spec.required) problems.push({ path, message: 'is required' });
      else if (conditional && values[conditional.param] === conditional.equals) {
        problems.push({ path, message: `is required when ${conditional.param} is ${JSON.stringify(conditional.equals)}` });
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
      problems.push({ path: `${prefix}timeSectionList[${index}].end`, message: `must be ≥ begin (${begin})` });
    }
  });
}

/** Checks `params` against the operation's catalog entry; returns every problem (empty when valid). */
export function validateParams(operation: Operation, params: unknown): ParamProblem[] {
  const problems: ParamProblem[] = [];
  if (params === undefined) params = {};
  if (!isPlainObject(params)) {
    return [{ path: 'params', message: `must be an object, got ${describe(params)}` }];
  }
  checkFields(operation.params, params, '', problems);
  return problems;
}

/** Formats problems as one readable line per problem. */
export function formatProblems(problems: readonly ParamProblem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}`).join('; ');
}
