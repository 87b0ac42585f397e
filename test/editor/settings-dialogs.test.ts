// The dialogs of the config, download, on-event and push nodes are generated from their settings specs
// (nodes/*/settings-spec.ts, by scripts/generate-settings.js): the built HTML registers the spec's defaults and
// credentials under the property names flows hold, has one form row per setting, every string it names exists in
// both languages, a flow made before a setting existed stays valid in the editor and at run time, and a template
// that misplaces a row fails the build. Runs after `npm run build`.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { clientOptionsFrom } from '../../nodes/config/account-settings';
import { pushSettingsFrom } from '../../nodes/config/push-settings';
import { configSettingsSpec } from '../../nodes/config/settings-spec';
import { readDownloadSettings } from '../../nodes/download/settings';
import { downloadSettingsSpec } from '../../nodes/download/settings-spec';
import { onEventSettings } from '../../nodes/on-event/settings';
import { onEventSettingsSpec } from '../../nodes/on-event/settings-spec';
import { pushNodeSettings } from '../../nodes/push/settings';
import { pushSettingsSpec } from '../../nodes/push/settings-spec';
import type { NodeDef } from '../../nodes/shared/red';
import { groupCheckedBy, type NodeSettingsSpec } from '../../nodes/shared/setting-spec';

/* eslint-disable @typescript-eslint/no-require-imports */
const generator = require('../../scripts/generate-settings.js') as { fillSettings(html: string, spec: NodeSettingsSpec, file: string): string };
const registerConfig = require('../../nodes/config/link-visual-config') as (RED: unknown) => void;
/* eslint-enable @typescript-eslint/no-require-imports */

const root = path.resolve(__dirname, '..', '..');
const DIRS: Record<string, string> = { 'link-visual-config': 'config', 'link-visual-download': 'download', 'link-visual-on-event': 'on-event', 'link-visual-push': 'push' };
const SPECS = [configSettingsSpec, downloadSettingsSpec, onEventSettingsSpec, pushSettingsSpec];

// The property names flows in the field hold (and the acceptance tests use): never renamed.
const PROPERTIES: Record<string, string[]> = {
  'link-visual-config': ['region', 'endpoint', 'authMode', 'rateLimit', 'timeout', 'push', 'pushEndpoint', 'consumerGroup', 'clientId'],
  'link-visual-download': ['target', 'directory', 'path', 'overwrite', 'maxBufferMB', 'concurrency', 'transcodeTimeout', 'stallTimeout', 'retries'],
  'link-visual-on-event': ['devices', 'eventType', 'interval', 'sweep', 'startup', 'backfillMinutes', 'image', 'clip', 'cooldown'],
  'link-visual-push': ['devices', 'event', 'property', 'onlineStatus', 'other', 'identifier'],
};
const CREDENTIALS = { appKey: 'text', appSecret: 'password', identityId: 'text', refreshToken: 'password', authCode: 'password', iotToken: 'password', projectId: 'text' };

type Validate = (this: Record<string, unknown>, value: unknown, options: unknown) => true | string;
interface Registration {
  defaults: Record<string, { value?: unknown; validate?: Validate }>;
  credentials?: Record<string, { type: string }>;
}

function builtHtml(type: string): string {
  return fs.readFileSync(path.join(root, 'dist', 'nodes', DIRS[type], `${type}.html`), 'utf8');
}

/** The bundle and the built dialogs in a VM with a stub RED: their registrations. */
function registrations(): Map<string, Registration> {
  const registered = new Map<string, Registration>();
  const sandbox: Record<string, unknown> = { console, URL, RED: { nodes: { registerType: (type: string, def: Registration) => registered.set(type, def), node: () => null }, _: (key: string) => key } };
  sandbox.window = sandbox;
  const context = vm.createContext(sandbox);
  vm.runInContext(fs.readFileSync(path.join(root, 'resources', 'link-visual-editor.js'), 'utf8'), context);
  for (const type of Object.keys(DIRS)) {
    for (const match of builtHtml(type).matchAll(/<script type="text\/javascript">([\S\s]*?)<\/script>/g)) vm.runInContext(match[1], context);
  }
  return registered;
}

function messages(type: string, lang: string): Record<string, unknown> {
  const file = path.join(root, 'nodes', DIRS[type], 'locales', lang, `${type}.json`);
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>)[type];
}

function has(catalog: Record<string, unknown>, key: string): boolean {
  let value: unknown = catalog;
  for (const part of key.split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return typeof value === 'string' && value.trim() !== '';
}

/** Every editor string of a node's settings, by its key in the node's catalog. */
function keysOf(spec: NodeSettingsSpec): string[] {
  const keys: string[] = [];
  for (const setting of spec.settings) {
    keys.push(`label.${setting.property}`, `help.${setting.property}`);
    const input = setting.input;
    if ('placeholder' in input && input.placeholder) keys.push(`placeholder.${setting.property}`);
    if (input.kind === 'number' && input.unit) keys.push(`unit.${input.unit}`);
    if (input.kind === 'checkbox') keys.push('group' in input ? `label.${input.group}` : `tip.${input.tip}`);
    if (setting.options) for (const option of setting.options) keys.push(`${setting.property}.${String(option)}`);
    for (const rule of setting.rules ?? []) keys.push(`problem.${rule.key}`);
  }
  return keys;
}

describe('the settings dialogs of the config, download, on-event and push nodes (generated from their specs)', function () {
  let registered: Map<string, Registration>;
  before(function () {
    if (!fs.existsSync(path.join(root, 'dist', 'nodes', 'config', 'settings-spec.js'))) throw new Error('the build output is missing: run `npm run build` first');
    registered = registrations();
  });

  for (const spec of SPECS) {
    describe(spec.type, function () {
      it('registers the spec\'s defaults under the property names flows hold, each with a validate but the checkboxes (the first of a checked group has one)', function () {
        const registration = registered.get(spec.type);
        assert.ok(registration, 'registered');
        const own = Object.keys(registration.defaults).filter((name) => !['name', 'account'].includes(name));
        assert.deepEqual(own, PROPERTIES[spec.type]);
        for (const setting of spec.settings.filter((entry) => !entry.credential)) {
          const entry: { value?: unknown; validate?: Validate } = registration.defaults[setting.property];
          assert.deepEqual(entry.value, setting.default, `${setting.property}: its default`);
          const checked = setting.type !== 'boolean' || groupCheckedBy(spec, setting) !== undefined;
          assert.equal(typeof entry.validate === 'function', checked, `${setting.property}: validated`);
        }
      });

      it('has one form row per setting, with the field Node-RED fills from the property', function () {
        const html = builtHtml(spec.type);
        const prefix = spec.type === 'link-visual-config' ? 'node-config-input-' : 'node-input-';
        for (const setting of spec.settings) {
          assert.equal(html.split(`data-lv-setting="${setting.property}"`).length, 2, `${setting.property}: one row`);
          assert.equal(html.split(`id="${prefix}${setting.property}"`).length, 2, `${setting.property}: one field`);
        }
        assert.doesNotMatch(html, /<!--\s*@lv-settings|\/\*\s*@lv-settings/, 'no marker is left');
      });

      it('names only strings that exist in en-US and zh-CN', function () {
        for (const lang of ['en-US', 'zh-CN']) {
          const catalog = messages(spec.type, lang);
          assert.deepEqual(keysOf(spec).filter((key) => !has(catalog, key)), [], `${lang} ${spec.type}`);
        }
      });
    });
  }

  it('keeps the AppKey, AppSecret and the sign-in secrets as Node-RED credentials, in the editor and the runtime', function () {
    const credentials = registered.get('link-visual-config')?.credentials ?? {};
    assert.deepEqual(Object.fromEntries(Object.entries(credentials).map(([name, entry]) => [name, entry.type])), CREDENTIALS);
    // The runtime registers the same (its registerType options, with a stub RED).
    let runtime: Record<string, { type: string }> = {};
    const route = () => undefined;
    registerConfig({
      nodes: { registerType: (_type: string, _node: unknown, options: { credentials: Record<string, { type: string }> }) => void (runtime = options.credentials) },
      httpAdmin: { get: route, post: route },
      auth: { needsPermission: () => route },
      settings: {},
    });
    assert.deepEqual(JSON.parse(JSON.stringify(runtime)), JSON.parse(JSON.stringify(credentials)));
  });

  it('accepts a flow made before the newer settings existed, in the editor and at run time, with their defaults', function () {
    const old: Record<string, Record<string, unknown>> = {
      'link-visual-config': { region: 'custom', endpoint: 'http://127.0.0.1:1', authMode: 'session', rateLimit: 5, timeout: 10 },
      'link-visual-download': { target: 'file', directory: '/tmp/lv', path: '{iotId}/{fileName}.mp4', overwrite: 'never', concurrency: 1, retries: 3 },
      'link-visual-on-event': { devices: 'cam-1', eventType: 0, interval: 30, startup: 'new', backfillMinutes: 60 },
      // Made before the status and other kinds existed: it takes them.
      'link-visual-push': { devices: 'cam-1', event: true, property: false, identifier: '' },
    };
    for (const [type, node] of Object.entries(old)) {
      const registration = registered.get(type) as Registration;
      for (const [name, entry] of Object.entries(registration.defaults)) {
        if (entry.validate) assert.equal(entry.validate.call(node, node[name], {}), true, `${type}.${name} of an older flow`);
      }
    }
    const download = readDownloadSettings({ id: 'd', type: 'link-visual-download', ...old['link-visual-download'] } as NodeDef, os.tmpdir());
    assert.equal(download.stallTimeoutMs, 30_000);
    assert.equal(download.transcodeTimeoutMs, 300_000);
    assert.equal(onEventSettings({ id: 'e', type: 'link-visual-on-event', ...old['link-visual-on-event'] } as NodeDef).sweepMs, 600_000);
    assert.deepEqual([...pushNodeSettings({ id: 'p', type: 'link-visual-push', ...old['link-visual-push'] } as NodeDef).kinds], ['event', 'status', 'other']);
    const account = old['link-visual-config'];
    assert.equal(clientOptionsFrom(account, { appKey: 'k', appSecret: 's', identityId: 'i', refreshToken: 'r' }).options.rateLimit, 5);
    assert.equal(pushSettingsFrom(account, 'k', os.tmpdir()), undefined, 'push stays off');
  });

  it('fails the build when a template places a row twice, leaves one out or names an unknown setting', function () {
    const template = fs.readFileSync(path.join(root, 'nodes', 'download', 'link-visual-download.html'), 'utf8');
    assert.doesNotThrow(() => generator.fillSettings(template, downloadSettingsSpec, 'download.html'));
    assert.throws(() => generator.fillSettings(template.replace('@lv-settings target directory path', '@lv-settings target directory path retries'), downloadSettingsSpec, 'download.html'), /retries is placed twice/);
    assert.throws(() => generator.fillSettings(template.replace('@lv-settings target directory path', '@lv-settings target directory'), downloadSettingsSpec, 'download.html'), /places the rows of path/);
    assert.throws(() => generator.fillSettings(template.replace('@lv-settings target directory path', '@lv-settings target directory path stall'), downloadSettingsSpec, 'download.html'), /names stall, which is not a setting/);
    assert.throws(() => generator.fillSettings(template.replace('/* @lv-settings-defaults */', ''), downloadSettingsSpec, 'download.html'), /@lv-settings-defaults \*\/ is missing/);
  });

  it('flags a push node with no kind ticked once, naming the group, as the runtime refuses it', function () {
    const defaults = (registered.get('link-visual-push') as Registration).defaults;
    const none = { devices: '', event: false, property: false, onlineStatus: false, other: false, identifier: '' };
    const check = defaults.event.validate as Validate;
    assert.equal(check.call(none, false, {}), 'kinds: tick at least 1 of event, property, onlineStatus, other');
    for (const kind of ['property', 'onlineStatus', 'other']) {
      assert.equal(defaults[kind].validate, undefined, `${kind}: the group's rule is checked on its first box only`);
      assert.equal(check.call({ ...none, [kind]: true }, false, {}), true, `${kind} ticked`);
    }
    assert.equal(check.call({ ...none, onlineStatus: undefined }, false, {}), true, 'a kind the flow lacks is ticked');
    assert.throws(() => pushNodeSettings({ id: 'p', type: 'link-visual-push', ...none } as NodeDef), { code: 'CONFIG', message: 'push settings: kinds needs at least one of event, property, onlineStatus, other ticked' });
  });

  it("reads a push node's online/offline box from onlineStatus, from `status` only in flows saved before the rename, never from Node-RED's status object", function () {
    const read = (node: Record<string, unknown>) => [...pushNodeSettings({ id: 'p', type: 'link-visual-push', event: true, ...node } as NodeDef).kinds];
    assert.deepEqual(read({ onlineStatus: false }), ['event', 'property', 'other']);
    assert.deepEqual(read({ status: false }), ['event', 'property', 'other'], 'an older flow keeps its choice');
    assert.deepEqual(read({ status: 'false' }), ['event', 'property', 'other']);
    // The editor keeps each node's status in `status`: a deploy after a status was shown wrote it into the flow.
    assert.deepEqual(read({ status: { fill: 'green', shape: 'dot', text: 'connected' } }), ['event', 'property', 'status', 'other']);
    assert.deepEqual(read({ onlineStatus: false, status: { fill: 'green', shape: 'dot', text: 'connected' } }), ['event', 'property', 'other']);
    assert.deepEqual(read({ onlineStatus: true, status: false }), ['event', 'property', 'status', 'other'], 'the new property wins');
    const check = (registered.get('link-visual-push') as Registration).defaults.event.validate as Validate;
    assert.equal(check.call({ event: false, property: false, other: false, status: { fill: 'red', shape: 'ring', text: 'lost' } }, false, {}), true, 'online/offline ticked by default');
  });

  it('puts the checkboxes of a group in one row, and fails the build when a template splits them or reorders them', function () {
    const template = fs.readFileSync(path.join(root, 'nodes', 'push', 'link-visual-push.html'), 'utf8');
    const html = generator.fillSettings(template, pushSettingsSpec, 'push.html');
    const row = /<div class="form-row" data-lv-group="kinds">([\S\s]*?)\n\s*<\/div>/.exec(html);
    assert.ok(row, 'one row for the kinds');
    assert.match(row[1], /data-i18n="link-visual-push\.label\.kinds"/, 'headed by the group\'s label');
    for (const kind of ['event', 'property', 'onlineStatus', 'other']) {
      assert.match(row[1], new RegExp(`<input type="checkbox" id="node-input-${kind}"[^>]*><span data-i18n="link-visual-push\\.label\\.${kind}"></span>`), `${kind}: its box and label in the row`);
    }
    const marker = '@lv-settings devices event property onlineStatus other identifier';
    assert.ok(template.includes(marker));
    assert.throws(() => generator.fillSettings(template.replace(marker, '@lv-settings devices event property identifier onlineStatus other'), pushSettingsSpec, 'push.html'), /checkboxes of group kinds together/);
    assert.throws(() => generator.fillSettings(template.replace(marker, '@lv-settings devices property event onlineStatus other identifier'), pushSettingsSpec, 'push.html'), /checkboxes of group kinds together/);
  });
});
