// The `validate` functions the node HTML files give Node-RED for each property: LinkVisualEditor.validate(type,
// property) dispatches to the setting rules (settings-rules.ts) or to the parameter checks (validation.ts).
import { nodeText, paramLabel, t } from './i18n';
import type { EditorNode } from './session';
import { settingLabelKey } from './node-settings';
import { checkKind, checkOperation, checkPages, settingRule } from './settings-rules';
import { findBy, getSpec, paramsOf, selection } from './specs';
import { checkField } from './validation';

/** A Node-RED `validate` function: true, or a message (Node-RED ≥ 3 shows it). */
export type Validator = (this: EditorNode | undefined, value: unknown, options?: unknown) => true | string;

const validators: Record<string, Validator> = Object.create(null) as Record<string, Validator>;

/** The problem of a property value of a node, or ''. */
export function check(node: EditorNode | undefined, type: string, property: string, value: unknown): string {
  const rule = settingRule(type, property);
  if (rule) {
    const settingProblem = rule(node, value);
    const labelKey = settingLabelKey(type, property);
    return settingProblem ? `${nodeText(type, labelKey, labelKey.slice('label.'.length))}: ${settingProblem}` : '';
  }
  const spec = getSpec(type);
  if (!spec) return '';
  if (property === 'operation') {
    const operationProblem = checkOperation(spec, value);
    return operationProblem ? `${t('label.operation', null, 'Operation')}: ${operationProblem}` : '';
  }
  if (property === 'kind') {
    const kindProblem = checkKind(spec, value);
    return kindProblem ? `${t('label.kind', null, 'Plan kind')}: ${kindProblem}` : '';
  }
  if (property === 'pages') {
    const pagesProblem = checkPages(value);
    return pagesProblem ? `${t('label.pages', null, 'Pages')}: ${pagesProblem}` : '';
  }
  const sel = selection(node, spec);
  if (!sel.action) return ''; // the operation reports itself
  const params = paramsOf(sel.action, sel.kind);
  const param = findBy(params, 'property', property);
  if (!param) return ''; // not used by this operation: whatever it holds is ignored at run time
  const problem = checkField(spec, sel, param, params, value);
  return problem ? `${paramLabel(property)} (${param.name}): ${problem}` : '';
}

/** The Node-RED `validate` function of a node property (one per type and property, made once). */
export function validate(type: string, property: string): Validator {
  const key = `${type}\u0000${property}`;
  if (!validators[key]) {
    validators[key] = function (this: EditorNode | undefined, value: unknown): true | string {
      try {
        const problem = check(this, type, property, value);
        return problem ? problem : true;
      } catch (error) {
        if (typeof console !== 'undefined') console.warn(`link-visual: validating ${type}.${property}`, error);
        return true; // never block the editor on a bug here
      }
    };
  }
  return validators[key];
}
