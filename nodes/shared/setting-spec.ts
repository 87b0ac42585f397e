// The settings of the config, download, on-event and push nodes as data. One entry per setting is read by the
// runtime's parser (readSettings), by the editor bundle (editor/node-settings.ts: the `validate` of each property,
// the rows shown per choice, the spinners), by scripts/generate-settings.js (the `defaults`, `credentials` and form
// rows of the dialog) and by scripts/generate-help.js (the help's settings table). The operation nodes' settings
// with a range are read through readSetting too (operation-settings.ts). Browser-safe: no Node-RED, no Node built-in.
//
// i18n keys are the node's own (`<type>.…` in nodes/<dir>/locales): `label.<property>`, `placeholder.<property>`,
// `unit.<unit>`, `tip.<tip>`, the options of a select `<property>.<value>`, the help text `help.<property>`, the
// message of a rule `problem.<key>`, and for a group of checkboxes `label.<group>` (the row's label).

/** A setting's value once read. */
export type SettingValue = string | number | boolean;

/** How a setting's form row takes its value. */
export type SettingInput =
  /** A text field (70% wide), with `placeholder.<property>` when `placeholder`. */
  | { readonly kind: 'text'; readonly placeholder?: boolean }
  /** A password field (credentials). */
  | { readonly kind: 'password' }
  /** A text area of `rows` lines in a monospace font. */
  | { readonly kind: 'textarea'; readonly rows: number; readonly placeholder?: boolean }
  /** A short field and its unit (`unit.<unit>`); a jQuery UI spinner over the setting's range when `spinner`. */
  | { readonly kind: 'number'; readonly unit?: string; readonly spinner?: boolean; readonly placeholder?: boolean }
  /** A select of the setting's options (labels `<property>.<value>`), or filled by the editor bundle (`dynamic`). */
  | { readonly kind: 'select'; readonly dynamic?: boolean }
  /** A checkbox with `tip.<tip>` beside it. */
  | { readonly kind: 'checkbox'; readonly tip: string }
  /** A checkbox labelled `label.<property>`, in the one row of its group (SettingGroup `key`) with the group's others. */
  | { readonly kind: 'checkbox'; readonly group: string };

/** A rule of a text setting beyond its options. */
export interface SettingRule {
  /** The i18n key of its message in the editor: `problem.<key>`. */
  readonly key: string;
  /** Sees the trimmed text and reads the other settings: undefined, or the problem in English (the runtime's). */
  readonly check: (text: string, read: SettingReader) => string | undefined;
}

/** The limits of a number setting. */
export interface NumberRange {
  readonly integer?: boolean;
  readonly min?: number;
  /** The value must be greater than this. */
  readonly above?: number;
  readonly max?: number;
}

/** One setting of a node: its value, its limits, where the form shows it. */
export interface SettingSpec extends NumberRange {
  /** The node property (or credential) name: flows in the field hold it, never rename. */
  readonly property: string;
  readonly type: 'text' | 'number' | 'boolean';
  /** What a blank setting (or one a flow made before it existed does not hold) means. */
  readonly default: SettingValue;
  /** The longest text (trimmed) a text setting takes. */
  readonly maxLength?: number;
  readonly options?: readonly SettingValue[];
  /** A blank value is refused (where the setting applies) instead of taking the default. */
  readonly required?: boolean;
  /** The setting applies (is read, checked and shown) only while another setting holds one of these values. */
  readonly when?: { readonly setting: string; readonly is: readonly string[] };
  readonly rules?: readonly SettingRule[];
  /** Kept in Node-RED's credential store (never in the flow), not checked by the editor. */
  readonly credential?: boolean;
  /** Font Awesome 4.7 icon of the row's label. */
  readonly icon: string;
  readonly input: SettingInput;
  /** The property's name in flows saved before it was renamed: read while the new one is missing (see `rawSetting`). */
  readonly formerly?: string;
}

/** Checkbox settings shown in one form row (their `input.group` is its key), checked together. */
export interface SettingGroup {
  /** Names the group: `label.<key>` heads its row, and the runtime names its problem so. Not a node property. */
  readonly key: string;
  /** At least this many of its checkboxes (of those that apply) must be ticked. */
  readonly minTicked?: number;
}

/** The settings of one node type, in form order. */
export interface NodeSettingsSpec {
  readonly type: string;
  readonly settings: readonly SettingSpec[];
  readonly groups?: readonly SettingGroup[];
}

/** Reads another setting's raw value (the node's property, or the open dialog's field). */
export type SettingReader = (property: string) => unknown;

/** Why a value is refused: `text` is the runtime's English message (after the property name). */
export type SettingProblem =
  | { readonly rule: 'required'; readonly text: string }
  | { readonly rule: 'number'; readonly text: string; readonly integer: boolean; readonly min?: number; readonly above?: number; readonly max?: number }
  | { readonly rule: 'enum'; readonly text: string; readonly values: readonly SettingValue[] }
  | { readonly rule: 'maxLength'; readonly text: string; readonly max: number }
  | { readonly rule: 'rule'; readonly text: string; readonly key: string }
  /** Too few checkboxes of a group ticked: `names` are the properties of its checkboxes. */
  | { readonly rule: 'minTicked'; readonly text: string; readonly min: number; readonly names: readonly string[] };

/** True for a value a flow leaves unset: undefined, null or blank text. */
export function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** The setting of `property` in `spec`; throws for a name it does not have (a typo in code, not in a flow). */
export function settingOf(spec: NodeSettingsSpec, property: string): SettingSpec {
  const found = spec.settings.find((setting) => setting.property === property);
  if (!found) throw new Error(`${spec.type} has no setting ${property}`);
  return found;
}

function numberText(setting: NumberRange): string {
  const kind = setting.integer ? 'a whole number' : 'a number';
  if (setting.above !== undefined) return `must be ${kind} greater than ${setting.above}${setting.max === undefined ? '' : ` and at most ${setting.max}`}`;
  if (setting.min !== undefined && setting.max !== undefined) return `must be ${kind} from ${setting.min} to ${setting.max}`;
  if (setting.min !== undefined) return `must be ${kind} ≥ ${setting.min}`;
  return setting.max === undefined ? `must be ${kind}` : `must be ${kind} ≤ ${setting.max}`;
}

/**
 * A setting's value as a flow holds it: its property, or while that is missing, the property it was called before
 * when that holds a value of the setting's kind (a boolean, or text or a number). Anything else there is not the
 * old setting: Node-RED's editor keeps a node's status object in `status`, for one.
 */
export function rawSetting(setting: SettingSpec, read: SettingReader): unknown {
  const raw = read(setting.property);
  if (setting.formerly === undefined || !isBlank(raw)) return raw;
  const former = read(setting.formerly);
  const fits = setting.type === 'boolean' ? former === true || former === false || former === 'true' || former === 'false' : typeof former === 'string' || typeof former === 'number';
  return fits ? former : raw;
}

/** A boolean setting as the runtime reads it: true or "true". */
export function flagOf(value: unknown): boolean {
  return value === true || value === 'true';
}

/** A setting's value as a select or the `when` of another setting sees it: the default when blank. */
export function choiceOf(setting: SettingSpec, raw: unknown): string {
  if (isBlank(raw)) return String(setting.default);
  return setting.type === 'boolean' ? String(flagOf(raw)) : String(raw).trim();
}

/** Whether a setting applies, given the node's other settings. */
export function applies(spec: NodeSettingsSpec, setting: SettingSpec, read: SettingReader): boolean {
  if (!setting.when) return true;
  return setting.when.is.includes(choiceOf(settingOf(spec, setting.when.setting), read(setting.when.setting)));
}

/** Reads one setting: its value (the default when blank), or why it is refused. */
export function readSetting(setting: SettingSpec, raw: unknown, read: SettingReader): { value: SettingValue } | { problem: SettingProblem } {
  // A flow made before a checkbox existed lacks it: it takes the default (a push node then takes every kind).
  if (setting.type === 'boolean') return { value: isBlank(raw) ? setting.default === true : flagOf(raw) };
  if (isBlank(raw)) {
    if (setting.required) return { problem: { rule: 'required', text: 'is required' } };
    if (setting.type === 'number') return { value: setting.default };
  }
  if (setting.type === 'number') {
    const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
    const bad =
      !Number.isFinite(n) ||
      (setting.integer === true && !Number.isInteger(n)) ||
      (setting.min !== undefined && n < setting.min) ||
      (setting.above !== undefined && n <= setting.above) ||
      (setting.max !== undefined && n > setting.max);
    if (bad) return { problem: { rule: 'number', text: numberText(setting), integer: setting.integer === true, min: setting.min, above: setting.above, max: setting.max } };
    if (setting.options && !setting.options.includes(n)) return { problem: { rule: 'enum', text: `must be one of ${setting.options.join(', ')}`, values: setting.options } };
    return { value: n };
  }
  // A blank text takes the default, which the rules see (an empty push endpoint means the region's host).
  const text = isBlank(raw) ? String(setting.default) : String(raw).trim();
  if (setting.options && !setting.options.includes(text)) return { problem: { rule: 'enum', text: `must be one of ${setting.options.join(', ')}`, values: setting.options } };
  if (setting.maxLength !== undefined && text.length > setting.maxLength) {
    return { problem: { rule: 'maxLength', text: `must be at most ${setting.maxLength} characters`, max: setting.maxLength } };
  }
  for (const rule of setting.rules ?? []) {
    const refused = rule.check(text, read);
    if (refused !== undefined) return { problem: { rule: 'rule', text: refused, key: rule.key } };
  }
  return { value: text };
}

/** The problem of one setting of a node (none when it does not apply), or undefined. */
export function settingProblem(spec: NodeSettingsSpec, setting: SettingSpec, read: SettingReader): SettingProblem | undefined {
  if (setting.credential || !applies(spec, setting, read)) return undefined;
  const result = readSetting(setting, rawSetting(setting, read), read);
  return 'problem' in result ? result.problem : undefined;
}

/** The checkbox settings of a group, in form order. */
export function groupMembers(spec: NodeSettingsSpec, key: string): SettingSpec[] {
  return spec.settings.filter((setting) => setting.input.kind === 'checkbox' && 'group' in setting.input && setting.input.group === key);
}

/** The group a checkbox setting is shown in, if any. */
export function groupOf(spec: NodeSettingsSpec, setting: SettingSpec): SettingGroup | undefined {
  const input = setting.input;
  return input.kind === 'checkbox' && 'group' in input ? spec.groups?.find((group) => group.key === input.group) : undefined;
}

/**
 * The group whose rule a setting's check carries: the first checkbox of a group with a rule. Node-RED lists every
 * failing property of a node, so the group's problem is named once.
 */
export function groupCheckedBy(spec: NodeSettingsSpec, setting: SettingSpec): SettingGroup | undefined {
  const group = groupOf(spec, setting);
  return group && group.minTicked !== undefined && groupMembers(spec, group.key)[0] === setting ? group : undefined;
}

/** The problem of a group of checkboxes (too few of those that apply ticked), or undefined. */
export function groupProblem(spec: NodeSettingsSpec, group: SettingGroup, read: SettingReader): SettingProblem | undefined {
  if (group.minTicked === undefined) return undefined;
  const members = groupMembers(spec, group.key).filter((setting) => applies(spec, setting, read));
  const ticked = members.filter((setting) => {
    const result = readSetting(setting, rawSetting(setting, read), read);
    return 'value' in result && result.value === true;
  });
  if (members.length === 0 || ticked.length >= group.minTicked) return undefined;
  const names = members.map((setting) => setting.property);
  const some = group.minTicked === 1 ? 'one' : String(group.minTicked);
  return { rule: 'minTicked', text: `needs at least ${some} of ${names.join(', ')} ticked`, min: group.minTicked, names };
}

/**
 * Reads every (non-credential) setting of a node as the runtime does: values (a setting that does not apply, or
 * is refused, holds its default) and one problem per refused setting or group (`${property} ${text}` reads
 * "interval must be a number from 1 to 86400", or "kinds needs at least one of event, property, onlineStatus, other ticked").
 */
export function readSettings(
  spec: NodeSettingsSpec,
  def: Record<string, unknown>,
): { values: Record<string, SettingValue>; problems: { property: string; text: string }[] } {
  const read: SettingReader = (property) => def[property];
  const values: Record<string, SettingValue> = {};
  const problems: { property: string; text: string }[] = [];
  for (const setting of spec.settings) {
    if (setting.credential) continue;
    values[setting.property] = setting.default;
    if (!applies(spec, setting, read)) continue;
    const result = readSetting(setting, rawSetting(setting, read), read);
    if ('problem' in result) problems.push({ property: setting.property, text: result.problem.text });
    else values[setting.property] = result.value;
  }
  for (const group of spec.groups ?? []) {
    const problem = groupProblem(spec, group, read);
    if (problem) problems.push({ property: group.key, text: problem.text });
  }
  return { values, problems };
}

/** The `credentials` of a node's registration (runtime and editor): its credential settings and their field types. */
export function credentialTypes(spec: NodeSettingsSpec): Record<string, { type: 'text' | 'password' }> {
  const out: Record<string, { type: 'text' | 'password' }> = {};
  for (const setting of spec.settings) if (setting.credential) out[setting.property] = { type: setting.input.kind === 'password' ? 'password' : 'text' };
  return out;
}
