/**
 * A real Node-RED (red.js of the devDependency) in its own process for the browser tests: started with a
 * user directory's settings.js, resolved once it printed its URL and "Started flows"; stopped with SIGINT.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface NodeRed {
  url: string;
  child: ChildProcess;
  log: string[];
}

/** Writes `<userDir>/settings.js`: loopback, a free port, flows.json, plain credentials, no telemetry, palette or tours. */
export function writeSettings(userDir: string): void {
  fs.writeFileSync(
    path.join(userDir, 'settings.js'),
    `module.exports = {
  uiHost: '127.0.0.1',
  uiPort: 0,
  flowFile: 'flows.json',
  credentialSecret: false,
  editorTheme: { tours: false, projects: { enabled: false }, palette: { catalogues: [] } },
  telemetry: { enabled: false },
  diagnostics: { enabled: false },
  externalModules: { autoInstall: false, palette: { allowInstall: false } },
  logging: { console: { level: 'info', metrics: false, audit: false } },
};
`,
  );
}

/** Starts red.js on `<userDir>/settings.js`; rejects with its log when it does not start within 45 s. */
export function startNodeRed(userDir: string): Promise<NodeRed> {
  const log: string[] = [];
  const child = spawn(process.execPath, [require.resolve('node-red/red.js'), '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')], {
    cwd: userDir,
    env: { ...process.env, NODE_RED_DISABLE_TELEMETRY: '1', NODE_RED_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let url = '';
    let buffered = '';
    const timer = setTimeout(() => fail(new Error('Node-RED did not start within 45 s')), 45_000);
    function fail(error: Error): void {
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
      reject(new Error(`${error.message}\n--- Node-RED log ---\n${log.join('\n')}`));
    }
    function onData(chunk: Buffer): void {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        log.push(line);
        const running = /Server now running at (http:\/\/\S+?)\/?$/.exec(line.trim());
        if (running) url = running[1];
        if (/Started flows/.test(line) && url) {
          clearTimeout(timer);
          resolve({ url, child, log });
        }
      }
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new Error(`Node-RED exited early (code ${code}, signal ${signal})`)));
  });
}

/** Stops it (SIGINT, then SIGKILL after 10 s); safe when it already ended. */
export async function stopNodeRed(red: NodeRed | undefined): Promise<void> {
  if (!red || red.child.exitCode !== null || red.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => red.child.once('exit', () => resolve()));
  red.child.kill('SIGINT');
  const timer = setTimeout(() => red.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
