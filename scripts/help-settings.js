// The help's settings table (<!-- @lv-help settings -->) of a node whose settings are data
// (nodes/<dir>/settings-spec.ts): one row per setting with its label and property name, type, options or
// range, default, when it applies, and its help text (`<type>.help.<property>` of the node's own catalog). A
// checkbox of a group is labelled with its group's label too, and says how many of the group must be ticked.
// Used by help-tables.js with the page of generate-help.js (its `settingsSpec` and the node's `messages`);
// the shared words (headers, ranges, defaults) are help-words.js's, these are the settings' own.
'use strict';
const { code, escapeHtml, say, table } = require('./help-html');
const { groupMembers } = require('./generate-settings');

const WORDS = {
  'en-US': {
    setting: 'Setting',
    description: 'Description',
    text: 'text',
    number: 'number',
    integer: 'whole number',
    boolean: 'checkbox (<code>true</code> / <code>false</code>)',
    above: '&gt; __min__',
    empty: 'empty',
    when: 'when __setting__ is __values__',
    credential: 'kept in the credential store, never in the flow',
    minTicked: 'at least __min__ of __names__ ticked',
    or: ' or ',
  },
  'zh-CN': {
    setting: '设置',
    description: '说明',
    text: '文本',
    number: '数字',
    integer: '整数',
    boolean: '复选框（<code>true</code> / <code>false</code>）',
    above: '&gt; __min__',
    empty: '空',
    when: '__setting__ 为 __values__ 时',
    credential: '保存在凭据库中，不在流程里',
    minTicked: '__names__ 中至少勾选 __min__ 项',
    or: ' 或 ',
  },
};

/** A message of the node's own catalog (`<type>.<key>`), or undefined. */
function message(page, key) {
  let value = page.messages && page.messages[page.type];
  for (const part of key.split('.')) value = value && typeof value === 'object' ? value[part] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** An option with its label (`<type>.<property>.<value>`, else the value alone). */
function optionText(page, setting, value) {
  const label = message(page, `${setting.property}.${value}`);
  return label ? `${code(value)} ${escapeHtml(label)}` : code(value);
}

function valuesCell(page, setting, own) {
  const w = page.L.words;
  const parts = [];
  if (setting.type === 'boolean') parts.push(own.boolean);
  else parts.push(setting.type === 'number' ? (setting.integer ? own.integer : own.number) : own.text);
  if (setting.options) parts.push(setting.options.map((value) => optionText(page, setting, value)).join(w.listSep));
  else if (setting.above !== undefined) parts.push(say(own, 'above', { min: setting.above }));
  else if (setting.min !== undefined && setting.max !== undefined) parts.push(say(w, 'range', { min: setting.min, max: setting.max }));
  else if (setting.min !== undefined) parts.push(say(w, 'atLeast', { min: setting.min }));
  if (setting.max !== undefined && (setting.above !== undefined || setting.min === undefined)) parts.push(say(w, 'atMost', { max: setting.max }));
  if (setting.maxLength !== undefined) parts.push(say(w, 'maxLength', { max: setting.maxLength }));
  const unit = setting.input.unit && message(page, `unit.${setting.input.unit}`);
  if (unit) parts.push(escapeHtml(unit));
  if (setting.required) parts.push(w.required);
  else if (!setting.credential) parts.push(say(w, 'defaultValue', { value: setting.default === '' ? own.empty : code(setting.default) }));
  const group = groupOf(page, setting);
  if (group && group.minTicked !== undefined) {
    const names = groupMembers(page.settingsSpec, group.key).map((member) => escapeHtml(message(page, `label.${member.property}`) || member.property));
    parts.push(say(own, 'minTicked', { min: group.minTicked, names: names.join(w.listSep) }));
  }
  if (setting.when) {
    const label = message(page, `label.${setting.when.setting}`) || setting.when.setting;
    parts.push(say(own, 'when', { setting: escapeHtml(label), values: setting.when.is.map(code).join(own.or) }));
  }
  if (setting.credential) parts.push(own.credential);
  return parts.join(w.partSep);
}

/** The group of a checkbox setting, if it is in one. */
function groupOf(page, setting) {
  const key = setting.input.kind === 'checkbox' ? setting.input.group : undefined;
  return key === undefined ? undefined : (page.settingsSpec.groups || []).find((group) => group.key === key);
}

/** The settings table of one help page. */
function settingsTable(page, indent) {
  const own = WORDS[page.L.lang];
  if (!own) throw new Error(`help-settings: no words for ${page.L.lang}`);
  const rows = page.settingsSpec.settings.map((setting) => {
    const label = message(page, `label.${setting.property}`);
    const help = message(page, `help.${setting.property}`);
    if (!label || !help) throw new Error(`${page.file}: ${page.type}.label.${setting.property} and .help.${setting.property} are needed in the ${page.L.lang} catalog`);
    const group = groupOf(page, setting);
    const groupLabel = group && message(page, `label.${group.key}`);
    if (group && !groupLabel) throw new Error(`${page.file}: ${page.type}.label.${group.key} (the label of a group) is needed in the ${page.L.lang} catalog`);
    const shown = group ? `${escapeHtml(groupLabel)}${page.L.words.colon}${escapeHtml(label)}` : escapeHtml(label);
    return [`${shown}<br><small>${code(setting.property)}</small>`, valuesCell(page, setting, own), escapeHtml(help)];
  });
  return table(indent, [own.setting, page.L.words.values, own.description], rows);
}

module.exports = { settingsTable, WORDS };
