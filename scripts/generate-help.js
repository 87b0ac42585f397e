#!/usr/bin/env node
// Help generation, run by build.js after the locales are copied to dist/: fills the tables of every
// help page dist/nodes/<dir>/locales/<lang>/<type>.html from data, so the help cannot drift from
// what the runtime does. The prose around the tables stays hand-written in nodes/<dir>/locales.
//
// A help page marks where a table goes with a comment alone on its line:
//   <!-- @lv-help actions -->     the node's actions: key → catalog operation(s) (per plan kind), path,
//                                 version, paging, automatic retries
//   <!-- @lv-help params -->      every parameter of those actions: type, values and limits (enum
//                                 labels, range, default, unit, items) and which actions take it,
//                                 required or not
//   <!-- @lv-help outputs -->     per action, the fields of the API's answer (`data`)
//   <!-- @lv-help operations -->  every catalog operation with its path, version and parameters
//                                 (the api node, which reaches them all)
//   <!-- @lv-help errors -->      every error code with its meaning (lib/gateway/error-codes.ts)
//
// Sources: the compiled catalog (dist/lib/catalog/operations.js), the node specs (dist/nodes/<dir>/
// spec.js, described with describeNodeSpec as generate-editor.js does), the error-code table, the
// editor's own labels of fields and enum values (the config node's message catalogs), and the small
// dictionary below for the header words and fixed phrases.
//
// Required, or the build fails: `errors` on every help page; `actions` and `params` on the page of a
// node whose spec has actions; `operations` on the page of a node that resolves any operation. A
// marker twice, an unknown one, one that has no data on that page, or a different set of markers
// in the two languages of a node fail the build too.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const MARKER = /<!--[ \t]*@lv-help[ \t]+([\w-]+)[ \t]*-->/g;
const KNOWN = ['actions', 'params', 'outputs', 'operations', 'errors'];
const CONFIG_TYPE = 'link-visual-config';

// Header words and fixed phrases, per help language. `__name__` is replaced by a value (already HTML).
const WORDS = {
  'en-US': {
    errorKey: 'en',
    action: 'Action',
    calls: 'Calls',
    parameters: 'Parameters',
    parameter: 'Parameter',
    values: 'Type, values and limits',
    usedBy: 'Used by',
    operation: 'Operation',
    answer: 'Fields of the answer (<code>data</code>)',
    code: 'Code',
    meaning: 'Meaning',
    required: 'required',
    requiredWhen: 'required when __param__ is __value__',
    oneOf: 'or __others__: one of them is required',
    allPages: 'A list: every page, unless “Pages” is one',
    retried: 'Safe to repeat: retried on a retryable failure',
    notRepeated: 'Never repeated automatically',
    retriedSome: 'Retried on a retryable failure: __names__ only',
    version: 'version __version__',
    listOf: 'list of __type__',
    listOfObjects: 'list of objects',
    object: 'object',
    range: '__min__ to __max__',
    atLeast: '≥ __min__',
    atMost: '≤ __max__',
    maxLength: 'at most __max__ characters',
    format: 'format __hint__',
    pattern: 'matches __pattern__',
    itemsRange: '__min__ to __max__ items',
    minItems: 'at least __min__ items',
    oneItem: 'at least one item',
    maxItems: 'at most __max__ items',
    each: 'each: __limits__',
    defaultValue: 'default __value__',
    epochS: 'seconds since 1970 (UTC)',
    epochMs: 'milliseconds since 1970 (UTC)',
    nothing: 'nothing (<code>null</code>)',
    none: '—',
    listSep: ', ',
    fieldSep: ', ',
    colon: ': ',
    partSep: '; ',
    sentenceEnd: '.',
    sentenceSep: '. ',
    open: ' (',
    close: ')',
  },
  'zh-CN': {
    errorKey: 'zh',
    action: '动作',
    calls: '调用',
    parameters: '参数',
    parameter: '参数',
    values: '类型、取值与范围',
    usedBy: '使用者',
    operation: '操作',
    answer: '应答字段（<code>data</code>）',
    code: '错误码',
    meaning: '含义',
    required: '必填',
    requiredWhen: '__param__ 为 __value__ 时必填',
    oneOf: '或 __others__：二者必填其一',
    allPages: '列表：获取全部页，除非“分页”设为仅一页',
    retried: '可安全重复：遇到可重试的失败时自动重试',
    notRepeated: '不会自动重复',
    retriedSome: '遇到可重试的失败时自动重试：仅 __names__',
    version: '版本 __version__',
    listOf: '__type__ 列表',
    listOfObjects: '对象列表',
    object: '对象',
    range: '__min__ 到 __max__',
    atLeast: '≥ __min__',
    atMost: '≤ __max__',
    maxLength: '最多 __max__ 个字符',
    format: '格式 __hint__',
    pattern: '须符合 __pattern__',
    itemsRange: '__min__ 到 __max__ 项',
    minItems: '至少 __min__ 项',
    oneItem: '至少 1 项',
    maxItems: '最多 __max__ 项',
    each: '每项：__limits__',
    defaultValue: '默认 __value__',
    epochS: '自 1970 年（UTC）起的秒数',
    epochMs: '自 1970 年（UTC）起的毫秒数',
    nothing: '无（<code>null</code>）',
    none: '—',
    listSep: '、',
    fieldSep: '，',
    colon: '：',
    partSep: '；',
    sentenceEnd: '。',
    sentenceSep: '。',
    open: '（',
    close: '）',
  },
};

function escapeHtml(text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function code(text) {
  return `<code>${escapeHtml(text)}</code>`;
}

/** An API path as code that may wrap before each `/` (the help sidebar is narrow). */
function pathCode(apiPath) {
  return `<code>${escapeHtml(apiPath).replace(/(?!^)\//g, '<wbr>/')}</code>`;
}

/** Plain text with `code` spans, as HTML. */
function richText(text) {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

/** A dictionary phrase with its `__name__` slots filled (values are HTML). */
function say(words, key, vars = {}) {
  const phrase = words[key];
  if (phrase === undefined) throw new Error(`generate-help: no phrase "${key}"`);
  return phrase.replace(/__(\w+)__/g, (whole, name) => {
    if (!Object.prototype.hasOwnProperty.call(vars, name)) throw new Error(`generate-help: phrase "${key}" needs __${name}__`);
    return String(vars[name]);
  });
}

function valueText(value) {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function slug(text) {
  return String(text).replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

function qualified(words, text, qualifiers) {
  return qualifiers.length === 0 ? text : `${text}${words.open}${qualifiers.join(words.listSep)}${words.close}`;
}

// ---- one help language: the words plus the editor's labels of fields and enum values

function language(lang, messages) {
  const words = WORDS[lang];
  if (!words) throw new Error(`generate-help: no dictionary for the help language ${lang} (have ${Object.keys(WORDS).join(', ')})`);
  const editor = (messages && messages.editor) || {};
  return {
    lang,
    words,
    /** The editor's label of an enum value (the same key the editor uses), else the catalog's English. */
    enumLabel(english) {
      const labels = editor.enumLabel || {};
      return labels[slug(english)] || english;
    },
    /** The editor's label of a parameter field, if it has one. */
    fieldLabel(property) {
      return (editor.param || {})[property];
    },
  };
}

// ---- parameters

function typeText(param, L) {
  if (param.type !== 'list') return code(param.type);
  if (!param.items) return code('list');
  return param.items.type === 'object' ? L.words.listOfObjects : say(L.words, 'listOf', { type: code(param.items.type) });
}

/** Phrases as sentences, e.g. in a table cell's notes. */
function sentences(words, phrases) {
  return phrases.length === 0 ? '' : `${phrases.join(words.sentenceSep)}${words.sentenceEnd}`;
}

/** Values and limits of a parameter, as HTML parts. */
function limitParts(param, L) {
  const w = L.words;
  const parts = [];
  if (param.unit === 's') parts.push(w.epochS);
  if (param.unit === 'ms') parts.push(w.epochMs);
  if (param.enum) {
    const labels = param.enumLabels || {};
    parts.push(
      param.enum
        .map((value) => {
          const english = labels[String(value)];
          return english ? `${code(valueText(value))} ${escapeHtml(L.enumLabel(english))}` : code(valueText(value));
        })
        .join(w.listSep),
    );
  } else if (param.min !== undefined && param.max !== undefined) {
    parts.push(say(w, 'range', { min: param.min, max: param.max }));
  } else if (param.min !== undefined && !(param.unit && param.min === 0)) {
    // (an epoch time says "since 1970" already)
    parts.push(say(w, 'atLeast', { min: param.min }));
  } else if (param.max !== undefined) {
    parts.push(say(w, 'atMost', { max: param.max }));
  }
  if (param.maxLength !== undefined) parts.push(say(w, 'maxLength', { max: param.maxLength }));
  if (param.patternHint) parts.push(say(w, 'format', { hint: code(param.patternHint) }));
  else if (param.pattern) parts.push(say(w, 'pattern', { pattern: code(param.pattern) }));
  if (param.minItems !== undefined && param.maxItems !== undefined) parts.push(say(w, 'itemsRange', { min: param.minItems, max: param.maxItems }));
  else if (param.minItems === 1) parts.push(w.oneItem);
  else if (param.minItems !== undefined) parts.push(say(w, 'minItems', { min: param.minItems }));
  else if (param.maxItems !== undefined) parts.push(say(w, 'maxItems', { max: param.maxItems }));
  if (param.items && param.items.type !== 'object') {
    const inner = limitParts(param.items, L);
    if (inner.length > 0) parts.push(say(w, 'each', { limits: inner.join(w.partSep) }));
  }
  const fields = param.fields || (param.items && param.items.fields);
  if (fields) parts.push(`{${fields.map((field) => fieldText(field, L)).join(w.partSep)}}`);
  if (param.default !== undefined) parts.push(say(w, 'defaultValue', { value: code(valueText(param.default)) }));
  return parts;
}

/** A field of an object (or list item) inline: name, type, limits. */
function fieldText(field, L) {
  const parts = [typeText(field, L), ...limitParts(field, L)];
  return `${code(field.name)}: ${parts.join(L.words.fieldSep)}`;
}

/** What makes two parameters of the same name the same row: everything but description and required-ness. */
function signature(param) {
  if (!param) return null;
  return JSON.stringify([
    param.name,
    param.type,
    param.enum ?? null,
    param.enumLabels ?? null,
    param.min ?? null,
    param.max ?? null,
    param.default === undefined ? null : param.default,
    param.unit ?? null,
    param.minItems ?? null,
    param.maxItems ?? null,
    param.maxLength ?? null,
    param.pattern ?? null,
    param.patternHint ?? null,
    signature(param.items),
    (param.fields || []).map(signature),
  ]);
}

// ---- what a node reaches

/** The operation names of an action, per plan kind of the node. */
function actionOperations(action, kinds) {
  if (!action.operation) return {};
  const out = {};
  for (const kind of kinds) out[kind] = typeof action.operation === 'string' ? action.operation : action.operation[kind];
  return out;
}

/** The kinds an operation name is reached with, grouped: [{ name, kinds }]. */
function groupedOperations(byKind) {
  const groups = [];
  for (const [kind, name] of Object.entries(byKind)) {
    const group = groups.find((g) => g.name === name);
    if (group) group.kinds.push(kind);
    else groups.push({ name, kinds: [kind] });
  }
  return groups;
}

function kindPrefix(page, kinds) {
  return page.kinds.length > 1 && kinds.length < page.kinds.length ? `${kinds.map(code).join(' / ')}${page.L.words.colon}` : '';
}

/** The "one of" groups of an action (generate-editor's HINTS, e.g. bind › apply: planId or planName). */
function oneOfGroups(page, actionKey) {
  const hints = page.hints && page.hints.oneOf;
  return (hints && hints[actionKey]) || [];
}

// ---- the tables

function table(indent, headers, rows) {
  const lines = [`${indent}<table>`, `${indent}    <thead><tr>${headers.map((h) => `<th>${h}</th>`).join('')}</tr></thead>`, `${indent}    <tbody>`];
  for (const row of rows) lines.push(`${indent}        <tr>${row.map((cell) => `<td>${cell}</td>`).join('')}</tr>`);
  lines.push(`${indent}    </tbody>`, `${indent}</table>`);
  return lines.join('\n');
}

function operationOf(page, name) {
  const operation = page.findOperation(name);
  if (!operation) throw new Error(`${page.file}: the spec of ${page.type} names the operation ${name}, which is not in the catalog`);
  return operation;
}

function actionsTable(page, indent) {
  const w = page.L.words;
  const rows = page.described.actions.map((action, index) => {
    const raw = page.spec.actions[index];
    const reached = groupedOperations(actionOperations(raw, page.kinds)).map(({ name, kinds }) => ({ operation: operationOf(page, name), kinds }));
    const calls = reached.map(
      ({ operation, kinds }) =>
        `${kindPrefix(page, kinds)}${code(operation.name)}<br><small>${pathCode(operation.path)}${w.fieldSep}${say(w, 'version', { version: escapeHtml(operation.apiVer) })}</small>`,
    );
    const notes = [];
    if (action.allPages) notes.push(w.allPages);
    const safe = reached.filter(({ operation }) => operation.idempotent);
    if (safe.length === reached.length && reached.length > 0) notes.push(w.retried);
    else if (safe.length === 0 && reached.length > 0) notes.push(w.notRepeated);
    else if (reached.length > 0) notes.push(say(w, 'retriedSome', { names: safe.map(({ operation }) => code(operation.name)).join(w.listSep) }));
    if (notes.length > 0) calls.push(`<small>${sentences(w, notes)}</small>`);
    return [code(action.key), calls.length > 0 ? calls.join('<br>') : w.none];
  });
  return table(indent, [w.action, w.calls], rows);
}

/**
 * Every parameter of the node's actions, one row per name and limits (the same name with other limits,
 * e.g. eventType of two operations, gets its own row), with the actions that take it: actions that take
 * it the same way (required or not, in which plan kinds) share one entry, e.g. "set, apply (required); update".
 */
function paramsTable(page, indent) {
  const w = page.L.words;
  const rows = new Map(); // signature → { param, uses: Map(actionKey → [{ kinds, qualifiers }]) }
  for (const action of page.described.actions) {
    const groups = oneOfGroups(page, action.key);
    for (const kind of page.kinds) {
      for (const param of action.params[kind] || []) {
        const key = signature(param);
        if (!rows.has(key)) rows.set(key, { param, uses: new Map() });
        const qualifiers = [];
        const group = groups.find((g) => g.includes(param.name));
        if (group) {
          qualifiers.push(say(w, 'oneOf', { others: group.filter((name) => name !== param.name).map(code).join(w.listSep) }));
        } else if (param.required) {
          qualifiers.push(w.required);
        }
        if (param.requiredWhen) {
          qualifiers.push(say(w, 'requiredWhen', { param: code(param.requiredWhen.param), value: code(valueText(param.requiredWhen.equals)) }));
        }
        const uses = rows.get(key).uses;
        if (!uses.has(action.key)) uses.set(action.key, []);
        const same = uses.get(action.key).find((use) => use.qualifiers.join('|') === qualifiers.join('|'));
        if (same) same.kinds.push(kind);
        else uses.get(action.key).push({ kinds: [kind], qualifiers });
      }
    }
  }
  const body = [...rows.values()].map(({ param, uses }) => {
    const label = page.L.fieldLabel(param.property || param.name);
    const name = label ? `${code(param.name)}<br><small>${escapeHtml(label)}</small>` : code(param.name);
    // Actions with the same qualifiers (kinds, required…) are listed together.
    const together = [];
    for (const [actionKey, entries] of uses) {
      for (const { kinds, qualifiers } of entries) {
        const all = [...(page.kinds.length > 1 && kinds.length < page.kinds.length ? kinds.map(code) : []), ...qualifiers];
        const key = all.join('|');
        const group = together.find((g) => g.key === key);
        if (group) group.actions.push(actionKey);
        else together.push({ key, all, actions: [actionKey] });
      }
    }
    const usedBy = together.map(({ all, actions }) => qualified(w, actions.map(code).join(w.listSep), all)).join(w.partSep);
    const limits = [typeText(param, page.L), ...limitParts(param, page.L)];
    return [name, limits.join(w.partSep), usedBy];
  });
  return table(indent, [w.parameter, w.values, w.usedBy], body);
}

/** The fields of an answer, one level of list items or objects deep: `a`, `b: [{c, d}, …]`. */
function answerText(operation, page) {
  const w = page.L.words;
  if (!operation.response || operation.response.length === 0) return w.nothing;
  return operation.response
    .map((field) => {
      const fields = field.fields || (field.items && field.items.fields);
      if (!fields) return code(field.name);
      const inner = `{${fields.map((f) => code(f.name)).join(', ')}}`;
      return `${code(field.name)}: ${field.type === 'list' ? `[${inner}, …]` : inner}`;
    })
    .join(', ');
}

function outputsTable(page, indent) {
  const w = page.L.words;
  const rows = page.described.actions.map((action, index) => {
    const groups = groupedOperations(actionOperations(page.spec.actions[index], page.kinds));
    const calls = groups.map(({ name, kinds }) => `${kindPrefix(page, kinds)}${code(name)}`).join('<br>');
    // Kinds whose answers read the same share one line.
    const answers = [];
    for (const { name, kinds } of groups) {
      const text = answerText(operationOf(page, name), page);
      const same = answers.find((answer) => answer.text === text);
      if (same) same.kinds.push(...kinds);
      else answers.push({ text, kinds: [...kinds] });
    }
    const cell = answers.map(({ text, kinds }) => `${kindPrefix(page, kinds)}${text}`).join('<br>');
    return [code(action.key), calls || w.none, groups.length > 0 ? cell : w.none];
  });
  return table(indent, [w.action, w.operation, w.answer], rows);
}

function operationsTable(page, indent) {
  const w = page.L.words;
  const rows = page.operations.map((operation) => {
    const params = operation.params.map((param) => {
      const qualifiers = [typeText(param, page.L)];
      if (param.required) qualifiers.push(w.required);
      if (param.requiredWhen) qualifiers.push(say(w, 'requiredWhen', { param: code(param.requiredWhen.param), value: code(valueText(param.requiredWhen.equals)) }));
      const limits = limitParts(param, page.L);
      return `${qualified(w, code(param.name), qualifiers)}${limits.length > 0 ? `: ${limits.join(w.partSep)}` : ''}`;
    });
    const where = `${pathCode(operation.path)}${w.fieldSep}${say(w, 'version', { version: escapeHtml(operation.apiVer) })}${operation.idempotent ? '' : `${w.sentenceSep}${sentences(w, [w.notRepeated])}`}`;
    return [`${code(operation.name)}<br><small>${where}</small>`, params.length > 0 ? params.join('<br>') : w.none];
  });
  return table(indent, [w.operation, w.parameters], rows);
}

function errorsTable(page, indent) {
  const w = page.L.words;
  const rows = page.errorCodes.map((entry) => {
    const text = entry[w.errorKey];
    if (typeof text !== 'string' || text.trim() === '') throw new Error(`generate-help: error code ${entry.code} has no ${w.errorKey} text`);
    return [code(entry.code), richText(text)];
  });
  return table(indent, [w.code, w.meaning], rows);
}

const RENDER = { actions: actionsTable, params: paramsTable, outputs: outputsTable, operations: operationsTable, errors: errorsTable };

/** The markers a page must have, and the ones it may have. */
function markerRules(page) {
  const required = new Set(['errors']);
  const allowed = new Set(['errors', 'operations']);
  if (page.spec && page.spec.actions.length > 0) {
    for (const name of ['actions', 'params']) required.add(name);
    for (const name of ['actions', 'params', 'outputs']) allowed.add(name);
  }
  if (page.spec && typeof page.spec.resolveOther === 'function') required.add('operations');
  return { required, allowed };
}

/** The markers in a page, in order: [{ name, index, length }]. */
function markersOf(html) {
  return [...html.matchAll(MARKER)].map((match) => ({ name: match[1], index: match.index, length: match[0].length }));
}

/**
 * Fills the markers of one help page; returns the new text. `page` is what helpPage() gives: file,
 * type, L (language), spec and described (operation nodes), kinds, hints, findOperation, operations,
 * errorCodes. Throws on a missing required marker, an unknown or repeated one, or one without data.
 */
function fillHelp(html, page) {
  const names = new Set();
  const help = [...html.matchAll(/data-help-name=["']([^"']+)["']/g)].map((match) => match[1]);
  if (help.length === 0) throw new Error(`${page.file}: no <script type="text/html" data-help-name="${page.type}"> block`);
  for (const name of help) if (name !== page.type) throw new Error(`${page.file}: data-help-name="${name}" is not ${page.type}`);
  const markers = markersOf(html);
  const { required, allowed } = markerRules(page);
  for (const marker of markers) {
    if (!KNOWN.includes(marker.name)) throw new Error(`${page.file}: unknown help marker @lv-help ${marker.name} (known: ${KNOWN.join(', ')})`);
    if (!allowed.has(marker.name)) throw new Error(`${page.file}: @lv-help ${marker.name} has nothing to show for ${page.type}`);
    if (names.has(marker.name)) throw new Error(`${page.file}: @lv-help ${marker.name} appears twice`);
    names.add(marker.name);
  }
  for (const name of required) {
    if (!names.has(name)) throw new Error(`${page.file}: the help of ${page.type} needs <!-- @lv-help ${name} --> (the ${name} table is generated, not typed)`);
  }
  let out = '';
  let at = 0;
  for (const marker of markers) {
    const lineStart = html.lastIndexOf('\n', marker.index) + 1;
    const indent = /^[ \t]*/.exec(html.slice(lineStart, marker.index))[0];
    if (html.slice(lineStart, marker.index) !== indent) throw new Error(`${page.file}: @lv-help ${marker.name} must stand alone on its line`);
    out += html.slice(at, marker.index) + RENDER[marker.name](page, indent).replace(/^[ \t]*/, '');
    at = marker.index + marker.length;
  }
  out += html.slice(at);
  if (/@lv-help/.test(out)) throw new Error(`${page.file}: a malformed @lv-help marker is left (write <!-- @lv-help name -->)`);
  const closings = (text) => (text.match(/<\/script/gi) || []).length;
  if (closings(out) !== closings(html)) throw new Error(`${page.file}: a generated table would close the help's <script> block`);
  return { html: out, markers: [...names] };
}

// ---- the build step

/** What fillHelp needs to know about one page (modules loaded from dist by load()). */
function helpPage(modules, { file, type, lang, spec, messages }) {
  const page = {
    file,
    type,
    L: language(lang, messages),
    spec,
    kinds: ['record'],
    hints: undefined,
    findOperation: modules.findOperation,
    operations: modules.operations,
    errorCodes: modules.errorCodes,
  };
  if (spec) {
    page.described = modules.editorSpecFor(modules.describeNodeSpec, spec);
    page.hints = page.described.hints;
    page.kinds = spec.kinds ? [...modules.PLAN_KINDS] : ['record'];
  }
  return page;
}

/** The compiled modules the tables are made from. */
function load(dist) {
  const { describeNodeSpec } = require(path.join(dist, 'nodes', 'shared', 'node-spec.js'));
  const { PLAN_KINDS } = require(path.join(dist, 'nodes', 'shared', 'operation-node.js'));
  const { operations, findOperation } = require(path.join(dist, 'lib', 'catalog', 'operations.js'));
  const { ERROR_CODES } = require(path.join(dist, 'lib', 'gateway', 'error-codes.js'));
  const { editorSpecFor } = require('./generate-editor');
  if (!Array.isArray(ERROR_CODES) || ERROR_CODES.length === 0) throw new Error('generate-help: lib/gateway/error-codes has no codes');
  return { describeNodeSpec, PLAN_KINDS, operations, findOperation, errorCodes: ERROR_CODES, editorSpecFor };
}

/**
 * Fills every help page under `options.nodes` (default dist/nodes): each <dir>/locales/<lang>/<type>.html.
 * Specs, catalog and error codes come from `dist`; the editor's field and enum labels from the config
 * node's catalogs there. Returns the pages written, relative to the nodes folder.
 */
function generateHelp(dist, options = {}) {
  const modules = load(dist);
  const nodesRoot = options.nodes || path.join(dist, 'nodes');
  const messagesFor = (lang) => {
    const file = path.join(dist, 'nodes', 'config', 'locales', lang, `${CONFIG_TYPE}.json`);
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
  };
  const written = [];
  for (const entry of fs.readdirSync(nodesRoot, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const localesDir = path.join(nodesRoot, entry.name, 'locales');
    if (!fs.existsSync(localesDir)) continue;
    const specFile = path.join(dist, 'nodes', entry.name, 'spec.js');
    const nodeSpec = fs.existsSync(specFile) ? require(specFile).nodeSpec : undefined;
    const markersByType = new Map(); // type → lang → markers
    for (const lang of fs.readdirSync(localesDir).sort()) {
      const langDir = path.join(localesDir, lang);
      if (!fs.statSync(langDir).isDirectory()) continue;
      for (const name of fs.readdirSync(langDir).sort()) {
        if (!name.endsWith('.html')) continue;
        const type = name.slice(0, -'.html'.length);
        const file = path.join(langDir, name);
        const relative = path.relative(nodesRoot, file);
        const spec = nodeSpec && nodeSpec.type === type ? nodeSpec : undefined;
        const page = helpPage(modules, { file: relative, type, lang, spec, messages: messagesFor(lang) });
        const { html, markers } = fillHelp(fs.readFileSync(file, 'utf8'), page);
        fs.writeFileSync(file, html);
        written.push(relative);
        if (!markersByType.has(type)) markersByType.set(type, new Map());
        markersByType.get(type).set(lang, markers.slice().sort().join(', '));
      }
    }
    for (const [type, byLang] of markersByType) {
      const sets = new Set(byLang.values());
      if (sets.size > 1) {
        throw new Error(`${entry.name}: the help languages of ${type} have different tables: ${[...byLang].map(([lang, m]) => `${lang}: ${m}`).join(' / ')}`);
      }
    }
  }
  return written;
}

module.exports = { generateHelp, fillHelp, helpPage, load, markersOf, markerRules, WORDS, KNOWN };

if (require.main === module) {
  const dist = path.resolve(process.argv[2] || path.join(__dirname, '..', 'dist'));
  const pages = generateHelp(dist);
  console.log(`generate-help: ${pages.length} help pages`);
}
