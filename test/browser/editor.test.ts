// The editor in a real browser: playwright-core driving Debian's Chromium against a real Node-RED that this
// test starts (a temporary user directory with this checkout linked into its node_modules, as `npm start`
// does) and the emulator, started in this process. Runs after `npm run build` (it loads dist/).
//
// One Node-RED and one Chromium serve the whole file; the tests run in order and build on each other, as a
// user's first session would: the palette, dropping every node type on the canvas, adding an account from a
// node's dialog and testing its connection, painting a weekly schedule, picking a camera before anything is
// deployed, every edit dialog, deploying, the help sidebar, and the editor in Chinese.
//
// Screenshots: test-output/browser/*.png (git-ignored), with Node-RED's log beside them.
// No Chromium at /usr/bin/chromium (or $CHROMIUM_PATH): skipped with a warning, except with CI=true, where
// it fails (.ci/run installs Debian's chromium).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import type { EmulatorHandle } from '../../lib';
import { type NodeRed, startNodeRed, stopNodeRed, writeSettings } from '../helpers/red-process';

const root = path.resolve(__dirname, '..', '..');
const MODULE = 'node-red-contrib-link-visual';
const CONFIG_TYPE = 'link-visual-config';
const CATEGORY = 'Link Visual';
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARTEFACTS = path.join(root, 'test-output', 'browser');
const TAB_ID = 'lv-browser-tab';
const STEP_MS = 15_000;

// The node sets package.json promises, and the node types their editor .html registers.
interface NodeSet {
  set: string;
  basename: string;
  /** The built node's directory (dist/nodes/<dir>): the locales there are what Node-RED serves. */
  dir: string;
  types: string[];
}

function nodeSets(): NodeSet[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
  return Object.entries(pkg['node-red'].nodes).map(([set, file]) => {
    const js = path.join(root, file);
    const html = fs.readFileSync(js.replace(/\.js$/, '.html'), 'utf8');
    const types = [...html.matchAll(/RED\.nodes\.registerType\(\s*['"]([^'"]+)['"]/g)].map((match) => match[1]);
    return { set, basename: path.basename(js, '.js'), dir: path.dirname(js), types };
  });
}

/** The text of the first paragraph of a help file (tags and whitespace collapsed), or undefined without one. */
function helpFirstParagraph(set: NodeSet, lang: string): string | undefined {
  const file = path.join(set.dir, 'locales', lang, `${set.basename}.html`);
  if (!fs.existsSync(file)) return undefined;
  const match = /<p>([\s\S]*?)<\/p>/.exec(fs.readFileSync(file, 'utf8'));
  return match ? collapse(decodeEntities(match[1].replace(/<[^>]+>/g, ''))) : undefined;
}

function decodeEntities(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function catalog(set: NodeSet, lang: string): Record<string, unknown> {
  const file = path.join(set.dir, 'locales', lang, `${set.basename}.json`);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
}

function lookup(messages: Record<string, unknown>, key: string): string | undefined {
  let value: unknown = messages;
  for (const part of key.split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return typeof value === 'string' ? value : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Just what these tests use of the editor's globals (Node-RED ships no editor types).

interface EditorNode {
  id: string;
  type: string;
  z?: string;
  valid?: boolean;
  validationErrors?: string[];
  changed?: boolean;
  credentials?: Record<string, unknown>;
  [property: string]: unknown;
}

interface JQueryLike {
  (selector: string): JQueryLike;
  length: number;
  val(): unknown;
  typedInput(method: string, value?: string): unknown;
  is(selector: string): boolean;
  last(): JQueryLike;
  css(property: string): string;
}

interface EditorWindow {
  RED: {
    workspaces: { active(): string };
    nodes: {
      node(id: string): EditorNode | null;
      filterNodes(filter: { type?: string; z?: string }): EditorNode[];
      getType(type: string): { category?: string } | null;
      eachConfig(callback: (node: EditorNode) => boolean | void): void;
      dirty(): boolean;
    };
    editor: { edit(node: EditorNode): void; editConfig(name: string, type: string, id: string): void };
    actions: { invoke(name: string, ...args: unknown[]): void };
    view: { select(selection: string | { nodes: EditorNode[] }): void; redraw(full?: boolean): void };
    tray: { close(): void };
    _(key: string): string;
  };
  $: JQueryLike;
}

// ---------------------------------------------------------------------------------------------------------
// Node-RED, started as a child process

function writeUserDir(userDir: string): void {
  const modules = path.join(userDir, 'node_modules');
  fs.mkdirSync(modules, { recursive: true });
  // Node-RED loads modules from <userDir>/node_modules: link this checkout there (scripts/start-demo.js does the same).
  fs.symlinkSync(root, path.join(modules, MODULE), 'dir');
  writeSettings(userDir);
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify([{ id: TAB_ID, type: 'tab', label: 'Link Visual', disabled: false, info: '' }], null, 2));
}

async function getJson(red: NodeRed, route: string): Promise<unknown> {
  const response = await fetch(`${red.url}/${route}`, { headers: { Accept: 'application/json' } });
  assert.equal(response.status, 200, `GET /${route}: HTTP ${response.status}`);
  return response.json();
}

// ---------------------------------------------------------------------------------------------------------
// Browser helpers

interface PageProblem {
  kind: 'console' | 'pageerror' | 'http';
  text: string;
}

async function waitForEditor(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const w = globalThis as unknown as EditorWindow;
      try {
        return !!(w.RED && w.RED.workspaces && w.RED.workspaces.active()) && !w.$('#red-ui-loading-progress').is(':visible');
      } catch {
        return false;
      }
    },
    undefined,
    { timeout: 30_000 },
  );
  // The palette fills in after the workspace shows.
  await page.locator(`.red-ui-palette-node[data-palette-type]`).first().waitFor({ timeout: STEP_MS });
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTEFACTS, `${name}.png`) });
}

/** The edit tray the user sees (Node-RED keeps one tray element and swaps stacked dialogs in and out of it). */
function topTray(page: Page) {
  return page.locator('.red-ui-tray').last();
}

/** Waits until the dialog whose main button is `buttonId` shows, and its tray has slid in (a CSS transition of `right`). */
async function waitForDialog(page: Page, buttonId: string): Promise<void> {
  await page.locator(`#${buttonId}`).waitFor({ state: 'visible', timeout: STEP_MS });
  await page.waitForFunction(() => (globalThis as unknown as EditorWindow).$('.red-ui-tray').last().css('right') === '0px', undefined, { timeout: STEP_MS });
}

async function openNodeDialog(page: Page, id: string): Promise<void> {
  await page.evaluate((nodeId) => {
    const w = globalThis as unknown as EditorWindow;
    const node = w.RED.nodes.node(nodeId);
    if (!node) throw new Error(`no node ${nodeId}`);
    w.RED.editor.edit(node);
  }, id);
  await waitForDialog(page, 'node-dialog-ok');
}

async function openConfigDialog(page: Page, id: string): Promise<void> {
  await page.evaluate(([type, nodeId]) => (globalThis as unknown as EditorWindow).RED.editor.editConfig('', type, nodeId), [CONFIG_TYPE, id] as const);
  await waitForDialog(page, 'node-config-dialog-ok');
}

/**
 * Clicks a dialog button (OK/Done, Add/Update, Cancel, Close) until its dialog goes away: the editor can
 * swallow a click while it redraws. `next` is the main button of the dialog underneath, if any.
 */
async function closeTrayWith(page: Page, buttonId: string, next?: string): Promise<void> {
  const button = page.locator(`#${buttonId}`);
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await button.isVisible()) await button.click({ timeout: 2_000 }).catch(() => undefined);
    try {
      await button.waitFor({ state: 'hidden', timeout: 3_000 });
      if (next) await waitForDialog(page, next);
      else await page.waitForFunction(() => (globalThis as unknown as EditorWindow).$('.red-ui-tray').length === 0, undefined, { timeout: 3_000 });
      return;
    } catch {
      // try again
    }
  }
  throw new Error(`the dialog did not close with #${buttonId}`);
}

/** Sets a TypedInput's type and value the way its menu and text box would. */
async function setTypedInput(page: Page, property: string, type: string, value: string): Promise<void> {
  await page.evaluate(
    ([prop, t, v]) => {
      const w = globalThis as unknown as EditorWindow;
      const input = w.$(`#node-input-${prop}`);
      input.typedInput('type', t);
      input.typedInput('value', v);
    },
    [property, type, value] as const,
  );
}

// ---------------------------------------------------------------------------------------------------------

describe('editor in a real browser (Chromium, Node-RED, emulator)', function () {
  this.timeout(60_000);

  let sets: NodeSet[] = [];
  let allTypes: string[] = [];
  let paletteTypes: string[] = [];
  const problems: PageProblem[] = [];
  const ids: Record<string, string> = {};
  let emulator: EmulatorHandle | undefined;
  let red: NodeRed | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let userDir = '';
  let configId = '';
  let started = 0;

  /** Problems reported by the page since `mark`. */
  const since = (mark: number): PageProblem[] => problems.slice(mark);
  const describeProblems = (list: PageProblem[]): string => list.map((p) => `${p.kind}: ${p.text}`).join('\n');

  before(async function () {
    this.timeout(120_000);
    started = Date.now();
    if (!fs.existsSync(CHROMIUM)) {
      if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (.ci/run does)`);
      console.warn(
        `\n  ${'!'.repeat(100)}\n  !! SKIPPING the browser tests of the editor: no Chromium at ${CHROMIUM}.\n` +
          `  !! Install it (apt-get install -y chromium) or set CHROMIUM_PATH. In CI (CI=true) this is a failure.\n  ${'!'.repeat(100)}\n`,
      );
      this.skip();
    }
    assert.ok(fs.existsSync(path.join(root, 'dist', 'lib', 'index.js')), 'dist/ is missing: run `npm run build` first');
    sets = nodeSets();
    allTypes = sets.flatMap((set) => set.types);
    paletteTypes = allTypes.filter((type) => type !== CONFIG_TYPE);
    assert.ok(paletteTypes.length >= 10, `expected every node type of package.json, found ${allTypes.join(', ')}`);
    fs.mkdirSync(ARTEFACTS, { recursive: true });
    for (const file of fs.readdirSync(ARTEFACTS)) if (/\.(png|log)$/.test(file)) fs.rmSync(path.join(ARTEFACTS, file));

    // Required at run time so that a missing dist/ fails with the message above rather than at load.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { startEmulator } = require(path.join(root, 'dist', 'lib')) as typeof import('../../lib');
    emulator = await startEmulator({ port: 0 });
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-browser-'));
    writeUserDir(userDir);
    red = await startNodeRed(userDir);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // Without the background-networking flags, Chromium's own connections are refused on these machines.
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    page = await context.newPage();
    page.setDefaultTimeout(STEP_MS);
    page.on('console', (message) => {
      // Errors, and the warnings the package's editor script logs when it swallows a bug of its own.
      if (message.type() === 'error' || (message.type() === 'warning' && message.text().startsWith('link-visual'))) {
        problems.push({ kind: 'console', text: `${message.type()}: ${message.text()} (${message.location().url})` });
      }
    });
    page.on('pageerror', (error) => problems.push({ kind: 'pageerror', text: error.stack || error.message }));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push({ kind: 'http', text: `${response.status()} ${response.request().method()} ${response.url()}` });
    });
    await page.goto(`${red.url}/`);
    await waitForEditor(page);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) {
      const name = `failed-${(this.currentTest.title || 'test').replace(/[^\w]+/g, '-').slice(0, 60)}`;
      await screenshot(page, name).catch(() => undefined);
      // Close whatever dialogs the failure left open, so that the next tests start from the workspace.
      for (let attempt = 0; attempt < 6; attempt++) {
        const open = await page.evaluate(() => (globalThis as unknown as EditorWindow).$('.red-ui-tray').length).catch(() => 0);
        if (!open) break;
        await page.evaluate(() => (globalThis as unknown as EditorWindow).RED.tray.close()).catch(() => undefined);
        await page.waitForTimeout(500);
      }
    }
  });

  after(async function () {
    this.timeout(60_000);
    const errors: unknown[] = [];
    const attempt = async (work: () => Promise<unknown> | undefined) => {
      try {
        await work();
      } catch (error) {
        errors.push(error);
      }
    };
    await attempt(() => context?.close());
    await attempt(() => browser?.close());
    await attempt(() => stopNodeRed(red));
    await attempt(() => emulator?.close());
    if (red) await attempt(async () => fs.writeFileSync(path.join(ARTEFACTS, 'node-red.log'), red!.log.join('\n')));
    if (userDir) await attempt(async () => fs.rmSync(userDir, { recursive: true, force: true }));
    if (browser) console.log(`      (browser suite: ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${path.relative(root, ARTEFACTS)}/)`);
    if (errors.length) throw errors[0];
  });

  it(`the palette shows the "${CATEGORY}" category with every node type, and Node-RED loaded every node set`, async () => {
    const nodes = (await getJson(red!, 'nodes')) as { id: string; module: string; enabled: boolean; err?: string; types: string[] }[];
    const ours = nodes.filter((set) => set.module === MODULE);
    assert.deepEqual(ours.map((set) => set.id.split('/')[1]).sort(), sets.map((set) => set.set).sort(), 'the node sets Node-RED knows');
    for (const set of ours) {
      assert.equal(set.err, undefined, `${set.id}: ${set.err}`);
      assert.equal(set.enabled, true, `${set.id} is not enabled`);
    }

    // Node-RED's ids for a palette category: the name with ASCII other than letters, digits and "-" as "_".
    const categoryId = CATEGORY.replace(/[^A-Za-z0-9\-\u0080-\uffff]/g, '_');
    const category = page.locator(`#red-ui-palette-container-${categoryId}`);
    await category.waitFor({ state: 'visible' });
    assert.equal(collapse((await page.locator(`#red-ui-palette-header-${categoryId}`).textContent()) ?? ''), CATEGORY);
    const shown = await category.locator('.red-ui-palette-node[data-palette-type]').evaluateAll((elements) => elements.map((element) => element.getAttribute('data-palette-type')));
    // The Dashboard 2 widget (ui-*) sits with Dashboard 2's widgets, in its "dashboard 2" category.
    const linkVisualTypes = paletteTypes.filter((type) => !type.startsWith('ui-'));
    assert.deepEqual([...shown].sort(), [...linkVisualTypes].sort(), `the "${CATEGORY}" palette category`);
    for (const type of linkVisualTypes) {
      await category.locator(`.red-ui-palette-node[data-palette-type="${type}"]`).waitFor({ state: 'visible' });
    }
    const configCategory = await page.evaluate((type) => (globalThis as unknown as EditorWindow).RED.nodes.getType(type)?.category, CONFIG_TYPE);
    assert.equal(configCategory, 'config', `${CONFIG_TYPE} is registered as a config node`);
    await screenshot(page, '01-palette');
    assert.deepEqual(problems, [], `the editor reported problems while loading:\n${describeProblems(problems)}`);
  });

  it('every node type drops from the palette onto the canvas', async () => {
    const chart = await page.locator('#red-ui-workspace-chart').boundingBox();
    assert.ok(chart, 'the workspace is visible');
    for (const [index, type] of paletteTypes.entries()) {
      const paletteNode = page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`);
      await paletteNode.scrollIntoViewIfNeeded();
      const from = await paletteNode.boundingBox();
      assert.ok(from, `${type} is in the palette`);
      const x = chart.x + 160 + (index % 3) * 260;
      const y = chart.y + 80 + Math.floor(index / 3) * 90;
      await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
      await page.mouse.down();
      await page.mouse.move(from.x + from.width / 2 + 20, from.y + from.height / 2 + 5, { steps: 4 });
      await page.mouse.move(x, y, { steps: 12 });
      await page.mouse.up();
      const id = await page.waitForFunction(
        (t) => {
          const found = (globalThis as unknown as EditorWindow).RED.nodes.filterNodes({ type: t });
          return found.length === 1 ? found[0].id : undefined;
        },
        type,
        { timeout: 5_000 },
      );
      ids[type] = (await id.jsonValue()) as string;
    }
    await page.evaluate(() => (globalThis as unknown as EditorWindow).RED.view.select(''));
    await screenshot(page, '02-canvas');
  });

  it("the account dialog's Test connection button reports success against the emulator", async () => {
    const plan = ids['link-visual-plan'];
    assert.ok(plan, 'a plan node is on the canvas');
    await openNodeDialog(page, plan);
    // A user's first account: the + button next to "Account" in the plan node's dialog.
    await topTray(page).locator('#node-input-btn-account-add').click();
    await waitForDialog(page, 'node-config-dialog-ok');
    const tray = topTray(page);
    await tray.locator('#node-config-input-name').fill('Emulator');
    await tray.locator('#node-config-input-region').selectOption('custom');
    await tray.locator('#node-config-input-endpoint').fill(emulator!.url);
    await tray.locator('#node-config-input-appKey').fill(emulator!.appKey);
    await tray.locator('#node-config-input-appSecret').fill(emulator!.appSecret);
    await tray.locator('#node-config-input-authMode').selectOption('session');
    await tray.locator('#node-config-input-identityId').fill(emulator!.identityId);
    await tray.locator('#node-config-input-refreshToken').fill(emulator!.refreshToken);
    await tray.locator('#node-config-lv-test').click();
    const result = tray.locator('.lv-test-result');
    await result.locator('.fa-check, .fa-exclamation-triangle').first().waitFor({ state: 'visible' });
    const text = collapse((await result.textContent()) ?? '');
    assert.ok(await result.evaluate((element) => element.classList.contains('lv-ok')), `the test failed: ${text}`);
    assert.match(text, new RegExp(`Connected to ${emulator!.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(text, new RegExp(`${emulator!.cameras.length} device`), `the emulator has ${emulator!.cameras.length} cameras: ${text}`);
    await result.scrollIntoViewIfNeeded();
    await screenshot(page, '03-account-test-connection');

    await closeTrayWith(page, 'node-config-dialog-ok', 'node-dialog-ok');
    configId = (await page.evaluate(() => {
      const w = globalThis as unknown as EditorWindow;
      return String(w.$('#node-input-account').val() || '');
    })) as string;
    assert.ok(configId && configId !== '_ADD_', 'the new account is selected in the plan dialog');
    await closeTrayWith(page, 'node-dialog-cancel');
    const config = await page.evaluate((id) => {
      const node = (globalThis as unknown as EditorWindow).RED.nodes.node(id);
      return node ? { type: node.type, endpoint: node.endpoint, region: node.region, hasSecret: typeof node.credentials?.appSecret === 'string' } : null;
    }, configId);
    assert.deepEqual(config, { type: CONFIG_TYPE, endpoint: emulator!.url, region: 'custom', hasSecret: true });
  });

  it("the account dialog's Push section: rows shown with the checkbox, checked as the runtime checks them, saved as push, pushEndpoint, consumerGroup, clientId", async () => {
    assert.ok(configId, 'needs the account added by the test before');
    const mark = problems.length;
    await openConfigDialog(page, configId);
    const tray = topTray(page);
    const push = tray.locator('#node-config-input-push');
    const fields = ['pushEndpoint', 'consumerGroup', 'clientId'].map((name) => tray.locator(`#node-config-input-${name}`));
    const [endpoint, group, client] = fields;
    const hasError = (field: typeof endpoint) => field.evaluate((element) => element.classList.contains('input-error'));
    assert.equal(await push.isChecked(), false, 'push starts off');
    for (const field of fields) assert.equal(await field.isVisible(), false, 'the push rows are hidden while push is off');

    await push.check();
    for (const field of fields) await field.waitFor({ state: 'visible' });
    // What the runtime refuses (lib/push/push-url.ts, the id rule of settings-spec.ts) is flagged as it is typed.
    for (const [field, bad] of [[endpoint, 'amqp://example.com'], [endpoint, 'https://example.com'], [group, 'a group'], [client, 'x'.repeat(65)]] as const) {
      await field.fill(bad);
      await field.press('Tab');
      assert.equal(await hasError(field), true, `${bad.slice(0, 30)} is flagged`);
    }
    await tray.locator('[data-lv-setting="clientId"]').scrollIntoViewIfNeeded();
    await screenshot(page, '03b-account-push-invalid');
    // An empty AMQP host means the region's data-sync host: this account's region is custom, which has none.
    await endpoint.fill('');
    await endpoint.press('Tab');
    assert.equal(await hasError(endpoint), true, 'a custom region needs an AMQP host');
    // Empty, the consumer group and the client id take the AppKey and this instance's id: fine.
    for (const field of [group, client]) {
      await field.fill('');
      await field.press('Tab');
      assert.equal(await hasError(field), false, 'an empty id is fine');
    }
    await endpoint.fill('amqp://127.0.0.1:5672');
    await group.fill('lv-browser');
    await client.fill('node-red:browser-test');
    for (const field of fields) {
      await field.press('Tab');
      assert.equal(await hasError(field), false, `${await field.getAttribute('id')} is valid`);
    }
    await tray.locator('[data-lv-setting="clientId"]').scrollIntoViewIfNeeded();
    await screenshot(page, '03c-account-push');

    await closeTrayWith(page, 'node-config-dialog-ok');
    const saved = async () =>
      page.evaluate((id) => {
        const node = (globalThis as unknown as EditorWindow).RED.nodes.node(id)!;
        return { push: node.push, pushEndpoint: node.pushEndpoint, consumerGroup: node.consumerGroup, clientId: node.clientId, valid: node.valid, errors: node.validationErrors };
      }, configId);
    const on = await saved();
    assert.equal(on.valid, true, JSON.stringify(on.errors));
    assert.deepEqual({ ...on, valid: undefined, errors: undefined }, { push: true, pushEndpoint: 'amqp://127.0.0.1:5672', consumerGroup: 'lv-browser', clientId: 'node-red:browser-test', valid: undefined, errors: undefined });

    // Turned off again (the emulator of this suite has no AMQP endpoint): the rows hide, their values stay.
    await openConfigDialog(page, configId);
    assert.equal(await topTray(page).locator('#node-config-input-push').isChecked(), true);
    assert.equal(await topTray(page).locator('#node-config-input-consumerGroup').inputValue(), 'lv-browser');
    await topTray(page).locator('#node-config-input-push').uncheck();
    await topTray(page).locator('#node-config-input-pushEndpoint').waitFor({ state: 'hidden' });
    await closeTrayWith(page, 'node-config-dialog-ok');
    const off = await saved();
    assert.equal(off.push, false);
    assert.equal(off.consumerGroup, 'lv-browser');
    assert.equal(off.valid, true, JSON.stringify(off.errors));
    assert.deepEqual(since(mark), [], describeProblems(since(mark)));
  });

  it("the push node's dialog: the kinds in one row, a kind the flow lacks ticked, none ticked flagged as the runtime refuses it", async () => {
    const push = ids['link-visual-push'];
    assert.ok(configId && push, 'needs the push node and the account of the tests before');
    const mark = problems.length;
    const kinds = ['event', 'property', 'onlineStatus', 'other'];
    const saved = async () =>
      page.evaluate(
        ([id, names]) => {
          const node = (globalThis as unknown as EditorWindow).RED.nodes.node(id)!;
          return { kinds: names.map((name) => node[name]), valid: node.valid, errors: node.validationErrors };
        },
        [push, kinds] as const,
      );
    // A node saved before the online/offline and other kinds existed lacks them: the runtime takes them (default true).
    await page.evaluate((id) => {
      const node = (globalThis as unknown as EditorWindow).RED.nodes.node(id)!;
      delete node.onlineStatus;
      delete node.other;
    }, push);
    await openNodeDialog(page, push);
    const row = topTray(page).locator('[data-lv-group="kinds"]');
    for (const kind of kinds) assert.equal(await row.locator(`#node-input-${kind}`).isChecked(), true, `${kind} is ticked`);
    await topTray(page).locator('#node-input-account').selectOption(configId);
    for (const kind of kinds) await row.locator(`#node-input-${kind}`).uncheck();
    assert.equal(await row.locator('#node-input-event').evaluate((element) => element.classList.contains('input-error')), true, 'flagged in the dialog');
    const colour = (label: ReturnType<typeof row.locator>) =>
      label.evaluate((element) => (globalThis as unknown as { getComputedStyle(of: typeof element): { color: string } }).getComputedStyle(element).color);
    assert.notEqual(await colour(row.locator('> label')), await colour(topTray(page).locator('[data-lv-setting="identifier"] > label')), "the group's label shows the error");
    await screenshot(page, '03d-push-no-kind');
    await closeTrayWith(page, 'node-dialog-ok');
    const none = await saved();
    assert.deepEqual(none.kinds, [false, false, false, false]);
    assert.equal(none.valid, false, 'no kind ticked: the runtime would refuse it');
    assert.deepEqual(none.errors, ['Messages: tick at least 1 of events, properties, online/offline, other'], 'named once, by the group');

    await openNodeDialog(page, push);
    await topTray(page).locator('[data-lv-group="kinds"] #node-input-event').check();
    await closeTrayWith(page, 'node-dialog-ok');
    const one = await saved();
    assert.deepEqual(one.kinds, [true, false, false, false]);
    assert.equal(one.valid, true, JSON.stringify(one.errors));
    assert.deepEqual(since(mark), [], describeProblems(since(mark)));
  });

  const painted = [1, 2, 3].map((dayOfWeek) => ({ dayOfWeek, begin: 8 * 3600, end: 10 * 3600 }));

  it('the weekly schedule grid paints a section and the saved node holds the matching timeSectionList', async () => {
    assert.ok(configId, 'needs the account added by the test before');
    const plan = ids['link-visual-plan'];
    await openNodeDialog(page, plan);
    const tray = topTray(page);
    await tray.locator('#node-input-account').selectOption(configId);
    await tray.locator('#node-input-operation').selectOption('set');
    await tray.locator('#node-input-kind').selectOption('record');
    await tray.locator('.lv-param[data-lv-property="planName"] input.red-ui-typedInput-input').fill('Office hours');
    const grid = tray.locator('.lv-schedule-grid');
    await grid.waitFor({ state: 'visible' });
    // Monday 08:00 to Wednesday 10:00: slots 16…19 of days 1…3.
    const start = tray.locator('.lv-schedule-cell[data-day="1"][data-slot="16"]');
    const end = tray.locator('.lv-schedule-cell[data-day="3"][data-slot="19"]');
    await start.scrollIntoViewIfNeeded();
    const a = await start.boundingBox();
    const b = await end.boundingBox();
    assert.ok(a && b, 'the grid cells are laid out');
    await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await page.mouse.down();
    await page.mouse.move((a.x + b.x) / 2 + a.width / 2, (a.y + b.y) / 2 + a.height / 2, { steps: 5 });
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
    await page.mouse.up();

    const on = await tray.locator('.lv-schedule-cell.lv-on').evaluateAll((cells) => cells.map((cell) => `${cell.getAttribute('data-day')}:${cell.getAttribute('data-slot')}`));
    assert.deepEqual(on.sort(), ['1:16', '1:17', '1:18', '1:19', '2:16', '2:17', '2:18', '2:19', '3:16', '3:17', '3:18', '3:19'].sort(), 'the painted cells');
    assert.match(collapse((await tray.locator('.lv-schedule-info').textContent()) ?? ''), /3 section\(s\), 6 h a week/);
    await screenshot(page, '04-schedule-grid');

    const mark = problems.length;
    await closeTrayWith(page, 'node-dialog-ok');
    const saved = await page.evaluate((id) => {
      const node = (globalThis as unknown as EditorWindow).RED.nodes.node(id)!;
      return { operation: node.operation, kind: node.kind, account: node.account, planName: node.planName, allDay: node.allDay, timeSectionList: node.timeSectionList, timeSectionListType: node.timeSectionListType, valid: node.valid, errors: node.validationErrors };
    }, plan);
    assert.equal(saved.timeSectionListType, 'json');
    assert.deepEqual(JSON.parse(String(saved.timeSectionList)), painted);
    assert.equal(saved.operation, 'set');
    assert.equal(saved.account, configId);
    assert.equal(saved.planName, 'Office hours');
    assert.equal(saved.allDay, '0', 'painting a schedule turns "all day" off');
    assert.equal(saved.valid, true, `the plan node is valid: ${JSON.stringify(saved.errors)}`);
    assert.deepEqual(since(mark), [], describeProblems(since(mark)));
  });

  it("the device picker lists the emulator's cameras before anything is deployed", async () => {
    assert.ok(configId && ids['link-visual-snapshot'], 'needs the snapshot node and the account of the tests before');
    const deployed = (await getJson(red!, 'flows')) as { type: string }[];
    assert.ok(!deployed.some((node) => node.type === CONFIG_TYPE), 'the account is not deployed yet');
    const snapshot = ids['link-visual-snapshot'];
    await openNodeDialog(page, snapshot);
    const tray = topTray(page);
    await tray.locator('#node-input-account').selectOption(configId);
    const row = tray.locator('.lv-param[data-lv-property="iotId"]');
    await row.locator('.lv-picker-button').click();
    const select = row.locator('select.lv-picker-select');
    await select.waitFor({ state: 'visible' });
    const options = await select.locator('option').evaluateAll((elements) => elements.map((element) => (element as unknown as { value: string }).value).filter(Boolean));
    assert.deepEqual([...options].sort(), [...emulator!.cameras].sort(), 'the picker lists the cameras of the account');
    await screenshot(page, '05-device-picker');
    await select.selectOption(emulator!.cameras[0]);
    await closeTrayWith(page, 'node-dialog-ok');
    const saved = await page.evaluate((id) => {
      const node = (globalThis as unknown as EditorWindow).RED.nodes.node(id)!;
      return { iotId: node.iotId, iotIdType: node.iotIdType, account: node.account, valid: node.valid };
    }, snapshot);
    assert.deepEqual(saved, { iotId: emulator!.cameras[0], iotIdType: 'str', account: configId, valid: true });
  });

  it('every edit dialog opens without console errors, and saves a valid node', async () => {
    assert.ok(configId && paletteTypes.every((type) => ids[type]), 'needs the nodes and the account of the tests before');
    for (const type of allTypes) {
      const mark = problems.length;
      if (type === CONFIG_TYPE) {
        await openConfigDialog(page, configId);
        await topTray(page).locator('#node-config-input-region').waitFor({ state: 'visible' });
        await screenshot(page, `06-dialog-${type}`);
        await closeTrayWith(page, 'node-config-dialog-cancel');
        assert.deepEqual(since(mark), [], `${type}:\n${describeProblems(since(mark))}`);
        continue;
      }
      const id = ids[type];
      await openNodeDialog(page, id);
      const tray = topTray(page);
      await tray.locator('#node-input-name').waitFor({ state: 'attached' });
      await screenshot(page, `06-dialog-${type}`);
      // Make the node deployable the way a user would: the account, and every required field that is still
      // empty (a camera for iotId, else "from msg").
      if ((await tray.locator('#node-input-account').inputValue()) !== configId) await tray.locator('#node-input-account').selectOption(configId);
      // Rows the editor marks: required and empty, or failing validation (e.g. "give planId / planName").
      const missing = await tray.locator('.lv-param[data-lv-property]:visible').evaluateAll((rows) =>
        rows
          .filter((row) => {
            const property = row.getAttribute('data-lv-property') as string;
            const w = globalThis as unknown as EditorWindow;
            const empty = String(w.$(`#node-input-${property}`).typedInput('value') ?? '').trim() === '';
            return (empty && row.querySelector('label.lv-required')) || row.querySelector('.red-ui-typedInput-container.input-error');
          })
          .map((row) => row.getAttribute('data-lv-property') as string),
      );
      for (const property of missing) {
        if (property === 'iotId') await tray.locator('.lv-param[data-lv-property="iotId"] input.red-ui-typedInput-input').fill(emulator!.cameras[1]);
        else await setTypedInput(page, property, 'msg', property);
      }
      if (type === 'link-visual-api' && !(await tray.locator('#node-input-operation').inputValue())) await tray.locator('#node-input-operation').fill('listDevices');
      if (type === 'link-visual-download' && !(await tray.locator('#node-input-directory').inputValue())) await tray.locator('#node-input-directory').fill(path.join(userDir, 'downloads'));
      await closeTrayWith(page, 'node-dialog-ok');
      const saved = await page.evaluate((nodeId) => {
        const node = (globalThis as unknown as EditorWindow).RED.nodes.node(nodeId)!;
        return { valid: node.valid, errors: node.validationErrors };
      }, id);
      assert.equal(saved.valid, true, `${type} is not valid after its dialog: ${JSON.stringify(saved.errors)}`);
      assert.deepEqual(since(mark), [], `${type}:\n${describeProblems(since(mark))}`);
    }
  });

  it('deploys: GET /flows holds every node and the schedule, and no secret', async () => {
    assert.ok(configId, 'needs the account of the tests before');
    await page.evaluate(() => (globalThis as unknown as EditorWindow).RED.actions.invoke('core:deploy-flows'));
    // Either deployed, or a confirmation ("nodes that are not properly configured…") that a user would have to answer.
    await page.waitForFunction(() => {
      const w = globalThis as unknown as EditorWindow;
      return !w.RED.nodes.dirty() || w.$('.red-ui-notification .ui-dialog-buttonset, .red-ui-notification button').length > 0;
    }, undefined, { timeout: STEP_MS });
    const confirmation = page.locator('.red-ui-notification').filter({ has: page.locator('button') });
    const asked = (await confirmation.allTextContents()).map(collapse);
    if (asked.length) await confirmation.locator('button', { hasText: /cancel/i }).first().click().catch(() => undefined);
    assert.deepEqual(asked, [], 'the deploy asked for a confirmation');
    await page.waitForFunction(() => !(globalThis as unknown as EditorWindow).RED.nodes.dirty(), undefined, { timeout: STEP_MS });
    await page.locator('.red-ui-notification-success').first().waitFor({ state: 'visible' });
    await screenshot(page, '07-deployed');

    const response = await fetch(`${red!.url}/flows`, { headers: { Accept: 'application/json' } });
    assert.equal(response.status, 200);
    const raw = await response.text();
    const flows = JSON.parse(raw) as { id: string; type: string; [property: string]: unknown }[];
    for (const type of allTypes) assert.ok(flows.some((node) => node.type === type), `${type} is deployed`);
    const config = flows.find((node) => node.id === configId);
    assert.ok(config, 'the account is deployed');
    assert.equal(config.endpoint, emulator!.url);
    assert.equal(config.credentials, undefined, 'GET /flows carries no credentials');
    for (const secret of [emulator!.appSecret, emulator!.refreshToken]) assert.ok(!raw.includes(secret), 'a secret of the account is in GET /flows');
    const plan = flows.find((node) => node.id === ids['link-visual-plan'])!;
    assert.equal(plan.timeSectionListType, 'json');
    assert.deepEqual(JSON.parse(String(plan.timeSectionList)), painted);
    assert.equal(flows.find((node) => node.id === ids['link-visual-snapshot'])!.iotId, emulator!.cameras[0]);

    // The editor's view of the credentials: the password is only "set".
    const credentials = (await getJson(red!, `credentials/${CONFIG_TYPE}/${configId}`)) as Record<string, unknown>;
    assert.equal(credentials.has_appSecret, true);
    assert.equal(credentials.appSecret, undefined);
    assert.equal(credentials.appKey, emulator!.appKey);

    // The runtime started every node without an error in its log.
    const errors = red!.log.filter((line) => /\[error\]/.test(line));
    assert.deepEqual(errors, [], 'Node-RED logged errors');
  });

  it('help text renders in the sidebar for every node that has a help file', async () => {
    let checked = 0;
    for (const set of sets) {
      const first = helpFirstParagraph(set, 'en-US');
      for (const type of set.types) {
        if (!first) {
          console.log(`      (no locales/en-US/${set.basename}.html yet: help of ${type} not checked)`);
          continue;
        }
        await page.evaluate((t) => (globalThis as unknown as EditorWindow).RED.actions.invoke('core:show-help-tab', t), type);
        const help = page.locator('.red-ui-sidebar-info .red-ui-help').filter({ hasText: first.slice(0, 40) });
        await help.first().waitFor({ state: 'visible' });
        const text = collapse((await help.first().textContent()) ?? '');
        assert.ok(text.includes(first), `${type}: the help sidebar shows ${text.slice(0, 200)}`);
        checked++;
        if (type === 'link-visual-plan') await screenshot(page, '08-help-plan');
      }
    }
    assert.ok(checked > 0, 'no node has help text');
  });

  it('switched to Chinese (zh-CN) in the user settings, the editor shows translated labels', async () => {
    // The user's way: Settings → View → Language, close, reload.
    await page.evaluate(() => (globalThis as unknown as EditorWindow).RED.actions.invoke('core:show-user-settings'));
    const language = page.locator('#user-settings-editor-language');
    await language.waitFor({ state: 'visible' });
    await language.selectOption('zh-CN');
    await closeTrayWith(page, 'node-dialog-ok');
    const mark = problems.length;
    await page.reload();
    await waitForEditor(page);
    await page.waitForFunction((id) => !!(globalThis as unknown as EditorWindow).RED.nodes.node(id), configId);

    const setOf = (type: string) => sets.find((set) => set.types.includes(type))!;
    // Palette labels from the zh-CN catalogs.
    for (const type of paletteTypes) {
      const expected = lookup(catalog(setOf(type), 'zh-CN'), `${type}.paletteLabel`);
      if (!expected) continue;
      const label = collapse((await page.locator(`.red-ui-palette-node[data-palette-type="${type}"] .red-ui-palette-label`).textContent()) ?? '');
      assert.equal(label, expected, `palette label of ${type}`);
    }
    await page.locator(`.red-ui-palette-node[data-palette-type="${paletteTypes[0]}"]`).scrollIntoViewIfNeeded();
    await screenshot(page, '09-zh-CN-palette');

    // The account dialog in Chinese; Test connection with the deployed (stored) secrets.
    const config = catalog(setOf(CONFIG_TYPE), 'zh-CN');
    await openConfigDialog(page, configId);
    const tray = topTray(page);
    assert.equal(collapse((await tray.locator('label[for="node-config-input-region"]').textContent()) ?? ''), lookup(config, `${CONFIG_TYPE}.label.region`));
    assert.equal(collapse((await tray.locator('#node-config-lv-test').textContent()) ?? ''), lookup(config, `${CONFIG_TYPE}.test.button`));
    await tray.locator('#node-config-lv-test').click();
    const result = tray.locator('.lv-test-result');
    await result.locator('.fa-check, .fa-exclamation-triangle').first().waitFor({ state: 'visible' });
    const resultText = collapse((await result.textContent()) ?? '');
    assert.ok(await result.evaluate((element) => element.classList.contains('lv-ok')), `the test failed with the stored secrets: ${resultText}`);
    assert.ok(resultText.startsWith(String(lookup(config, `${CONFIG_TYPE}.test.ok`)).split('__')[0]), `Chinese test result: ${resultText}`);
    await result.scrollIntoViewIfNeeded();
    await screenshot(page, '10-zh-CN-account');
    await closeTrayWith(page, 'node-config-dialog-cancel');

    // An operation node's dialog: the shared labels in Chinese.
    await openNodeDialog(page, ids['link-visual-plan']);
    const operationLabel = collapse((await topTray(page).locator('label[for="node-input-operation"]').textContent()) ?? '');
    assert.equal(operationLabel, lookup(config, 'editor.label.operation'));
    await screenshot(page, '11-zh-CN-plan');
    await closeTrayWith(page, 'node-dialog-cancel');

    // Every select of every dialog has a label for each of its options, in Chinese too.
    for (const type of paletteTypes) {
      await openNodeDialog(page, ids[type]);
      // The dialog's own selects (Node-RED's TypedInput keeps a hidden one of its own, without an id).
      const empty = await topTray(page).locator('select[id^="node-input-"]').evaluateAll((selects) =>
        selects.flatMap((select) =>
          Array.from((select as unknown as { options: ArrayLike<{ text: string; value: string }> }).options)
            .filter((option) => option.text.trim() === '')
            .map((option) => `${(select as unknown as { id: string }).id}=${option.value}`),
        ),
      );
      if (type === 'link-visual-recordings') await screenshot(page, '11-zh-CN-recordings');
      await closeTrayWith(page, 'node-dialog-cancel');
      assert.deepEqual(empty, [], `${type}: options without a label in zh-CN`);
    }

    // Help in Chinese where the node has it.
    for (const set of sets) {
      const first = helpFirstParagraph(set, 'zh-CN');
      if (!first) continue;
      await page.evaluate((t) => (globalThis as unknown as EditorWindow).RED.actions.invoke('core:show-help-tab', t), set.types[0]);
      const help = page.locator('.red-ui-sidebar-info .red-ui-help').filter({ hasText: first.slice(0, 20) }).first();
      await help.waitFor({ state: 'visible' });
      assert.ok(collapse((await help.textContent()) ?? '').includes(first), `${set.types[0]}: the Chinese help`);
      if (set.types[0] === 'link-visual-plan') await screenshot(page, '12-zh-CN-help-plan');
    }
    assert.deepEqual(since(mark), [], describeProblems(since(mark)));
  });

  // What a newcomer sees first: an example imported from the menu. A node may be flagged only for what the
  // runtime refuses whatever the message brings; a field left empty can come from msg.payload.
  it('imports every shipped example with no node flagged invalid', async () => {
    const examples = fs.readdirSync(path.join(root, 'examples')).filter((file) => file.endsWith('.json')).sort();
    assert.ok(examples.length >= 10, 'the examples are there');
    const flagged: Record<string, string[]> = {};
    let checked = 0;
    for (const file of examples) {
      const flow = fs.readFileSync(path.join(root, 'examples', file), 'utf8');
      const mark = problems.length;
      const result = await page.evaluate((text) => {
        const w = globalThis as unknown as EditorWindow & { RED: { view: { importNodes(nodes: unknown, options: Record<string, unknown>): void }; nodes: { eachNode(cb: (node: EditorNode) => void): void } } };
        const known = new Set<string>();
        w.RED.nodes.eachNode((node) => void known.add(node.id));
        w.RED.nodes.eachConfig((node) => void known.add(node.id));
        w.RED.view.importNodes(JSON.parse(text), { generateIds: true, addFlow: false });
        const imported: EditorNode[] = [];
        w.RED.nodes.eachNode((node) => void (known.has(node.id) ? undefined : imported.push(node)));
        w.RED.nodes.eachConfig((node) => void (known.has(node.id) ? undefined : imported.push(node)));
        const ours = imported.filter((node) => String(node.type).startsWith('link-visual'));
        return {
          count: ours.length,
          invalid: imported.filter((node) => node.valid === false).map((node) => `${node.type} "${String(node.name || node.id)}": ${JSON.stringify(node.validationErrors ?? [])}`),
        };
      }, flow);
      checked += result.count;
      if (result.invalid.length) flagged[file] = result.invalid;
      assert.deepEqual(since(mark), [], `${file}:\n${describeProblems(since(mark))}`);
    }
    await screenshot(page, '09-examples-imported');
    assert.ok(checked >= 40, `${checked} Link Visual nodes imported`);
    assert.deepEqual(flagged, {}, 'nodes flagged invalid after import');
  });

  it('the editor reported no console error, page error or failed request in the whole session', () => {
    assert.deepEqual(problems, [], describeProblems(problems));
  });
});
