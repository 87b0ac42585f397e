// The config, download, on-event and push nodes' settings in the editor, from their specs (nodes/*/settings-spec.ts,
// the data the runtime's parsers read): the `validate` rule of each setting (the first checkbox of a group: the
// group's rule), and in an open dialog the rows shown per choice (`data-lv-when`), the checkboxes a flow lacks at their
// defaults and the spinners over each number's range.
import { configSettingsSpec } from '../nodes/config/settings-spec';
import { downloadSettingsSpec } from '../nodes/download/settings-spec';
import { onEventSettingsSpec } from '../nodes/on-event/settings-spec';
import { pushSettingsSpec } from '../nodes/push/settings-spec';
import { choiceOf, groupCheckedBy, groupOf, groupProblem, isBlank, rawSetting, settingOf, settingProblem, type NodeSettingsSpec } from '../nodes/shared/setting-spec';
import { reader, type EditorNode, type Session } from './session';
import { settingProblemText } from './setting-problem-text';

const SPECS: Record<string, NodeSettingsSpec> = Object.fromEntries(
  [configSettingsSpec, downloadSettingsSpec, onEventSettingsSpec, pushSettingsSpec].map((spec) => [spec.type, spec]),
);

/** The settings spec of a node type, if its settings are data. */
export function settingsSpecOf(type: string): NodeSettingsSpec | undefined {
  return SPECS[type];
}

/** The id prefix of a node type's dialog fields (config nodes have their own). */
export function fieldPrefix(type: string): string {
  return type === configSettingsSpec.type ? 'node-config-input-' : 'node-input-';
}

/** The catalog key of a setting's label: its group's for a checkbox of a group (the row's label). */
export function settingLabelKey(type: string, property: string): string {
  const spec = SPECS[type];
  const setting = spec?.settings.find((entry) => entry.property === property);
  const group = spec && setting ? groupOf(spec, setting) : undefined;
  return `label.${group ? group.key : property}`;
}

/** The rule of a setting of a node whose settings are data: its problem ('' when fine), as the runtime reads it. */
export function nodeSettingRule(type: string, property: string): ((node: EditorNode | undefined, value: unknown) => string) | undefined {
  const spec = SPECS[type];
  const setting = spec?.settings.find((entry) => entry.property === property && !entry.credential);
  if (!spec || !setting) return undefined;
  const group = groupCheckedBy(spec, setting);
  return (node, value) => {
    const others = reader(node, fieldPrefix(type));
    const read = (name: string): unknown => (name === property ? value : others(name));
    const problem = group ? groupProblem(spec, group, read) : settingProblem(spec, setting, read);
    return problem ? settingProblemText(type, problem) : '';
  };
}

/**
 * Ticks the checkboxes the node lacks by their defaults, shows the rows of the settings that apply to the dialog's
 * choices, and sets the spinners; undone when it closes.
 */
export function prepareSettings(session: Session): void {
  const spec = SPECS[session.type];
  if (!spec) return;
  const prefix = fieldPrefix(spec.type);
  // Node-RED fills a checkbox from the property as it is: one a flow made before it existed would show unticked.
  // A setting renamed since the flow was saved shows the value its old property holds.
  for (const setting of spec.settings) {
    if (setting.type !== 'boolean' || !isBlank(session.node[setting.property])) continue;
    $(`#${prefix}${setting.property}`).prop('checked', choiceOf(setting, rawSetting(setting, (property) => session.node[property])) === 'true');
  }
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
