/**
 * Protocol conformance of the emulator's gateway: requests from Alibaba's official Node SDK
 * (`aliyun-api-gateway`) and from our own signRequest are accepted; forged ones get the gateway's answers.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'aliyun-api-gateway';
import type { EmulatorHandle } from '../../lib/emulator';
import { contentMd5 } from '../../lib/gateway/sign';
import { start, TestClient, type Envelope, type Json } from './helpers';

interface SdkError extends Error {
  code: number;
  data: { headers: Record<string, string> };
}

async function sdkFailure(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (error) {
    return error as SdkError;
  }
  assert.fail('the SDK call was expected to fail');
}

function envelope(apiVer: string, params: Json, token: Json = {}): Json {
  return { id: 'sdk-1', version: '1.0', request: { apiVer, ...token }, params };
}

/** An HTTP relay that changes the body in transit (same length), optionally fixing Content-MD5. */
async function startTamperingRelay(target: string, fixMd5: boolean): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8').replace('"demo-camera-1"', '"demo-camera-2"');
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(name)) headers[name] = value;
      }
      if (fixMd5) headers['content-md5'] = contentMd5(body);
      fetch(`${target}${req.url ?? '/'}`, { method: 'POST', headers, body }).then(
        async (answer) => {
          const out: Record<string, string> = {};
          answer.headers.forEach((value, name) => {
            if (name.startsWith('x-ca-') || name === 'content-type') out[name] = value;
          });
          res.writeHead(answer.status, out);
          res.end(Buffer.from(await answer.arrayBuffer()));
        },
        () => res.destroy(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('emulator gateway: official aliyun-api-gateway SDK', () => {
  let emulator: EmulatorHandle;
  let client: TestClient;

  before(async () => {
    emulator = await start();
    client = new TestClient(emulator);
  });
  after(() => emulator.close());

  it('accepts a valid SDK request and answers the envelope with the id echoed', async () => {
    const sdk = new Client(emulator.appKey, emulator.appSecret);
    const answer = (await sdk.post(`${emulator.url}/account/checkOrRefreshSession`, {
      data: envelope('1.0.4', { request: { identityId: emulator.identityId, refreshToken: emulator.refreshToken } }),
    })) as Envelope;
    assert.equal(answer.code, 200);
    assert.equal(answer.id, 'sdk-1');
    const session = answer.data as Json;
    assert.equal(typeof session.iotToken, 'string');

    const plans = (await sdk.post(`${emulator.url}/vision/customer/record/plan/query`, {
      data: envelope('2.1.0', { pageStart: 0, pageSize: 10 }, { iotToken: session.iotToken }),
    })) as Envelope;
    assert.equal(plans.code, 200);
    assert.deepEqual(plans.data, { total: 0, currentCount: 0, recordPlanList: [] });
  });

  it('refuses a wrong secret: 400 Invalid Signature with the server StringToSign, # for newlines', async () => {
    const sdk = new Client(emulator.appKey, 'not-the-secret');
    const error = await sdkFailure(sdk.post(`${emulator.url}/kit/debug/ping`, { data: envelope('1.0.0', { input: 'x' }) }));
    assert.equal(error.code, 400);
    const message = error.data.headers['x-ca-error-message'];
    assert.match(message, /^Invalid Signature, Server StringToSign:POST#application\/json#[A-Za-z0-9+/=]{24}#application\/json##/);
    assert.match(message, /x-ca-key:demo-app-key#/);
    assert.match(message, /#\/kit\/debug\/ping$/);
    assert.ok(error.data.headers['x-ca-request-id']);
  });

  it('refuses a body tampered in transit (Content-MD5), and a tampered body with a fixed MD5 (signature)', async () => {
    for (const fixMd5 of [false, true]) {
      const relay = await startTamperingRelay(emulator.url, fixMd5);
      try {
        const sdk = new Client(emulator.appKey, emulator.appSecret);
        const error = await sdkFailure(
          sdk.post(`${relay.url}/vision/customer/record/durationconfig/get`, { data: envelope('1.0.0', { iotId: 'demo-camera-1' }) }),
        );
        assert.equal(error.code, 400);
        assert.match(error.data.headers['x-ca-error-message'], fixMd5 ? /^Invalid Signature, Server StringToSign:/ : /^Invalid Content-MD5$/);
      } finally {
        await new Promise((resolve) => relay.server.close(resolve));
      }
    }
  });

  it('refuses a stale timestamp: 400 Timestamp Expired', async () => {
    const sdk = new Client(emulator.appKey, emulator.appSecret);
    const error = await sdkFailure(
      sdk.post(`${emulator.url}/kit/debug/ping`, { data: envelope('1.0.0', {}), headers: { 'x-ca-timestamp': Date.now() - 16 * 60_000 } }),
    );
    assert.equal(error.code, 400);
    assert.equal(error.data.headers['x-ca-error-message'], 'Timestamp Expired');
  });

  it('refuses a replayed nonce: 400 Nonce Used', async () => {
    const sdk = new Client(emulator.appKey, emulator.appSecret);
    const headers = { 'x-ca-nonce': 'fixed-nonce-for-replay' };
    const first = (await sdk.post(`${emulator.url}/kit/debug/ping`, { data: envelope('1.0.0', { input: 'a' }), headers })) as Envelope;
    assert.equal(first.code, 200);
    assert.equal(first.data, 'a');
    const error = await sdkFailure(sdk.post(`${emulator.url}/kit/debug/ping`, { data: envelope('1.0.0', { input: 'a' }), headers }));
    assert.equal(error.code, 400);
    assert.equal(error.data.headers['x-ca-error-message'], 'Nonce Used');
  });

  it('refuses an unknown AppKey: 400 Invalid AppKey', async () => {
    const sdk = new Client('someone-else', emulator.appSecret);
    const error = await sdkFailure(sdk.post(`${emulator.url}/kit/debug/ping`, { data: envelope('1.0.0', {}) }));
    assert.equal(error.code, 400);
    assert.equal(error.data.headers['x-ca-error-message'], 'Invalid AppKey');
  });

  it('counts the refusals in the stats', async () => {
    const stats = await client.controlOk<Json>('GET', 'stats');
    const rejected = stats.rejected as Record<string, number>;
    assert.ok(rejected.signature >= 3, `signature ${rejected.signature}`);
    assert.ok(rejected.timestamp >= 1);
    assert.ok(rejected.nonce >= 1);
  });
});

describe('emulator gateway: our signRequest', () => {
  let emulator: EmulatorHandle;
  let client: TestClient;

  before(async () => {
    emulator = await start();
    client = new TestClient(emulator);
  });
  after(() => emulator.close());

  for (const signatureMethod of ['HmacSHA256', 'HmacSHA1'] as const) {
    it(`accepts requests signed with ${signatureMethod}`, async () => {
      const body = JSON.stringify(envelope('1.0.0', { input: signatureMethod }));
      const answer = await client.raw('/kit/debug/ping', body, { signatureMethod });
      assert.equal(answer.status, 200, answer.headers.get('x-ca-error-message') ?? '');
      assert.equal((JSON.parse(answer.text) as Envelope).data, signatureMethod);
      assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
      assert.ok(answer.headers.get('x-ca-request-id'));
    });
  }

  it('verifies the headers as listed in X-Ca-Signature-Headers, in any listed order', async () => {
    const body = JSON.stringify(envelope('1.0.0', {}));
    const answer = await client.raw('/kit/debug/ping', body, {
      tamperHeaders: (headers) => {
        headers['x-ca-signature-headers'] = headers['x-ca-signature-headers'].split(',').reverse().join(',');
      },
    });
    assert.equal(answer.status, 200);
  });

  it('refuses a signed header changed after signing', async () => {
    const body = JSON.stringify(envelope('1.0.0', {}));
    const answer = await client.raw('/kit/debug/ping', body, {
      tamperHeaders: (headers) => {
        headers['x-ca-signature-method'] = headers['x-ca-signature-method'] === 'HmacSHA256' ? 'HmacSHA1' : 'HmacSHA256';
      },
    });
    assert.equal(answer.status, 400);
    assert.match(answer.headers.get('x-ca-error-message') ?? '', /^Invalid Signature, Server StringToSign:POST#/);
  });

  it('refuses a missing signature with 401 Empty Signature', async () => {
    const answer = await client.raw('/kit/debug/ping', '{}', { tamperHeaders: (headers) => delete headers['x-ca-signature'] });
    assert.equal(answer.status, 401);
    assert.equal(answer.headers.get('x-ca-error-message'), 'Empty Signature');
    assert.equal(answer.text, '');
  });

  it('refuses timestamps outside ±15 minutes (past and future) and non-numeric ones', async () => {
    for (const timestamp of [Date.now() - 15 * 60_000 - 5000, Date.now() + 15 * 60_000 + 5000]) {
      const answer = await client.raw('/kit/debug/ping', '{}', { timestamp });
      assert.equal(answer.status, 400);
      assert.equal(answer.headers.get('x-ca-error-message'), 'Timestamp Expired');
    }
    const near = await client.raw('/kit/debug/ping', JSON.stringify(envelope('1.0.0', {})), { timestamp: Date.now() - 14 * 60_000 });
    assert.equal(near.status, 200);
    const text = await client.raw('/kit/debug/ping', '{}', { timestamp: 'yesterday' });
    assert.equal(text.status, 400);
    assert.equal(text.headers.get('x-ca-error-message'), 'Invalid Timestamp');
  });

  it('refuses a replayed request (same nonce) even with a fresh signature', async () => {
    const body = JSON.stringify(envelope('1.0.0', {}));
    assert.equal((await client.raw('/kit/debug/ping', body, { nonce: 'n-1' })).status, 200);
    const again = await client.raw('/kit/debug/ping', body, { nonce: 'n-1' });
    assert.equal(again.status, 400);
    assert.equal(again.headers.get('x-ca-error-message'), 'Nonce Used');
  });

  it('does not burn a nonce on a forged request', async () => {
    const body = JSON.stringify(envelope('1.0.0', {}));
    const forged = await client.raw('/kit/debug/ping', body, { nonce: 'n-2', appSecret: 'wrong' });
    assert.equal(forged.status, 400);
    assert.equal((await client.raw('/kit/debug/ping', body, { nonce: 'n-2' })).status, 200);
  });

  it('answers unknown paths with 404 Invalid Url and other methods with 400 Invalid Url', async () => {
    const unknown = await client.raw('/vision/customer/no/such/thing', '{}');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers.get('x-ca-error-message'), 'Invalid Url');
    assert.ok(unknown.headers.get('x-ca-request-id'));
    const get = await client.raw('/kit/debug/ping', '', { method: 'GET' });
    assert.equal(get.status, 400);
    assert.equal(get.headers.get('x-ca-error-message'), 'Invalid Url');
  });

  it('answers 413 to a body over the limit and keeps serving', async () => {
    const huge = JSON.stringify({ pad: 'x'.repeat(1024 * 1024 + 10) });
    const answer = await client.raw('/kit/debug/ping', huge);
    assert.equal(answer.status, 413);
    assert.equal(answer.headers.get('x-ca-error-message'), 'Request Body Too Large');
    assert.equal((await client.raw('/kit/debug/ping', JSON.stringify(envelope('1.0.0', {})))).status, 200);
  });

  it('answers malformed JSON and broken envelopes with a body code, never crashing', async () => {
    const notJson = await client.raw('/kit/debug/ping', '{"id": nope');
    assert.equal(notJson.status, 200);
    assert.equal((JSON.parse(notJson.text) as Envelope).code, 400);
    const noApiVer = await client.raw('/kit/debug/ping', JSON.stringify({ id: 'x', request: {}, params: {} }));
    const parsed = JSON.parse(noApiVer.text) as Envelope;
    assert.equal(parsed.code, 460);
    assert.equal(parsed.id, 'x');
    for (const body of ['[]', 'null', '"text"', '{"request": 5}', '']) {
      const answer = await client.raw('/vision/customer/record/query', body);
      assert.equal(answer.status, 200);
      assert.notEqual((JSON.parse(answer.text) as Envelope).code, 200);
    }
    assert.equal((await client.raw('/kit/debug/ping', JSON.stringify(envelope('1.0.0', {})))).status, 200);
  });

  it('puts X-Ca-Request-Id on business, control and media answers too', async () => {
    const business = await client.raw('/kit/debug/ping', JSON.stringify(envelope('1.0.0', {})));
    assert.match(business.headers.get('x-ca-request-id') ?? '', /^[0-9A-F-]{36}$/);
    const control = await fetch(`${emulator.url}/_emulator/stats`);
    await control.arrayBuffer();
    assert.ok(control.headers.get('x-ca-request-id'));
    const media = await fetch(`${emulator.url}/_media/picture/x/y.jpg`);
    await media.arrayBuffer();
    assert.ok(media.headers.get('x-ca-request-id'));
  });
});
