#!/usr/bin/env node
// Editor generation, run by build.js after tsc and the asset copy: fills the placeholders of each
// operation node's copied dist/nodes/<dir>/link-visual-<dir>.html from the compiled catalog, so the
// editor (defaults, operation options, one form row per API parameter, validation) always matches
// what the runtime reads.
//
// Placeholders in nodes/<dir>/link-visual-<dir>.html (each must appear exactly once):
//   /* @link-visual-spec */         → LinkVisualEditor.registerSpec('<type>', <describeNodeSpec JSON>)
//   /* @link-visual-defaults */     → `P: {value:'', validate}` and `PType: {value:'str'|'num'|'json'|'bool'}`
//                                     for every parameter property P (inline literals: the Flow Library
//                                     scorecard parses `defaults` with acorn)
//   <!-- @link-visual-operations --> → the <option>s of the operation <select>, one per action
//   <!-- @link-visual-params -->     → one form row per parameter property (TypedInput + hidden type field)
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const MODULE = 'node-red-contrib-link-visual';
const SHARED_NS = `${MODULE}/link-visual-config`;

const MARKERS = {
  spec: '/* @link-visual-spec */',
  defaults: '/* @link-visual-defaults */',
  operations: '<!-- @link-visual-operations -->',
  params: '<!-- @link-visual-params -->',
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
  imageType: 'fa-picture-o',
  pictureType: 'fa-picture-o',
  pictureIdList: 'fa-picture-o',
  fileName: 'fa-file-video-o',
  fileNameList: 'fa-files-o',
  enableDefaultPlan: 'fa-calendar-check-o',
};

/** The TypedInput type a parameter property starts with (runtime evaluates `<property>Type`). */
function defaultTypedType(param) {
  switch (param.type) {
    case 'int':
    case 'long':
      return 'num';
    case 'boolean':
      return 'bool';
    case 'list':
    case 'object':
      return 'json';
    default:
      return 'str';
  }
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
  return html.slice(0, first) + text.replace(/^[ \t]*/, '') + html.slice(first + marker.length);
}

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
    out = out.replace(MARKERS.operations, '');
  }
  if (editorSpec.properties.length > 0 || out.includes(MARKERS.params)) {
    out = replaceOnce(out, MARKERS.params, (indent) => paramsSource(editorSpec, indent), file);
  }
  return out;
}

/**
 * Fills every operation node's dist html. `dist` is the build output; each dist/nodes/<dir>/spec.js
 * that exports `nodeSpec` must have its dist/nodes/<dir>/link-visual-<dir>.html.
 */
function generate(dist) {
  const { describeNodeSpec } = require(path.join(dist, 'nodes', 'shared', 'node-spec.js'));
  const generated = [];
  const nodesDir = path.join(dist, 'nodes');
  for (const entry of fs.readdirSync(nodesDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const specFile = path.join(nodesDir, entry.name, 'spec.js');
    if (!fs.existsSync(specFile)) continue;
    const { nodeSpec } = require(specFile);
    if (!nodeSpec || typeof nodeSpec.type !== 'string') continue;
    const htmlFile = path.join(nodesDir, entry.name, `${nodeSpec.type}.html`);
    if (!fs.existsSync(htmlFile)) throw new Error(`${nodeSpec.type}: ${path.relative(dist, htmlFile)} is missing`);
    const editorSpec = editorSpecFor(describeNodeSpec, nodeSpec);
    const html = fs.readFileSync(htmlFile, 'utf8');
    fs.writeFileSync(htmlFile, fillHtml(html, editorSpec, path.relative(dist, htmlFile)));
    generated.push(nodeSpec.type);
  }
  return generated;
}

module.exports = { generate, fillHtml, editorSpecFor, defaultTypedType, MARKERS, HINTS };

if (require.main === module) {
  const dist = path.resolve(process.argv[2] || path.join(__dirname, '..', 'dist'));
  const types = generate(dist);
  console.log(`generate-editor: ${types.length} node editors (${types.join(', ')})`);
}
