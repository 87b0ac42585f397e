// How an operation node's TypedInput fields become API parameters: shared by the runtime (operation-node.ts)
// and the editor bundle (editor/), and by scripts/generate-editor.js (compiled) for the fields' starting types.
// Browser-safe: no Node-RED, no Node built-in.
import type { ParamSpec } from '../../lib/catalog/types';

/** TypedInput types whose value exists only at run time (the editor cannot evaluate them). */
export const CONTEXT_TYPES: readonly string[] = ['msg', 'flow', 'global', 'env', 'jsonata'];

/** The TypedInput type a parameter's field starts with (its `<property>Type` default). */
export function defaultTypedType(param: Pick<ParamSpec, 'type'>): 'num' | 'bool' | 'json' | 'str' {
  switch (param.type) {
    case 'int':
    case 'long':
      return 'num';
    case 'boolean':
      return 'bool';
    case 'list':
    case 'object':
      return 'json';
    default:
      return 'str';
  }
}

/** True for a value that counts as given: not undefined, null or ''. */
export function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/**
 * True when a field is read at all: it holds something, or it is a `date` field, whose empty value is the
 * "now (milliseconds)" option.
 */
export function isFieldSet(raw: unknown, type: string): boolean {
  return isSet(raw) || type === 'date';
}

/**
 * A field's evaluated value as a parameter, or undefined when it gives none. A `date` TypedInput yields epoch
 * milliseconds; a parameter counted in seconds gets seconds.
 */
export function typedParamValue(spec: Pick<ParamSpec, 'unit'>, type: string, value: unknown): unknown {
  const converted = type === 'date' && spec.unit === 's' && typeof value === 'number' ? Math.floor(value / 1000) : value;
  return isSet(converted) ? converted : undefined;
}
