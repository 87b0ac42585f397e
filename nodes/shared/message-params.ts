import type { ParamSpec } from '../../lib/catalog/types';
import { isPlainObject } from '../../lib/util/plain-object';

const INTEGER = /^-?\d+$/;

function toEpoch(value: Date | string, unit: 's' | 'ms'): number | undefined {
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (!Number.isFinite(ms)) return undefined;
  return unit === 's' ? Math.floor(ms / 1000) : ms;
}

/**
 * Forgiving input, strict output: turns what flows commonly carry (numeric strings, "true", Dates,
 * ISO times, JSON text, comma lists) into the type the catalog wants. Anything it cannot read is
 * returned as is, so validation reports it with the parameter's path.
 */
export function coerceParam(spec: ParamSpec, value: unknown): unknown {
  switch (spec.type) {
    case 'int':
    case 'long':
      if (spec.unit && (value instanceof Date || (typeof value === 'string' && !INTEGER.test(value.trim()) && value.trim() !== ''))) {
        return toEpoch(value as Date | string, spec.unit) ?? value;
      }
      if (typeof value === 'string' && INTEGER.test(value.trim())) return Number(value.trim());
      return value;
    case 'boolean':
      if (value === 'true') return true;
      if (value === 'false') return false;
      return value;
    case 'string':
      return typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
    case 'list': {
      let list = value;
      if (typeof value === 'string') {
        const trimmed = value.trim();
        if (trimmed.startsWith('[')) {
          try {
            list = JSON.parse(trimmed) as unknown;
          } catch {
            return value;
          }
        } else if (spec.items && spec.items.type !== 'object') {
          list = trimmed === '' ? [] : trimmed.split(/[\s,]+/).filter((part) => part !== '');
        }
      }
      if (Array.isArray(list) && spec.items) {
        const itemSpec = spec.items;
        return list.map((item) => coerceParam(itemSpec, item));
      }
      return list;
    }
    case 'object': {
      let object = value;
      if (typeof value === 'string' && value.trim().startsWith('{')) {
        try {
          object = JSON.parse(value) as unknown;
        } catch {
          return value;
        }
      }
      if (isPlainObject(object) && spec.fields) {
        const result: Record<string, unknown> = { ...object };
        for (const field of spec.fields) {
          if (result[field.name] !== undefined) result[field.name] = coerceParam(field, result[field.name]);
        }
        return result;
      }
      return object;
    }
  }
}

/** Coerces every known parameter of `params`; unknown ones pass unchanged. */
export function coerceParams(specs: readonly ParamSpec[], params: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...params };
  for (const spec of specs) {
    if (result[spec.name] !== undefined) result[spec.name] = coerceParam(spec, result[spec.name]);
  }
  return result;
}
