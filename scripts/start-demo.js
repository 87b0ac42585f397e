#!/usr/bin/env node
// `npm start`: the emulator plus a real Node-RED with this package and the demo flow, so a newcomer
// sees the nodes work without an Alibaba Cloud account. Ctrl-C stops both.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const userDir = path.join(root, '.demo');
const DEMO_FLOW = path.join(root, 'examples', '00-demo-at-a-glance.json');
// With Dashboard 2 installed (a devDependency), the demo adds the event timeline page of example 13.
const DASHBOARD_FLOW = path.join(root, 'examples', '13-dashboard-event-timeline.json');
const ACCOUNT_TYPE = 'link-visual-config';

function freePort(preferred) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => {
      const fallback = net.createServer();
      fallback.listen(0, '127.0.0.1', () => {
        const { port } = fallback.address();
        fallback.close(() => resolve(port));
      });
    });
    server.listen(preferred, '127.0.0.1', () => server.close(() => resolve(preferred)));
  });
}

function linkPackage() {
  // Node-RED loads modules from <userDir>/node_modules: link this checkout there, as `npm link` would.
  const modules = path.join(userDir, 'node_modules');
  const link = path.join(modules, 'node-red-contrib-link-visual');
  fs.mkdirSync(modules, { recursive: true });
  fs.rmSync(link, { recursive: true, force: true });
  fs.symlinkSync(root, link, 'dir');
  const dashboard = dashboardDir();
  if (dashboard) {
    const dashboardLink = path.join(modules, '@flowfuse', 'node-red-dashboard');
    fs.mkdirSync(path.dirname(dashboardLink), { recursive: true });
    fs.rmSync(dashboardLink, { recursive: true, force: true });
    fs.symlinkSync(dashboard, dashboardLink, 'dir');
  }
}

/** Where @flowfuse/node-red-dashboard is installed, or undefined (the demo then runs without its page). */
function dashboardDir() {
  try {
    return path.dirname(require.resolve('@flowfuse/node-red-dashboard/package.json', { paths: [root] }));
  } catch {
    return undefined;
  }
}

function writeFlows(emulator) {
  const flow = JSON.parse(fs.readFileSync(DEMO_FLOW, 'utf8'));
  if (dashboardDir()) {
    const ids = new Set(flow.map((node) => node.id));
    flow.push(...JSON.parse(fs.readFileSync(DASHBOARD_FLOW, 'utf8')).filter((node) => !ids.has(node.id)));
  }
  const credentials = {};
  for (const node of flow) {
    if (node.type === ACCOUNT_TYPE) {
      node.region = 'custom';
      node.endpoint = emulator.url;
      // Push stays as the flow has it; ticking it in the account dialog connects to the emulator's AMQP endpoint.
      node.pushEndpoint = emulator.amqpUrl;
      credentials[node.id] = {
        appKey: emulator.appKey,
        appSecret: emulator.appSecret,
        identityId: emulator.identityId,
        refreshToken: emulator.refreshToken,
      };
    }
    if (node.type === 'link-visual-download' && typeof node.directory === 'string') {
      node.directory = path.join(userDir, 'downloads');
    }
  }
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flow, null, 2));
  fs.writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify(credentials, null, 2), { mode: 0o600 });
}

function writeSettings(port) {
  const settings = `module.exports = {
  uiHost: '127.0.0.1',
  uiPort: ${port},
  flowFile: 'flows.json',
  credentialSecret: false,
  editorTheme: { tours: false, projects: { enabled: false } },
  telemetry: { enabled: false },
  diagnostics: { enabled: false },
  logging: { console: { level: 'info', metrics: false, audit: false } },
};
`;
  fs.writeFileSync(path.join(userDir, 'settings.js'), settings);
}

async function main() {
  const { startEmulator } = require(path.join(root, 'dist', 'lib'));
  fs.mkdirSync(userDir, { recursive: true });
  const emulatorPort = await freePort(Number(process.env.LINK_VISUAL_EMULATOR_PORT) || 8787);
  const amqpPort = await freePort(Number(process.env.LINK_VISUAL_AMQP_PORT) || 5672);
  const emulator = await startEmulator({ port: emulatorPort, amqpPort, demoEvents: 15_000, transcodeMs: 2000 });
  const editorPort = await freePort(Number(process.env.PORT) || 1880);
  linkPackage();
  writeFlows(emulator);
  writeSettings(editorPort);

  const red = spawn(process.execPath, [require.resolve('node-red/red.js'), '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let announced = false;
  red.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    if (!announced && /Started flows/.test(chunk.toString())) {
      announced = true;
      const dashboard = dashboardDir() ? `  Dashboard: http://127.0.0.1:${editorPort}/dashboard (camera events, pictures and clips)\n` : '';
      console.log(`\n  Link Visual demo is running.\n  Editor:   http://127.0.0.1:${editorPort}/\n${dashboard}  Emulator: ${emulator.url} (appKey ${emulator.appKey}), data sync ${emulator.amqpUrl}\n  Press Ctrl-C to stop.\n`);
    }
  });

  let stopping = false;
  const stop = async (code) => {
    if (stopping) return;
    stopping = true;
    if (red.exitCode === null) red.kill('SIGINT');
    await new Promise((resolve) => (red.exitCode === null ? red.once('exit', resolve) : resolve()));
    await emulator.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  red.on('exit', (code) => void stop(code ?? 0));
}

main().catch((error) => {
  console.error(`npm start: ${error.message}`);
  process.exit(1);
});
