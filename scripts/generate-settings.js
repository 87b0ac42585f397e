#!/usr/bin/env node
// Dialog generation for the nodes whose settings are data (nodes/<dir>/settings-spec.ts: the config, download,
// on-event and push nodes), run by build.js after generate-editor.js: fills the markers of dist/nodes/<dir>/<type>.html (a
// copy of the node's own HTML, which keeps what is particular to it: labels, pickers, the Test connection button)
// from the compiled spec, so the dialog's defaults, credentials and form rows are the ones the runtime reads.
//
//   /* @lv-settings-defaults */      → a `defaults` entry per setting: its default and, but for checkboxes, a
//                                       `validate` that calls LinkVisualEditor.validate(type, property) (the
//                                       bundle checks it with the spec, editor/node-settings.ts); the first
//                                       checkbox of a group with a rule has one for the group's rule
//   /* @lv-settings-credentials */   → the `credentials` entries (credential settings)
//   <!-- @lv-settings a b c -->      → the form rows of settings a, b and c, in that order (Node-RED's standard
//                                       form-row markup; a row that applies only to some choices carries
//                                       data-lv-of / data-lv-when / data-lv-is, toggled by the bundle); the
//                                       checkboxes of a group (SettingGroup), named one after the other, share
//                                       one row headed by the group's label
//
// Every setting gets exactly one row (or place in its group's row); a marker that names an unknown setting, names one twice, or is left
// fails the build. `defaults` stay inline literals (the Flow Library scorecard parses them with acorn).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROW_MARKER = /<!--[ \t]*@lv-settings[ \t]+([\w \t]+?)[ \t]*-->/g;
const DEFAULTS_MARKER = '/* @lv-settings-defaults */';
const CREDENTIALS_MARKER = '/* @lv-settings-credentials */';
const CONFIG_TYPE = 'link-visual-config';
// The helpers of the operation nodes' dialogs: inline-literal defaults, the validate wrapper, markers kept once.
const { escapeHtml, jsLiteral, replaceOnce, validator } = require('./generate-editor');

/** The settings spec a compiled settings-spec.js exports (the one export with a type and settings). */
function specOf(module, file) {
  const specs = Object.values(module).filter((value) => value && typeof value.type === 'string' && Array.isArray(value.settings));
  if (specs.length !== 1) throw new Error(`${file}: exports ${specs.length} settings specs, expected one`);
  return specs[0];
}

/** Checks a spec, so a mistake fails the build rather than the editor. */
function checkSpec(spec, file) {
  const seen = new Set();
  for (const setting of spec.settings) {
    const where = `${file}: ${spec.type}.${setting.property}`;
    if (!/^[A-Za-z_$][\w$]*$/.test(setting.property)) throw new Error(`${where} is not a plain identifier`);
    if (seen.has(setting.property)) throw new Error(`${where} appears twice`);
    seen.add(setting.property);
    if (!/^fa-[a-z0-9-]+$/.test(setting.icon)) throw new Error(`${where}: icon must be a Font Awesome name (fa-…)`);
    const kinds = { text: ['text', 'password', 'textarea', 'select'], number: ['number', 'select'], boolean: ['checkbox'] };
    if (!(kinds[setting.type] || []).includes(setting.input.kind)) throw new Error(`${where}: a ${setting.type} setting cannot have a ${setting.input.kind} input`);
    if (setting.input.kind === 'select' && !setting.input.dynamic && !setting.options) throw new Error(`${where}: a select needs options (or dynamic)`);
    if (setting.input.kind === 'checkbox' && setting.input.group === undefined && !/^\w+$/.test(setting.input.tip)) throw new Error(`${where}: a checkbox needs a tip key or a group`);
    if (setting.input.group !== undefined && !(spec.groups || []).some((group) => group.key === setting.input.group)) throw new Error(`${where}: its group ${setting.input.group} is not one of the spec's groups`);
    if (setting.when && !spec.settings.some((other) => other.property === setting.when.setting)) throw new Error(`${where}: shown with ${setting.when.setting}, which is not a setting`);
  }
  for (const group of spec.groups || []) {
    const where = `${file}: ${spec.type} group ${group.key}`;
    if (!/^\w+$/.test(group.key) || seen.has(group.key)) throw new Error(`${where}: its key must be a plain name, not a setting's`);
    const members = groupMembers(spec, group.key);
    if (members.length < 2) throw new Error(`${where} has ${members.length} checkbox(es), a group needs two or more`);
    // The row shows its members together: one icon and one `when` for all of them.
    if (members.some((member) => member.icon !== members[0].icon)) throw new Error(`${where}: its checkboxes must share one icon`);
    if (members.some((member) => JSON.stringify(member.when) !== JSON.stringify(members[0].when))) throw new Error(`${where}: its checkboxes must share one when`);
    if (group.minTicked !== undefined && !(Number.isInteger(group.minTicked) && group.minTicked >= 1 && group.minTicked <= members.length)) throw new Error(`${where}: minTicked must be from 1 to ${members.length}`);
  }
}

/** The checkboxes of a group, in spec order. */
function groupMembers(spec, key) {
  return spec.settings.filter((setting) => setting.input.kind === 'checkbox' && setting.input.group === key);
}

/** Whether the editor checks a setting: all but checkboxes; the first of a group with a rule (groupCheckedBy). */
function isValidated(spec, setting) {
  if (setting.type !== 'boolean') return true;
  const group = (spec.groups || []).find((entry) => entry.key === setting.input.group);
  return group !== undefined && group.minTicked !== undefined && groupMembers(spec, group.key)[0] === setting;
}

/** The `defaults` entries of the node's settings (credentials aside), as source lines. */
function defaultsSource(spec, indent) {
  return spec.settings
    .filter((setting) => !setting.credential)
    .map((setting) => {
      const validate = isValidated(spec, setting) ? `, validate: ${validator(spec.type, setting.property)}` : '';
      return `${indent}${setting.property}: { value: ${jsLiteral(setting.default)}${validate} },`;
    })
    .join('\n');
}

function credentialsSource(spec, indent) {
  return spec.settings
    .filter((setting) => setting.credential)
    .map((setting) => `${indent}${setting.property}: { type: '${setting.input.kind === 'password' ? 'password' : 'text'}' },`)
    .join('\n');
}

function fieldId(spec, property) {
  return `${spec.type === CONFIG_TYPE ? 'node-config-input-' : 'node-input-'}${property}`;
}

/** The attributes of a row shown only for some choices (the bundle toggles it), or ''. */
function whenAttributes(spec, when) {
  return when ? ` data-lv-of="${spec.type}" data-lv-when="${when.setting}" data-lv-is="${escapeHtml(when.is.join(' '))}"` : '';
}

/** The form row of one setting. */
function settingRow(spec, setting, indent) {
  const type = spec.type;
  const property = setting.property;
  const id = fieldId(spec, property);
  const input = setting.input;
  const placeholder = input.placeholder ? ` data-i18n="[placeholder]${type}.placeholder.${property}"` : '';
  const labelClass = setting.required ? ' class="lv-setting-required"' : '';
  const labelStyle = input.kind === 'textarea' ? ' style="vertical-align:top"' : '';
  const inner = [`<label for="${id}"${labelClass}${labelStyle}><i class="fa ${setting.icon}"></i> <span data-i18n="${type}.label.${property}"></span></label>`];
  switch (input.kind) {
    case 'password':
      inner.push(`<input type="password" id="${id}" style="width:70%">`);
      break;
    case 'textarea':
      inner.push(`<textarea id="${id}" rows="${Number(input.rows)}" style="width:70%; font-family:monospace"${placeholder}></textarea>`);
      break;
    case 'number':
      inner.push(`<input type="text" id="${id}" style="width:80px"${placeholder}>`);
      if (input.unit) inner.push(`<span class="lv-unit" data-i18n="${type}.unit.${input.unit}"></span>`);
      break;
    case 'select':
      if (input.dynamic) {
        inner.push(`<!-- options: filled by the editor bundle (editor/) -->`, `<select id="${id}" style="width:70%"></select>`);
      } else {
        inner.push(`<select id="${id}" style="width:70%">`);
        for (const value of setting.options) {
          inner.push(`    <option value="${escapeHtml(value)}" data-i18n="${type}.${property}.${escapeHtml(value)}"></option>`);
        }
        inner.push('</select>');
      }
      break;
    case 'checkbox':
      inner.push(
        `<input type="checkbox" id="${id}" style="display:inline-block; width:auto; vertical-align:top;">`,
        `<label for="${id}" style="width:auto" data-i18n="${type}.tip.${input.tip}"></label>`,
      );
      break;
    default:
      inner.push(`<input type="text" id="${id}" style="width:70%"${placeholder}>`);
  }
  return [`${indent}<div class="form-row" data-lv-setting="${property}"${whenAttributes(spec, setting.when)}>`, ...inner.map((line) => `${indent}    ${line}`), `${indent}</div>`].join('\n');
}

/** The one form row of a group's checkboxes: the group's label, then each box with its own label. */
function groupRow(spec, key, members, indent) {
  const type = spec.type;
  const boxes = members.map((setting, index) => {
    const id = fieldId(spec, setting.property);
    const gap = index < members.length - 1 ? ' margin-right:12px;' : '';
    return `    <label for="${id}" data-lv-setting="${setting.property}" style="width:auto;${gap}"><input type="checkbox" id="${id}" style="width:auto; margin:0 4px 0 0;"><span data-i18n="${type}.label.${setting.property}"></span></label>`;
  });
  const lines = [
    `<div class="form-row" data-lv-group="${key}"${whenAttributes(spec, members[0].when)}>`,
    `    <label style="vertical-align:top"><i class="fa ${members[0].icon}"></i> <span data-i18n="${type}.label.${key}"></span></label>`,
    `    <span style="display:inline-block; width:70%; vertical-align:top">`,
    ...boxes.map((line) => `    ${line}`),
    '    </span>',
    '</div>',
  ];
  return lines.map((line) => `${indent}${line}`).join('\n');
}

/** Fills the markers of one node's html with its spec; returns the new text. */
function fillSettings(html, spec, file) {
  checkSpec(spec, file);
  const typeMatch = /registerType\(\s*'([^']+)'/.exec(html);
  if (!typeMatch || typeMatch[1] !== spec.type) throw new Error(`${file}: registerType('${typeMatch ? typeMatch[1] : '?'}') is not the spec's ${spec.type}`);
  let out = replaceOnce(html, DEFAULTS_MARKER, (indent) => defaultsSource(spec, indent), file);
  if (spec.settings.some((setting) => setting.credential)) out = replaceOnce(out, CREDENTIALS_MARKER, (indent) => credentialsSource(spec, indent), file);
  else if (out.includes(CREDENTIALS_MARKER)) throw new Error(`${file}: ${CREDENTIALS_MARKER} but ${spec.type} has no credential settings`);
  const placed = new Set();
  out = out.replace(ROW_MARKER, (whole, names, offset) => {
    const lineStart = out.lastIndexOf('\n', offset) + 1;
    const indent = /^[ \t]*/.exec(out.slice(lineStart, offset))[0];
    const listed = names.trim().split(/\s+/);
    const rows = [];
    for (let i = 0; i < listed.length; ) {
      const name = listed[i];
      const setting = spec.settings.find((entry) => entry.property === name);
      if (!setting) throw new Error(`${file}: @lv-settings names ${name}, which is not a setting of ${spec.type}`);
      if (placed.has(name)) throw new Error(`${file}: the row of ${name} is placed twice`);
      const group = setting.input.kind === 'checkbox' ? setting.input.group : undefined;
      if (group === undefined) {
        placed.add(name);
        rows.push(settingRow(spec, setting, indent));
        i++;
        continue;
      }
      // A group's row holds every checkbox of it: the marker names them all, one after the other, in spec order.
      const members = groupMembers(spec, group);
      const named = listed.slice(i, i + members.length);
      if (named.join(' ') !== members.map((member) => member.property).join(' ')) {
        throw new Error(`${file}: @lv-settings must name the checkboxes of group ${group} together, in order: ${members.map((member) => member.property).join(' ')}`);
      }
      for (const member of members) placed.add(member.property);
      rows.push(groupRow(spec, group, members, indent));
      i += members.length;
    }
    return rows.join('\n').replace(/^[ \t]*/, '');
  });
  const missing = spec.settings.filter((setting) => !placed.has(setting.property)).map((setting) => setting.property);
  if (missing.length > 0) throw new Error(`${file}: no <!-- @lv-settings … --> places the rows of ${missing.join(', ')}`);
  if (/<!--[ \t]*@lv-settings|\/\*[ \t]*@lv-settings/.test(out)) throw new Error(`${file}: a malformed @lv-settings marker is left`);
  return out;
}

/** Fills the dialog of every node with a settings spec in `dist`; returns the node types. */
function generateSettings(dist) {
  const done = [];
  const nodesDir = path.join(dist, 'nodes');
  for (const entry of fs.readdirSync(nodesDir, { withFileTypes: true })) {
    const specFile = path.join(nodesDir, entry.name, 'settings-spec.js');
    if (!entry.isDirectory() || !fs.existsSync(specFile)) continue;
    const spec = specOf(require(specFile), path.relative(dist, specFile));
    const htmlFile = path.join(nodesDir, entry.name, `${spec.type}.html`);
    if (!fs.existsSync(htmlFile)) throw new Error(`${path.relative(dist, htmlFile)} is missing (the dialog of ${spec.type})`);
    fs.writeFileSync(htmlFile, fillSettings(fs.readFileSync(htmlFile, 'utf8'), spec, path.relative(dist, htmlFile)));
    done.push(spec.type);
  }
  return done;
}

module.exports = { generateSettings, fillSettings, specOf, settingRow, groupMembers };

if (require.main === module) {
  const dist = path.resolve(process.argv[2] || path.join(__dirname, '..', 'dist'));
  console.log(`generate-settings: ${generateSettings(dist).join(', ')}`);
}
