/**
 * SASL PLAIN credentials of the platform's AMQP data sync, app-key mode (docs/protocol.md §10.2):
 *
 *   username  <clientId>|authMode=appkey,signMethod=SHA256,random=<ms>,appKey=<AppKey>,groupId=<consumer group>|
 *   password  base64 (or hex) of HMAC-SHA256(AppSecret, "random=<ms>")
 *
 * Public clients disagree on the password's encoding (one base64, one hex); base64 is the default,
 * `encoding: 'hex'` the alternative. The verifier (used by the emulator) accepts base64 only unless
 * told otherwise, so a client with the wrong encoding is refused there as it would be by the cloud.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { LinkVisualError } from '../gateway/errors';

export type PushPasswordEncoding = 'base64' | 'hex';

export interface PushCredentialsInput {
  readonly appKey: string;
  readonly appSecret: string;
  /** Identifies this consumer (stable per installation); printable ASCII without `|`. */
  readonly clientId: string;
  /** The consumer group; default the AppKey. */
  readonly consumerGroup?: string;
  /** Password encoding; default base64. */
  readonly encoding?: PushPasswordEncoding;
  /** The signed `random` (ms); default now. */
  readonly random?: number;
}

export interface PushCredentials {
  readonly username: string;
  readonly password: string;
}

/** The parts of an accepted username. */
export interface VerifiedPushCredentials {
  readonly ok: true;
  readonly clientId: string;
  readonly appKey: string;
  readonly consumerGroup: string;
  readonly random: string;
  readonly encoding: PushPasswordEncoding;
}

export interface RefusedPushCredentials {
  readonly ok: false;
  /** Why, never quoting the password or a secret. */
  readonly reason: string;
  /** The AppKey the username named, when it could be read. */
  readonly appKey?: string;
}

export interface VerifyPushOptions {
  /** Password encodings accepted; default `['base64']` (the scheme's). */
  readonly encodings?: readonly PushPasswordEncoding[];
}

// Printable ASCII; the separators of the username are refused inside its fields.
const CLIENT_ID = /^[\x21-\x7b\x7d\x7e]{1,128}$/; // no `|`
const FIELD = /^[\x21-\x2b\x2d-\x3c\x3e-\x7b\x7d\x7e]{1,128}$/; // no `|`, `,`, `=`

function checkField(name: string, value: unknown, pattern: RegExp): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new LinkVisualError(
      'CONFIG',
      `push ${name} must be 1–128 printable ASCII characters without ${pattern === CLIENT_ID ? '"|"' : '"|", "," or "="'}`,
    );
  }
  return value;
}

function sign(appSecret: string, random: string): Buffer {
  return createHmac('sha256', appSecret).update(`random=${random}`, 'utf8').digest();
}

/** The SASL PLAIN username and password for the data sync (app-key mode). */
export function pushCredentials(input: PushCredentialsInput): PushCredentials {
  const appKey = checkField('appKey', input.appKey, FIELD);
  if (typeof input.appSecret !== 'string' || input.appSecret === '') throw new LinkVisualError('CONFIG', 'push appSecret is required');
  const clientId = checkField('clientId', input.clientId, CLIENT_ID);
  const consumerGroup = checkField('consumerGroup', input.consumerGroup ?? appKey, FIELD);
  const encoding = input.encoding ?? 'base64';
  if (encoding !== 'base64' && encoding !== 'hex') throw new LinkVisualError('CONFIG', 'push password encoding must be base64 or hex');
  const random = input.random ?? Date.now();
  if (!Number.isSafeInteger(random) || random < 0) throw new LinkVisualError('CONFIG', 'push random must be a non-negative integer (ms)');
  const text = String(random);
  return {
    username: `${clientId}|authMode=appkey,signMethod=SHA256,random=${text},appKey=${appKey},groupId=${consumerGroup}|`,
    password: sign(input.appSecret, text).toString(encoding),
  };
}

/** Reads an app-key username into its fields; a string saying what is wrong otherwise. */
export function parsePushUsername(username: string): Omit<VerifiedPushCredentials, 'ok' | 'encoding'> | string {
  if (typeof username !== 'string' || username.length > 1024) return 'username is not a string of at most 1024 characters';
  const parts = username.split('|');
  if (parts.length !== 3 || parts[2] !== '') return 'username is not <clientId>|<parameters>|';
  const [clientId, parameters] = parts;
  if (!CLIENT_ID.test(clientId)) return 'username has no valid clientId';
  const fields = new Map<string, string>();
  for (const pair of parameters.split(',')) {
    const equals = pair.indexOf('=');
    if (equals <= 0) return `username parameter "${pair.slice(0, 40)}" is not key=value`;
    const key = pair.slice(0, equals);
    if (fields.has(key)) return `username repeats ${key}`;
    fields.set(key, pair.slice(equals + 1));
  }
  if (fields.get('authMode') !== 'appkey') return 'username authMode is not appkey';
  if (fields.get('signMethod')?.toUpperCase() !== 'SHA256') return 'username signMethod is not SHA256';
  const random = fields.get('random') ?? '';
  if (!/^\d{1,16}$/.test(random)) return 'username random is not a number of ms';
  const appKey = fields.get('appKey') ?? '';
  if (!FIELD.test(appKey)) return 'username has no valid appKey';
  const consumerGroup = fields.get('groupId') ?? '';
  if (!FIELD.test(consumerGroup)) return 'username has no valid groupId';
  return { clientId, appKey, consumerGroup, random };
}

/**
 * Checks a SASL PLAIN username/password pair as the data-sync broker would: the username parsed,
 * the AppKey's secret looked up, the HMAC recomputed and compared in constant time.
 */
export function verifyPushCredentials(
  username: string,
  password: string,
  lookupSecret: (appKey: string) => string | undefined,
  options: VerifyPushOptions = {},
): VerifiedPushCredentials | RefusedPushCredentials {
  const parsed = parsePushUsername(username);
  if (typeof parsed === 'string') return { ok: false, reason: parsed };
  const secret = lookupSecret(parsed.appKey);
  if (secret === undefined) return { ok: false, reason: 'unknown AppKey', appKey: parsed.appKey };
  if (typeof password !== 'string' || password.length > 256) return { ok: false, reason: 'wrong signature', appKey: parsed.appKey };
  const expected = sign(secret, parsed.random);
  for (const encoding of options.encodings ?? ['base64']) {
    const wanted = Buffer.from(expected.toString(encoding), 'utf8');
    const given = Buffer.from(password, 'utf8');
    if (wanted.length === given.length && timingSafeEqual(wanted, given)) return { ok: true, ...parsed, encoding };
  }
  return { ok: false, reason: 'wrong signature', appKey: parsed.appKey };
}
