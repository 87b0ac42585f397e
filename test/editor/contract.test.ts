// Editor contract tests (no browser): run after `npm run build`, against dist/.
// - every node set's .html registers its type with the inline literals the Flow Library scorecard
//   parses (acorn, as node-red-dev does), and its defaults hold every API parameter property plus its
//   TypedInput type field;
// - message catalogs exist in en-US and zh-CN with the same keys and placeholders, and every i18n key
//   the templates and the shared editor script use resolves;
// - icons exist next to each node; resources/link-visual-editor.js (bundled from editor/ by the build) is
//   ES2017 and leaks one global;
// - the shared editor logic (validation, weekly schedule, picker requests) behaves, run in a VM.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import * as acorn from 'acorn';
import * as walk from 'acorn-walk';

const root = path.resolve(__dirname, '..', '..');
const dist = path.join(root, 'dist');
const MODULE = 'node-red-contrib-link-visual';
const CONFIG_TYPE = 'link-visual-config';
const EDITOR_SCRIPT = path.join(root, 'resources', 'link-visual-editor.js');
const EDITOR_SOURCES = path.join(root, 'editor');
const LOCALES = ['en-US', 'zh-CN'];
// The node types whose editors this suite owns (shared editor script, generated defaults). Other node
// sets of the package get the general checks: literal registration, icon, catalogs, i18n keys.
const OWN_TYPES = new Set([
  CONFIG_TYPE,
  'link-visual-plan',
  'link-visual-bind',
  'link-visual-recordings',
  'link-visual-record',
  'link-visual-snapshot',
  'link-visual-pictures',
  'link-visual-events',
  'link-visual-storage',
  'link-visual-api',
]);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface Param {
  name: string;
  type: string;
  property: string;
  required?: boolean;
  enum?: unknown[];
  enumLabels?: Record<string, string>;
  items?: Param;
  fields?: Param[];
}
interface EditorSpec {
  type: string;
  kinds: boolean;
  actions: { key: string; allPages: boolean; params: Record<string, Param[]> }[];
  properties: Param[];
}

interface NodeSet {
  set: string;
  js: string;
  html: string;
  dir: string;
  basename: string;
}

function nodeSets(): NodeSet[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
  return Object.entries(pkg['node-red'].nodes).map(([set, file]) => {
    const js = path.join(root, file);
    return { set, js, html: js.replace(/\.js$/, '.html'), dir: path.dirname(js), basename: path.basename(js, '.js') };
  });
}

function describeSpec(set: NodeSet): EditorSpec | undefined {
  const specFile = path.join(set.dir, 'spec.js');
  if (!fs.existsSync(specFile)) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { describeNodeSpec } = require(path.join(dist, 'nodes', 'shared', 'node-spec.js')) as { describeNodeSpec: (spec: unknown) => EditorSpec };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return describeNodeSpec((require(specFile) as { nodeSpec: unknown }).nodeSpec);
}

/** The `<script type="text/javascript">` bodies, found exactly as node-red-dev's scorecard finds them. */
function scriptBlocks(html: string): string[] {
  const blocks: string[] = [];
  const pattern = /<script.+?type=['"]text\/javascript['"].*?>([\S\s]*?)<\/script>/gi;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(html)) !== null) blocks.push(match[1]);
  return blocks;
}

interface Registration {
  type: string;
  literals: Record<string, unknown>;
  defaults: Map<string, acorn.Expression>;
  credentials?: string[];
  keys: string[];
}

function keyName(property: acorn.Property | acorn.SpreadElement): string {
  assert.equal(property.type, 'Property', 'no spread elements in registerType literals');
  const key = (property as acorn.Property).key;
  assert.equal(key.type, 'Identifier', 'registerType keys must be plain identifiers (the scorecard reads key.name)');
  return (key as acorn.Identifier).name;
}

/** Every registerType('<literal>', {…}) call in the html, read like the scorecard does. */
function registrations(html: string): Registration[] {
  const found: Registration[] = [];
  for (const block of scriptBlocks(html)) {
    const ast = acorn.parse(block, { ecmaVersion: 'latest' });
    walk.simple(ast, {
      CallExpression(node) {
        const callee = node.callee;
        if (callee.type !== 'MemberExpression' || callee.property.type !== 'Identifier' || callee.property.name !== 'registerType') return;
        const [typeNode, defNode] = node.arguments;
        assert.equal(typeNode.type, 'Literal', 'the node type must be a literal');
        assert.equal(defNode.type, 'ObjectExpression', 'the definition must be an inline object');
        const registration: Registration = { type: String((typeNode as acorn.Literal).value), literals: {}, defaults: new Map(), keys: [] };
        for (const property of (defNode as acorn.ObjectExpression).properties) {
          const name = keyName(property);
          registration.keys.push(name);
          const value = (property as acorn.Property).value;
          if (['category', 'color', 'inputs', 'outputs', 'icon'].includes(name)) {
            assert.equal(value.type, 'Literal', `${name} must be an inline literal`);
            registration.literals[name] = (value as acorn.Literal).value;
          }
          if (name === 'defaults' || name === 'credentials') {
            assert.equal(value.type, 'ObjectExpression', `${name} must be an inline object`);
            const entries = (value as acorn.ObjectExpression).properties.map((entry) => [keyName(entry), (entry as acorn.Property).value] as const);
            if (name === 'defaults') registration.defaults = new Map(entries);
            else registration.credentials = entries.map(([key]) => key);
          }
        }
        found.push(registration);
      },
    });
  }
  return found;
}

/** The literal value of `defaults.<name>.<field>` when it is one. */
function defaultField(registration: Registration, name: string, field: string): acorn.Expression | undefined {
  const entry = registration.defaults.get(name);
  if (!entry || entry.type !== 'ObjectExpression') return undefined;
  for (const property of entry.properties) {
    if (property.type === 'Property' && property.key.type === 'Identifier' && property.key.name === field) return property.value as acorn.Expression;
  }
  return undefined;
}

function literalOf(expression: acorn.Expression | undefined): unknown {
  return expression && expression.type === 'Literal' ? expression.value : undefined;
}

function flatten(value: Json, prefix = '', out: Map<string, string> = new Map()): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) flatten(child, prefix ? `${prefix}.${key}` : key, out);
  } else {
    out.set(prefix, String(value));
  }
  return out;
}

function catalog(set: NodeSet, lang: string): Map<string, string> {
  const file = path.join(set.dir, 'locales', lang, `${set.basename}.json`);
  assert.ok(fs.existsSync(file), `${path.relative(root, file)} is missing`);
  return flatten(JSON.parse(fs.readFileSync(file, 'utf8')) as Json);
}

function configSet(): NodeSet {
  const set = nodeSets().find((candidate) => candidate.set === CONFIG_TYPE);
  assert.ok(set, 'package.json lists link-visual-config');
  return set;
}

/** i18n keys of data-i18n attributes: [attr]ns:key;… → {namespace, key}; the node's own set when no namespace. */
function i18nKeys(html: string, ownSet: string): { namespace: string; key: string }[] {
  const keys: { namespace: string; key: string }[] = [];
  for (const match of html.matchAll(/data-i18n="([^"]+)"/g)) {
    for (const part of match[1].split(';')) {
      const key = part.replace(/^\[[^\]]+\]/, '');
      const colon = key.indexOf(':');
      if (colon === -1) keys.push({ namespace: `${MODULE}/${ownSet}`, key });
      else keys.push({ namespace: key.slice(0, colon), key: key.slice(colon + 1) });
    }
  }
  return keys;
}

/** Node-RED's own catalog of the core nodes (namespace `node-red`), en-US. */
function coreCatalog(): Map<string, string> {
  const file = require.resolve('@node-red/nodes/locales/en-US/messages.json', { paths: [require.resolve('node-red')] });
  return flatten(JSON.parse(fs.readFileSync(file, 'utf8')) as Json);
}

function placeholders(text: string): string {
  return [...text.matchAll(/__(\w+)__/g)].map((m) => m[1]).sort().join(',');
}

// ---- the shared editor script in a VM

interface EditorApi {
  loaded: boolean;
  registerSpec(type: string, spec: unknown): void;
  getSpec(type: string): EditorSpec | undefined;
  validate(type: string, property: string): (this: Record<string, unknown>, value: unknown, options: unknown) => true | string;
  schedule: {
    sectionsToSlots(sections: unknown): { slots: boolean[][]; exact: boolean; error: string };
    slotsToSections(slots: boolean[][]): { dayOfWeek: number; begin: number; end: number }[];
  };
  typesFor(param: Param): unknown[];
  accountRequest(id: string): Record<string, unknown>;
}

interface Sandbox {
  window: Sandbox;
  RED: Record<string, unknown>;
  registered: Map<string, Record<string, unknown>>;
  configNodes: Record<string, unknown>;
  LinkVisualEditor?: EditorApi;
  [key: string]: unknown;
}

/** A VM with a stub RED, the shared editor script and every built node html's inline scripts. */
function editorSandbox(): Sandbox {
  const registered = new Map<string, Record<string, unknown>>();
  const configNodes: Record<string, unknown> = {};
  const catalogs = new Map(nodeSets().map((set) => [`${MODULE}/${set.set}`, catalog(set, 'en-US')]));
  const sandbox = {
    registered,
    configNodes,
    console,
    RED: {
      nodes: {
        registerType: (type: string, def: Record<string, unknown>) => registered.set(type, def),
        node: (id: string) => configNodes[id] ?? null,
      },
      // i18next as the editor has it: this package's en-US catalogs, Node-RED's __name__ interpolation.
      _: (key: string, options?: Record<string, unknown>) => {
        const colon = key.indexOf(':');
        const text = colon === -1 ? undefined : catalogs.get(key.slice(0, colon))?.get(key.slice(colon + 1));
        return String(text ?? options?.defaultValue ?? key).replace(/__(\w+)__/g, (match, name: string) => (options && options[name] !== undefined ? String(options[name]) : match));
      },
    },
  } as unknown as Sandbox;
  sandbox.window = sandbox;
  const context = vm.createContext(sandbox);
  vm.runInContext(fs.readFileSync(EDITOR_SCRIPT, 'utf8'), context, { filename: 'link-visual-editor.js' });
  for (const set of nodeSets()) {
    for (const block of scriptBlocks(fs.readFileSync(set.html, 'utf8'))) vm.runInContext(block, context, { filename: path.basename(set.html) });
  }
  return sandbox;
}

function validator(sandbox: Sandbox, type: string, property: string): (node: Record<string, unknown>, value: unknown) => true | string {
  const def = sandbox.registered.get(type);
  assert.ok(def, `${type} registered`);
  const entry = (def.defaults as Record<string, { validate?: (this: unknown, v: unknown, o: unknown) => true | string }>)[property];
  assert.ok(entry && typeof entry.validate === 'function', `${type}.${property} has a validate function`);
  const validate = entry.validate;
  return (node, value) => validate.call(node, value, {});
}

// ---------------------------------------------------------------------------------------------

describe('editor contract (dist)', function () {
  before(function () {
    if (!fs.existsSync(path.join(dist, 'nodes', 'shared', 'node-spec.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  });

  describe('node html', function () {
    for (const set of nodeSets()) {
      describe(set.set, function () {
        it('registers its type with inline literals the scorecard can read', function () {
          assert.ok(fs.existsSync(set.html), `${path.relative(root, set.html)} exists`);
          const html = fs.readFileSync(set.html, 'utf8');
          const found = registrations(html);
          assert.deepEqual(found.map((r) => r.type), [set.set]);
          const registration = found[0];
          assert.equal(typeof registration.literals.color, 'string');
          assert.match(String(registration.literals.icon), /^link-visual-[\w-]+\.svg$/);
          if (!OWN_TYPES.has(set.set)) return; // another editor's node: only the general checks
          if (set.set === CONFIG_TYPE) {
            assert.equal(registration.literals.category, 'config');
            assert.deepEqual(registration.credentials, ['appKey', 'appSecret', 'identityId', 'refreshToken', 'authCode', 'iotToken', 'projectId']);
            for (const name of ['name', 'region', 'endpoint', 'authMode', 'rateLimit', 'timeout']) assert.ok(registration.defaults.has(name), `defaults.${name}`);
          } else {
            assert.equal(registration.literals.category, 'Link Visual');
            assert.equal(registration.literals.inputs, 1);
            assert.equal(registration.literals.outputs, 1);
            for (const key of ['label', 'labelStyle', 'paletteLabel', 'outputLabels', 'oneditprepare', 'oneditsave', 'oneditcancel']) {
              assert.ok(registration.keys.includes(key), `${key} is defined`);
            }
            assert.equal(literalOf(defaultField(registration, 'account', 'type')), CONFIG_TYPE);
            assert.equal(literalOf(defaultField(registration, 'account', 'required')), true);
            for (const name of ['name', 'operation', 'ignoreMsg']) assert.ok(registration.defaults.has(name), `defaults.${name}`);
          }
        });

        it('has no placeholder left, no help block, and loads the shared editor script first', function () {
          if (!OWN_TYPES.has(set.set)) this.skip();
          const html = fs.readFileSync(set.html, 'utf8');
          assert.doesNotMatch(html, /@link-visual-(spec|defaults|operations|params|settings|prepare)/);
          assert.doesNotMatch(html, /\{\{/, 'no template tag left');
          assert.doesNotMatch(html, /data-help-name/);
          const script = html.indexOf('<script src="resources/node-red-contrib-link-visual/link-visual-editor.js"></script>');
          assert.ok(script !== -1, 'loads the shared editor script with a relative URL');
          assert.ok(script < html.indexOf('<script type="text/javascript">'), 'before the inline script');
          assert.match(html, new RegExp(`<script type="text/html" data-template-name="${set.set}">`));
        });

        it('has its icon in icons/ (white on transparent, 2:3)', function () {
          const registration = registrations(fs.readFileSync(set.html, 'utf8'))[0];
          const icon = path.join(set.dir, 'icons', String(registration.literals.icon));
          assert.ok(fs.existsSync(icon), `${path.relative(root, icon)} exists`);
          const svg = fs.readFileSync(icon, 'utf8');
          assert.match(svg, /viewBox="0 0 40 60"/);
          assert.doesNotMatch(svg.replace(/#fff\b/gi, ''), /#[0-9a-f]{3,6}\b/i, 'only white is drawn');
        });

        it('has en-US and zh-CN catalogs with the same keys and placeholders', function () {
          const [en, zh] = LOCALES.map((lang) => catalog(set, lang));
          assert.deepEqual([...zh.keys()].sort(), [...en.keys()].sort());
          for (const [key, text] of en) {
            assert.equal(placeholders(zh.get(key) ?? ''), placeholders(text), `${key}: same __placeholders__`);
            assert.notEqual((zh.get(key) ?? '').trim(), '', `${key} is translated`);
          }
        });

        it('resolves every data-i18n key of its template in both languages', function () {
          const html = fs.readFileSync(set.html, 'utf8');
          const sets = new Map(nodeSets().map((candidate) => [`${MODULE}/${candidate.set}`, candidate]));
          for (const { namespace, key } of i18nKeys(html, set.set)) {
            if (namespace === 'node-red') {
              assert.ok(!OWN_TYPES.has(set.set), `${key}: these editors keep their strings in this package's catalogs`);
              assert.ok(coreCatalog().has(key), `node-red:${key} exists in Node-RED's catalog`);
              continue;
            }
            const owner = sets.get(namespace);
            assert.ok(owner, `${key}: namespace ${namespace} is a node set of this package`);
            for (const lang of LOCALES) assert.ok(catalog(owner, lang).has(key), `${lang} ${namespace}:${key} exists`);
          }
        });

        const spec = describeSpec(set);
        if (!spec) return;

        it('defaults every parameter property of describeNodeSpec with its TypedInput type', function () {
          const registration = registrations(fs.readFileSync(set.html, 'utf8'))[0];
          const expected: Record<string, string> = { string: 'str', int: 'num', long: 'num', boolean: 'bool', list: 'json', object: 'json' };
          for (const param of spec.properties) {
            assert.equal(literalOf(defaultField(registration, param.property, 'value')), '', `defaults.${param.property}.value`);
            const validate = defaultField(registration, param.property, 'validate');
            assert.equal(validate?.type, 'FunctionExpression', `defaults.${param.property}.validate`);
            assert.equal(literalOf(defaultField(registration, `${param.property}Type`, 'value')), expected[param.type], `defaults.${param.property}Type`);
          }
          assert.equal(registration.defaults.has('kind'), spec.kinds, 'kind only on nodes with plan kinds');
          assert.equal(registration.defaults.has('pages'), spec.actions.some((action) => action.allPages), 'pages only where a list action exists');
          const operation = literalOf(defaultField(registration, 'operation', 'value'));
          if (spec.actions.length > 0) assert.ok(spec.actions.some((action) => action.key === operation), `default operation ${String(operation)} is an action`);
        });

        it('embeds its editor spec and one form row per parameter', function () {
          const html = fs.readFileSync(set.html, 'utf8');
          assert.ok(html.includes(`LinkVisualEditor.registerSpec('${set.set}', `));
          for (const param of spec.properties) {
            assert.ok(html.includes(`data-lv-property="${param.property}"`), `row of ${param.property}`);
            assert.ok(html.includes(`id="node-input-${param.property}Type"`), `type field of ${param.property}`);
          }
          for (const action of spec.actions) assert.ok(html.includes(`<option value="${action.key}" data-i18n="${set.set}.operation.${action.key}">`), `option ${action.key}`);
        });
      });
    }
  });

  describe('the operation node template', function () {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const generator = require(path.join(root, 'scripts', 'generate-editor.js')) as {
      renderTemplate: (template: string, view: Record<string, unknown>, file: string) => string;
    };
    const render = (template: string, view: Record<string, unknown>) => generator.renderTemplate(template, view, 'test.template.html');

    it('is what every operation node with an editor uses, with no html of its own', function () {
      for (const set of nodeSets()) {
        const specFile = path.join(set.dir, 'spec.js');
        if (!fs.existsSync(specFile)) continue;
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { nodeSpec } = require(specFile) as { nodeSpec?: { editor?: unknown } };
        if (!nodeSpec?.editor) continue;
        const own = path.join(root, 'nodes', path.basename(set.dir), `${set.basename}.html`);
        assert.ok(!fs.existsSync(own), `${path.relative(root, own)}: the editor comes from the template`);
        assert.match(fs.readFileSync(set.html, 'utf8'), /generated by scripts\/generate-editor\.js from nodes\/shared\/operation-node\.template\.html/);
      }
      assert.ok(!fs.existsSync(path.join(dist, 'nodes', 'shared', 'operation-node.template.html')), 'the template is not shipped');
    });

    it('renders values, nested conditions and standalone block lines', function () {
      const template = ['{{!-- a comment --}}', 'a {{type}}', '    {{#if kinds}}', 'k', '    {{#if label=operation}}', 'op', '    {{else}}', 'other', '    {{/if}}', '    {{/if}}', 'x{{#if hidden}} hide{{/if}}', ''].join('\n');
      assert.equal(render(template, { type: 'link-visual-x', kinds: true, label: 'operation', hidden: false }), 'a link-visual-x\nk\nop\nx\n');
      assert.equal(render(template, { type: 't', kinds: true, label: 'palette', hidden: true }), 'a t\nk\nother\nx hide\n');
      assert.equal(render(template, { type: 't', kinds: false, label: 'operation', hidden: false }), 'a t\nx\n');
    });

    it('refuses unknown names, unsafe values and unbalanced blocks', function () {
      assert.throws(() => render('{{nope}}', {}), /\{\{nope\}\}, which the view has not/);
      assert.throws(() => render('{{#if nope}}x{{/if}}', {}), /which the view has not/);
      assert.throws(() => render("{{type}}", { type: "x'); alert(1); ('" }), /must be a plain name/);
      assert.throws(() => render('{{#if a}}x', { a: true }), /is not closed/);
      assert.throws(() => render('x{{/if}}', {}), /without \{\{#if\}\}/);
    });
  });

  describe('catalogs of the shared editor strings', function () {
    // The sources, not the bundle: the bundler may rename a helper, the keys are what the sources ask for.
    const editorSource = fs
      .readdirSync(EDITOR_SOURCES)
      .filter((file) => file.endsWith('.ts'))
      .map((file) => fs.readFileSync(path.join(EDITOR_SOURCES, file), 'utf8'))
      .join('\n');

    it('has every key the shared editor script asks for, in both languages', function () {
      const config = configSet();
      for (const lang of LOCALES) {
        const strings = catalog(config, lang);
        for (const match of editorSource.matchAll(/\bt\('([\w.]+)'/g)) {
          if (match[1].endsWith('.')) continue; // a prefix completed at run time (checked below)
          assert.ok(strings.has(`editor.${match[1]}`), `${lang} editor.${match[1]}`);
        }
        for (const match of editorSource.matchAll(/\bconfigText\('([\w.]+)'/g)) assert.ok(strings.has(`link-visual-config.${match[1]}`), `${lang} link-visual-config.${match[1]}`);
        for (const match of editorSource.matchAll(/\bt\('picker\.' \+ what \+ '\.(\w+)'/g)) {
          for (const what of ['devices', 'plans']) assert.ok(strings.has(`editor.picker.${what}.${match[1]}`), `${lang} editor.picker.${what}.${match[1]}`);
        }
        for (let day = 0; day < 7; day++) assert.ok(strings.has(`editor.schedule.day.${day}`));
      }
    });

    it("labels every region and auth mode of the runtime's lists (the account dialog's choices)", function () {
      /* eslint-disable @typescript-eslint/no-require-imports */
      const { regions } = require(path.join(dist, 'lib', 'client', 'regions.js')) as { regions: Record<string, string> };
      const rules = require(path.join(dist, 'nodes', 'config', 'account-rules.js')) as { AUTH_MODES: string[]; CUSTOM_REGION: string };
      /* eslint-enable @typescript-eslint/no-require-imports */
      for (const lang of LOCALES) {
        const strings = catalog(configSet(), lang);
        for (const region of [...Object.keys(regions), rules.CUSTOM_REGION]) assert.ok(strings.has(`link-visual-config.region.${region}`), `${lang} region.${region}`);
        for (const mode of rules.AUTH_MODES) assert.ok(strings.has(`link-visual-config.authMode.${mode}`), `${lang} authMode.${mode}`);
      }
    });

    it('labels every parameter property and enum value of every node, in both languages', function () {
      const config = configSet();
      const labels = LOCALES.map((lang) => catalog(config, lang));
      const enumLabels = new Set<string>();
      const visit = (param: Param): void => {
        Object.values(param.enumLabels ?? {}).forEach((label) => enumLabels.add(label.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '')));
        if (param.items) visit(param.items);
        (param.fields ?? []).forEach(visit);
      };
      for (const set of nodeSets()) {
        const spec = describeSpec(set);
        if (!spec) continue;
        for (const param of spec.properties) for (const strings of labels) assert.ok(strings.has(`editor.param.${param.property}`), `editor.param.${param.property}`);
        for (const action of spec.actions) Object.values(action.params).forEach((params) => params.forEach(visit));
      }
      for (const slug of enumLabels) for (const strings of labels) assert.ok(strings.has(`editor.enumLabel.${slug}`), `editor.enumLabel.${slug}`);
    });

    it('labels every validated node setting (validation messages name the field)', function () {
      for (const set of nodeSets()) {
        const spec = describeSpec(set);
        const params = new Set((spec?.properties ?? []).map((param) => param.property));
        if (!OWN_TYPES.has(set.set)) continue;
        const registration = registrations(fs.readFileSync(set.html, 'utf8'))[0];
        for (const [name] of registration.defaults) {
          if (params.has(name) || ['operation', 'kind', 'pages'].includes(name) || !defaultField(registration, name, 'validate')) continue;
          if (spec && spec.actions.length > 0 && name === 'operation') continue;
          for (const lang of LOCALES) assert.ok(catalog(set, lang).has(`${set.set}.label.${name}`), `${lang} ${set.set}.label.${name}`);
        }
      }
    });
  });

  describe('resources/link-visual-editor.js', function () {
    const source = fs.readFileSync(EDITOR_SCRIPT, 'utf8');

    it('parses as ES2017 script (the target the build bundles editor/ for)', function () {
      assert.doesNotThrow(() => new vm.Script(source, { filename: 'link-visual-editor.js' }));
      assert.doesNotThrow(() => acorn.parse(source, { ecmaVersion: 2017, sourceType: 'script' }));
    });

    it('adds exactly one global, window.LinkVisualEditor, and keeps a first copy', function () {
      const sandbox = { console } as unknown as Sandbox;
      sandbox.window = sandbox;
      const context = vm.createContext(sandbox);
      const before = new Set(Object.keys(sandbox));
      vm.runInContext(source, context);
      const added = Object.keys(sandbox).filter((key) => !before.has(key));
      assert.deepEqual(added, ['LinkVisualEditor']);
      const first = sandbox.LinkVisualEditor;
      vm.runInContext(source, context);
      assert.equal(sandbox.LinkVisualEditor, first, 'loading it again (one load per node set) keeps the registered specs');
    });

    it('adopts specs queued before it ran', function () {
      const sandbox = { console } as unknown as Sandbox;
      sandbox.window = sandbox;
      const context = vm.createContext(sandbox);
      vm.runInContext("window.LinkVisualEditor = { pending: [], registerSpec: function (t, s) { this.pending.push([t, s]); } }; LinkVisualEditor.registerSpec('x', { type: 'x', actions: [], properties: [] });", context);
      vm.runInContext(source, context);
      assert.equal(sandbox.LinkVisualEditor?.loaded, true);
      assert.equal(sandbox.LinkVisualEditor?.getSpec('x')?.type, 'x');
    });
  });

  describe('editor behaviour (VM, stub RED)', function () {
    let sandbox: Sandbox;
    before(function () {
      sandbox = editorSandbox();
    });

    it('registers every node type and embeds specs equal to describeNodeSpec', function () {
      for (const set of nodeSets()) {
        assert.ok(sandbox.registered.has(set.set), `${set.set} registered`);
        const spec = describeSpec(set);
        if (!spec) continue;
        const embedded = JSON.parse(JSON.stringify(sandbox.LinkVisualEditor?.getSpec(set.set))) as EditorSpec & { hints?: unknown };
        delete embedded.hints;
        assert.deepEqual(embedded, JSON.parse(JSON.stringify(spec)));
      }
    });

    it('checks catalog limits for the current operation and lets msg/flow/global/env values through', function () {
      const recordDuration = validator(sandbox, 'link-visual-record', 'recordDuration');
      const node = { operation: 'trigger', recordDurationType: 'num' };
      assert.equal(recordDuration(node, '60'), true);
      assert.match(String(recordDuration(node, '1801')), /recordDuration\): must be ≤ 1800/);
      assert.match(String(recordDuration(node, '0')), /must be ≥ 1/);
      assert.match(String(recordDuration(node, '1.5')), /whole number/);
      // Empty: fine while the node takes msg.payload (the value may come from there), refused once overrides are locked.
      assert.equal(recordDuration(node, ''), true);
      assert.match(String(recordDuration({ ...node, ignoreMsg: true }, '')), /is required/);
      assert.equal(recordDuration({ ...node, recordDurationType: 'msg' }, 'payload.length'), true);
      assert.equal(recordDuration({ ...node, recordDurationType: 'env' }, 'DURATION'), true);
      const streamType = validator(sandbox, 'link-visual-record', 'streamType');
      assert.equal(streamType(node, ''), true, 'an empty optional value passes');
      assert.match(String(streamType({ ...node, streamTypeType: 'num' }, '3')), /must be one of 0, 1/);
    });

    it('asks for a required value only when the chosen operation needs it', function () {
      const month = validator(sandbox, 'link-visual-recordings', 'month');
      assert.match(String(month({ operation: 'month', monthType: 'str', ignoreMsg: true }, '')), /is required/);
      assert.equal(month({ operation: 'month', monthType: 'str' }, ''), true, 'may come from msg.payload');
      assert.match(String(month({ operation: 'month', monthType: 'str' }, '2024-01')), /must match yyyyMM/);
      assert.equal(month({ operation: 'month', monthType: 'str' }, '202401'), true);
      assert.equal(month({ operation: 'query', monthType: 'str' }, ''), true, 'not a parameter of query');
      const planId = validator(sandbox, 'link-visual-plan', 'planId');
      assert.match(String(planId({ operation: 'update', kind: 'event', ignoreMsg: true }, '')), /is required/);
      assert.equal(planId({ operation: 'apply', kind: 'record' }, ''), true, 'apply identifies the plan by name');
    });

    it('checks JSON lists, their items and sizes', function () {
      const fileNameList = validator(sandbox, 'link-visual-recordings', 'fileNameList');
      const node = { operation: 'delete', fileNameListType: 'json' };
      assert.equal(fileNameList(node, '["a.mp4","b.mp4"]'), true);
      assert.match(String(fileNameList(node, '[]')), /at least 1/);
      assert.equal(fileNameList(node, JSON.stringify(Array.from({ length: 101 }, (_v, i) => `f${i}`))), true, 'delete sends 100 names a request');
      const apiParams = validator(sandbox, 'link-visual-api', 'params');
      const names = (count: number) => JSON.stringify({ iotId: 'cam', fileNameList: Array.from({ length: count }, (_v, i) => `f${i}`) });
      assert.match(String(apiParams({ operation: 'deleteRecordings', paramsType: 'json' }, names(101))), /fileNameList: must have at most 100 items, got 101/);
      assert.equal(apiParams({ operation: 'deleteRecordings', paramsType: 'json' }, names(100)), true);
      assert.equal(fileNameList(node, '[1]'), true, 'the runtime sends a number item as text');
      assert.match(String(fileNameList(node, '[true]')), /\[0\]: must be text/);
      assert.match(String(fileNameList(node, '{"a":1}')), /JSON list/);
      assert.match(String(fileNameList(node, '[oops')), /not valid JSON/);
      const sections = validator(sandbox, 'link-visual-plan', 'timeSectionList');
      const plan = { operation: 'set', kind: 'record', allDay: '0', allDayType: 'num', timeSectionListType: 'json', ignoreMsg: true };
      assert.match(String(sections(plan, '')), /is required when allDay is 0/);
      assert.equal(sections({ ...plan, allDay: '1' }, ''), true);
      assert.match(String(sections(plan, '[{"dayOfWeek":7,"begin":0,"end":100}]')), /\[0\]\.dayOfWeek: must be ≤ 6/);
      assert.match(String(sections(plan, '[{"dayOfWeek":1,"begin":500,"end":100}]')), /\[0\]\.end: must be ≥ begin/);
      assert.equal(sections(plan, '[{"dayOfWeek":1,"begin":0,"end":86399}]'), true);
    });

    it('accepts dates for epoch parameters given as text', function () {
      const beginTime = validator(sandbox, 'link-visual-recordings', 'beginTime');
      const node = { operation: 'query', beginTimeType: 'str' };
      assert.equal(beginTime(node, '2024-05-01T00:00:00Z'), true);
      assert.equal(beginTime(node, '1714521600'), true);
      assert.match(String(beginTime(node, 'yesterday-ish')), /date/);
      assert.equal(beginTime({ ...node, beginTimeType: 'date' }, 'iso'), true);
    });

    it('applies editor hints: bind › apply needs planId or planName', function () {
      const planId = validator(sandbox, 'link-visual-bind', 'planId');
      const node = { operation: 'apply', kind: 'record', planIdType: 'str', planNameType: 'str', ignoreMsg: true };
      assert.match(String(planId({ ...node, planName: '' }, '')), /give planId \/ planName/);
      assert.equal(planId({ ...node, planName: '', ignoreMsg: false }, ''), true, 'both may come from msg.payload');
      assert.equal(planId({ ...node, planName: 'Office hours' }, ''), true);
      assert.match(String(planId({ operation: 'bind', kind: 'record', ignoreMsg: true }, '')), /is required/);
    });

    it('checks the operation and the node settings', function () {
      const operation = validator(sandbox, 'link-visual-plan', 'operation');
      assert.equal(operation({}, 'apply'), true);
      assert.equal(operation({}, 'queryEventPlans'), true, 'a catalog name of one of the actions');
      assert.equal(operation({}, '/vision/customer/record/plan/query'), true, 'a path is checked at run time');
      assert.match(String(operation({}, 'explode')), /not an operation of this node/);
      // The ranges of the operation nodes' own settings (nodes/shared/operation-settings.ts), as the runtime reads them.
      const timeout = validator(sandbox, 'link-visual-snapshot', 'timeout');
      assert.match(String(timeout({}, '-1')), /greater than 0 and at most 600/);
      assert.match(String(timeout({}, '601')), /at most 600/);
      assert.equal(timeout({}, ''), true, 'blank: the default');
      assert.equal(timeout({}, '0.5'), true);
      const maxImages = validator(sandbox, 'link-visual-pictures', 'maxImages');
      assert.match(String(maxImages({}, '2.5')), /whole number from 1 to 1000/);
      assert.match(String(maxImages({}, '1001')), /whole number from 1 to 1000/);
      assert.equal(maxImages({ operation: 'delete' }, '2.5'), true, 'delete does not read it');
      const endpoint = validator(sandbox, CONFIG_TYPE, 'endpoint');
      assert.equal(endpoint({ region: 'cn-shanghai' }, ''), true);
      assert.match(String(endpoint({ region: 'custom' }, '')), /is required/);
      assert.match(String(endpoint({ region: 'custom' }, 'ftp://x')), /http/);
      assert.equal(endpoint({ region: 'custom' }, 'http://127.0.0.1:8080'), true);
      assert.match(String(validator(sandbox, CONFIG_TYPE, 'rateLimit')({}, '0')), /greater than 0/);
      const params = validator(sandbox, 'link-visual-api', 'params');
      assert.equal(params({ paramsType: 'json' }, '{"iotId":"x"}'), true);
      assert.match(String(params({ paramsType: 'json' }, '[1]')), /JSON object/);
      assert.equal(params({ paramsType: 'msg' }, 'payload'), true);
      assert.match(String(validator(sandbox, 'link-visual-api', 'operation')({}, '')), /choose an operation/);
    });

    it('offers TypedInput types by parameter type', function () {
      const editor = sandbox.LinkVisualEditor as EditorApi;
      const names = (types: unknown[]) => [...types].map((type) => (typeof type === 'string' ? type : (type as { value: string }).value));
      assert.deepEqual(names(editor.typesFor({ name: 'iotId', type: 'string', property: 'iotId' })), ['str', 'msg', 'flow', 'global', 'env']);
      assert.deepEqual(names(editor.typesFor({ name: 'pageSize', type: 'int', property: 'pageSize' })), ['num', 'str', 'msg', 'flow', 'global', 'env']);
      assert.deepEqual(names(editor.typesFor({ name: 'beginTime', type: 'long', property: 'beginTime', unit: 'ms' } as Param)), ['num', 'str', 'msg', 'flow', 'global', 'env', 'date']);
      assert.deepEqual(names(editor.typesFor({ name: 'needSnapshot', type: 'boolean', property: 'needSnapshot' })), ['bool', 'msg', 'flow', 'global', 'env']);
      assert.deepEqual(names(editor.typesFor({ name: 'eventIds', type: 'list', property: 'eventIds' })), ['json', 'msg', 'flow', 'global', 'env']);
      const streamType = editor.typesFor({ name: 'streamType', type: 'int', property: 'streamType', enum: [0, 1], enumLabels: { 0: 'major stream', 1: 'minor stream' } })[0] as { options: { value: string }[] };
      assert.deepEqual([...streamType.options.map((option) => option.value)], ['', '0', '1'], 'enums keep "not set" possible');
    });

    it('converts the weekly grid to time sections and back', function () {
      const { sectionsToSlots, slotsToSections } = (sandbox.LinkVisualEditor as EditorApi).schedule;
      const slots = Array.from({ length: 7 }, () => Array.from({ length: 48 }, () => false));
      for (let s = 16; s < 36; s++) slots[1][s] = true; // Monday 08:00–18:00
      for (let s = 44; s < 48; s++) slots[5][s] = true; // Friday 22:00–24:00
      slots[0][0] = true; // Sunday 00:00–00:30
      const sections = slotsToSections(slots);
      assert.deepEqual(JSON.parse(JSON.stringify(sections)), [
        { dayOfWeek: 0, begin: 0, end: 1800 },
        { dayOfWeek: 1, begin: 28800, end: 64800 },
        { dayOfWeek: 5, begin: 79200, end: 86399 },
      ]);
      const back = sectionsToSlots(sections);
      assert.equal(back.exact, true);
      assert.equal(back.error, '');
      assert.deepEqual(JSON.parse(JSON.stringify(back.slots)), slots);
      const whole = sectionsToSlots([{ dayOfWeek: 3, begin: 0, end: 86399 }]);
      assert.equal(whole.slots[3].every(Boolean), true);
      assert.equal(whole.exact, true);
      const rough = sectionsToSlots([{ dayOfWeek: 2, begin: 3600 + 600, end: 7200 + 60 }]);
      assert.equal(rough.exact, false);
      assert.deepEqual([...rough.slots[2].slice(0, 6)], [false, false, true, true, true, false]);
      assert.match(sectionsToSlots([{ dayOfWeek: 2, begin: 'x', end: 1 }]).error, /begin: must be a whole number/);
      assert.match(sectionsToSlots({}).error, /JSON list/);
    });

    it('asks the pickers with {id} for a deployed account and with its editor settings otherwise', function () {
      const editor = sandbox.LinkVisualEditor as EditorApi;
      sandbox.configNodes.deployed = { id: 'deployed', changed: false, region: 'cn-shanghai' };
      sandbox.configNodes.edited = {
        id: 'edited',
        changed: true,
        region: 'custom',
        endpoint: 'http://127.0.0.1:9000',
        authMode: 'session',
        rateLimit: 5,
        timeout: 10,
        credentials: { appKey: 'k', appSecret: '__PWRD__', has_appSecret: true, identityId: 'i', _: { appKey: 'old' } },
      };
      assert.deepEqual(JSON.parse(JSON.stringify(editor.accountRequest('deployed'))), { id: 'deployed' });
      assert.deepEqual(JSON.parse(JSON.stringify(editor.accountRequest('edited'))), {
        id: 'edited',
        settings: {
          region: 'custom',
          endpoint: 'http://127.0.0.1:9000',
          authMode: 'session',
          rateLimit: 5,
          timeout: 10,
          credentials: { appKey: 'k', appSecret: '__PWRD__', identityId: 'i' },
        },
      });
      assert.deepEqual(JSON.parse(JSON.stringify(editor.accountRequest('missing'))), { id: 'missing' });
    });

    it('labels nodes with their name or a readable summary', function () {
      const plan = sandbox.registered.get('link-visual-plan') as { label: (this: unknown) => string; labelStyle: (this: unknown) => string };
      const node = { operation: 'apply', kind: 'event', _: (key: string) => (key === 'link-visual-plan.paletteLabel' ? 'plan' : key) };
      assert.equal(plan.label.call(node), 'plan: apply (event)');
      assert.equal(plan.label.call({ ...node, name: 'Night plan' }), 'Night plan');
      assert.equal(plan.labelStyle.call({ name: 'x' }), 'node_label_italic');
      const config = sandbox.registered.get(CONFIG_TYPE) as { label: (this: unknown) => string };
      assert.equal(config.label.call({ region: 'custom', endpoint: 'http://127.0.0.1:9000', authMode: 'authCode', _: (k: string) => k }), '127.0.0.1 (authCode)');
    });
  });
});
