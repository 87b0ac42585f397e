import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/** The two HMAC algorithms the gateway accepts (docs/protocol.md §4.1). */
export type SignatureMethod = 'HmacSHA256' | 'HmacSHA1';

export const DEFAULT_CONTENT_TYPE = 'application/json; charset=UTF-8';
export const DEFAULT_ACCEPT = 'application/json; charset=UTF-8';
const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

// Headers that have their own line in the string-to-sign or are the signature itself: never in the block.
const UNSIGNED_HEADERS = new Set([
  'x-ca-signature',
  'x-ca-signature-headers',
  'accept',
  'content-md5',
  'content-type',
  'date',
]);

export interface SignRequestInput {
  readonly method: string;
  /** Full URL or bare path (with optional query string). */
  readonly url: string;
  /** Extra headers to send; `accept`, `content-type` and `date` here are signed as given. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  readonly appKey: string;
  readonly appSecret: string;
  readonly nonce?: string;
  /** Epoch milliseconds. */
  readonly timestamp?: number | string;
  readonly signatureMethod?: SignatureMethod;
}

export interface StringToSignParts {
  readonly method: string;
  readonly accept: string;
  readonly contentMd5: string;
  readonly contentType: string;
  readonly date: string;
  /** Signed headers in the order they are listed; they are sorted by name here. */
  readonly signedHeaders: readonly (readonly [string, string])[];
  readonly pathAndParameters: string;
}

/** Base64 MD5 of the exact body bytes, as the `Content-MD5` header wants it. */
export function contentMd5(body: string | Buffer): string {
  return createHash('md5').update(body).digest('base64');
}

/** `path` plus sorted `key=value` pairs (raw, not URL-encoded), per docs/protocol.md §4.3. */
export function buildPathAndParameters(path: string, parameters: readonly (readonly [string, string | undefined])[]): string {
  if (parameters.length === 0) return path;
  const sorted = [...parameters].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const joined = sorted.map(([key, value]) => (value === undefined || value === '' ? key : `${key}=${value}`)).join('&');
  return `${path}?${joined}`;
}

/** The newline-joined string the HMAC covers (docs/protocol.md §4.2). */
export function buildStringToSign(parts: StringToSignParts): string {
  const sorted = [...parts.signedHeaders].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const block = sorted.map(([name, value]) => `${name}:${value}\n`).join('');
  return `${parts.method.toUpperCase()}\n${parts.accept}\n${parts.contentMd5}\n${parts.contentType}\n${parts.date}\n${block}${parts.pathAndParameters}`;
}

/** Base64 HMAC of the string-to-sign with the AppSecret. */
export function computeSignature(stringToSign: string, appSecret: string, method: SignatureMethod = 'HmacSHA256'): string {
  const algorithm = method === 'HmacSHA1' ? 'sha1' : 'sha256';
  return createHmac(algorithm, Buffer.from(appSecret, 'utf8')).update(Buffer.from(stringToSign, 'utf8')).digest('base64');
}

function splitUrl(url: string): { path: string; query: [string, string][] } {
  const parsed = new URL(url, 'http://placeholder.invalid');
  const query: [string, string][] = [];
  parsed.searchParams.forEach((value, key) => query.push([key, value]));
  return { path: parsed.pathname, query };
}

function formParameters(contentType: string, body: string | Buffer | undefined): [string, string][] {
  if (body === undefined || !contentType.toLowerCase().startsWith(FORM_CONTENT_TYPE)) return [];
  const pairs: [string, string][] = [];
  new URLSearchParams(body.toString()).forEach((value, key) => pairs.push([key, value]));
  return pairs;
}

/**
 * Signs a gateway request: returns every header to send (Accept, Content-Type, Content-MD5,
 * X-Ca-Key, X-Ca-Nonce, X-Ca-Timestamp, X-Ca-Signature-Method, X-Ca-Signature-Headers, X-Ca-Signature,
 * plus the caller's headers). Header names are lower case; values are sent exactly as signed.
 */
export function signRequest(input: SignRequestInput): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers ?? {})) headers[name.toLowerCase()] = String(value);
  const signatureMethod = input.signatureMethod ?? 'HmacSHA256';
  headers.accept ??= DEFAULT_ACCEPT;
  headers['content-type'] ??= DEFAULT_CONTENT_TYPE;
  const isForm = headers['content-type'].toLowerCase().startsWith(FORM_CONTENT_TYPE);
  if (input.body !== undefined && !isForm) headers['content-md5'] = contentMd5(input.body);
  headers['x-ca-key'] = input.appKey;
  headers['x-ca-nonce'] = input.nonce ?? randomUUID();
  headers['x-ca-timestamp'] = String(input.timestamp ?? Date.now());
  headers['x-ca-signature-method'] = signatureMethod;
  delete headers['x-ca-signature'];

  const signedNames = Object.keys(headers)
    .filter((name) => name.startsWith('x-ca-') && !UNSIGNED_HEADERS.has(name))
    .sort();
  headers['x-ca-signature-headers'] = signedNames.join(',');

  const { path, query } = splitUrl(input.url);
  const stringToSign = buildStringToSign({
    method: input.method,
    accept: headers.accept,
    contentMd5: headers['content-md5'] ?? '',
    contentType: headers['content-type'],
    date: headers.date ?? '',
    signedHeaders: signedNames.map((name) => [name, headers[name]] as const),
    pathAndParameters: buildPathAndParameters(path, [...query, ...formParameters(headers['content-type'], input.body)]),
  });
  headers['x-ca-signature'] = computeSignature(stringToSign, input.appSecret, signatureMethod);
  return headers;
}

/** What the server side needs of an incoming request to check its signature. */
export interface IncomingSignedRequest {
  readonly method: string;
  /** Path with query string, as received. */
  readonly url: string;
  /** Header lookup by lower-case name (Node's `IncomingMessage.headers` works). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

export type SignatureCheck =
  | { readonly ok: true; readonly appKey: string; readonly stringToSign: string }
  | { readonly ok: false; readonly reason: string; readonly stringToSign?: string };

function header(request: IncomingSignedRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * Recomputes the signature of an incoming request the way the gateway does: the headers named in
 * `X-Ca-Signature-Headers` (as listed), Content-MD5 against the body, HMAC with the AppKey's secret.
 */
export function verifySignature(
  request: IncomingSignedRequest,
  secretFor: (appKey: string) => string | undefined,
): SignatureCheck {
  const signature = header(request, 'x-ca-signature');
  if (!signature) return { ok: false, reason: 'Empty Signature' };
  const appKey = header(request, 'x-ca-key');
  if (!appKey) return { ok: false, reason: 'Empty AppKey' };
  const appSecret = secretFor(appKey);
  if (appSecret === undefined) return { ok: false, reason: 'Invalid AppKey' };
  const methodHeader = header(request, 'x-ca-signature-method') ?? 'HmacSHA256';
  if (methodHeader !== 'HmacSHA256' && methodHeader !== 'HmacSHA1') {
    return { ok: false, reason: 'Invalid Signature Method' };
  }
  const md5 = header(request, 'content-md5') ?? '';
  if (md5 !== '' && md5 !== contentMd5(request.body)) return { ok: false, reason: 'Invalid Content-MD5' };

  const listed = (header(request, 'x-ca-signature-headers') ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '' && !UNSIGNED_HEADERS.has(name.toLowerCase()));
  const contentType = header(request, 'content-type') ?? '';
  const { path, query } = splitUrl(request.url);
  const stringToSign = buildStringToSign({
    method: request.method,
    accept: header(request, 'accept') ?? '',
    contentMd5: md5,
    contentType,
    date: header(request, 'date') ?? '',
    signedHeaders: listed.map((name) => [name, header(request, name) ?? ''] as const),
    pathAndParameters: buildPathAndParameters(path, [...query, ...formParameters(contentType, request.body)]),
  });
  const expected = Buffer.from(computeSignature(stringToSign, appSecret, methodHeader));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: 'Invalid Signature', stringToSign };
  }
  return { ok: true, appKey, stringToSign };
}
