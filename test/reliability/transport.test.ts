/**
 * Reliability: transport (issue 10). TLS verification is on by default and cannot be switched off: a
 * local HTTPS server with a certificate from a CA made at test time (openssl) is refused; with that CA
 * passed as `ca` it is accepted; no option, unknown option or environment variable turns checking off.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import sinon from 'sinon';
import { Agent } from 'undici';
import { LinkVisualClient, LinkVisualError, type LinkVisualClientOptions } from '../../lib';
import { MessageQueue, exchange, helper, packageNodes, tempUserDir, type TestNode } from '../helpers/node-red';
import { CrashRecorder, evidence, harvestHelper, report } from './harness';

/* eslint-disable @typescript-eslint/no-require-imports */
const catchNode = require('@node-red/nodes/core/common/25-catch.js') as unknown;
/* eslint-enable @typescript-eslint/no-require-imports */

const CERT_REFUSAL = /certificate|self[- ]signed|UNABLE_TO_VERIFY|CERT_|altname|Hostname\/IP does not match/i;
const SECRET = 'tls-APP-SECRET-0a9b8c7d';

interface Pki {
  dir: string;
  ca: string;
  otherCa: string;
  key: string;
  cert: string;
  wrongNameKey: string;
  wrongNameCert: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

/** A CA, a server certificate for 127.0.0.1/localhost signed by it, one for another name, and an unrelated CA. */
function makePki(): Pki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-tls-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const ca = (name: string) =>
    openssl(['req', '-x509', ...ec, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name} test CA`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  ca('ca');
  ca('other-ca');
  const leaf = (name: string, san: string) => {
    openssl(['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
    fs.writeFileSync(path.join(dir, `${name}.ext`), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`], dir);
  };
  leaf('server', 'IP:127.0.0.1,DNS:localhost');
  leaf('wrong-name', 'DNS:camera.example.invalid');
  const read = (file: string) => fs.readFileSync(path.join(dir, file), 'utf8');
  return { dir, ca: read('ca.pem'), otherCa: read('other-ca.pem'), key: read('server.key'), cert: read('server.pem'), wrongNameKey: read('wrong-name.key'), wrongNameCert: read('wrong-name.pem') };
}

interface FakeCloud {
  url: string;
  requests: number;
  /** TCP connections accepted (a refused handshake still counts). */
  connections: number;
  close(): Promise<void>;
}

/** An HTTPS server answering every API call with `{code: 200}` and `/media.jpg` with a tiny JPEG. */
async function startHttps(key: string, cert: string): Promise<FakeCloud> {
  const state = { requests: 0, connections: 0 };
  const server = https.createServer({ key, cert }, (req, res) => {
    state.requests += 1;
    req.resume();
    req.on('end', () => {
      if (req.url?.startsWith('/media.jpg')) {
        res.writeHead(200, { 'content-type': 'image/jpeg' });
        res.end(Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 200, data: { recordDuration: 600 } }));
    });
  });
  server.on('tlsClientError', () => undefined);
  server.on('connection', () => (state.connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    get connections() {
      return state.connections;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('reliability: transport (TLS)', function () {
  this.timeout(60_000);
  const crashes = new CrashRecorder();
  let pki: Pki;
  let cloud: FakeCloud;
  let wrongName: FakeCloud;
  const clients: LinkVisualClient[] = [];
  const tried: Record<string, string> = {};

  function client(extra: Partial<LinkVisualClientOptions> & Record<string, unknown> = {}, url = cloud.url): LinkVisualClient {
    const made = new LinkVisualClient({ endpoint: url, appKey: 'tls-app-key', appSecret: SECRET, auth: { mode: 'iotToken', iotToken: 'tls-IOT-TOKEN-1234567' }, retries: 0, timeoutMs: 5000, ...extra } as LinkVisualClientOptions);
    clients.push(made);
    return made;
  }

  async function refused(made: LinkVisualClient, label: string): Promise<void> {
    const before = cloud.requests;
    const connectionsBefore = cloud.connections;
    const error = await made.call('getRecordDuration', { iotId: 'demo-camera-1' }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof LinkVisualError, `${label}: refused with a LinkVisualError (got ${String(error)})`);
    assert.equal(error.code, 'NETWORK', `${label}: ${error.message}`);
    assert.match(error.message, CERT_REFUSAL, `${label}: the message names the certificate problem`);
    assert.ok(!error.message.includes(SECRET));
    assert.equal(cloud.requests, before, `${label}: no request reached the server`);
    // A refused certificate stays refused: one attempt, not the retries meant for passing failures.
    assert.equal(error.retryable, false, `${label}: not retryable`);
    assert.equal(cloud.connections - connectionsBefore, 1, `${label}: one connection attempt`);
    tried[label] = error.message.replace(/^[^:]*: /, '').slice(0, 80);
    evidence.text('transport errors', error.message);
  }

  before(async () => {
    crashes.install();
    evidence.secret(SECRET);
    evidence.secret('tls-IOT-TOKEN-1234567');
    pki = makePki();
    cloud = await startHttps(pki.key, pki.cert);
    wrongName = await startHttps(pki.wrongNameKey, pki.wrongNameCert);
  });

  after(async () => {
    for (const made of clients) await made.close();
    await cloud.close();
    await wrongName.close();
    fs.rmSync(pki.dir, { recursive: true, force: true });
    crashes.uninstall();
    report('transport', { refusedWith: tried });
    crashes.assertClean();
  });

  it('refuses a server whose certificate it cannot verify (verification is on by default)', async () => {
    await refused(client(), 'default options');
  });

  it('accepts that server when its CA is passed as `ca` (string, Buffer or list), for API calls and media', async () => {
    for (const [label, ca] of [
      ['string', pki.ca],
      ['Buffer', Buffer.from(pki.ca)],
      ['list', [pki.otherCa, pki.ca]],
    ] as const) {
      const made = client({ ca });
      const data = await made.call('getRecordDuration', { iotId: 'demo-camera-1' });
      assert.deepEqual(data, { recordDuration: 600 }, label);
      const media = await made.fetchMedia(`${cloud.url}/media.jpg`, { accept: ['image/'] });
      assert.equal(media.contentType, 'image/jpeg');
      const stream = await made.openMedia(`${cloud.url}/media.jpg`);
      stream.body.resume();
      await new Promise((resolve) => stream.body.on('close', resolve));
    }
  });

  it('still refuses with an unrelated CA, and a valid certificate for another host name', async () => {
    await refused(client({ ca: pki.otherCa }), 'unrelated ca');
    const before = wrongName.requests;
    const error = await client({ ca: pki.ca }, wrongName.url)
      .call('getRecordDuration', { iotId: 'demo-camera-1' })
      .then(() => undefined, (thrown: unknown) => thrown);
    assert.ok(error instanceof LinkVisualError && error.code === 'NETWORK', String(error));
    assert.match(error.message, CERT_REFUSAL);
    assert.equal(wrongName.requests, before);
    tried['wrong host name'] = error.message.replace(/^[^:]*: /, '').slice(0, 80);
  });

  it('has no option that switches verification off (unknown options have no effect)', async () => {
    const attempts: Record<string, Record<string, unknown>> = {
      rejectUnauthorized: { rejectUnauthorized: false },
      tls: { tls: { rejectUnauthorized: false } },
      connect: { connect: { rejectUnauthorized: false } },
      insecure: { insecure: true, strictSSL: false, verify: false, checkServerIdentity: () => undefined },
      dispatcher: { dispatcher: new Agent({ connect: { rejectUnauthorized: false } }), agent: new https.Agent({ rejectUnauthorized: false }) },
      'ca: empty': { ca: [] },
      'ca: garbage': { ca: 'not a certificate' },
    };
    for (const [label, extra] of Object.entries(attempts)) {
      let made: LinkVisualClient;
      try {
        made = client(extra);
      } catch (error) {
        // Refusing a malformed option at construction is as good as ignoring it.
        assert.ok(error instanceof LinkVisualError || error instanceof Error, label);
        tried[label] = `constructor: ${(error as Error).message.slice(0, 60)}`;
        continue;
      }
      const error = await made.call('getRecordDuration', { iotId: 'demo-camera-1' }).then(() => undefined, (thrown: unknown) => thrown);
      assert.ok(error instanceof LinkVisualError, `${label}: refused`);
      assert.equal(error.code, 'NETWORK', `${label}: ${error.message}`);
      tried[label] = error.message.replace(/^[^:]*: /, '').slice(0, 80);
    }
    for (const made of clients.splice(0)) await made.close();
  });

  it('ignores NODE_TLS_REJECT_UNAUTHORIZED=0', async () => {
    const warn = sinon.stub(process, 'emitWarning'); // Node warns about the variable; keep the output clean
    const saved = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    try {
      await refused(client(), 'NODE_TLS_REJECT_UNAUTHORIZED=0');
      const media = await client()
        .fetchMedia(`${cloud.url}/media.jpg`)
        .then(() => undefined, (thrown: unknown) => thrown);
      assert.ok(media instanceof LinkVisualError && media.code === 'NETWORK', `media: ${String(media)}`);
    } finally {
      if (saved === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = saved;
      warn.restore();
    }
  });

  it('refuses untrusted media URLs too (fetchMedia and openMedia)', async () => {
    const made = client();
    for (const attempt of [() => made.fetchMedia(`${cloud.url}/media.jpg?sig=abc`), () => made.openMedia(`${cloud.url}/media.jpg?sig=abc`)]) {
      const error = await attempt().then(() => undefined, (thrown: unknown) => thrown);
      assert.ok(error instanceof LinkVisualError && error.code === 'NETWORK', String(error));
      assert.match(error.message, CERT_REFUSAL);
      assert.ok(!error.message.includes('sig=abc'), 'the signed query is never shown');
    }
  });

  it('refuses an untrusted endpoint through the account node of a flow', async () => {
    const userDir = tempUserDir();
    try {
      const flow = [
        { id: 'tls-tab', type: 'tab' },
        { id: 'tls-account', type: 'link-visual-config', name: 'tls', region: 'custom', endpoint: cloud.url, authMode: 'iotToken', rateLimit: 50, timeout: 5 },
        { id: 'tls-duration', type: 'link-visual-recordings', z: 'tls-tab', x: 1, y: 1, account: 'tls-account', operation: 'getDuration', wires: [['tls-sink']] },
        { id: 'tls-catch', type: 'catch', z: 'tls-tab', x: 1, y: 2, scope: null, uncaught: false, wires: [['tls-sink']] },
        { id: 'tls-sink', type: 'helper', z: 'tls-tab', x: 2, y: 2 },
      ];
      await helper.load([catchNode, ...packageNodes()], flow, { 'tls-account': { appKey: 'tls-app-key', appSecret: SECRET, iotToken: 'tls-IOT-TOKEN-1234567' } });
      const sink = new MessageQueue(helper.getNode('tls-sink') as TestNode);
      const before = cloud.requests;
      const { error } = await exchange(helper.getNode('tls-duration') as TestNode, { payload: { iotId: 'demo-camera-1' } }, sink);
      const caught = error?.error as { code: string; message: string } | undefined;
      assert.equal(caught?.code, 'NETWORK', JSON.stringify(caught));
      assert.match(caught?.message ?? '', CERT_REFUSAL);
      assert.equal(cloud.requests, before);
      harvestHelper('transport (flow)');
      await helper.unload();
    } finally {
      evidence.captureFiles(userDir.dir, 'transport user directory');
      userDir.remove();
    }
  });
});
