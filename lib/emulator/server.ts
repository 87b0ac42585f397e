/**
 * The Link Visual emulator's HTTP server (plain node:http): the gateway checks, then the operation.
 *
 * How answers are chosen (faithful to docs/protocol.md, not to our client):
 * - Gateway refusals are non-2xx with `X-Ca-Error-Message` and an empty body: unknown path → 404
 *   `Invalid Url`; non-POST or unknown X-Ca-Stage → 400 `Invalid Url`; no signature → 401
 *   `Empty Signature`; unknown AppKey → 400 `Invalid AppKey`; body MD5 mismatch → 400
 *   `Invalid Content-MD5`; bad signature → 400 `Invalid Signature, Server StringToSign:<\n as #>`;
 *   X-Ca-Timestamp not ms → 400 `Invalid Timestamp`, off by > 15 min → 400 `Timestamp Expired`; nonce
 *   seen within 15 min → 400 `Nonce Used`; body > maxBodyBytes → 413 `Request Body Too Large`.
 *   Every answer (gateway, business, control, media) carries `X-Ca-Request-Id`.
 * - Business answers are HTTP 200 with `{id (echoed), code, message, localizedMsg, data}`. Auth
 *   family (docs/protocol.md §6.3): an unknown or expired iotToken/cloudToken, or one of a session a
 *   newer login ended (one-login rule, sessions.ts) → `variants.tokenErrorCode`: 401 `request auth
 *   error. iotToken expired.` (default, as the real gateway) or 460 `iotToken invalid.` /
 *   `iotToken expired.` / `cloudToken …`; no iotToken/cloudToken → 460 `iotToken blank.` (as the
 *   real cloud during refresh races); a refused refresh token → 2401; a token or refresh call whose
 *   identity does not exist → 29003. Params are checked with the catalog's validateParams (same
 *   limits as the client): 460 `request parameter error.` followed by every problem. Unknown ids,
 *   missing cloud storage, refused deletes: see EMULATOR_CODES in codes.ts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { operationsByPath } from '../catalog/operations';
import { PushBroker } from './amqp';
import { selfSignedCertificate } from './self-signed';
import { formatProblems, validateParams } from '../catalog/validate';
import { isPlainObject } from '../util/plain-object';
import { Cameras } from './cameras';
import { SimulatedClock } from './clock';
import { CONTROL_PREFIX, handleControl, type ControlTarget } from './control';
import { Faults, type Fault } from './faults';
import { GatewayGuard } from './gateway';
import { withDefaults, type Services } from './handler-context';
import { handlers } from './handlers';
import { BodyTooLargeError, readBody, sendGatewayError, sendJson } from './http';
import { playlistBody, segmentBody } from './hls-vod';
import { jpegBody, MEDIA_PREFIX, MediaSigner, mp4Body, PICTURE_JPEG, sendMedia, THUMB_JPEG, type MediaBody, type VerifiedMedia } from './media';
import { resolveOptions, type EmulatorOptions, type ResolvedOptions } from './options';
import { Sessions, type Principal } from './sessions';
import { removeStaleTempFiles } from '../files/atomic-write';
import { readStateFile, STATE_FORMAT, STATE_VERSION, StateSaver, type EmulatorSnapshot } from './state-file';
import { Stats } from './stats';
import { Transcodes } from './transcode';
import { Variants } from './variants';
import { BusinessError, EMULATOR_CODES } from './codes';
import { buildResponseEnvelope, type ResponseEnvelope } from '../gateway/envelope';
import { World } from './world';

export type { EmulatorOptions } from './options';

/** A running emulator. */
export interface EmulatorHandle {
  /** `http://host:port`, no trailing slash. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly appKey: string;
  readonly appSecret: string;
  readonly identityId: string;
  /** The refresh token accepted now (the configured one unless rotation moved it). */
  readonly refreshToken: string;
  readonly authCode: string;
  readonly projectId: string;
  /** The iotIds of the configured cameras. */
  readonly cameras: readonly string[];
  /** The AMQP data-sync endpoint, `amqp://127.0.0.1:port` or `amqps://…` (only with `amqpPort`). */
  readonly amqpUrl?: string;
  /** With `amqpTls`: the endpoint's self-signed certificate (PEM), to trust as `ca`. */
  readonly amqpCa?: string;
  readonly world: World;
  readonly clock: SimulatedClock;
  /** The cloud's answer variants in force; `variants.set({...})` changes them live. */
  readonly variants: Variants;
  /** The counters of `GET /_emulator/stats`. */
  stats(): ReturnType<Stats['snapshot']>;
  /** Writes the state file now (no-op without `state`). */
  save(): Promise<void>;
  /** Stops listening, drops every connection and timer, saves the state. */
  close(): Promise<void>;
}


class Emulator implements ControlTarget {
  readonly world = new World();
  readonly clock: SimulatedClock;
  readonly cameras: Cameras;
  readonly sessions: Sessions;
  readonly stats = new Stats();
  readonly faults = new Faults();
  readonly transcodes: Transcodes;
  readonly variants: Variants;
  readonly push: PushBroker;
  private readonly guard: GatewayGuard;
  private readonly services: Services;
  private readonly saver: StateSaver | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly mp4: MediaBody;
  private readonly pictureBody = jpegBody(PICTURE_JPEG);
  private readonly thumbBody = jpegBody(THUMB_JPEG);
  private demoTimer: NodeJS.Timeout | undefined;
  url = '';

  constructor(readonly options: ResolvedOptions) {
    if (options.state) removeStaleTempFiles(options.state); // an emulator killed while saving left its half-written copy
    const loaded = options.state ? readStateFile(options.state) : undefined;
    const start = loaded ? Math.max(loaded.simulatedNow, Date.now()) : options.startTime ?? Date.now();
    this.clock = new SimulatedClock(options.timeScale, start);
    const realNow = (): number => this.clock.realNow();
    this.variants = new Variants(options);
    this.cameras = new Cameras(this.world, this.clock, { captureDelayMs: options.captureDelayMs, retentionDays: options.retentionDays });
    this.sessions = new Sessions(options, this.variants, realNow);
    this.transcodes = new Transcodes(options.transcodeMs, realNow);
    this.guard = new GatewayGuard((appKey) => (appKey === options.appKey ? options.appSecret : undefined), realNow);
    this.mp4 = mp4Body(options.mp4Size);
    this.push = new PushBroker({
      clock: this.clock,
      stats: this.stats,
      lookupSecret: (appKey) => (appKey === options.appKey ? options.appSecret : undefined),
      passwordEncoding: options.amqpPasswordEncoding,
      propertyReportMs: options.amqpPropertyReportMs,
      devices: () => this.world.devices.values(),
      log: options.log,
    });
    this.cameras.onEvent = (event) => {
      const device = this.world.devices.get(event.iotId);
      if (device) this.push.eventRaised(event, device);
    };
    const media = new MediaSigner(randomBytes(32), options.mediaUrlTtlSeconds, realNow);
    this.services = {
      world: this.world,
      cameras: this.cameras,
      sessions: this.sessions,
      clock: this.clock,
      media,
      transcodes: this.transcodes,
      stats: this.stats,
      mp4Size: this.mp4.size,
      variants: this.variants,
    };
    if (loaded) {
      this.world.load(loaded.world);
      this.sessions.load(loaded.sessions);
    }
    this.addConfiguredCameras();
    if (options.state) {
      this.saver = new StateSaver(options.state, () => this.snapshot(), options.saveDebounceMs, (error) =>
        options.log(`link-visual-emulator: cannot write state file ${options.state}: ${String(error)}`),
      );
      this.world.onChange = () => this.saver?.schedule();
    }
    if (options.demoEvents !== undefined) {
      this.demoTimer = setInterval(() => this.cameras.demoTick(), options.demoEvents);
      this.demoTimer.unref();
    }
  }

  private addConfiguredCameras(): void {
    this.options.cameras.forEach((iotId, index) => {
      if (!this.world.devices.has(iotId)) this.world.upsertDevice({ iotId, name: `Demo camera ${index + 1}`, cloudStorage: true });
    });
  }

  /** The whole state as the state file holds it. */
  snapshot(): EmulatorSnapshot {
    return {
      format: STATE_FORMAT,
      version: STATE_VERSION,
      savedAt: Date.now(),
      simulatedNow: this.clock.now(),
      world: this.world.toJSON(),
      sessions: this.sessions.toJSON(),
    };
  }

  /** Control API reset: the world, tokens, nonces, stats, faults and jobs as at a fresh start. */
  reset(): void {
    this.world.clear();
    this.addConfiguredCameras();
    this.sessions.reset();
    this.guard.reset();
    this.stats.reset();
    this.faults.clear();
    this.push.reset();
    this.transcodes.reset();
    this.variants.set(new Variants(this.options).toJSON());
  }

  save(): Promise<void> {
    return this.saver ? this.saver.flush() : Promise.resolve();
  }

  /** Every request enters here; nothing thrown escapes. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    res.setHeader('X-Ca-Request-Id', randomUUID().toUpperCase());
    this.route(req, res).catch((error: unknown) => {
      this.options.log(`link-visual-emulator: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal emulator error' });
      else res.destroy();
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://emulator.invalid');
    } catch {
      sendGatewayError(res, 400, 'Invalid Url');
      return;
    }
    const pathname = url.pathname;
    if (pathname === CONTROL_PREFIX.slice(0, -1) || pathname.startsWith(CONTROL_PREFIX)) {
      await handleControl(req, res, pathname, this);
      return;
    }
    if (pathname.startsWith(MEDIA_PREFIX)) {
      await this.serveMedia(req, res, url);
      return;
    }
    await this.gateway(req, res, pathname);
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private baseUrl(req: IncomingMessage): string {
    const host = req.headers.host;
    return host && /^[\w.:[\]-]+$/.test(host) ? `http://${host}` : this.url;
  }

  // ----- gateway API --------------------------------------------------------------------------

  private async gateway(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    this.stats.request(pathname);
    const operation = operationsByPath.get(pathname);
    if (!operation) {
      req.resume();
      sendGatewayError(res, 404, 'Invalid Url');
      return;
    }
    if (req.method !== 'POST') {
      req.resume();
      sendGatewayError(res, 400, 'Invalid Url');
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(req, this.options.maxBodyBytes);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      res.setHeader('Connection', 'close');
      res.on('finish', () => req.socket.destroy());
      sendGatewayError(res, 413, 'Request Body Too Large');
      return;
    }
    const rejection = this.guard.check({ method: req.method, url: req.url ?? pathname, headers: req.headers, body });
    if (rejection) {
      if (rejection.kind !== 'url') this.stats.rejected(rejection.kind);
      sendGatewayError(res, rejection.status, rejection.message);
      return;
    }
    const fault = this.faults.take(pathname, true);
    if (fault) {
      this.stats.count('faultsApplied');
      if (await this.applyFault(fault, req, res, () => this.parseId(body))) return;
    }
    const signingAppKey = String(req.headers['x-ca-key']);
    const answer = this.answer(operation.path, body, signingAppKey, this.baseUrl(req));
    sendJson(res, 200, answer);
  }

  /** Answers a fault; false when the request should then go on normally (delay). */
  private async applyFault(fault: Fault, req: IncomingMessage, res: ServerResponse, id: () => string | number | undefined): Promise<boolean> {
    switch (fault.mode) {
      case 'http':
        sendGatewayError(res, fault.status, fault.message, fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) });
        return true;
      case 'code':
        sendJson(res, 200, buildResponseEnvelope(id(), fault.code, fault.message));
        return true;
      case 'delay':
        await this.delay(fault.delayMs);
        return res.destroyed;
      case 'reset':
        req.socket.destroy();
        return true;
    }
  }

  private parseId(body: Buffer): string | number | undefined {
    try {
      const parsed: unknown = JSON.parse(body.toString('utf8'));
      return isPlainObject(parsed) && (typeof parsed.id === 'string' || typeof parsed.id === 'number') ? parsed.id : undefined;
    } catch {
      return undefined;
    }
  }

  /** The business answer (HTTP 200 envelope) to an authentic request. */
  private answer(path: string, body: Buffer, signingAppKey: string, baseUrl: string): ResponseEnvelope {
    const operation = operationsByPath.get(path);
    let id: string | number | undefined;
    const fail = (error: BusinessError): ResponseEnvelope => buildResponseEnvelope(id, error.code, error.message);
    try {
      let envelope: unknown;
      try {
        envelope = JSON.parse(body.toString('utf8'));
      } catch {
        this.stats.rejected('params');
        return fail(new BusinessError('REQUEST_ERROR', 'The body is not JSON.'));
      }
      if (!isPlainObject(envelope)) {
        this.stats.rejected('params');
        return fail(new BusinessError('REQUEST_ERROR', 'The body is not a JSON object.'));
      }
      id = typeof envelope.id === 'string' || typeof envelope.id === 'number' ? envelope.id : undefined;
      const request = envelope.request;
      if (!isPlainObject(request) || typeof request.apiVer !== 'string' || request.apiVer === '') {
        this.stats.rejected('params');
        return fail(new BusinessError('PARAM_ERROR', 'request.apiVer: is required'));
      }
      if (!operation) throw new BusinessError('SERVICE_NOT_FOUND');
      let principal: Principal | undefined;
      if (operation.auth === 'user') {
        try {
          principal = this.sessions.authenticate(request);
        } catch (error) {
          if (error instanceof BusinessError) this.stats.rejected('auth');
          throw error;
        }
      }
      const params = envelope.params === undefined || envelope.params === null ? {} : envelope.params;
      const problems = validateParams(operation, params);
      if (problems.length > 0) throw new BusinessError('PARAM_ERROR', formatProblems(problems));
      const handler = handlers.get(operation.name);
      if (!handler) throw new BusinessError('SERVICE_NOT_FOUND', operation.path);
      const data = handler(
        { operation, params: withDefaults(operation, params as Record<string, unknown>), principal, signingAppKey, baseUrl },
        this.services,
      );
      const ok = EMULATOR_CODES.SUCCESS;
      return buildResponseEnvelope(id, ok.code, ok.message, data);
    } catch (error) {
      if (error instanceof BusinessError) {
        if (error.codeName === 'PARAM_ERROR') this.stats.rejected('params');
        return fail(error);
      }
      this.options.log(`link-visual-emulator: ${path}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      return fail(new BusinessError('SERVICE_ERROR'));
    }
  }

  // ----- media ------------------------------------------------------------------------------

  private async serveMedia(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      req.resume();
      sendJson(res, 405, { error: 'media answers GET and HEAD only' }, { Allow: 'GET, HEAD' });
      return;
    }
    const fault = this.faults.take(url.pathname, false);
    let resetAfterBytes: number | undefined;
    if (fault) {
      this.stats.count('faultsApplied');
      if (fault.mode === 'reset' && fault.afterBytes !== undefined) resetAfterBytes = fault.afterBytes;
      else if (await this.applyFault(fault, req, res, () => undefined)) return;
    }
    const check = this.services.media.verify(url.pathname, url.searchParams);
    if (!check.ok) {
      sendJson(res, check.status, { error: check.reason });
      return;
    }
    let body: MediaBody | undefined;
    if (check.kind === 'picture' || check.kind === 'thumb') {
      const picture = this.world.picturesById.get(check.id);
      if (picture && picture.iotId === check.iotId) body = check.kind === 'picture' ? this.pictureBody : this.thumbBody;
    } else if (this.world.findRecording(check.iotId, check.id)) {
      body = check.kind === 'snapshot' ? this.thumbBody : this.recordingBody(check);
    }
    if (!body) {
      sendJson(res, 404, { error: 'No such media (deleted?)' });
      return;
    }
    await sendMedia(req, res, body, resetAfterBytes);
  }

  /** A recording in the form its URL names: the MP4, its HLS playlist, or one segment (undefined past the last). */
  private recordingBody(check: VerifiedMedia): MediaBody | undefined {
    if (check.ext === 'm3u8') return playlistBody(this.services.media, check.iotId, check.id, check.expiresAt);
    if (check.ext === 'ts') return segmentBody(check.segment ?? -1);
    return this.mp4;
  }

  // ----- lifecycle --------------------------------------------------------------------------

  /** Stops the timers (the server closes in `startEmulator`). */
  stopTimers(): void {
    if (this.demoTimer) clearInterval(this.demoTimer);
    this.demoTimer = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  closeState(): Promise<void> {
    return this.saver ? this.saver.close() : Promise.resolve();
  }
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Starts an emulator; resolves once it listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const resolved = resolveOptions(options);
  const emulator = new Emulator(resolved);
  const server = createServer((req, res) => emulator.handle(req, res));
  server.keepAliveTimeout = 5000;
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  let address: AddressInfo;
  try {
    address = await listen(server, resolved.port, resolved.host);
  } catch (error) {
    emulator.stopTimers();
    throw error;
  }
  // An emulator on every interface is still reached at loopback from here.
  const reachable = address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
  const hostForUrl = reachable.includes(':') ? `[${reachable}]` : reachable;
  emulator.url = `http://${hostForUrl}:${address.port}`;
  let amqpUrl: string | undefined;
  let amqpCa: string | undefined;
  if (resolved.amqpPort !== undefined) {
    try {
      const certificate = resolved.amqpTls ? selfSignedCertificate([reachable, resolved.host]) : undefined;
      const amqpAddress = await emulator.push.listen(resolved.amqpPort, resolved.host, certificate);
      amqpUrl = `${certificate ? 'amqps' : 'amqp'}://${hostForUrl}:${amqpAddress.port}`;
      amqpCa = certificate?.cert;
    } catch (error) {
      emulator.stopTimers();
      await emulator.push.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      throw error;
    }
  }
  let closing: Promise<void> | undefined;
  return {
    url: emulator.url,
    host: address.address,
    port: address.port,
    appKey: resolved.appKey,
    appSecret: resolved.appSecret,
    identityId: resolved.identityId,
    get refreshToken() {
      return emulator.sessions.currentRefreshToken();
    },
    authCode: resolved.authCode,
    projectId: resolved.projectId,
    cameras: resolved.cameras,
    ...(amqpUrl === undefined ? {} : { amqpUrl }),
    ...(amqpCa === undefined ? {} : { amqpCa }),
    world: emulator.world,
    clock: emulator.clock,
    variants: emulator.variants,
    stats: () => emulator.stats.snapshot(),
    save: () => emulator.save(),
    close: () => {
      closing ??= (async () => {
        emulator.stopTimers();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await Promise.all([closed, emulator.push.close()]);
        await emulator.closeState();
      })();
      return closing;
    },
  };
}
