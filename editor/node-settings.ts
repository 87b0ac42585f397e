// The config, download and on-event nodes' settings in the editor, from their specs (nodes/*/settings-spec.ts, the
// data the runtime's parsers read): the `validate` rule of each setting, and in an open dialog the rows shown per
// choice (`data-lv-when`) and the spinners over each number's range.
import { configSettingsSpec } from '../nodes/config/settings-spec';
import { downloadSettingsSpec } from '../nodes/download/settings-spec';
import { onEventSettingsSpec } from '../nodes/on-event/settings-spec';
import { choiceOf, settingOf, settingProblem, type NodeSettingsSpec, type SettingProblem } from '../nodes/shared/setting-spec';
import { nodeText, t } from './i18n';
import { reader, type EditorNode, type Session } from './session';

const SPECS: Record<string, NodeSettingsSpec> = Object.fromEntries([configSettingsSpec, downloadSettingsSpec, onEventSettingsSpec].map((spec) => [spec.type, spec]));

/** The settings spec of a node type, if its settings are data. */
export function settingsSpecOf(type: string): NodeSettingsSpec | undefined {
  return SPECS[type];
}

/** The id prefix of a node type's dialog fields (config nodes have their own). */
export function fieldPrefix(type: string): string {
  return type === configSettingsSpec.type ? 'node-config-input-' : 'node-input-';
}

function problemText(type: string, problem: SettingProblem): string {
  switch (problem.rule) {
    case 'required':
      return t('validation.required', null, 'is required');
    case 'enum':
      return t('validation.enum', { values: problem.values.map((v) => JSON.stringify(v)).join(', ') }, 'must be one of __values__');
    case 'rule':
      return nodeText(type, `problem.${problem.key}`, problem.text);
    default:
      if (problem.above !== undefined) return t('validation.above', { min: problem.above }, 'must be a number greater than __min__');
      if (problem.min !== undefined && problem.max !== undefined) {
        const vars = { min: problem.min, max: problem.max };
        return problem.integer ? t('validation.integerRange', vars, 'must be a whole number from __min__ to __max__') : t('validation.numberRange', vars, 'must be a number from __min__ to __max__');
      }
      return problem.text;
  }
}

/** The rule of a setting of a node whose settings are data: its problem ('' when fine), as the runtime reads it. */
export function nodeSettingRule(type: string, property: string): ((node: EditorNode | undefined, value: unknown) => string) | undefined {
  const spec = SPECS[type];
  const setting = spec?.settings.find((entry) => entry.property === property && !entry.credential);
  if (!spec || !setting) return undefined;
  return (node, value) => {
    const others = reader(node, fieldPrefix(type));
    const problem = settingProblem(spec, setting, (name) => (name === property ? value : others(name)));
    return problem ? problemText(type, problem) : '';
  };
}

/** Shows the rows of the settings that apply to the dialog's choices, and sets the spinners; undone when it closes. */
export function prepareSettings(session: Session): void {
  const spec = SPECS[session.type];
  if (!spec) return;
  const prefix = fieldPrefix(spec.type);
  const read = reader(session.node, prefix);
  const controls = new Set(spec.settings.flatMap((setting) => (setting.when ? [setting.when.setting] : [])));
  const sync = (): void => {
    $(`[data-lv-of="${spec.type}"][data-lv-when]`).each(function (this: HTMLElement) {
      const element = $(this);
      const control = settingOf(spec, String(element.attr('data-lv-when')));
      element.toggle(String(element.attr('data-lv-is')).split(' ').includes(choiceOf(control, read(control.property))));
    });
  };
  for (const property of controls) {
    // Node-RED validates a field when it changes: the settings that depend on this choice are checked again.
    const dependents = spec.settings.filter((setting) => setting.when?.setting === property && !setting.credential);
    $(`#${prefix}${property}`).on('change.lvSettings', () => {
      sync();
      for (const setting of dependents) $(`#${prefix}${setting.property}`).trigger('change');
    });
  }
  for (const setting of spec.settings) {
    if (setting.input.kind !== 'number' || !setting.input.spinner) continue;
    const field = $(`#${prefix}${setting.property}`);
    field.spinner({ min: setting.min ?? setting.above, max: setting.max });
    // A spin changes the value without a change event: the rows and the validation follow it.
    field.on('spin.lvSettings', () => setTimeout(() => field.trigger('change'), 0));
  }
  sync();
  session.cleanups.push(() => {
    for (const property of controls) $(`#${prefix}${property}`).off('.lvSettings');
    for (const setting of spec.settings) if (setting.input.kind === 'number' && setting.input.spinner) $(`#${prefix}${setting.property}`).off('.lvSettings');
  });
}
