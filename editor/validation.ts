// Parameter validation: the editor runs the runtime's own rules (lib/catalog/validate.ts, the coercion of
// nodes/shared/message-params.ts, the field evaluation of typed-value.ts) and only words the problems in the
// user's language, from each problem's `rule` and limits.
import type { ParamSpec } from '../lib/catalog/types';
import { checkParamValue, checkParams, type ParamProblem, type ValueShape } from '../lib/catalog/validate';
import type { EditorParam } from '../nodes/shared/editor-spec';
import { coerceParam, coerceParams } from '../nodes/shared/message-params';
import { defaultTypedType } from '../nodes/shared/typed-input';
import { t } from './i18n';
import { findBy, type EditorSpec, type Selection } from './specs';
import { fieldValue, type FieldValue } from './typed-value';

/** How a message shows a refused value, in the user's language. */
export function describeShape(shape: ValueShape): string {
  switch (shape.kind) {
    case 'list':
      return t('value.list', null, 'a list');
    case 'object':
      return t('value.object', null, 'an object');
    case 'longString':
      return t('value.longString', { length: shape.length }, 'a string of __length__ characters');
    default:
      return shape.text;
  }
}

function typeText(problem: ParamProblem & { rule: 'type' }, asTime: boolean): string {
  const value = describeShape(problem.got);
  switch (problem.expected) {
    case 'string':
      return t('validation.string', { value }, 'must be text, got __value__');
    case 'int':
    case 'long':
      return asTime ? t('validation.time', null, 'must be a whole number or a date (ISO 8601)') : t('validation.integer', null, 'must be a whole number');
    case 'boolean':
      return t('validation.boolean', null, 'must be true or false');
    case 'list':
      return t('validation.list', { value }, 'must be a JSON list, got __value__');
    default:
      return t('validation.object', { value }, 'must be a JSON object, got __value__');
  }
}

/** A problem's message in the user's language (without its path); `asTime` words a type problem for a date field. */
export function ruleText(problem: ParamProblem, asTime = false): string {
  switch (problem.rule) {
    case 'type':
      return typeText(problem, asTime);
    case 'empty':
      return t('validation.empty', null, 'must not be empty');
    case 'maxLength':
      return t('validation.maxLength', { max: problem.limit }, 'must be at most __max__ characters');
    case 'pattern':
      return t('validation.pattern', { pattern: problem.limit }, 'must match __pattern__');
    case 'int32':
      return t('validation.int32', null, 'must fit in a 32-bit integer');
    case 'safe':
      return t('validation.safe', null, 'is too large');
    case 'min':
      return t('validation.min', { min: problem.limit }, 'must be ≥ __min__');
    case 'max':
      // A rule across fields names the other one (pre-recording ≤ recordDuration (N)).
      if (problem.than !== undefined) return t('validation.atMost', { than: problem.than, max: problem.limit }, 'must be ≤ __than__ (__max__)');
      return t('validation.max', { max: problem.limit }, 'must be ≤ __max__');
    case 'minItems':
      return t('validation.minItems', { min: problem.limit }, 'must have at least __min__ item(s)');
    case 'maxItems':
      return t('validation.maxItems', { max: problem.limit, count: problem.count }, 'must have at most __max__ items, got __count__');
    case 'enum':
      return t('validation.enum', { values: problem.values.map((v) => JSON.stringify(v)).join(', ') }, 'must be one of __values__');
    case 'required':
      return t('validation.required', null, 'is required');
    case 'requiredWhen':
      return t('validation.requiredWhen', { param: problem.param, value: JSON.stringify(problem.equals) }, 'is required when __param__ is __value__');
    case 'key':
      return t('validation.key', null, 'is not an allowed key');
    case 'order':
      return t('validation.atLeast', { than: problem.than, min: problem.limit }, 'must be ≥ __than__ (__min__)');
  }
}

/** The message of a field whose text is not valid JSON. */
export function jsonText(message: string): string {
  return t('validation.json', { error: message }, 'is not valid JSON: __error__');
}

function join(path: string, message: string): string {
  return path ? `${path}: ${message}` : message;
}

/** A problem worded with its path below `base` (`timeSectionList[0].end` under `timeSectionList` → `[0].end: …`). */
export function problemText(problem: ParamProblem, base: string, asTime = false): string {
  const path = problem.path.startsWith(base) ? problem.path.slice(base.length).replace(/^\./, '') : problem.path;
  return join(path, ruleText(problem, asTime && path === ''));
}

function within(path: string, name: string): boolean {
  return path === name || path.startsWith(`${name}.`) || path.startsWith(`${name}[`);
}

/** The first problem of a value against a catalog parameter spec, or '' (paths start at `path`). */
export function checkValue(spec: ParamSpec, value: unknown, path = ''): string {
  const problem = checkParamValue(spec, value, path)[0];
  return problem ? problemText(problem, '') : '';
}

/**
 * The first problem of a TypedInput field of `type` holding `raw` for a parameter, or ''. `requiredMessage` is
 * the message for a field that gives no value ('' = fine).
 */
export function checkTyped(param: ParamSpec, type: string, raw: unknown, requiredMessage = ''): string {
  const field = fieldValue(param, type, raw);
  if (field.state === 'error') return jsonText(field.message);
  if (field.state === 'dynamic') return '';
  if (field.state === 'absent') return requiredMessage;
  // Checked as a parameter, so the rules across fields (a time section's end ≥ begin) apply as well.
  const problem = checkParams([param], { [param.name]: coerceParam(param, field.value) })[0];
  return problem ? problemText(problem, param.name, type === 'str' && param.unit !== undefined) : '';
}

/** The TypedInput type of a parameter's field (its `<property>Type`, else the type it starts with). */
export function typedTypeOf(sel: Selection, param: EditorParam): string {
  return String(sel.read(`${param.property}Type`) || defaultTypedType(param));
}

/** Whether the node takes parameters from msg.payload (the runtime's rule: unless overrides are locked). */
export function takesMessage(sel: Selection): boolean {
  const locked = sel.read('ignoreMsg');
  return locked !== true && locked !== 'true';
}

/** The editor hint for a parameter of a "give one of" group, or undefined when it is in none. */
function oneOfText(spec: EditorSpec, sel: Selection, param: EditorParam, params: readonly EditorParam[]): string | undefined {
  const groups = (sel.action && spec.hints?.oneOf?.[sel.action.key]) || [];
  for (const group of groups) {
    if (!group.includes(param.property)) continue;
    // Another member given (as the runtime reads fields) satisfies the group; only the first member asks.
    const given = group.some((property) => {
      const other = property === param.property ? undefined : findBy(params, 'property', property);
      return !!other && fieldValue(other, typedTypeOf(sel, other), sel.read(property)).state !== 'absent';
    });
    if (given || group[0] !== param.property) return '';
    const names = group.map((property) => findBy(params, 'property', property)?.name ?? property).join(' / ');
    return t('validation.oneOf', { names }, 'give __names__');
  }
  return undefined;
}

/**
 * The problem of one parameter field of an operation node, or ''. The node's static fields are gathered and
 * coerced as the runtime gathers them, then checked with the catalog's rules; the field's own problems are shown.
 * An empty field is fine while the node takes parameters from the message (they may come from there).
 */
export function checkField(spec: EditorSpec, sel: Selection, param: EditorParam, params: readonly EditorParam[], value: unknown): string {
  const values: Record<string, unknown> = {};
  let own: FieldValue = { state: 'absent' };
  for (const other of params) {
    const field = fieldValue(other, typedTypeOf(sel, other), other.property === param.property ? value : sel.read(other.property));
    if (other.property === param.property) own = field;
    if (field.state === 'value') values[other.name] = field.value;
  }
  if (own.state === 'error') return jsonText(own.message);
  if (own.state === 'dynamic') return '';
  const problems = checkParams(params, coerceParams(params, values)).filter((problem) => within(problem.path, param.name));
  if (own.state === 'absent') {
    if (takesMessage(sel)) return '';
    const hint = oneOfText(spec, sel, param, params);
    if (hint !== undefined) return hint;
  }
  const problem = problems[0];
  return problem ? problemText(problem, param.name, typedTypeOf(sel, param) === 'str' && param.unit !== undefined) : '';
}
