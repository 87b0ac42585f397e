// The editor's words for why a setting is refused (nodes/shared/setting-spec.ts SettingProblem): the shared
// `validation.*` strings, or the node's own `problem.<key>` for a rule of its own. The runtime says the same in
// English (the problem's `text`, the fallback here).
import type { SettingProblem } from '../nodes/shared/setting-spec';
import { nodeText, t } from './i18n';

function numberProblemText(problem: Extract<SettingProblem, { rule: 'number' }>): string {
  if (problem.above !== undefined) {
    if (problem.max === undefined) return t('validation.above', { min: problem.above }, 'must be a number greater than __min__');
    return t('validation.aboveRange', { min: problem.above, max: problem.max }, 'must be a number greater than __min__ and at most __max__');
  }
  if (problem.min !== undefined && problem.max !== undefined) {
    const vars = { min: problem.min, max: problem.max };
    return problem.integer ? t('validation.integerRange', vars, 'must be a whole number from __min__ to __max__') : t('validation.numberRange', vars, 'must be a number from __min__ to __max__');
  }
  return problem.text;
}

/** The message of a setting's problem in the editor's language; `type` is the node type whose catalog has its own. */
export function settingProblemText(type: string, problem: SettingProblem): string {
  switch (problem.rule) {
    case 'required':
      return t('validation.required', null, 'is required');
    case 'enum':
      return t('validation.enum', { values: problem.values.map((v) => JSON.stringify(v)).join(', ') }, 'must be one of __values__');
    case 'maxLength':
      return t('validation.maxLength', { max: problem.max }, 'must be at most __max__ characters');
    case 'rule':
      return nodeText(type, `problem.${problem.key}`, problem.text);
    case 'minTicked': {
      const names = problem.names.map((name) => nodeText(type, `label.${name}`, name)).join(', ');
      return t('validation.minTicked', { min: problem.min, names }, 'tick at least __min__ of __names__');
    }
    default:
      return numberProblemText(problem);
  }
}
