// Rules of node settings that are not API parameters: the operation, plan kind and pages of the operation nodes,
// their own settings with a range (nodes/shared/operation-settings.ts), the settings of the nodes whose settings are
// data (node-settings.ts: account, download, on-event, push) and the api node's free operation, params and version
// (lib/catalog/call-syntax.ts, as the client accepts them).
import { isApiVersion, isOperationPath } from '../lib/catalog/call-syntax';
import type { ParamSpec } from '../lib/catalog/types';
import { checkParams, valueShape } from '../lib/catalog/validate';
import { isPlainObject } from '../lib/util/plain-object';
import { isPlanKind, operationToRun } from '../nodes/shared/actions';
import { rangedSettingProblem } from '../nodes/shared/operation-settings';
import { t } from './i18n';
import { nodeSettingRule } from './node-settings';
import { reader, type EditorNode } from './session';
import { settingProblemText } from './setting-problem-text';
import { catalogName, getSpec, kindSetting, resolveAction, selection, type EditorSpec } from './specs';
import { describeShape, jsonText, problemText } from './validation';
import { fieldValue } from './typed-value';

/** A setting's rule: its problem, or ''. */
type Rule = (node: EditorNode | undefined, value: unknown) => string;

/** The api node's operation as the runtime and the client read it: a catalog name or path, or a path outside it. */
function apiOperation(value: unknown): { text: string; inCatalog: boolean; params?: readonly ParamSpec[] } {
  const text = typeof value === 'string' ? value.trim() : '';
  const spec = getSpec('link-visual-api');
  const name = spec ? catalogName(spec, text) : undefined;
  return { text, inCatalog: name !== undefined, params: name === undefined ? undefined : spec?.catalog?.[name] };
}

/** The api node's params (a JSON object) against its catalog operation's rules, as the client checks them. */
function apiParams(node: EditorNode | undefined, value: unknown): string {
  const read = reader(node, 'node-input-');
  const field = fieldValue({}, String(read('paramsType') || 'json'), value);
  if (field.state === 'error') return jsonText(field.message);
  if (field.state === 'dynamic') return '';
  const given = field.state === 'value' ? field.value : {};
  if (!isPlainObject(given)) return t('validation.object', { value: describeShape(valueShape(given)) }, 'must be a JSON object, got __value__');
  const { params } = apiOperation(read('operation'));
  if (!params) return ''; // a path outside the catalog is sent as it is
  // msg.payload may add or replace parameters unless overrides are locked: then only what is given is checked.
  const locked = read('ignoreMsg') === true || read('ignoreMsg') === 'true';
  const problem = checkParams(params, given).find((found) => locked || (found.rule !== 'required' && found.rule !== 'requiredWhen'));
  return problem ? problemText(problem, '') : '';
}

const SETTINGS: Record<string, Record<string, Rule>> = {
  'link-visual-api': {
    operation: (_node, value) => {
      const { text, inCatalog } = apiOperation(value);
      if (!text) return t('validation.noOperation', null, 'choose an operation');
      if (inCatalog) return '';
      if (text.startsWith('/')) return isOperationPath(text) ? '' : t('validation.path', null, 'must be an API path such as /vision/customer/record/query');
      return t('validation.operationName', null, 'must be a catalog operation name or an API path');
    },
    params: apiParams,
    apiVer: (node, value) => {
      const read = reader(node, 'node-input-');
      if (String(read('apiVerType') || 'str') !== 'str') return '';
      if (value !== undefined && value !== null && value !== '') return isApiVersion(value) ? '' : t('validation.apiVer', null, 'must look like 2.1.0');
      // A path outside the catalog needs a version: here, or in msg.apiVer unless overrides are locked.
      const locked = read('ignoreMsg') === true || read('ignoreMsg') === 'true';
      const { text, inCatalog } = apiOperation(read('operation'));
      return locked && text.startsWith('/') && !inCatalog ? t('api.versionNeeded', null, 'required for a path outside the catalog') : '';
    },
  },
};

/** The rule of an operation node's own setting with a range, for the action the node (or its dialog) selects. */
function rangedSettingRule(type: string, property: string): Rule | undefined {
  const spec = getSpec(type);
  const setting = spec?.rangedSettings?.find((entry) => entry.property === property);
  if (!spec || !setting) return undefined;
  return (node, value) => {
    const { action } = selection(node, spec);
    // An operation the node cannot run reports itself; the runtime refuses it before reading any setting.
    const problem = action ? rangedSettingProblem(setting, action.key, value) : undefined;
    return problem ? settingProblemText(type, problem) : '';
  };
}

/** The rule of a node setting, if it has one. */
export function settingRule(type: string, property: string): Rule | undefined {
  return nodeSettingRule(type, property) ?? rangedSettingRule(type, property) ?? SETTINGS[type]?.[property];
}

/** The problem of an operation node's `operation`, as the runtime resolves it (nodes/shared/actions.ts), or ''. */
export function checkOperation(spec: EditorSpec, value: unknown): string {
  const requested = operationToRun(value, spec.actions);
  if (!requested) return t('validation.noOperation', null, 'choose an operation');
  if (resolveAction(spec, requested)) return '';
  return t('validation.unknownOperation', { operation: requested, list: spec.actions.map((a) => a.key).join(', ') }, '"__operation__" is not an operation of this node (__list__)');
}

/** The problem of a plan kind setting, as the runtime reads it, or ''. */
export function checkKind(spec: EditorSpec, value: unknown): string {
  return !spec.kinds || isPlanKind(kindSetting(value)) ? '' : t('validation.kind', null, 'must be record or event');
}

/** The problem of a pages setting (a select of all and one), or ''. */
export function checkPages(value: unknown): string {
  return !value || value === 'all' || value === 'one' ? '' : t('validation.pages', null, 'must be all or one');
}
