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
//   <!-- @lv-help settings -->    the settings of a node whose settings are data (help-settings.js)
//
// Sources: the compiled catalog (dist/lib/catalog/operations.js), the node specs (dist/nodes/<dir>/
// spec.js, described with describeNodeSpec as generate-editor.js does), the error-code table, the
// editor's own labels of fields and enum values (the config node's message catalogs), and the small
// dictionary of help-words.js for the header words and fixed phrases. The tables are drawn by
// help-tables.js (help-settings.js for settings) from the HTML pieces of help-html.js.
//
// Required, or the build fails: `errors` on every help page; `actions` and `params` on the page of a
// node whose spec has actions; `operations` on the page of a node that resolves any operation. A
// marker twice, an unknown one, one that has no data on that page, or a different set of markers
// in the two languages of a node fail the build too.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { WORDS, language } = require('./help-words');
const { RENDER } = require('./help-tables');
const { specOf } = require('./generate-settings');

const MARKER = /<!--[ \t]*@lv-help[ \t]+([\w-]+)[ \t]*-->/g;
const KNOWN = ['actions', 'params', 'outputs', 'operations', 'errors', 'settings'];
const CONFIG_TYPE = 'link-visual-config';

/** The markers a page must have, and the ones it may have. */
function markerRules(page) {
  const required = new Set(['errors']);
  const allowed = new Set(['errors', 'operations']);
  if (page.spec && page.spec.actions.length > 0) {
    for (const name of ['actions', 'params']) required.add(name);
    for (const name of ['actions', 'params', 'outputs']) allowed.add(name);
  }
  if (page.spec && typeof page.spec.resolveOther === 'function') required.add('operations');
  if (page.settingsSpec) for (const set of [required, allowed]) set.add('settings');
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
function helpPage(modules, { file, type, lang, spec, messages, settingsSpec, ownMessages }) {
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
    settingsSpec,
    messages: ownMessages,
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
    const settingsFile = path.join(dist, 'nodes', entry.name, 'settings-spec.js');
    const settingsSpec = fs.existsSync(settingsFile) ? specOf(require(settingsFile), settingsFile) : undefined;
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
        const own = path.join(dist, 'nodes', entry.name, 'locales', lang, `${type}.json`);
        const ownMessages = fs.existsSync(own) ? JSON.parse(fs.readFileSync(own, 'utf8')) : undefined;
        const forType = settingsSpec && settingsSpec.type === type ? settingsSpec : undefined;
        const page = helpPage(modules, { file: relative, type, lang, spec, messages: messagesFor(lang), settingsSpec: forType, ownMessages });
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
