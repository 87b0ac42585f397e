// Strings: the shared editor strings live in the config node's catalog (section `editor`); each node's own in its
// catalog. Outside the Node-RED editor (tests), the English fallback given at each call is used.

export const MODULE = 'node-red-contrib-link-visual';
const CONFIG_NS = `${MODULE}/link-visual-config:`;

/** Values for a string's `__name__` placeholders. */
export type Vars = Record<string, string | number> | null;

/** True inside the Node-RED editor (RED._ exists). */
export function hasRED(): boolean {
  return typeof RED !== 'undefined' && RED !== null && typeof RED._ === 'function';
}

function fill(text: string, vars: Vars): string {
  return String(text).replace(/__(\w+)__/g, (match, name: string) => (vars && vars[name] !== undefined ? String(vars[name]) : match));
}

/** The string of a full key (`namespace:key`), the fallback (filled in) when the catalog lacks it. */
export function translate(fullKey: string, vars: Vars, fallback?: string): string {
  const options: Record<string, unknown> = { ...(vars ?? {}) };
  if (fallback !== undefined) options.defaultValue = fallback;
  if (!hasRED()) return fill(fallback !== undefined ? fallback : fullKey, vars);
  const text = RED._(fullKey, options);
  if (typeof text !== 'string' || text === fullKey || text === fullKey.slice(fullKey.indexOf(':') + 1)) {
    return fill(fallback !== undefined ? fallback : fullKey, vars);
  }
  return text;
}

/** A shared editor string (config node catalog, section `editor`). */
export function t(key: string, vars: Vars, fallback: string): string {
  return translate(`${CONFIG_NS}editor.${key}`, vars, fallback);
}

/** A string of the account (config node) dialog (`link-visual-config.<key>`). */
export function configText(key: string, vars: Vars, fallback: string): string {
  return translate(`${CONFIG_NS}link-visual-config.${key}`, vars, fallback);
}

/** A string of one node's own catalog (`<type>.<key>`). */
export function nodeText(type: string, key: string, fallback: string, vars: Vars = null): string {
  return translate(`${MODULE}/${type}:${type}.${key}`, vars, fallback);
}

/** Node-RED's own label of a TypedInput type. */
export function typedLabel(type: string, fallback: string): string {
  return hasRED() ? RED._(`typedInput.type.${type}`, { defaultValue: fallback }) : fallback;
}

function slug(text: string): string {
  return String(text).replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

/** The label of a parameter property. */
export function paramLabel(property: string): string {
  return t(`param.${property}`, null, property);
}

/** The translated label of an enum value, or '' when the catalog gives it none. */
export function enumLabel(param: { readonly enumLabels?: Readonly<Record<string, string>> }, value: unknown): string {
  const english = param.enumLabels && param.enumLabels[String(value)];
  if (!english) return '';
  return t(`enumLabel.${slug(english)}`, null, english);
}
