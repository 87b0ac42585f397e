// The build's checks of an operation node's `editor` (nodes/shared/node-editor.ts) against its described spec,
// run by generate-editor.js before it renders the node's dialog, so a mistake fails the build rather than the
// editor. Reads the compiled modules in dist/.
'use strict';
const path = require('node:path');

const DIST = path.resolve(__dirname, '..', 'dist');

const FIELDS = ['select', 'hidden', 'text'];
const LABELS = ['palette', 'operation', 'operationTail'];
const INPUTS = ['number', 'checkbox', 'typed'];

function check(ok, message) {
  if (!ok) throw new Error(message);
}

/**
 * Checks the range of a setting: a number field's, with limits that are numbers and take its default (as the
 * runtime reads it: the compiled readSetting of nodes/shared/setting-spec.ts).
 */
function checkRange(type, setting) {
  const { property, range, value } = setting;
  check(setting.input.kind === 'number' && typeof value === 'number', `${type}: setting ${property}: a range is for a number input with a number value`);
  check(!setting.validate, `${type}: setting ${property}: a range is its rule, it takes no validate`);
  for (const limit of ['min', 'above', 'max']) check(range[limit] === undefined || Number.isFinite(range[limit]), `${type}: setting ${property}: range.${limit} must be a number`);
  const { rangedSettingSpec } = require(path.join(DIST, 'nodes', 'shared', 'operation-settings.js'));
  const { readSetting } = require(path.join(DIST, 'nodes', 'shared', 'setting-spec.js'));
  check(!('problem' in readSetting(rangedSettingSpec(setting), value, () => undefined)), `${type}: setting ${property}: its default ${value} is outside its range`);
}

/** Checks a node's `editor` against its spec, so a mistake fails the build rather than the editor. */
function checkEditor(nodeSpec, editorSpec) {
  const { type, editor } = nodeSpec;
  const keys = new Set(editorSpec.actions.map((action) => action.key));
  const name = /^[\w.-]+$/;
  check(FIELDS.includes(editor.operationField), `${type}: editor.operationField must be one of ${FIELDS.join(', ')}`);
  check(LABELS.includes(editor.label), `${type}: editor.label must be one of ${LABELS.join(', ')}`);
  if (editor.operationField === 'text') {
    check(/^[\w./-]*$/.test(editor.defaultOperation), `${type}: editor.defaultOperation must be a plain name or path`);
  } else {
    check(keys.has(editor.defaultOperation), `${type}: editor.defaultOperation "${editor.defaultOperation}" is not one of its actions`);
  }
  check(editor.icon === undefined || name.test(editor.icon), `${type}: editor.icon must be a file name`);
  const settings = editor.settings || [];
  const properties = new Set(editorSpec.properties.map((param) => param.property));
  const byProperty = new Map();
  for (const setting of settings) {
    const property = setting.property;
    check(/^[A-Za-z_$][\w$]*$/.test(property), `${type}: setting "${property}" is not a plain identifier`);
    check(!byProperty.has(property), `${type}: setting ${property} appears twice`);
    byProperty.set(property, setting);
    check(!properties.has(property) && !properties.has(`${property}Type`), `${type}: setting ${property} collides with an API parameter property`);
    check(['string', 'number', 'boolean'].includes(typeof setting.value), `${type}: setting ${property} needs a string, number or boolean value`);
    check(/^fa-[a-z0-9-]+$/.test(setting.icon), `${type}: setting ${property}: icon must be a Font Awesome name (fa-…)`);
    const input = setting.input || {};
    check(INPUTS.includes(input.kind), `${type}: setting ${property}: input.kind must be one of ${INPUTS.join(', ')}`);
    for (const key of [input.unit, input.heading, input.button && input.button.title]) check(key === undefined || /^\w+$/.test(key), `${type}: setting ${property}: i18n key part "${key}"`);
    if (input.kind === 'number') check(input.unit !== undefined, `${type}: setting ${property}: a number input needs a unit`);
    if (setting.range !== undefined) checkRange(type, setting);
    if (input.kind === 'checkbox') check(input.heading !== undefined, `${type}: setting ${property}: a checkbox needs a heading`);
    if (input.kind === 'typed') check(['str', 'json'].includes(input.type), `${type}: setting ${property}: a typed input starts as str or json`);
    if (input.button) {
      check(/^[\w-]+$/.test(input.button.id) && /^fa-[a-z0-9-]+$/.test(input.button.icon), `${type}: setting ${property}: button id and icon`);
    }
    for (const action of setting.actions || []) check(keys.has(action), `${type}: setting ${property} is shown for ${action}, which is not one of its actions`);
  }
  for (const setting of settings) {
    if (setting.shownWith === undefined) continue;
    const control = byProperty.get(setting.shownWith);
    check(control && control.input.kind === 'checkbox', `${type}: setting ${setting.property} is shown with ${setting.shownWith}, which is not a checkbox setting`);
  }
}

module.exports = { checkEditor };
