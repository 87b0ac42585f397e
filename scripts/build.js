#!/usr/bin/env node
// Build: compile TypeScript to CommonJS in dist/, then place each node's editor HTML, locales and
// icons next to its compiled .js, where the Node-RED loader looks for them. The operation nodes'
// editor HTML is written by generate-editor.js from nodes/shared/operation-node.template.html
// (*.template.html files are build inputs and are not copied). Last, editor/ is bundled into
// resources/link-visual-editor.js, and ui/ (the Dashboard 2 widget, Vue) by Vite into
// resources/ui-link-visual-events.umd.js.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');

fs.rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});

const nodesDir = path.join(root, 'nodes');
const iconsDir = path.join(root, 'icons');
for (const entry of fs.readdirSync(nodesDir, { withFileTypes: true })) {
  if (!entry.isDirectory()) continue;
  const source = path.join(nodesDir, entry.name);
  const target = path.join(dist, 'nodes', entry.name);
  const htmlFiles = fs.readdirSync(source).filter((file) => file.endsWith('.html') && !file.endsWith('.template.html'));
  const hasLocales = fs.existsSync(path.join(source, 'locales'));
  if (htmlFiles.length === 0 && !hasLocales) continue; // not a node's folder (e.g. shared/)
  fs.mkdirSync(target, { recursive: true });
  for (const file of htmlFiles) fs.copyFileSync(path.join(source, file), path.join(target, file));
  if (hasLocales) {
    fs.cpSync(path.join(source, 'locales'), path.join(target, 'locales'), { recursive: true });
  }
  if (fs.existsSync(iconsDir)) fs.cpSync(iconsDir, path.join(target, 'icons'), { recursive: true });
}

// Write the operation nodes' editor HTML (template, defaults, operations, parameter rows) from the catalog.
require('./generate-editor').generate(dist);
// Fill the config, download, on-event and push dialogs (defaults, credentials, form rows) from their settings specs.
require('./generate-settings').generateSettings(dist);

// Bundle the editor (editor/*.ts and the browser-safe lib/ and nodes/ modules it imports) into the one script
// every node's HTML loads. Platform browser: an import of a Node built-in fails the build.
require('esbuild').buildSync({
  entryPoints: [path.join(root, 'editor', 'index.ts')],
  outfile: path.join(root, 'resources', 'link-visual-editor.js'),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2017',
  minify: false,
  legalComments: 'none',
  charset: 'utf8',
  banner: { js: '// Generated from editor/*.ts by scripts/build.js (esbuild): edit those, not this file.' },
  logLevel: 'warning',
});

// Build the Dashboard 2 widget (ui/*.vue) with Vite's library build (ui/vite.config.mjs): one UMD file.
execFileSync(process.execPath, [path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js'), 'build', '--config', path.join(root, 'ui', 'vite.config.mjs')], {
  cwd: root,
  stdio: 'inherit',
});

// Fill the help pages' tables (actions, parameters, outputs, operations, error codes) from the catalog,
// the node specs and lib/gateway/error-codes.ts; a page without a required table marker fails the build.
require('./generate-help').generateHelp(dist);

// Every node file package.json promises must exist with its editor HTML beside it.
const pkg = require(path.join(root, 'package.json'));
for (const [set, file] of Object.entries(pkg['node-red'].nodes)) {
  const js = path.join(root, file);
  const html = js.replace(/\.js$/, '.html');
  if (!fs.existsSync(js) || !fs.existsSync(html)) {
    throw new Error(`node set ${set}: ${file} or its .html is missing after the build`);
  }
}

const cli = path.join(dist, 'lib', 'emulator', 'cli.js');
if (fs.existsSync(cli)) fs.chmodSync(cli, 0o755);
