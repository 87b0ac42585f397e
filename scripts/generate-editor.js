#!/usr/bin/env node
// Editor generation, run by build.js after tsc and the asset copy: writes each operation node's
// dist/nodes/<dir>/<type>.html from the compiled catalog, so the editor (defaults, operation options,
// one form row per API parameter, validation) always matches what the runtime reads.
//
// An operation node (dist/nodes/<dir>/spec.js exporting `nodeSpec`) with an `editor` (nodes/shared/
// node-editor.ts) gets the shared template nodes/shared/operation-node.template.html, rendered with a
// view of its spec (see renderTemplate) and with its own settings filled in:
//   /* @link-visual-settings */      → the `defaults` entries of editor.settings
//   <!-- @link-visual-settings -->   → their form rows
//   /* @link-visual-prepare */       → oneditprepare lines (rows shown while a checkbox is ticked)
// A node without `editor` keeps its own nodes/<dir>/<type>.html (copied by build.js).
//
// Then, in either html, the catalog placeholders (each must appear exactly once):
//   /* @link-visual-spec */         → LinkVisualEditor.registerSpec('<type>', <describeNodeSpec JSON>)
//   /* @link-visual-defaults */     → `P: {value:'', validate}` and `PType: {value:'str'|'num'|'json'|'bool'}`
//                                     for every parameter property P (inline literals: the Flow Library
//                                     scorecard parses `defaults` with acorn)
//   <!-- @link-visual-operations --> → the <option>s of the operation <select>, one per action
//   <!-- @link-visual-params -->     → one form row per parameter property (TypedInput + hidden type field)
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { checkEditor } = require('./check-editor-spec');

const MODULE = 'node-red-contrib-link-visual';
const SHARED_NS = `${MODULE}/link-visual-config`;
const ROOT = path.resolve(__dirname, '..');
const TEMPLATE = path.join(ROOT, 'nodes', 'shared', 'operation-node.template.html');

const MARKERS = {
  spec: '/* @link-visual-spec */',
  defaults: '/* @link-visual-defaults */',
  operations: '<!-- @link-visual-operations -->',
  params: '<!-- @link-visual-params -->',
  settingsDefaults: '/* @link-visual-settings */',
  settingsRows: '<!-- @link-visual-settings -->',
  prepare: '/* @link-visual-prepare */',
};

// Properties the node templates define themselves; a parameter property must never reuse them.
const RESERVED = new Set([
  'id', 'type', 'wires', 'inputs', 'outputs', 'x', 'y', 'z', 'g', 'd', 'l', 'info',
  'name', 'account', 'operation', 'kind', 'ignoreMsg', 'pages',
  'timeout', 'fetchImages', 'maxImages', 'params', 'apiVer',
]);

// Editor-only knowledge the runtime spec cannot express as data (kept small and explicit).
const HINTS = {
  // bind › apply looks the plan up by name when planId is empty (nodes/bind/spec.ts).
  'link-visual-bind': { oneOf: { apply: [['planId', 'planName']] } },
};

// Font Awesome 4.7 icon per parameter property (form-row label); anything else gets fa-sliders.
const ICONS = {
  iotId: 'fa-video-camera',
  planId: 'fa-calendar-o',
  planName: 'fa-bookmark',
  allDay: 'fa-sun-o',
  timeSectionList: 'fa-th',
  timeZone: 'fa-globe',
  preRecordDuration: 'fa-step-backward',
  recordDuration: 'fa-hourglass-half',
  eventTypeList: 'fa-bolt',
  eventType: 'fa-bolt',
  eventInterval: 'fa-hourglass-half',
  eventId: 'fa-bell-o',
  eventIds: 'fa-bell-o',
  pageStart: 'fa-step-forward',
  pageSize: 'fa-list-ol',
  streamType: 'fa-random',
  beginTime: 'fa-clock-o',
  startTime: 'fa-clock-o',
  endTime: 'fa-clock-o',
  month: 'fa-calendar',
  recordType: 'fa-filter',
  source: 'fa-filter',
  needSnapshot: 'fa-picture-o',
  needAlarmPicture: 'fa-picture-o',
  needRecordSnapshot: 'fa-picture-o',
  needProlongOriginRecord: 'fa-film',
  imageType: 'fa-picture-o',
  pictureType: 'fa-picture-o',
  pictureIdList: 'fa-picture-o',
  fileName: 'fa-file-video-o',
  fileNameList: 'fa-files-o',
  enableDefaultPlan: 'fa-calendar-check-o',
};

/** The TypedInput type a parameter property starts with: nodes/shared/typed-input.ts, as compiled into dist/. */
function defaultTypedType(param) {
  return require(path.join(ROOT, 'dist', 'nodes', 'shared', 'typed-input.js')).defaultTypedType(param);
}

function identifier(name, type) {
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) throw new Error(`${type}: parameter property "${name}" is not a plain identifier`);
  if (RESERVED.has(name)) throw new Error(`${type}: parameter property "${name}" collides with a node setting`);
  return name;
}

/** JSON that is safe inside an inline <script>. */
function scriptJson(value) {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

// Node-RED loads resources/…/link-visual-editor.js before the inline scripts; should that ever not
// hold, this stub queues the spec and the shared script adopts the queue when it runs.
const SPEC_PREAMBLE =
  'if (!window.LinkVisualEditor) { window.LinkVisualEditor = { pending: [], registerSpec: function (t, s) { this.pending.push([t, s]); } }; }';

function escapeHtml(text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function validator(type, property) {
  return (
    'function (v, o) { return window.LinkVisualEditor ? ' +
    `LinkVisualEditor.validate('${type}', '${property}').call(this, v, o) : true; }`
  );
}

/** The `defaults` entries of every parameter property, as source lines (inline literals only). */
function defaultsSource(editorSpec, indent) {
  const lines = [];
  const names = new Set(editorSpec.properties.map((param) => param.property));
  for (const param of editorSpec.properties) {
    if (names.has(`${param.property}Type`)) throw new Error(`${editorSpec.type}: ${param.property}Type is both a parameter and a type field`);
  }
  for (const param of editorSpec.properties) {
    const property = identifier(param.property, editorSpec.type);
    lines.push(`${indent}${property}: { value: '', validate: ${validator(editorSpec.type, property)} },`);
    lines.push(`${indent}${property}Type: { value: '${defaultTypedType(param)}' },`);
  }
  return lines.join('\n');
}

function operationsSource(editorSpec, indent) {
  return editorSpec.actions
    .map((action) => `${indent}<option value="${escapeHtml(action.key)}" data-i18n="${editorSpec.type}.operation.${escapeHtml(action.key)}"></option>`)
    .join('\n');
}

function paramsSource(editorSpec, indent) {
  const rows = [];
  for (const param of editorSpec.properties) {
    const property = param.property;
    const icon = ICONS[property] || 'fa-sliders';
    rows.push(
      [
        `${indent}<div class="lv-param" data-lv-property="${property}">`,
        `${indent}    <div class="form-row">`,
        `${indent}        <label for="node-input-${property}"><i class="fa ${icon}"></i> <span data-i18n="${SHARED_NS}:editor.param.${property}"></span></label>`,
        `${indent}        <input type="text" id="node-input-${property}" style="width:70%">`,
        `${indent}        <input type="hidden" id="node-input-${property}Type">`,
        `${indent}    </div>`,
        `${indent}</div>`,
      ].join('\n'),
    );
  }
  return rows.join('\n');
}

/** The editor's view of one node: describeNodeSpec plus the editor hints. */
function editorSpecFor(describeNodeSpec, nodeSpec) {
  const described = describeNodeSpec(nodeSpec);
  const hints = HINTS[described.type];
  return hints ? { ...described, hints } : described;
}

function replaceOnce(html, marker, replacement, file) {
  const first = html.indexOf(marker);
  if (first === -1) throw new Error(`${file}: placeholder ${marker} is missing`);
  if (html.indexOf(marker, first + marker.length) !== -1) throw new Error(`${file}: placeholder ${marker} appears twice`);
  // Keep the indentation of the line the marker sits on.
  const lineStart = html.lastIndexOf('\n', first) + 1;
  const indent = /^[ \t]*/.exec(html.slice(lineStart, first))[0];
  const text = typeof replacement === 'function' ? replacement(indent) : replacement;
  if (text === '') {
    // Nothing to put there: a marker alone on its line takes the line with it.
    const lineEnd = html.indexOf('\n', first + marker.length);
    const end = lineEnd === -1 ? html.length : lineEnd + 1;
    if (html.slice(lineStart, end).trim() === marker) return html.slice(0, lineStart) + html.slice(end);
  }
  return html.slice(0, first) + text.replace(/^[ \t]*/, '') + html.slice(first + marker.length);
}

// ---- the shared template of the operation nodes

/**
 * Renders the operation node template with a view. `{{name}}` is view[name], a string of word
 * characters, `.`, `/` and `-` only (it lands in JS strings and HTML attributes). `{{#if flag}}…
 * {{else}}…{{/if}}` tests view[flag], `{{#if name=value}}` tests String(view[name]) === value; blocks
 * nest. A block tag alone on its line takes the line with it; `{{!-- … --}}` is a comment of the
 * template. Unknown names are errors.
 */
function renderTemplate(template, view, file) {
  const known = (name) => {
    if (!Object.prototype.hasOwnProperty.call(view, name)) throw new Error(`${file}: the template uses {{${name}}}, which the view has not`);
    return view[name];
  };
  const text = template
    .replace(/^[ \t]*\{\{!--[\s\S]*?--\}\}[ \t]*\r?\n/gm, '')
    .replace(/\{\{!--[\s\S]*?--\}\}/g, '')
    .replace(/^[ \t]*(\{\{(?:#if [^}\n]+|else|\/if)\}\})[ \t]*\r?\n/gm, '$1');
  const tokens = text.split(/(\{\{[^{}\n]*\}\})/);
  let at = 0;
  // Renders tokens up to the {{else}} or {{/if}} that ends the current block (or the end at the top).
  const block = (nested) => {
    let out = '';
    while (at < tokens.length) {
      const token = tokens[at];
      const tag = /^\{\{\s*(.*?)\s*\}\}$/.exec(token);
      if (!tag) {
        out += token;
        at++;
        continue;
      }
      const body = tag[1];
      if (body === 'else' || body === '/if') {
        if (!nested) throw new Error(`${file}: {{${body}}} without {{#if}}`);
        return out;
      }
      at++;
      if (body.startsWith('#if ')) {
        const condition = body.slice(4).trim();
        const eq = condition.indexOf('=');
        const holds = eq === -1 ? Boolean(known(condition)) : String(known(condition.slice(0, eq))) === condition.slice(eq + 1);
        const then = block(true);
        let otherwise = '';
        if (tokens[at] === '{{else}}') {
          at++;
          otherwise = block(true);
        }
        if (tokens[at] !== '{{/if}}') throw new Error(`${file}: {{#if ${condition}}} is not closed`);
        at++;
        out += holds ? then : otherwise;
        continue;
      }
      const value = known(body);
      if (typeof value !== 'string' || !/^[\w./-]*$/.test(value)) throw new Error(`${file}: {{${body}}} must be a plain name, got ${JSON.stringify(value)}`);
      out += value;
    }
    if (nested) throw new Error(`${file}: {{#if}} is not closed`);
    return out;
  };
  return block(false);
}

/** The view the template is rendered with (see the template's opening comment). */
function editorView(nodeSpec, editorSpec, dir) {
  const editor = nodeSpec.editor;
  return {
    type: nodeSpec.type,
    dir,
    icon: editor.icon || `${nodeSpec.type}.svg`,
    defaultOperation: editor.defaultOperation,
    operationField: editor.operationField,
    label: editor.label,
    kinds: editorSpec.kinds,
    // The pages setting exists where a list action can fetch every page (or one).
    pages: editorSpec.actions.some((action) => action.allPages),
    params: editorSpec.properties.length > 0,
    tip: editor.tip === true,
  };
}

/** A setting's default as a JS literal that is safe inside an inline <script>. */
function jsLiteral(value) {
  if (typeof value !== 'string') return String(value);
  const escaped = value.replace(/[\\'<>\n\r\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `'${escaped}'`;
}

/** The `defaults` entries of the node's own settings (inline literals, like the rest). */
function settingsDefaultsSource(type, settings, indent) {
  const lines = [];
  for (const setting of settings) {
    const validate = setting.validate || setting.range ? `, validate: ${validator(type, setting.property)}` : '';
    lines.push(`${indent}${setting.property}: { value: ${jsLiteral(setting.value)}${validate} },`);
    if (setting.input.kind === 'typed') lines.push(`${indent}${setting.property}Type: { value: '${setting.input.type}' },`);
  }
  return lines.join('\n');
}

function kebab(name) {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** The class of a row that is shown only while a checkbox is ticked. */
function dependentRowClass(setting) {
  return `lv-${kebab(setting.property)}-row`;
}

function settingRow(type, setting, indent) {
  const property = setting.property;
  const input = setting.input;
  const label = (key) => `<label for="node-input-${property}"><i class="fa ${setting.icon}"></i> <span data-i18n="${type}.label.${key}"></span></label>`;
  let inner;
  switch (input.kind) {
    case 'number':
      inner = [
        label(property),
        `<input type="text" id="node-input-${property}" style="width:80px" data-i18n="[placeholder]${type}.placeholder.${property}">`,
        `<span class="lv-unit" data-i18n="${type}.unit.${input.unit}"></span>`,
      ];
      break;
    case 'checkbox':
      inner = [
        label(input.heading),
        `<input type="checkbox" id="node-input-${property}" style="display:inline-block; width:auto; vertical-align:top;">`,
        `<label for="node-input-${property}" style="width:auto" data-i18n="${type}.label.${property}"></label>`,
      ];
      break;
    default: {
      const button = input.button;
      inner = [
        label(property),
        `<input type="text" id="node-input-${property}" style="width:${button ? 'calc(70% - 40px)' : '70%'}">`,
        `<input type="hidden" id="node-input-${property}Type">`,
      ];
      if (button) {
        inner.push(`<button type="button" id="${button.id}" class="red-ui-button" data-i18n="[title]${type}.label.${button.title}"><i class="fa ${button.icon}"></i></button>`);
      }
    }
  }
  const rowClass = setting.shownWith ? `form-row ${dependentRowClass(setting)}` : 'form-row';
  return [`${indent}<div class="${rowClass}">`, ...inner.map((line) => `${indent}    ${line}`), `${indent}</div>`].join('\n');
}

/** The form rows of the node's own settings; neighbours shown for the same actions share one block. */
function settingsRowsSource(type, settings, indent) {
  const out = [];
  for (let i = 0; i < settings.length; ) {
    const actions = (settings[i].actions || []).join(' ');
    let j = i + 1;
    while (j < settings.length && (settings[j].actions || []).join(' ') === actions) j++;
    const group = settings.slice(i, j);
    if (actions) {
      out.push(`${indent}<div data-lv-actions="${actions}">`);
      for (const setting of group) out.push(settingRow(type, setting, `${indent}    `));
      out.push(`${indent}</div>`);
    } else {
      for (const setting of group) out.push(settingRow(type, setting, indent));
    }
    i = j;
  }
  return out.join('\n');
}

/** oneditprepare lines: rows shown only while their checkbox is ticked. */
function prepareSource(settings, indent) {
  const lines = [];
  for (const setting of settings) {
    if (setting.shownWith === undefined) continue;
    lines.push(
      `${indent}$('#node-input-${setting.shownWith}').on('change', function () {`,
      `${indent}    $('.${dependentRowClass(setting)}').toggle($(this).prop('checked'));`,
      `${indent}}).trigger('change');`,
    );
  }
  return lines.join('\n');
}

/** The editor html of a node with an `editor`, before the catalog placeholders are filled. */
function renderEditor(template, nodeSpec, editorSpec, dir, file) {
  checkEditor(nodeSpec, editorSpec);
  const settings = nodeSpec.editor.settings || [];
  let html = renderTemplate(template, editorView(nodeSpec, editorSpec, dir), file);
  html = replaceOnce(html, MARKERS.settingsDefaults, (indent) => settingsDefaultsSource(nodeSpec.type, settings, indent), file);
  html = replaceOnce(html, MARKERS.settingsRows, (indent) => settingsRowsSource(nodeSpec.type, settings, indent), file);
  html = replaceOnce(html, MARKERS.prepare, (indent) => prepareSource(settings, indent), file);
  return html;
}

// ---- the catalog placeholders

/** Fills the placeholders of one dist html; returns the new text. */
function fillHtml(html, editorSpec, file) {
  const typeMatch = /registerType\(\s*'([^']+)'/.exec(html);
  if (!typeMatch || typeMatch[1] !== editorSpec.type) {
    throw new Error(`${file}: registerType('${typeMatch ? typeMatch[1] : '?'}') does not match the spec type ${editorSpec.type}`);
  }
  let out = html;
  out = replaceOnce(
    out,
    MARKERS.spec,
    (indent) => `${SPEC_PREAMBLE}\n${indent}LinkVisualEditor.registerSpec('${editorSpec.type}', ${scriptJson(editorSpec)});`,
    file,
  );
  out = replaceOnce(out, MARKERS.defaults, (indent) => defaultsSource(editorSpec, indent), file);
  if (editorSpec.actions.length > 0) {
    out = replaceOnce(out, MARKERS.operations, (indent) => operationsSource(editorSpec, indent), file);
  } else if (out.includes(MARKERS.operations)) {
    out = replaceOnce(out, MARKERS.operations, '', file);
  }
  if (editorSpec.properties.length > 0 || out.includes(MARKERS.params)) {
    out = replaceOnce(out, MARKERS.params, (indent) => paramsSource(editorSpec, indent), file);
  }
  return out;
}

/**
 * Writes every operation node's dist html. `dist` is the build output; each dist/nodes/<dir>/spec.js
 * that exports `nodeSpec` gets dist/nodes/<dir>/<type>.html: from the shared template when the spec
 * has an `editor`, else from its own nodes/<dir>/<type>.html (copied to dist by build.js).
 */
function generate(dist, options = {}) {
  const { describeNodeSpec } = require(path.join(dist, 'nodes', 'shared', 'node-spec.js'));
  const source = options.source || ROOT;
  const templateFile = options.template || TEMPLATE;
  let template;
  const generated = [];
  const nodesDir = path.join(dist, 'nodes');
  for (const entry of fs.readdirSync(nodesDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const specFile = path.join(nodesDir, entry.name, 'spec.js');
    if (!fs.existsSync(specFile)) continue;
    const { nodeSpec } = require(specFile);
    if (!nodeSpec || typeof nodeSpec.type !== 'string') continue;
    const htmlFile = path.join(nodesDir, entry.name, `${nodeSpec.type}.html`);
    const ownHtml = path.join(source, 'nodes', entry.name, `${nodeSpec.type}.html`);
    const editorSpec = editorSpecFor(describeNodeSpec, nodeSpec);
    let html;
    if (nodeSpec.editor) {
      if (fs.existsSync(ownHtml)) {
        throw new Error(`${nodeSpec.type}: its spec has an editor, so ${path.relative(source, ownHtml)} must go (the editor comes from ${path.relative(source, templateFile)})`);
      }
      template = template || fs.readFileSync(templateFile, 'utf8');
      html = renderEditor(template, nodeSpec, editorSpec, entry.name, path.relative(source, templateFile));
    } else {
      if (!fs.existsSync(htmlFile)) throw new Error(`${nodeSpec.type}: ${path.relative(dist, htmlFile)} is missing (and its spec has no editor)`);
      html = fs.readFileSync(htmlFile, 'utf8');
    }
    fs.mkdirSync(path.dirname(htmlFile), { recursive: true });
    fs.writeFileSync(htmlFile, fillHtml(html, editorSpec, path.relative(dist, htmlFile)));
    generated.push(nodeSpec.type);
  }
  return generated;
}

module.exports = { generate, fillHtml, renderTemplate, renderEditor, editorSpecFor, defaultTypedType, MARKERS, HINTS, TEMPLATE, replaceOnce, jsLiteral, validator, escapeHtml };

if (require.main === module) {
  const dist = path.resolve(process.argv[2] || path.join(__dirname, '..', 'dist'));
  const types = generate(dist);
  console.log(`generate-editor: ${types.length} node editors (${types.join(', ')})`);
}
