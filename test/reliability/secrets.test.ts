/**
 * Reliability: secrets (issue 10). The AppSecret, tokens and refresh tokens appear nowhere a user or
 * an attacker with the files could see them: flows.json, flows_cred.json (encrypted), the exported flow,
 * the credentials API, the log, debug messages (sidebar and console), error messages, status texts, the
 * editor's admin answers, other files under the user directory. The session file, the one place tokens
 * must live, is owner-only (0600).
 *
 * Two parts: a real Node-RED (red.js, the package linked into its user directory, flows deployed with
 * `POST /flows`), and the evidence every reliability suite of this run collected (a final check runs
 * after all suites, whatever order mocha loads the files in).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type EmulatorHandle } from '../../lib/emulator';
import { freePort } from '../helpers/free-port';
import { CAMERA } from './generators';
import { collectEmulatorSecrets, control, evidence, report, sleep } from './harness';

const REPO = path.join(__dirname, '..', '..');
const SECRETS = {
  appKey: 'sec-app-key',
  appSecret: 'sec-APP-SECRET-9f8e7d6c5b',
  identityId: 'sec-identity',
  refreshToken: 'sec-REFRESH-TOKEN-a1b2c3d4',
  wrongSecret: 'sec-WRONG-SECRET-00ff00ff',
  credentialSecret: 'sec-credential-key-for-flows-cred',
};


interface Answer {
  status: number;
  text: string;
}

function request(port: number, method: string, urlPath: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, agent: false, headers: { 'content-type': 'application/json', accept: 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${urlPath} timed out`)));
    req.end(payload);
  });
}

interface NodeRed {
  port: number;
  log(): string;
  stop(): Promise<void>;
}

/** A real Node-RED with the package (dist/) linked into its user directory. */
async function startNodeRed(userDir: string): Promise<NodeRed> {
  const port = await freePort();
  fs.mkdirSync(path.join(userDir, 'node_modules'), { recursive: true });
  fs.symlinkSync(REPO, path.join(userDir, 'node_modules', 'node-red-contrib-link-visual'), 'dir');
  fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true, dependencies: { 'node-red-contrib-link-visual': '*' } }));
  fs.writeFileSync(
    path.join(userDir, 'settings.js'),
    `module.exports = {
  uiHost: '127.0.0.1', uiPort: ${port}, userDir: ${JSON.stringify(userDir)}, flowFile: 'flows.json',
  credentialSecret: ${JSON.stringify(SECRETS.credentialSecret)},
  editorTheme: { tours: false }, telemetry: { enabled: false, updateNotification: false }, diagnostics: { enabled: false },
  externalModules: { autoInstall: false },
  logging: { console: { level: 'trace', metrics: false, audit: true } },
};\n`,
  );
  const child: ChildProcess = spawn(process.execPath, [require.resolve('node-red/red.js'), '--settings', path.join(userDir, 'settings.js'), '--userDir', userDir], {
    cwd: userDir,
    env: { ...process.env, NODE_RED_DISABLE_TELEMETRY: '1', NO_UPDATE_NOTIFIER: '1', NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const deadline = Date.now() + 60_000;
  while (!(/Server now running/.test(log) && /Started flows/.test(log))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`Node-RED did not start:\n${log}`);
    await sleep(100);
  }
  return {
    port,
    log: () => log,
    async stop() {
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      process.removeListener('exit', killOnExit);
    },
  };
}

/** Every file under `dir` (the linked package left out). */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.name === 'node_modules') continue;
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

function findSecrets(text: string, secrets: readonly string[]): string[] {
  return secrets.filter((secret) => text.includes(secret)).map((secret) => `${secret.slice(0, 4)}…`);
}

describe('reliability: secrets', function () {
  this.timeout(120_000);

  it('a real Node-RED keeps the AppSecret and every token out of flows, exports, logs, debug, errors, status and files', async function () {
    if (!fs.existsSync(path.join(REPO, 'dist', 'nodes', 'config', 'link-visual-config.js'))) this.skip(); // needs `npm run build`
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-secrets-userdir-'));
    const downloads = path.join(userDir, 'downloads');
    let emulator: EmulatorHandle | undefined;
    let nodeRed: NodeRed | undefined;
    const seen: { where: string; text: string }[] = [];
    try {
      emulator = await startEmulator({ port: 0, ...SECRETS, rotateRefreshTokens: true, transcodeMs: 50, captureDelayMs: 5, iotTokenTtlSeconds: 30 });
      nodeRed = await startNodeRed(userDir);
      const debug = (id: string, y: number) => ({ id, type: 'debug', z: 'sec-tab', x: 700, y, active: true, tosidebar: true, console: true, tostatus: true, complete: 'true', targetType: 'full', statusVal: '', statusType: 'auto', wires: [] });
      const inject = (id: string, y: number, payload: unknown, wires: string[]) => ({ id, type: 'inject', z: 'sec-tab', x: 100, y, props: [{ p: 'payload' }], payload: JSON.stringify(payload), payloadType: 'json', repeat: '', once: true, onceDelay: 0.3, wires: [wires] });
      const op = (id: string, type: string, y: number, extra: Record<string, unknown>, account = 'sec-account') => ({ id, type, z: 'sec-tab', x: 400, y, account, wires: [['sec-debug-out']], ...extra });
      const flow = [
        { id: 'sec-tab', type: 'tab', label: 'secrets' },
        {
          id: 'sec-account',
          type: 'link-visual-config',
          name: 'good account',
          region: 'custom',
          endpoint: emulator.url,
          authMode: 'session',
          rateLimit: 50,
          timeout: 5,
          credentials: { appKey: SECRETS.appKey, appSecret: SECRETS.appSecret, identityId: SECRETS.identityId, refreshToken: SECRETS.refreshToken },
        },
        {
          id: 'sec-bad-account',
          type: 'link-visual-config',
          name: 'wrong secret',
          region: 'custom',
          endpoint: emulator.url,
          authMode: 'session',
          rateLimit: 50,
          timeout: 5,
          credentials: { appKey: SECRETS.appKey, appSecret: SECRETS.wrongSecret, identityId: SECRETS.identityId, refreshToken: SECRETS.refreshToken },
        },
        inject('sec-go', 40, { iotId: CAMERA }, ['sec-duration', 'sec-snapshot', 'sec-bad', 'sec-pictures', 'sec-record', 'sec-api', 'sec-api-unknown']),
        inject('sec-plans', 80, {}, ['sec-plan-query', 'sec-bind']),
        inject('sec-download-go', 120, { iotId: CAMERA, fileName: 'no-such-file' }, ['sec-download']),
        op('sec-duration', 'link-visual-recordings', 40, { operation: 'getDuration' }),
        op('sec-snapshot', 'link-visual-snapshot', 60, {}),
        op('sec-bad', 'link-visual-recordings', 80, { operation: 'getDuration' }, 'sec-bad-account'),
        op('sec-pictures', 'link-visual-pictures', 100, { operation: 'byTime', startTime: '0', startTimeType: 'num', endTime: String(Date.now() + 3_600_000), endTimeType: 'num', fetchImages: true }),
        op('sec-record', 'link-visual-record', 120, { recordDuration: '99999', recordDurationType: 'num' }),
        op('sec-api', 'link-visual-api', 140, { operation: 'getRecordDuration' }),
        op('sec-api-unknown', 'link-visual-api', 160, { operation: '/vision/customer/not/there', apiVer: '1.0.0' }),
        op('sec-plan-query', 'link-visual-plan', 180, { operation: 'query', kind: 'record' }),
        op('sec-bind', 'link-visual-bind', 200, { operation: 'apply', kind: 'record', planName: 'no-such-plan', iotId: CAMERA, iotIdType: 'str' }),
        { id: 'sec-download', type: 'link-visual-download', z: 'sec-tab', x: 400, y: 220, account: 'sec-account', target: 'file', directory: downloads, wires: [['sec-debug-out'], ['sec-debug-out']] },
        { id: 'sec-catch', type: 'catch', z: 'sec-tab', x: 400, y: 300, scope: null, uncaught: false, wires: [['sec-debug-err']] },
        { id: 'sec-status', type: 'status', z: 'sec-tab', x: 400, y: 340, scope: null, wires: [['sec-debug-status']] },
        debug('sec-debug-out', 40),
        debug('sec-debug-err', 300),
        debug('sec-debug-status', 340),
      ];
      // Debug messages as the editor's sidebar receives them.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const WebSocket = require('ws') as new (url: string) => { on(event: string, listener: (data: unknown) => void): void; send(text: string): void; close(): void };
      const socket = new WebSocket(`ws://127.0.0.1:${nodeRed.port}/comms`);
      await new Promise<void>((resolve, reject) => {
        socket.on('open', () => resolve());
        socket.on('error', (error) => reject(error as Error));
      });
      socket.on('message', (data) => seen.push({ where: 'editor comms (debug sidebar, status)', text: String(data) }));
      socket.send(JSON.stringify({ subscribe: 'debug' }));
      socket.send(JSON.stringify({ subscribe: 'status/#' }));

      const deployed = await request(nodeRed.port, 'POST', '/flows', flow, { 'Node-RED-Deployment-Type': 'full' });
      assert.ok([200, 204].includes(deployed.status), deployed.text);
      await sleep(1500);
      // Tokens expire and rotate; everything runs once more, then a partial deploy restarts some nodes.
      await control(emulator, 'tokens/expire', {});
      for (const id of ['sec-go', 'sec-plans', 'sec-download-go']) await request(nodeRed.port, 'POST', `/inject/${id}`);
      await sleep(1000);
      const changed = flow.map((node) => (node.id === 'sec-duration' ? { ...node, name: 'renamed' } : node.id === 'sec-account' || node.id === 'sec-bad-account' ? { ...node, credentials: undefined } : node));
      const partial = await request(nodeRed.port, 'POST', '/flows', changed, { 'Node-RED-Deployment-Type': 'nodes' });
      assert.ok([200, 204].includes(partial.status), partial.text);
      await sleep(500);
      await request(nodeRed.port, 'POST', '/inject/sec-go');
      await sleep(1000);

      // What an editor, an export or an admin API client sees.
      for (const [where, urlPath] of [
        ['GET /flows (the exported flow)', '/flows'],
        ['GET /flows v2', '/flows'],
        ['GET /credentials of the account', '/credentials/link-visual-config/sec-account'],
        ['GET /nodes', '/nodes'],
        ['GET /settings', '/settings'],
        ['GET /link-visual/catalog', '/link-visual/catalog'],
      ] as const) {
        const answer = await request(nodeRed.port, 'GET', urlPath, undefined, where.includes('v2') ? { 'Node-RED-API-Version': 'v2' } : {});
        seen.push({ where, text: answer.text });
      }
      const exported = JSON.parse((await request(nodeRed.port, 'GET', '/flows')).text) as Record<string, unknown>[];
      assert.ok(exported.some((node) => node.id === 'sec-account'), 'the export holds the account node');
      for (const body of [
        { id: 'sec-account' },
        { id: 'sec-account', settings: { region: 'custom', endpoint: emulator.url, authMode: 'session', credentials: { appKey: SECRETS.appKey, appSecret: '__PWRD__', identityId: SECRETS.identityId, refreshToken: '__PWRD__' } } },
        { id: 'sec-bad-account' },
        { id: 'new', settings: { region: 'custom', endpoint: emulator.url, authMode: 'session', credentials: { appKey: SECRETS.appKey, appSecret: SECRETS.wrongSecret, identityId: SECRETS.identityId, refreshToken: SECRETS.refreshToken } } },
      ]) {
        for (const route of ['/link-visual/test', '/link-visual/devices', '/link-visual/plans']) {
          const answer = await request(nodeRed.port, 'POST', route, body);
          seen.push({ where: `POST ${route}`, text: answer.text });
        }
      }
      socket.close();
      await nodeRed.stop();
      seen.push({ where: 'the Node-RED log (stdout, stderr)', text: nodeRed.log() });
      nodeRed = undefined;

      await collectEmulatorSecrets(emulator);
      const secrets = [...new Set([...evidence.secrets, SECRETS.appSecret, SECRETS.refreshToken, SECRETS.wrongSecret])];
      assert.ok(secrets.length >= 4, 'rotated tokens were issued and are part of the check');
      const leaks: string[] = [];
      for (const { where, text } of seen) for (const found of findSecrets(text, secrets)) leaks.push(`${where}: ${found}`);
      let sessionFiles = 0;
      let scanned = 0;
      for (const file of filesUnder(userDir)) {
        const name = path.relative(userDir, file);
        const content = fs.readFileSync(file, 'latin1');
        if (/^link-visual[\\/]session-.*\.json$/.test(name)) {
          sessionFiles += 1;
          assert.ok(findSecrets(content, secrets).length > 0, 'control: the session file holds a token the check looks for');
          assert.equal(fs.statSync(file).mode & 0o777, 0o600, `${name} is owner-only`);
          continue;
        }
        scanned += 1;
        for (const found of findSecrets(content, secrets)) leaks.push(`file ${name}: ${found}`);
      }
      assert.ok(fs.existsSync(path.join(userDir, 'flows.json')) && fs.existsSync(path.join(userDir, 'flows_cred.json')), 'flows.json and flows_cred.json were written');
      assert.ok(sessionFiles >= 1, 'the rotated session was saved');
      // Controls: the check saw debug messages, errors and status texts, and the log of a working runtime.
      const comms = seen.filter((s) => s.where.startsWith('editor comms')).map((s) => s.text).join('\n');
      assert.match(comms, /recordDuration/, 'debug messages of outputs reached the sidebar');
      assert.match(comms, /AUTH_FAILED|INVALID_PARAMS/, 'errors reached the sidebar');
      assert.match(comms, /"topic":"status\//, `status texts reached the editor: ${comms.slice(0, 600)}`);
      assert.match(seen.find((s) => s.where.startsWith('the Node-RED log'))?.text ?? '', /Started flows/);
      report('secrets', { realNodeRed: { secretsChecked: secrets.length, textsChecked: seen.length, filesScanned: scanned, sessionFiles, leaks: leaks.length } });
      assert.deepEqual(leaks, [], 'no secret anywhere');
    } finally {
      await nodeRed?.stop();
      await emulator?.close();
      fs.rmSync(userDir, { recursive: true, force: true });
    }
  });

  it('no secret in anything the reliability suites produced so far (logs, statuses, messages, errors, flows, files)', () => {
    checkEvidence('so far');
  });
});

function checkEvidence(when: string): void {
  const leaks = evidence.leaks();
  const size = evidence.size();
  report('secrets', { [`evidence ${when}`]: { ...size, leaks: leaks.length } });
  for (const file of evidence.sessionFiles) {
    if (fs.existsSync(file)) assert.equal(fs.statSync(file).mode & 0o777, 0o600, `${file} is owner-only`);
  }
  assert.deepEqual(leaks.slice(0, 10), [], `secrets found (${leaks.length})`);
}

// After every suite of the run (mocha runs root hooks last, whatever the file order).
after(function () {
  if (evidence.scanned === 0 && evidence.files.length === 0) return;
  checkEvidence('after all suites');
});
