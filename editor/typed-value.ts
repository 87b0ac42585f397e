// What a TypedInput field of an operation node holds at run time, worked out in the editor: the runtime
// (nodes/shared/operation-node.ts gatherParams) evaluates each field with RED.util.evaluateNodeProperty and then
// applies nodes/shared/typed-input.ts; the static types are evaluated here exactly as Node-RED does, the
// context types (msg, flow, global, env, JSONata) only exist at run time.
import type { ParamSpec } from '../lib/catalog/types';
import { isFieldSet, typedParamValue } from '../nodes/shared/typed-input';

/** A field's run-time value as far as the editor can know it. */
export type FieldValue =
  | { readonly state: 'absent' }
  | { readonly state: 'dynamic' }
  | { readonly state: 'value'; readonly value: unknown }
  | { readonly state: 'error'; readonly message: string };

const ABSENT: FieldValue = { state: 'absent' };
const DYNAMIC: FieldValue = { state: 'dynamic' };

/** RED.util.evaluateNodeProperty for the types that need no message or context; undefined for the others. */
function evaluateStatic(raw: unknown, type: string, now: number): { value: unknown } | undefined {
  switch (type) {
    case 'str':
      return { value: `${String(raw)}` };
    case 'num':
      return { value: Number(raw) };
    case 'bool':
      return { value: /^true$/i.test(String(raw)) };
    case 'json':
      return { value: JSON.parse(String(raw)) as unknown };
    case 'date':
      if (!raw) return { value: now };
      if (raw === 'object') return { value: new Date(now) };
      if (raw === 'iso') return { value: new Date(now).toISOString() };
      return undefined; // a moment.js format: run time only
    default:
      return undefined;
  }
}

/** The value a parameter's field gives at run time (before coercion), or why the editor cannot say. */
export function fieldValue(spec: Pick<ParamSpec, 'unit'>, type: string, raw: unknown, now = Date.now()): FieldValue {
  if (!isFieldSet(raw, type)) return ABSENT;
  let evaluated: { value: unknown } | undefined;
  try {
    evaluated = evaluateStatic(raw, type, now);
  } catch (error) {
    return { state: 'error', message: error instanceof Error ? error.message : String(error) };
  }
  if (!evaluated) return DYNAMIC;
  const value = typedParamValue(spec, type, evaluated.value);
  return value === undefined ? ABSENT : { state: 'value', value };
}
