/** The emulator's options, their demo defaults, and their checks. */

export interface EmulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  readonly port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  readonly host?: string;
  readonly appKey?: string;
  readonly appSecret?: string;
  readonly identityId?: string;
  readonly refreshToken?: string;
  readonly authCode?: string;
  readonly projectId?: string;
  /** How many demo cameras (`demo-camera-1`…), or their iotIds; default the two demo cameras, with cloud storage. */
  readonly cameras?: number | readonly string[];
  /** JSON state file: loaded at start, written atomically after changes and on close. */
  readonly state?: string;
  /** Simulated seconds per real second; default 1. */
  readonly timeScale?: number;
  /** Simulated epoch ms at start (default: now). A loaded state file's clock wins. */
  readonly startTime?: number;
  /** Rotate the refresh token on every checkOrRefreshSession; default false (demo clients share it). */
  readonly rotateRefreshTokens?: boolean;
  /** iotToken lifetime in seconds; default 72000. */
  readonly iotTokenTtlSeconds?: number;
  /** Lifetime of a rotated refresh token in seconds; default 720000. */
  readonly refreshTokenTtlSeconds?: number;
  /** cloudToken lifetime in seconds; default 7200. */
  readonly cloudTokenTtlSeconds?: number;
  /** Real ms a vod/cloudfile/get transcode takes; default 3000. */
  readonly transcodeMs?: number;
  /** Lifetime of media URLs in real seconds; default 600. */
  readonly mediaUrlTtlSeconds?: number;
  /** Real ms before a picture/trigger picture shows up; default 500. */
  readonly captureDelayMs?: number;
  /** When set, every online camera raises a motion event (picture + recording) every this many real ms. */
  readonly demoEvents?: number;
  /** Bytes of every generated MP4 (padded, streamed); default the bare fixture (a few KB). */
  readonly mp4Size?: number;
  /** Largest accepted request body; default 1 MiB (413 beyond). */
  readonly maxBodyBytes?: number;
  /** Simulated days recordings, pictures and events are kept; default 30. */
  readonly retentionDays?: number;
  /** Real ms between a change and the state file write; default 1000. */
  readonly saveDebounceMs?: number;
  /** Where the emulator reports problems it cannot answer with (a failed state write); default stderr. */
  readonly log?: (line: string) => void;
  // ----- Answer variants of the real cloud (docs/protocol.md §8); defaults are the most cloud-like form. -----
  /** Order of `event/query` lists: `newest` first (default, as the apps imply) or `oldest` first. */
  readonly eventOrder?: EventOrder;
  /**
   * How numbers that the cloud may send as text are sent: `string` (default, the reference's sample
   * `"status":"1","progress":"80"`) or `number`. Covers vod/cloudfile/get `status`/`progress` and the
   * session answers' `iotTokenExpire`/`refreshTokenExpire`.
   */
  readonly numberForm?: NumberForm;
  /** `eventTime` of events: local `yyyy-MM-dd HH:mm:ss` text beside `eventTimeUTC` (default), or ms since the epoch (one app's model, no `eventTimeUTC`). */
  readonly eventTimeForm?: EventTimeForm;
  /** Code for an unknown or expired iotToken/cloudToken: 401 (default, the real gateway and SDK) or 460 (`iotToken expired.`, older readings). */
  readonly tokenErrorCode?: TokenErrorCode;
  /** Only the latest login of the identity stays alive: a new session ends the tokens and refresh token of older ones. Default false. */
  readonly oneLogin?: boolean;
  /**
   * What vod/getbyeventid and vod/getbyfilename URLs play: an `mp4` file (default) or an `hls` playlist of
   * MPEG-TS segments (a streaming form the cloud may answer with). vod/cloudfile/get always gives MP4.
   */
  readonly vodFormat?: VodFormat;
  // ----- AMQP data sync (amqp.ts) -----
  /** Port of the AMQP 1.0 data-sync endpoint on `host`: undefined (default) none, 0 a free one. */
  readonly amqpPort?: number;
  /** Serve `amqps://` with a self-signed certificate made at start (the handle's `amqpCa`). Default false. */
  readonly amqpTls?: boolean;
  /** Password encodings the endpoint accepts: `base64` (default, the scheme's), `hex`, or `either`. */
  readonly amqpPasswordEncoding?: AmqpPasswordEncoding;
  /** Every this many real ms, a property report for every online camera; default none. */
  readonly amqpPropertyReportMs?: number;
}

export type AmqpPasswordEncoding = 'base64' | 'hex' | 'either';

export type EventOrder = 'newest' | 'oldest';
export type NumberForm = 'string' | 'number';
export type EventTimeForm = 'text' | 'ms';
export type TokenErrorCode = 401 | 460;
export type VodFormat = 'mp4' | 'hls';

/**
 * The emulator's most cloud-like answers (newest first, numbers as strings, 401 for tokens, one login, playback
 * URLs as HLS playlists: the reference's MP4 only after a transcode implies a streaming form, docs/protocol.md §8.11).
 */
export const CLOUD_LIKE_VARIANTS = {
  eventOrder: 'newest',
  numberForm: 'string',
  eventTimeForm: 'text',
  tokenErrorCode: 401,
  oneLogin: true,
  vodFormat: 'hls',
} as const satisfies Partial<EmulatorOptions>;

export type ResolvedOptions = Required<Omit<EmulatorOptions, 'state' | 'demoEvents' | 'startTime' | 'cameras' | 'amqpPort' | 'amqpPropertyReportMs'>> & {
  readonly amqpPort?: number;
  readonly amqpPropertyReportMs?: number;
  readonly state?: string;
  readonly demoEvents?: number;
  readonly startTime?: number;
  readonly cameras: readonly string[];
};

function check(name: string, value: number | undefined, min: number, max: number, integer = true): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new RangeError(`${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${String(value)}`);
  }
}

function cameraIds(cameras: EmulatorOptions['cameras']): string[] {
  if (cameras === undefined) return ['demo-camera-1', 'demo-camera-2'];
  if (typeof cameras === 'number') {
    check('cameras', cameras, 0, 10_000);
    return Array.from({ length: cameras }, (_, index) => `demo-camera-${index + 1}`);
  }
  if (!Array.isArray(cameras) || cameras.some((id) => typeof id !== 'string' || id === '')) {
    throw new RangeError('cameras must be a number or a list of non-empty iotIds');
  }
  return [...new Set(cameras)];
}

/** Applies the demo defaults and checks every option; throws RangeError on a bad one. */
export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
  check('port', options.port, 0, 65535);
  check('timeScale', options.timeScale, 1e-6, 1e9, false);
  check('startTime', options.startTime, 0, 8.64e15);
  check('iotTokenTtlSeconds', options.iotTokenTtlSeconds, 1, 1e9);
  check('refreshTokenTtlSeconds', options.refreshTokenTtlSeconds, 1, 1e9);
  check('cloudTokenTtlSeconds', options.cloudTokenTtlSeconds, 1, 1e9);
  check('transcodeMs', options.transcodeMs, 0, 3_600_000);
  check('mediaUrlTtlSeconds', options.mediaUrlTtlSeconds, 0, 1e9, false);
  check('captureDelayMs', options.captureDelayMs, 0, 3_600_000);
  check('demoEvents', options.demoEvents, 10, 1e9);
  check('mp4Size', options.mp4Size, 0, Number.MAX_SAFE_INTEGER);
  check('maxBodyBytes', options.maxBodyBytes, 1024, 1 << 30);
  check('retentionDays', options.retentionDays, 1, 36_500);
  check('saveDebounceMs', options.saveDebounceMs, 0, 600_000);
  check('amqpPort', options.amqpPort, 0, 65535);
  check('amqpPropertyReportMs', options.amqpPropertyReportMs, 100, 1e9);
  if (options.amqpTls !== undefined && typeof options.amqpTls !== 'boolean') throw new RangeError('amqpTls must be true or false');
  const oneOf = <T>(name: string, value: T | undefined, allowed: readonly T[], fallback: T): T => {
    if (value === undefined) return fallback;
    if (!allowed.includes(value)) throw new RangeError(`${name} must be one of ${allowed.join(', ')}, got ${String(value)}`);
    return value;
  };
  if (options.oneLogin !== undefined && typeof options.oneLogin !== 'boolean') throw new RangeError('oneLogin must be true or false');
  const text = (name: string, value: string | undefined, fallback: string): string => {
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || value === '') throw new RangeError(`${name} must be a non-empty string`);
    return value;
  };
  return {
    port: options.port ?? 0,
    host: text('host', options.host, '127.0.0.1'),
    appKey: text('appKey', options.appKey, 'demo-app-key'),
    appSecret: text('appSecret', options.appSecret, 'demo-app-secret'),
    identityId: text('identityId', options.identityId, 'demo-identity'),
    refreshToken: text('refreshToken', options.refreshToken, 'demo-refresh-token'),
    authCode: text('authCode', options.authCode, 'demo-auth-code'),
    projectId: text('projectId', options.projectId, 'demo-project'),
    cameras: cameraIds(options.cameras),
    state: options.state,
    timeScale: options.timeScale ?? 1,
    startTime: options.startTime,
    rotateRefreshTokens: options.rotateRefreshTokens ?? false,
    iotTokenTtlSeconds: options.iotTokenTtlSeconds ?? 72_000,
    refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? 720_000,
    cloudTokenTtlSeconds: options.cloudTokenTtlSeconds ?? 7200,
    transcodeMs: options.transcodeMs ?? 3000,
    mediaUrlTtlSeconds: options.mediaUrlTtlSeconds ?? 600,
    captureDelayMs: options.captureDelayMs ?? 500,
    demoEvents: options.demoEvents,
    mp4Size: options.mp4Size ?? 0,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    retentionDays: options.retentionDays ?? 30,
    saveDebounceMs: options.saveDebounceMs ?? 1000,
    log: options.log ?? ((line: string) => process.stderr.write(`${line}\n`)),
    eventOrder: oneOf<EventOrder>('eventOrder', options.eventOrder, ['newest', 'oldest'], 'newest'),
    numberForm: oneOf<NumberForm>('numberForm', options.numberForm, ['string', 'number'], 'string'),
    eventTimeForm: oneOf<EventTimeForm>('eventTimeForm', options.eventTimeForm, ['text', 'ms'], 'text'),
    tokenErrorCode: oneOf<TokenErrorCode>('tokenErrorCode', options.tokenErrorCode, [401, 460], 401),
    oneLogin: options.oneLogin ?? false,
    vodFormat: oneOf<VodFormat>('vodFormat', options.vodFormat, ['mp4', 'hls'], 'mp4'),
    amqpPort: options.amqpPort,
    amqpTls: options.amqpTls ?? false,
    amqpPasswordEncoding: oneOf<AmqpPasswordEncoding>('amqpPasswordEncoding', options.amqpPasswordEncoding, ['base64', 'hex', 'either'], 'base64'),
    amqpPropertyReportMs: options.amqpPropertyReportMs,
  };
}
