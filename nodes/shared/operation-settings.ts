// The own settings of an operation node that have a range (EditorSetting.range, nodes/<dir>/spec.ts): read by the
// runtime before an action runs (operation-node.ts) and checked by the editor bundle (editor/settings-rules.ts),
// both with readSetting, so the dialog flags exactly the values a message would be refused for. Browser-safe.
import type { EditorSetting } from './node-editor';
import { readSetting, type NumberRange, type SettingProblem, type SettingSpec, type SettingValue } from './setting-spec';

/** An operation node setting with a range. */
export type RangedSetting = EditorSetting & { readonly range: NumberRange };

/** The settings of a node's editor that have a range. */
export function rangedSettings(settings: readonly EditorSetting[] | undefined): RangedSetting[] {
  return (settings ?? []).filter((setting): setting is RangedSetting => setting.range !== undefined);
}

/** A ranged setting as the number SettingSpec readSetting checks (blank: its default). */
export function rangedSettingSpec(setting: RangedSetting): SettingSpec {
  return { property: setting.property, type: 'number', default: setting.value, ...setting.range, icon: setting.icon, input: { kind: 'number' } };
}

/**
 * Whether an action reads a setting: its row is shown for the action. A row shown only with a checkbox still
 * counts (msg.fetchImages can tick it for one message, so the value must be usable either way).
 */
export function readFor(setting: EditorSetting, actionKey: string): boolean {
  return setting.actions === undefined || setting.actions.includes(actionKey);
}

/** A ranged setting read for an action: its value or problem; undefined when the action does not read it. */
function readRanged(setting: RangedSetting, actionKey: string, raw: unknown): ReturnType<typeof readSetting> | undefined {
  return readFor(setting, actionKey) ? readSetting(rangedSettingSpec(setting), raw, () => undefined) : undefined;
}

/** Why a value of a ranged setting is refused for an action, or undefined (fine, blank, or not read by it). */
export function rangedSettingProblem(setting: RangedSetting, actionKey: string, raw: unknown): SettingProblem | undefined {
  const result = readRanged(setting, actionKey, raw);
  return result && 'problem' in result ? result.problem : undefined;
}

/**
 * Reads a node's ranged settings for an action: their values (the default when blank or not read by the action)
 * and one problem per refused one, by property ("timeout must be a number greater than 0 and at most 600").
 */
export function readRangedSettings(
  settings: readonly EditorSetting[] | undefined,
  actionKey: string,
  def: Record<string, unknown>,
): { values: Record<string, SettingValue>; problems: { property: string; text: string }[] } {
  const values: Record<string, SettingValue> = {};
  const problems: { property: string; text: string }[] = [];
  for (const setting of rangedSettings(settings)) {
    const result = readRanged(setting, actionKey, def[setting.property]);
    if (result && 'problem' in result) problems.push({ property: setting.property, text: result.problem.text });
    values[setting.property] = result && 'value' in result ? result.value : setting.value;
  }
  return { values, problems };
}
