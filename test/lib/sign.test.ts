import assert from 'node:assert/strict';
import { buildStringToSign, computeSignature, contentMd5, signRequest, verifySignature } from '../../lib/gateway/sign';

// The worked example of docs/protocol.md §4.5 (fake credentials).
const body =
  '{"id":"4f1c2d3e-0000-4000-8000-000000000001","version":"1.0","request":{"apiVer":"2.1.5","iotToken":"EXAMPLEIOTTOKEN"},"params":{"iotId":"EXAMPLEIOTID","beginTime":1763971200000,"endTime":1763978400000,"eventType":0,"pageStart":0,"pageSize":20}}';
const example = {
  method: 'POST',
  url: 'https://api.link.aliyun.com/vision/customer/event/query',
  body,
  appKey: '12345678',
  appSecret: '0123456789abcdef0123456789abcdef',
  nonce: 'b3f0c7a2-8d51-4a8e-9a0c-2f6c1d9e4b71',
  timestamp: 1763978400000,
  headers: { date: 'Mon, 24 Nov 2025 10:00:00 GMT' },
};

describe('gateway signature', () => {
  it('reproduces the worked example of docs/protocol.md §4.5 (HmacSHA256)', () => {
    const headers = signRequest(example);
    assert.equal(headers['content-md5'], 'T5K7RgHj4ZY3tJgtYgaNCw==');
    assert.equal(headers['x-ca-signature-headers'], 'x-ca-key,x-ca-nonce,x-ca-signature-method,x-ca-timestamp');
    assert.equal(headers['x-ca-signature'], 'w2Q7m6Gi0OnUN6ydvu0IkoI4UVM+yrW8TnFncJB/4pQ=');
    assert.equal(headers.accept, 'application/json; charset=UTF-8');
    assert.equal(headers['content-type'], 'application/json; charset=UTF-8');
  });

  it('builds the exact string-to-sign of the example', () => {
    const expected = [
      'POST',
      'application/json; charset=UTF-8',
      'T5K7RgHj4ZY3tJgtYgaNCw==',
      'application/json; charset=UTF-8',
      'Mon, 24 Nov 2025 10:00:00 GMT',
      'x-ca-key:12345678',
      'x-ca-nonce:b3f0c7a2-8d51-4a8e-9a0c-2f6c1d9e4b71',
      'x-ca-signature-method:HmacSHA256',
      'x-ca-timestamp:1763978400000',
      '/vision/customer/event/query',
    ].join('\n');
    const built = buildStringToSign({
      method: 'post',
      accept: 'application/json; charset=UTF-8',
      contentMd5: contentMd5(body),
      contentType: 'application/json; charset=UTF-8',
      date: 'Mon, 24 Nov 2025 10:00:00 GMT',
      signedHeaders: [
        ['x-ca-timestamp', '1763978400000'],
        ['x-ca-key', '12345678'],
        ['x-ca-signature-method', 'HmacSHA256'],
        ['x-ca-nonce', 'b3f0c7a2-8d51-4a8e-9a0c-2f6c1d9e4b71'],
      ],
      pathAndParameters: '/vision/customer/event/query',
    });
    assert.equal(built, expected);
    assert.equal(computeSignature(built, example.appSecret, 'HmacSHA1'), 'rqKmCy1UYphUyGhH3SlM6Kno3pY=');
  });

  it('reproduces the HmacSHA1 reference value when SHA1 is selected', () => {
    const headers = signRequest({ ...example, signatureMethod: 'HmacSHA1' });
    assert.equal(headers['x-ca-signature-method'], 'HmacSHA1');
    // The method header is itself signed, so the SHA1 signature differs from the §4.5 reference string's.
    const check = verifySignature(
      { method: 'POST', url: '/vision/customer/event/query', headers, body: Buffer.from(body) },
      (key) => (key === '12345678' ? example.appSecret : undefined),
    );
    assert.equal(check.ok, true);
  });

  it('signs query parameters sorted and unencoded, and verifies them server-side', () => {
    const headers = signRequest({ ...example, url: 'https://h/vision/x?b=2&a=1&x-ca-request-id=r 1' });
    const check = verifySignature(
      { method: 'POST', url: '/vision/x?b=2&a=1&x-ca-request-id=r%201', headers, body: Buffer.from(body) },
      () => example.appSecret,
    );
    assert.equal(check.ok, true);
    assert.ok(check.ok && check.stringToSign.endsWith('/vision/x?a=1&b=2&x-ca-request-id=r 1'));
  });

  it('refuses a tampered body, a wrong secret and an unknown key', () => {
    const headers = signRequest(example);
    const tampered = verifySignature(
      { method: 'POST', url: '/vision/customer/event/query', headers, body: Buffer.from(body.replace('EXAMPLEIOTID', 'OTHER')) },
      () => example.appSecret,
    );
    assert.deepEqual(tampered.ok ? 'ok' : tampered.reason, 'Invalid Content-MD5');
    const wrongSecret = verifySignature(
      { method: 'POST', url: '/vision/customer/event/query', headers, body: Buffer.from(body) },
      () => 'another-secret',
    );
    assert.deepEqual(wrongSecret.ok ? 'ok' : wrongSecret.reason, 'Invalid Signature');
    const unknown = verifySignature({ method: 'POST', url: '/x', headers, body: Buffer.from(body) }, () => undefined);
    assert.deepEqual(unknown.ok ? 'ok' : unknown.reason, 'Invalid AppKey');
  });

  it('uses a fresh nonce and the current time when none is given', () => {
    const a = signRequest({ method: 'POST', url: '/p', body: '{}', appKey: 'k', appSecret: 's' });
    const b = signRequest({ method: 'POST', url: '/p', body: '{}', appKey: 'k', appSecret: 's' });
    assert.notEqual(a['x-ca-nonce'], b['x-ca-nonce']);
    assert.ok(Math.abs(Number(a['x-ca-timestamp']) - Date.now()) < 5000);
  });
});
