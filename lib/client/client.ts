import { EventEmitter } from 'node:events';
import { rootCertificates } from 'node:tls';
import type { Agent } from 'undici';
import type { Operation } from '../catalog/types';
import { findOperation } from '../catalog/operations';
import { isOperationPath } from '../catalog/call-syntax';
import { formatProblems, validateParams } from '../catalog/validate';
import { buildRequestEnvelope, parseResponseEnvelope } from '../gateway/envelope';
import { LinkVisualError, errorFromApiCode, errorFromHttp } from '../gateway/errors';
import { redact } from '../gateway/redact';
import { signRequest, type SignatureMethod } from '../gateway/sign';
import { oldestFirst, paginate, type PaginateOptions } from './paginate';
import { isRegionId, regions, type RegionId } from './regions';
import { SessionManager, type AuthOptions, type RequestToken, type SessionSnapshot } from './session';
import { ServerClock } from './server-clock';
import { fetchMedia, openMedia, type FetchMediaOptions, type MediaBuffer, type MediaStream, type MediaTransport, type OpenMediaOptions } from '../media/media-fetch';
import { requestFailure } from '../util/request-deadline';
import { headerText, undici } from '../util/undici';
import { postToGateway } from './gateway-post';
import { AccountThrottle, type ThrottleOptions } from './throttle';
import { pause } from '../util/abort';

// The types of the media methods, so callers can name them with the client.
export type { FetchMediaOptions, MediaBuffer, MediaStream, OpenMediaOptions } from '../media/media-fetch';

export interface LinkVisualClientOptions {
  /** Gateway base URL, e.g. `https://api.link.aliyun.com` or an emulator's `http://127.0.0.1:port`. */
  readonly endpoint?: string;
  /** A preset region (used when `endpoint` is not given). */
  readonly region?: RegionId;
  readonly appKey: string;
  readonly appSecret: string;
  readonly auth?: AuthOptions;
  /** Per-attempt timeout. Default 10 s. */
  readonly timeoutMs?: number;
  /** Requests per second for the account, or the full throttle settings. Default 5/s, burst 10. */
  readonly rateLimit?: number | ThrottleOptions;
  /** Extra attempts for idempotent calls on transient failures. Default 3. */
  readonly retries?: number;
  readonly signatureMethod?: SignatureMethod;
  /** `request.language` in every envelope, e.g. `en-US`. */
  readonly language?: string;
  /** `X-Ca-Stage` (RELEASE, PRE, TEST); omitted when not given. */
  readonly stage?: string;
  /** Extra trusted CA certificates (PEM), added to the system roots. TLS verification cannot be turned off. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** Receives every new token and rotated refresh token, so the caller can persist it. */
  readonly onSession?: (snapshot: SessionSnapshot) => void;
  /** Largest response body accepted, in bytes. Default 16 MiB. */
  readonly maxResponseBytes?: number;
}

export interface CallOptions {
  /** Overrides the catalog's apiVer (required for a path the catalog does not know). */
  readonly apiVer?: string;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  /** For a path outside the catalog: whether it may be retried. Default false. */
  readonly idempotent?: boolean;
}

/** A call's `data` plus what a flow wants to know about how it went. */
export interface CallResult {
  readonly data: unknown;
  readonly operation: string;
  readonly path: string;
  readonly apiVer: string;
  readonly requestId?: string;
  readonly attempts: number;
  readonly durationMs: number;
}

/** Emitted as `backoff` when the account pauses after throttling. */
export interface BackoffEvent {
  readonly ms: number;
  readonly reason: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;
// An API answer is JSON of a few kB; a longer one is refused rather than held in memory.
const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
const MAX_BACKOFF_MS = 30_000;
const MAX_THROTTLE_PAUSE_MS = 60_000;

function throttleOptions(rateLimit: LinkVisualClientOptions['rateLimit']): ThrottleOptions {
  if (rateLimit === undefined) return {};
  if (typeof rateLimit === 'number') return { perSecond: rateLimit, burst: Math.max(10, Math.ceil(rateLimit * 2)) };
  return rateLimit;
}

function resolveEndpoint(options: LinkVisualClientOptions): string {
  const raw = options.endpoint ?? (options.region !== undefined && isRegionId(options.region) ? regions[options.region] : undefined);
  if (raw === undefined) {
    throw new LinkVisualError('CONFIG', `give an endpoint URL or one of the regions: ${Object.keys(regions).join(', ')}`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new LinkVisualError('CONFIG', `endpoint is not a URL: ${raw}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new LinkVisualError('CONFIG', `endpoint must be http(s): ${raw}`);
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The signed Link Visual API client: one per account, shared by everything that uses the account.
 * Emits `backoff` (BackoffEvent) and, once, `sessionEnded` (the AUTH_FAILED LinkVisualError with a
 * `reason`) when the cloud refuses the session's refresh token.
 */
export class LinkVisualClient extends EventEmitter {
  readonly endpoint: string;
  readonly appKey: string;
  readonly #appSecret: string;
  readonly #agent: Agent;
  /** The endpoint split for undici's dispatcher: scheme, host and port; then the path every API path goes under. */
  readonly #origin: string;
  readonly #basePath: string;
  readonly #maxResponseBytes: number;
  readonly #throttle: AccountThrottle;
  readonly #session: SessionManager;
  readonly #inflight = new Set<AbortController>();
  readonly #media: MediaTransport;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #options: LinkVisualClientOptions;
  readonly #serverClock = new ServerClock();
  #consecutiveThrottles = 0;
  #closed = false;
  readonly #isClosed = (): boolean => this.#closed;
  #endReported = false;

  constructor(options: LinkVisualClientOptions) {
    super();
    if (!options || typeof options.appKey !== 'string' || options.appKey === '') {
      throw new LinkVisualError('CONFIG', 'appKey is required');
    }
    if (typeof options.appSecret !== 'string' || options.appSecret === '') {
      throw new LinkVisualError('CONFIG', 'appSecret is required');
    }
    this.endpoint = resolveEndpoint(options);
    this.#origin = new URL(this.endpoint).origin;
    this.#basePath = this.endpoint.slice(this.#origin.length);
    this.#maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.appKey = options.appKey;
    this.#appSecret = options.appSecret;
    this.#options = options;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#retries = Math.max(0, options.retries ?? 3);
    const throttle = throttleOptions(options.rateLimit);
    this.#throttle = new AccountThrottle(throttle);
    const extraCa = options.ca === undefined ? [] : Array.isArray(options.ca) ? options.ca : [options.ca];
    this.#agent = new (undici().Agent)({
      connections: throttle.maxConcurrent ?? 16,
      keepAliveTimeout: 30_000,
      // Verification stays on; a custom CA is added to the system roots, never replaces checking.
      connect: { rejectUnauthorized: true, ...(extraCa.length > 0 ? { ca: [...rootCertificates, ...extraCa] as (string | Buffer)[] } : {}) },
    });
    this.#media = { dispatcher: this.#agent, timeoutMs: this.#timeoutMs, inflight: this.#inflight, isClosed: this.#isClosed };
    this.#session = new SessionManager(
      options.auth ?? { mode: 'none' },
      options.appKey,
      (operation, params, signal) => this.#callUnauthenticated(operation, params, signal),
      (snapshot) => options.onSession?.(snapshot),
    );
  }

  /** Calls an operation (catalog name or API path) and resolves with the response's `data`. */
  async call(nameOrPath: string, params: Record<string, unknown> = {}, options: CallOptions = {}): Promise<unknown> {
    return (await this.callDetailed(nameOrPath, params, options)).data;
  }

  /** Like `call`, with the request id, attempts and duration. */
  async callDetailed(nameOrPath: string, params: Record<string, unknown> = {}, options: CallOptions = {}): Promise<CallResult> {
    const operation = this.resolve(nameOrPath, options);
    this.#check(operation, params);
    return this.#callWithPolicy(operation, params, options);
  }

  /** Every item of every page of a list operation, as an async iterator. */
  paginate(
    nameOrPath: string,
    params: Record<string, unknown> = {},
    options: CallOptions & PaginateOptions = {},
  ): AsyncGenerator<unknown, void, undefined> {
    const operation = this.resolve(nameOrPath, options);
    this.#check(operation, params);
    return paginate(
      operation,
      params,
      async (pageParams) => (await this.#callWithPolicy(operation, pageParams, options)).data,
      options,
    );
  }

  /** Every item of a list operation, each once, oldest first by the catalog's time fields (the cloud's order varies). */
  async list(nameOrPath: string, params: Record<string, unknown> = {}, options: CallOptions & PaginateOptions = {}): Promise<unknown[]> {
    const operation = this.resolve(nameOrPath, options);
    const items: unknown[] = [];
    for await (const item of this.paginate(nameOrPath, params, options)) items.push(item);
    return operation.paging ? oldestFirst(operation.paging, items) : items;
  }

  /** Resolves a catalog name or path; an unknown path is allowed when `apiVer` is given. */
  resolve(nameOrPath: string, options: Pick<CallOptions, 'apiVer' | 'idempotent'> = {}): Operation {
    if (typeof nameOrPath !== 'string' || nameOrPath.trim() === '') {
      throw new LinkVisualError('UNKNOWN_OPERATION', 'operation name or path is required');
    }
    const known = findOperation(nameOrPath.trim());
    if (known) return known;
    const path = nameOrPath.trim();
    if (!isOperationPath(path)) {
      throw new LinkVisualError('UNKNOWN_OPERATION', `unknown operation: ${path.slice(0, 80)}`);
    }
    if (!options.apiVer) {
      throw new LinkVisualError('INVALID_PARAMS', `${path} is not in the catalog: give its apiVer`, {
        path,
        problems: [{ path: 'apiVer', message: 'is required for a path outside the catalog' }],
      });
    }
    return { name: path, path, apiVer: options.apiVer, group: 'debug', description: path, params: [], idempotent: options.idempotent ?? false, auth: 'user' };
  }

  /**
   * Fetches a media URL the API returned (alert image, picture) into a Buffer, with a timeout, a size
   * cap and a content-type check; an expired signed URL is reported as URL_EXPIRED.
   */
  async fetchMedia(url: string, options: FetchMediaOptions = {}): Promise<MediaBuffer> {
    return fetchMedia(this.#media, url, options);
  }

  /**
   * Opens a media URL the API returned as a stream, with the checks of `fetchMedia` (http(s) only, an
   * expired signed URL is URL_EXPIRED) and a stall timeout; for downloads too large to hold in memory.
   */
  async openMedia(url: string, options: OpenMediaOptions = {}): Promise<MediaStream> {
    return openMedia(this.#media, url, options);
  }

  /**
   * The gateway's time now, in ms since the epoch: the local clock corrected by the offset the
   * `Date` headers of its answers showed (the local clock alone until the first answer).
   */
  serverNow(): number {
    return this.#serverClock.now();
  }

  /** A time the gateway's clock has certainly reached (`serverNow()` less its uncertainty, about a second). */
  serverPassed(): number {
    return this.#serverClock.passed();
  }

  /** How far the gateway's clock is ahead of the local one, in ms (0 until an answer was seen). */
  get clockOffsetMs(): number {
    return this.#serverClock.offsetMs;
  }

  /** Milliseconds the account is paused after throttling (0 when it is not). */
  backoffRemainingMs(): number {
    return this.#throttle.pausedForMs();
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Aborts in-flight requests, rejects queued ones and releases every socket and timer. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const controller of this.#inflight) controller.abort(new LinkVisualError('CLOSED', 'the client is closed'));
    this.#throttle.close();
    this.removeAllListeners();
    await this.#agent.destroy().catch(() => undefined);
  }

  /** A safe description for logs: never the secret. */
  toJSON(): Record<string, unknown> {
    return { endpoint: this.endpoint, appKey: this.appKey, auth: this.#options.auth?.mode ?? 'none' };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `LinkVisualClient ${JSON.stringify(this.toJSON())}`;
  }

  #check(operation: Operation, params: unknown): void {
    const problems = validateParams(operation, params);
    if (problems.length > 0) {
      throw new LinkVisualError('INVALID_PARAMS', `${operation.name}: ${formatProblems(problems)}`, {
        path: operation.path,
        problems,
        retryable: false,
      });
    }
  }

  #secrets(): string[] {
    return [this.#appSecret, ...this.#session.secrets()];
  }

  #scrub(error: unknown): unknown {
    if (!(error instanceof LinkVisualError)) return error;
    const message = redact(error.message, this.#secrets());
    if (message === error.message) return error;
    return new LinkVisualError(error.code, message, { ...error, problems: error.problems, cause: undefined });
  }

  async #callUnauthenticated(name: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<unknown> {
    const operation = this.resolve(name);
    return (await this.#attempt(operation, params, operation.apiVer, {}, signal, this.#timeoutMs)).data;
  }

  async #callWithPolicy(operation: Operation, params: Record<string, unknown>, options: CallOptions): Promise<CallResult> {
    const started = Date.now();
    const apiVer = options.apiVer ?? operation.apiVer;
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    let authRetried = false;
    for (let attempt = 1; ; attempt += 1) {
      if (this.#closed) throw new LinkVisualError('CLOSED', 'the client is closed', { path: operation.path });
      let token: RequestToken = {};
      try {
        if (operation.auth === 'user') token = this.#session.freshToken() ?? (await this.#session.token(options.signal));
        const result = await this.#attempt(operation, params, apiVer, token, options.signal, timeoutMs);
        this.#consecutiveThrottles = 0;
        return { data: result.data, operation: operation.name, path: operation.path, apiVer, requestId: result.requestId, attempts: attempt, durationMs: Date.now() - started };
      } catch (error) {
        if (!(error instanceof LinkVisualError)) throw error;
        // A business AUTH_FAILED to a request that carried a token (401, the session-dead codes, a 460
        // naming the token) means the server refused before doing anything: renew once and repeat.
        // A refresh the cloud refused (token() threw, nothing carried) is final and is not repeated.
        const carried = token.iotToken !== undefined || token.cloudToken !== undefined;
        const authRefusal = error.code === 'AUTH_FAILED' && error.apiCode !== undefined && carried;
        if (authRefusal && !authRetried && operation.auth === 'user' && this.#session.canRenew()) {
          authRetried = true;
          this.#session.invalidate(token);
          continue;
        }
        if (error.code === 'THROTTLED') this.#pauseAccount(error);
        const retry = error.retryable && operation.idempotent && attempt <= this.#retries && !this.#closed;
        if (!retry) throw this.#reportEnd(this.#scrub(error));
        const backoff = Math.min(MAX_BACKOFF_MS, 250 * 2 ** (attempt - 1));
        const wait = error.retryAfterMs ?? backoff / 2 + Math.random() * (backoff / 2);
        await pause(error.code === 'THROTTLED' ? 0 : wait, options.signal); // throttled waits happen in the account pause
      }
    }
  }

  // The first error saying the session is over (a new auth code is needed) is emitted once as
  // `sessionEnded`, so the account can show it; every later call fails the same way without asking.
  #reportEnd(error: unknown): unknown {
    if (error instanceof LinkVisualError && error.reason !== undefined && !this.#endReported) {
      this.#endReported = true;
      this.emit('sessionEnded', error);
    }
    return error;
  }

  #pauseAccount(error: LinkVisualError): void {
    // Many callers see the same throttling at once: grow the pause once per episode, not per caller.
    if (this.#throttle.pausedForMs() === 0) this.#consecutiveThrottles += 1;
    const base = Math.min(MAX_THROTTLE_PAUSE_MS, 1000 * 2 ** (this.#consecutiveThrottles - 1));
    const ms = error.retryAfterMs ?? base / 2 + Math.random() * (base / 2);
    this.#throttle.pause(ms);
    this.emit('backoff', { ms: Math.round(ms), reason: error.apiCode === 429 ? 'code 429' : `HTTP ${error.httpStatus ?? 429}` } satisfies BackoffEvent);
  }

  async #attempt(
    operation: Operation,
    params: Record<string, unknown>,
    apiVer: string,
    token: RequestToken,
    signal: AbortSignal | undefined,
    timeoutMs: number,
  ): Promise<{ data: unknown; requestId?: string }> {
    const release = this.#throttle.tryAcquire(signal) ?? (await this.#throttle.acquire(signal));
    const url = this.endpoint + operation.path;
    try {
      const body = JSON.stringify(buildRequestEnvelope(apiVer, params, token, { language: this.#options.language }));
      const headers = signRequest({
        method: 'POST',
        url,
        body,
        appKey: this.appKey,
        appSecret: this.#appSecret,
        signatureMethod: this.#options.signatureMethod,
        headers: this.#options.stage ? { 'x-ca-stage': this.#options.stage } : undefined,
      });
      const sent = this.#serverClock.start();
      // undici's own timers bound the wait (for the headers, then between body chunks), and close() ends
      // every request by destroying the agent: no controller or timer of ours per call on the hot path.
      const response = await postToGateway(this.#agent, {
        origin: this.#origin,
        path: this.#basePath + operation.path,
        headers,
        body,
        signal,
        timeoutMs,
        maxBytes: this.#maxResponseBytes,
        tooLarge: () => new LinkVisualError('INVALID_RESPONSE', `${operation.path}: response larger than ${this.#maxResponseBytes} bytes`, { path: operation.path, retryable: false }),
      });
      this.#serverClock.observe(headerText(response.headers.date), sent);
      const { text } = response;
      const requestId = headerText(response.headers['x-ca-request-id']);
      if (response.statusCode < 200 || response.statusCode >= 300) {
        throw errorFromHttp(response.statusCode, headerText(response.headers['x-ca-error-message']), {
          path: operation.path,
          requestId,
          retryAfterMs: parseRetryAfter(response.headers['retry-after'], this.#serverClock.now()), // a date there is the server's
        });
      }
      const parsed = parseResponseEnvelope(text);
      if ('problem' in parsed) {
        throw new LinkVisualError('INVALID_RESPONSE', `${operation.path}: ${parsed.problem}`, { path: operation.path, requestId, httpStatus: response.statusCode, retryable: true });
      }
      const { envelope } = parsed;
      if (envelope.code !== 200) {
        throw errorFromApiCode(envelope.code, envelope.message ?? envelope.localizedMsg ?? '', { path: operation.path, requestId });
      }
      return { data: envelope.data ?? null, requestId };
    } catch (error) {
      throw requestFailure(error, { signal, isClosed: this.#isClosed }, operation.path, timeoutMs, { path: operation.path });
    } finally {
      release();
    }
  }
}
