// The package contract: what `npm pack` ships is what a Node-RED user needs and nothing else.
// Reads the real tarball (packed once per process by ./pack), not the work tree.
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import {
  type PackageJson,
  type Packed,
  formatBytes,
  htmlIcons,
  htmlNodeTypes,
  packPackage,
  readPackageJson,
  repoRoot,
} from './pack';

/** Paths the tarball may hold. Anything else fails the test. */
const ALLOWED: RegExp[] = [
  /^(package\.json|README\.md|LICENSE)$/,
  /^dist\/lib\/.+\.(js|d\.ts)$/,
  /^dist\/nodes\/.+\.(js|html)$/,
  // Type declarations of the node modules: harmless but of no use to anyone (see the size report).
  /^dist\/nodes\/.+\.d\.ts$/,
  /^dist\/nodes\/[^/]+\/locales\/[A-Za-z-]+\/[^/]+\.(json|html)$/,
  /^dist\/nodes\/[^/]+\/icons\/[^/]+\.(svg|png)$/,
  /^examples\/.+\.json$/,
  /^resources\/.+\.(js|mjs|css|svg|png|jpg|jpeg|gif|webp|html|json|woff2?)$/,
];

/** Paths that must never ship, with the reason (checked before the allow-list, for a clear message). */
const FORBIDDEN: [RegExp, string][] = [
  [/(^|\/)(test|tests|__tests__|spec)\//, 'test directory'],
  [/\.(test|spec)\.[cm]?[jt]s$/, 'test file'],
  [/(?<!\.d)\.[cm]?ts$/, 'TypeScript source'],
  [/\.map$/, 'source map'],
  [/(^|\/)\.env(\.|$)/, '.env file'],
  [/(^|\/)\.npmrc$/, '.npmrc'],
  [/flows(_[^/]*)?_cred\.json$|(^|\/)flows_cred/, 'Node-RED credentials file'],
  [/\.(pem|key|p12|pfx|jks|keystore)$|(^|\/)id_(rsa|ed25519|ecdsa)/, 'key material'],
  [/(^|\/)\.config\.[a-z]+\.json$|(^|\/)\.sessions\.json$|(^|\/)\.flows.*\.backup$/, 'Node-RED user-dir file'],
  [/(^|\/)(\.userdir|\.demo|node_modules|coverage|\.nyc_output|bench|test-output|\.git|\.ci)\//, 'development directory'],
  [/^(settings\.js|flows[^/]*\.json)$|(^|\/)\.node-red\//, 'Node-RED settings, flows or user dir'],
];

/** Text that must not appear in any shipped file. The emulator's `demo-*` defaults are fine. */
const SECRET_PATTERNS: [RegExp, string][] = [
  [/-----BEGIN (RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/, 'private key'],
  [/\bLTAI[0-9A-Za-z]{12,30}\b/, 'Alibaba Cloud AccessKey ID'],
  [/\bAKIA[0-9A-Z]{16}\b/, 'AWS access key ID'],
  [/\bgh[pousr]_[0-9A-Za-z]{36,}\b/, 'GitHub token'],
  [/\bnpm_[0-9A-Za-z]{36}\b/, 'npm token'],
];

const MAX_PACKED_BYTES = 1024 * 1024;

function isText(file: string): boolean {
  return /\.(js|ts|json|html|md|css|svg|txt|mjs|cjs)$/.test(file) || !path.extname(file);
}

describe('package contract (npm pack)', function () {
  this.timeout(120_000);
  let packed: Packed;
  let files: string[];
  let pkg: PackageJson;

  before(async function () {
    packed = await packPackage();
    files = packed.info.files.map((file) => file.path).sort();
    pkg = readPackageJson(packed.root);
  });

  it('reports its size and contents', function () {
    const { info } = packed;
    const groups = new Map<string, { count: number; bytes: number }>();
    for (const file of info.files) {
      const parts = file.path.split('/');
      const key = parts[0] === 'dist' ? parts.slice(0, 3).join('/') : parts.length > 1 ? parts[0] : '(root)';
      const group = groups.get(key) ?? { count: 0, bytes: 0 };
      group.count += 1;
      group.bytes += file.size;
      groups.set(key, group);
    }
    console.log(
      `      ${info.filename}: ${formatBytes(info.size)} packed, ${formatBytes(info.unpackedSize)} unpacked, ` +
        `${info.entryCount} files (npm pack ${packed.packMs} ms)`,
    );
    for (const [key, group] of [...groups].sort((a, b) => b[1].bytes - a[1].bytes)) {
      console.log(`        ${key.padEnd(28)} ${String(group.count).padStart(4)} files ${formatBytes(group.bytes).padStart(11)}`);
    }
    assert.equal(info.name, readPackageJson().name);
    assert.equal(info.entryCount, info.files.length);
    assert.ok(info.size < MAX_PACKED_BYTES, `packed size ${formatBytes(info.size)} exceeds ${formatBytes(MAX_PACKED_BYTES)}`);
  });

  it('ships only allowed paths: no tests, TypeScript sources, source maps, secrets or user-dir files', function () {
    const problems: string[] = [];
    for (const file of files) {
      const forbidden = FORBIDDEN.find(([pattern]) => pattern.test(file));
      if (forbidden) problems.push(`${file}: ${forbidden[1]}`);
      else if (!ALLOWED.some((pattern) => pattern.test(file))) problems.push(`${file}: not in the allow-list`);
    }
    assert.deepEqual(problems, [], `unexpected files in the tarball:\n  ${problems.join('\n  ')}`);
  });

  it('contains no secret material in any shipped file', function () {
    const problems: string[] = [];
    for (const file of files) {
      if (!isText(file)) continue;
      const text = fs.readFileSync(path.join(packed.root, file), 'utf8');
      for (const [pattern, what] of SECRET_PATTERNS) {
        const match = pattern.exec(text);
        if (match) problems.push(`${file}: ${what} (${match[0].slice(0, 12)}…)`);
      }
    }
    assert.deepEqual(problems, [], problems.join('\n'));
  });

  it('ships examples without credentials other than the emulator demo defaults', function () {
    const examples = files.filter((file) => file.startsWith('examples/'));
    const problems: string[] = [];
    for (const file of examples) {
      let flow: unknown;
      try {
        flow = JSON.parse(fs.readFileSync(path.join(packed.root, file), 'utf8'));
      } catch (err) {
        problems.push(`${file}: not valid JSON (${(err as Error).message})`);
        continue;
      }
      if (!Array.isArray(flow)) {
        problems.push(`${file}: not a flow (a JSON array of nodes)`);
        continue;
      }
      for (const node of flow as Record<string, unknown>[]) {
        const credentials = node.credentials as Record<string, unknown> | undefined;
        for (const [key, value] of Object.entries(credentials ?? {})) {
          if (typeof value === 'string' && value !== '' && !value.startsWith('demo-')) {
            problems.push(`${file}: node ${String(node.id)} carries credential ${key}`);
          }
        }
      }
    }
    assert.deepEqual(problems, [], problems.join('\n'));
  });

  it('has the package.json metadata the palette manager and the flow library need', function () {
    assert.ok(pkg.keywords?.includes('node-red'), 'keywords must contain "node-red"');
    assert.match(pkg.name, /^(@[^/]+\/)?node-red-contrib-|^@[^/]+\/node-red-/);
    assert.ok(pkg['node-red']?.version, 'node-red.version (the supported Node-RED range) is missing');
    assert.ok(pkg.engines?.node, 'engines.node is missing');
    for (const field of ['dependencies', 'peerDependencies'] as const) {
      assert.ok(!pkg[field]?.['node-red'], `node-red must not be in ${field}`);
    }
    assert.ok(files.includes('package.json') && files.includes('README.md') && files.includes('LICENSE'));
    for (const file of [pkg.main, pkg.types, ...Object.values(pkg.bin ?? {})].filter(Boolean) as string[]) {
      assert.ok(files.includes(path.posix.normalize(file)), `${file} (main/types/bin) is not in the tarball`);
    }
    for (const bin of Object.values(pkg.bin ?? {})) {
      assert.match(fs.readFileSync(path.join(packed.root, bin), 'utf8'), /^#!\/usr\/bin\/env node\r?\n/, `${bin} needs a shebang`);
    }
  });

  it('requires only node built-ins, its own files and its runtime dependencies', function () {
    const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
    const allowed = new Set(Object.keys(pkg.dependencies ?? {}));
    const problems: string[] = [];
    for (const file of files.filter((f) => f.endsWith('.js'))) {
      const source = fs.readFileSync(path.join(packed.root, file), 'utf8');
      for (const match of source.matchAll(/\b(?:require|import)\(\s*(['"])([^'"]+)\1\s*\)/g)) {
        const specifier = match[2];
        if (specifier.startsWith('.')) {
          const target = path.posix.join(path.posix.dirname(file), specifier);
          if (![target, `${target}.js`, `${target}/index.js`, `${target}.json`].some((t) => files.includes(t))) {
            problems.push(`${file}: requires ${specifier}, which is not in the tarball`);
          }
          continue;
        }
        if (builtins.has(specifier) || specifier.startsWith('node:')) continue;
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
        // The Dashboard 2 widget bundle runs in the dashboard's page, whose Vue it uses (window.Vue).
        if (/^resources\/[^/]+\.umd\.js$/.test(file) && name === 'vue') continue;
        if (!allowed.has(name)) problems.push(`${file}: requires ${specifier}, which is not a runtime dependency`);
      }
    }
    assert.deepEqual(problems, [], problems.join('\n'));
  });

  describe('every node set in package.json "node-red.nodes"', function () {
    it('has its .js, its editor .html, an en-US message catalog and the icons it uses', function () {
      const sets = Object.entries(pkg['node-red']?.nodes ?? {});
      assert.ok(sets.length > 0, 'node-red.nodes is empty');
      const packageIcons = new Set(
        files.filter((f) => /^dist\/nodes\/[^/]+\/icons\//.test(f)).map((f) => path.posix.basename(f)),
      );
      const coreIconsDir = path.join(path.dirname(require.resolve('@node-red/nodes/package.json', { paths: [repoRoot] })), 'icons');
      const coreIcons = new Set(fs.existsSync(coreIconsDir) ? fs.readdirSync(coreIconsDir) : []);
      const problems: string[] = [];
      const seenTypes = new Map<string, string>();
      for (const [set, rawFile] of sets) {
        const file = path.posix.normalize(rawFile);
        const dir = path.posix.dirname(file);
        const base = path.posix.basename(file, '.js');
        const html = `${dir}/${base}.html`;
        const catalog = `${dir}/locales/en-US/${base}.json`;
        if (!files.includes(file)) problems.push(`${set}: ${file} is not in the tarball`);
        if (!files.includes(html)) {
          problems.push(`${set}: ${html} (the editor template beside the .js) is not in the tarball`);
          continue;
        }
        if (!files.includes(catalog)) problems.push(`${set}: ${catalog} is not in the tarball`);
        else {
          try {
            JSON.parse(fs.readFileSync(path.join(packed.root, catalog), 'utf8'));
          } catch (err) {
            problems.push(`${set}: ${catalog} is not valid JSON (${(err as Error).message})`);
          }
        }
        const text = fs.readFileSync(path.join(packed.root, html), 'utf8');
        const types = htmlNodeTypes(text);
        if (types.length === 0) problems.push(`${set}: ${html} registers no node type`);
        const localeHelp = `${dir}/locales/en-US/${base}.html`;
        const helpText = text + (files.includes(localeHelp) ? fs.readFileSync(path.join(packed.root, localeHelp), 'utf8') : '');
        for (const type of types) {
          if (seenTypes.has(type)) problems.push(`${set}: type ${type} is also registered by ${seenTypes.get(type)}`);
          seenTypes.set(type, set);
          if (!new RegExp(`data-template-name=["']${type}["']`).test(text)) problems.push(`${set}: no edit template for ${type}`);
          if (!new RegExp(`data-help-name=["']${type}["']`).test(helpText)) problems.push(`${set}: no help text for ${type}`);
        }
        for (const rawIcon of htmlIcons(text)) {
          const icon = rawIcon.replace(new RegExp(`^${pkg.name}/`), '');
          if (/^font-awesome\/fa-[a-z0-9-]+$/.test(icon)) continue;
          const ok =
            files.includes(`${dir}/icons/${icon}`) ||
            packageIcons.has(icon) ||
            coreIcons.has(icon.replace(/^node-red\//, ''));
          if (!ok) problems.push(`${set}: icon ${rawIcon} is in neither ${dir}/icons/, the package's icons nor Node-RED's`);
        }
      }
      const declaredHtml = new Set(sets.map(([, file]) => path.posix.normalize(file).replace(/\.js$/, '.html')));
      for (const html of files.filter((f) => /^dist\/nodes\/[^/]+\/[^/]+\.html$/.test(f))) {
        if (!declaredHtml.has(html)) problems.push(`${html} ships but no node set in package.json loads it`);
      }
      assert.deepEqual(problems, [], problems.join('\n'));
    });

    it('has message catalogs that are valid JSON in every shipped language', function () {
      const problems: string[] = [];
      for (const file of files.filter((f) => /\/locales\/[^/]+\/[^/]+\.json$/.test(f))) {
        try {
          JSON.parse(fs.readFileSync(path.join(packed.root, file), 'utf8'));
        } catch (err) {
          problems.push(`${file}: ${(err as Error).message}`);
        }
      }
      assert.deepEqual(problems, [], problems.join('\n'));
    });
  });
});
