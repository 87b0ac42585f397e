/**
 * One AMQP 1.0 consumer of the platform's data sync (docs/protocol.md §10), on rhea.
 *
 * - TLS (`amqps://host:5671`) to the region's host; plain `amqp://` only to a loopback host (the
 *   emulator), as the HTTP client allows plain http only for tests.
 * - SASL PLAIN with the app-key username and signed password (credentials.ts), a fresh `random` on
 *   every attempt.
 * - One receiver on `default`, manual settlement: `message` is emitted with `(pushMessage, settle)`;
 *   the listener calls `settle()` once it has handed the message on (the delivery is accepted then).
 *   Deliveries still unsettled at close() are released, so the broker gives them to another client
 *   of the group. Malformed messages are accepted (they would come back for ever otherwise) and
 *   emitted as `malformed` (a LinkVisualError INVALID_RESPONSE).
 * - `state` events `{state, error?, retryInMs?}`: connecting → connected; refused (the broker
 *   refused the credentials), lost (network, heartbeat, broker closed) → a new attempt after a
 *   backoff with full jitter (between `initialMs` and a cap doubling up to `maxMs`); closed.
 * - Heartbeats: rhea's idle_time_out (we announce `idleTimeoutMs`, the broker's empty frames keep
 *   it alive; a silent broker is dropped after twice that).
 * - No secret in any error, state or log: errors name the AppKey and the consumer group only.
 *
 * The connection starts on the next tick after construction (so `state` listeners attached at once
 * see `connecting`). `close()` ends it for good and leaves no timer, socket or rhea listener behind.
 */
import { EventEmitter } from 'node:events';
import { connect as netConnect, isIP } from 'node:net';
import { connect as tlsConnect, rootCertificates } from 'node:tls';
import type { Connection, Container, Delivery, EventContext, Receiver } from 'rhea';
import { LinkVisualError } from '../gateway/errors';
import { pushCredentials, type PushPasswordEncoding } from './credentials';
import { parsePushMessage, type PushMessage } from './messages';
import { parsePushUrl, type PushEndpoint } from './push-url';
import { clearRheaTimers, type RheaConnectionInternals } from './rhea-internals';

export type PushState = 'connecting' | 'connected' | 'refused' | 'lost' | 'closed';

/** A `state` event. */
export interface PushStateEvent {
  readonly state: PushState;
  /** Why, for `refused` and `lost` (AUTH_FAILED, NETWORK, TIMEOUT); never holds a secret. */
  readonly error?: LinkVisualError;
  /** For `refused` and `lost`: ms until the next attempt. */
  readonly retryInMs?: number;
}

export interface PushReconnectOptions {
  /** Shortest wait before a new attempt; default 1000 ms. */
  readonly initialMs?: number;
  /** Longest wait; default 60000 ms. */
  readonly maxMs?: number;
}

export interface PushConnectionOptions {
  /** `amqps://host[:5671]`, or for a loopback host only `amqp://127.0.0.1:port` (the emulator). */
  readonly url: string;
  readonly appKey: string;
  readonly appSecret: string;
  /** Consumer group id; default the AppKey. */
  readonly consumerGroup?: string;
  /** This consumer's id (stable per installation). */
  readonly clientId: string;
  /** Password encoding; default base64 (docs/protocol.md §10.2). */
  readonly encoding?: PushPasswordEncoding;
  /** Extra trusted CA certificates (PEM), added to the system roots. TLS verification cannot be turned off. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** Idle timeout announced to the broker (heartbeats every half of the broker's); default 60000 ms. */
  readonly idleTimeoutMs?: number;
  /** Longest wait from connecting to an open receiver; default 30000 ms. */
  readonly connectTimeoutMs?: number;
  readonly reconnect?: PushReconnectOptions;
  /** Deliveries the broker may send ahead of settlement; default 100. */
  readonly creditWindow?: number;
}

/** Accepts the delivery of a message (idempotent; a no-op once its connection is gone). */
export type PushSettle = () => void;

/** Counters of one PushConnection since it was made. */
export interface PushConnectionCounts {
  readonly attempts: number;
  readonly connects: number;
  readonly refusals: number;
  readonly losses: number;
  readonly received: number;
  readonly malformed: number;
  readonly settled: number;
}

export { isLoopbackHost, parsePushUrl, type PushEndpoint } from './push-url';

function positive(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) throw new LinkVisualError('CONFIG', `push ${name} must be a number ≥ ${min}`);
  return value;
}

type Rhea = typeof import('rhea');
let rheaModule: Rhea | undefined;
// Loaded with the first connection, not when Node-RED loads the nodes (a flow without push never pays for it).
function rhea(): Rhea {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  rheaModule ??= require('rhea') as Rhea;
  return rheaModule;
}

const UNAUTHORIZED = 'amqp:unauthorized-access';
const CLOSE_GRACE_MS = 1000;

/** The events of a PushConnection and their listeners. */
export interface PushConnectionEvents {
  state: (event: PushStateEvent) => void;
  message: (message: PushMessage, settle: PushSettle) => void;
  malformed: (error: LinkVisualError) => void;
  error: (error: unknown) => void;
}

interface Attempt {
  readonly connection: Connection;
  readonly receiver: Receiver;
  readonly unsettled: Set<Delivery>;
  connected: boolean;
  ended: boolean;
  tornDown?: boolean;
  refusal?: LinkVisualError;
  timer?: NodeJS.Timeout;
}

/**
 * The account's data-sync consumer. Events: `state` (PushStateEvent), `message` (PushMessage,
 * PushSettle), `malformed` (LinkVisualError), and `error` only for an exception thrown by a
 * listener of the others (swallowed when nobody listens for `error`).
 */
export class PushConnection extends EventEmitter {
  readonly endpoint: PushEndpoint;
  readonly appKey: string;
  readonly consumerGroup: string;
  readonly clientId: string;
  readonly #appSecret: string;
  readonly #encoding: PushPasswordEncoding;
  readonly #ca: (string | Buffer)[] | undefined;
  readonly #idleTimeoutMs: number;
  readonly #connectTimeoutMs: number;
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #creditWindow: number;
  readonly #container: Container;
  #state: PushState = 'connecting';
  #lastError: LinkVisualError | undefined;
  #attempt: Attempt | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #startTimer: NodeJS.Immediate | undefined;
  #failures = 0;
  #closing: Promise<void> | undefined;
  readonly #sweeps = new Set<NodeJS.Immediate>();
  #counts = { attempts: 0, connects: 0, refusals: 0, losses: 0, received: 0, malformed: 0, settled: 0 };

  constructor(options: PushConnectionOptions) {
    super();
    this.endpoint = parsePushUrl(options.url);
    // Checks every field now (CONFIG errors), with a throwaway random.
    pushCredentials({ ...options, random: 0 });
    this.appKey = options.appKey;
    this.consumerGroup = options.consumerGroup ?? options.appKey;
    this.clientId = options.clientId;
    this.#appSecret = options.appSecret;
    this.#encoding = options.encoding ?? 'base64';
    this.#idleTimeoutMs = positive('idleTimeoutMs', options.idleTimeoutMs, 60_000, 1000);
    this.#connectTimeoutMs = positive('connectTimeoutMs', options.connectTimeoutMs, 30_000, 100);
    this.#initialMs = positive('reconnect.initialMs', options.reconnect?.initialMs, 1000, 1);
    this.#maxMs = Math.max(this.#initialMs, positive('reconnect.maxMs', options.reconnect?.maxMs, 60_000, 1));
    this.#creditWindow = Math.floor(positive('creditWindow', options.creditWindow, 100, 1));
    const extra = options.ca === undefined ? [] : Array.isArray(options.ca) ? [...(options.ca as readonly (string | Buffer)[])] : [options.ca as string | Buffer];
    this.#ca = extra.length > 0 ? [...rootCertificates, ...extra] : undefined;
    this.#container = rhea().create_container({ id: `link-visual-push-${this.clientId}` });
    // Unhandled link/session errors reach the container; they end the attempt through the connection events.
    this.#container.on('error', () => undefined);
    this.#startTimer = setImmediate(() => {
      this.#startTimer = undefined;
      this.#connect();
    });
  }

  override on<E extends keyof PushConnectionEvents>(event: E, listener: PushConnectionEvents[E]): this {
    return super.on(event, listener);
  }

  override once<E extends keyof PushConnectionEvents>(event: E, listener: PushConnectionEvents[E]): this {
    return super.once(event, listener);
  }

  override off<E extends keyof PushConnectionEvents>(event: E, listener: PushConnectionEvents[E]): this {
    return super.off(event, listener);
  }

  /** The current state. */
  get state(): PushState {
    return this.#state;
  }

  /** Why the last attempt failed (cleared when connected). */
  get lastError(): LinkVisualError | undefined {
    return this.#lastError;
  }

  /** True while the receiver is open. */
  get connected(): boolean {
    return this.#state === 'connected';
  }

  /** Counters since construction. */
  counts(): PushConnectionCounts {
    return { ...this.#counts };
  }

  #setState(event: PushStateEvent): void {
    this.#state = event.state;
    if (event.error) this.#lastError = event.error;
    else if (event.state === 'connected') this.#lastError = undefined;
    this.#safeEmit('state', event);
  }

  #where(): string {
    return `push ${this.endpoint.display} (AppKey ${this.appKey}, group ${this.consumerGroup})`;
  }

  #connect(): void {
    if (this.#closing) return;
    this.#counts.attempts += 1;
    this.#setState({ state: 'connecting' });
    const { username, password } = pushCredentials({
      appKey: this.appKey,
      appSecret: this.#appSecret,
      clientId: this.clientId,
      consumerGroup: this.consumerGroup,
      encoding: this.#encoding,
      random: Date.now(),
    });
    const { tls, host, port } = this.endpoint;
    const ca = this.#ca;
    // Our own socket factory: only the transport options reach net/tls (never the credentials).
    const open = (_port: number, _host: string, _options: unknown, onConnect: () => void) =>
      tls
        ? tlsConnect({ host, port, ...(ca ? { ca } : {}), ...(isIP(host) ? {} : { servername: host }) }, onConnect)
        : netConnect({ host, port }, onConnect);
    const connection = this.#container.connect({
      host,
      port,
      hostname: host,
      username,
      password,
      reconnect: false,
      idle_time_out: this.#idleTimeoutMs,
      container_id: this.clientId,
      connection_details: () => ({ host, port, connect: open }),
    });
    const receiver = connection.open_receiver({ source: { address: 'default' }, autoaccept: false, credit_window: this.#creditWindow });
    const attempt: Attempt = { connection, receiver, unsettled: new Set(), connected: false, ended: false };
    this.#attempt = attempt;
    attempt.timer = setTimeout(() => {
      attempt.timer = undefined;
      this.#end(attempt, new LinkVisualError('TIMEOUT', `${this.#where()}: no open receiver within ${this.#connectTimeoutMs} ms`, { retryable: true }));
    }, this.#connectTimeoutMs);

    receiver.on('receiver_open', () => {
      if (attempt.ended) return;
      attempt.connected = true;
      if (attempt.timer) clearTimeout(attempt.timer);
      attempt.timer = undefined;
      this.#failures = 0;
      this.#counts.connects += 1;
      this.#setState({ state: 'connected' });
    });
    receiver.on('message', (context: EventContext) => this.#onMessage(attempt, context));
    const linkGone = (context: EventContext): void => {
      const error = context.receiver?.error as { condition?: string; description?: string } | undefined;
      this.#end(attempt, this.#remoteError('the broker closed the receiver', error));
    };
    receiver.on('receiver_close', linkGone);
    receiver.on('receiver_error', linkGone);
    connection.on('connection_open', () => undefined);
    connection.on('connection_error', (context: EventContext) => {
      const error = (context as { error?: { condition?: string; description?: string; message?: string } }).error ?? context.connection.error;
      const { condition } = (error ?? {}) as { condition?: string };
      if (condition === UNAUTHORIZED) attempt.refusal = this.#refused(error as { description?: string });
    });
    connection.on('connection_close', (context: EventContext) => {
      const error = (context as { error?: { condition?: string; description?: string } }).error ?? (context.connection.error as { condition?: string; description?: string } | undefined);
      this.#end(attempt, attempt.refusal ?? this.#remoteError('the broker closed the connection', error));
    });
    const sessionGone = (context: EventContext): void => {
      this.#end(attempt, this.#remoteError('the broker ended the session', context.session?.error as { condition?: string; description?: string } | undefined));
    };
    connection.on('session_close', sessionGone);
    connection.on('session_error', sessionGone);
    connection.on('disconnected', (context: EventContext) => {
      const cause = (context as { error?: unknown }).error;
      this.#end(attempt, attempt.refusal ?? this.#networkError(cause));
    });
    connection.on('error', (error: unknown) => this.#end(attempt, this.#networkError(error)));
    connection.on('protocol_error', (error: unknown) => this.#end(attempt, this.#networkError(error)));
  }

  #refused(error: { description?: string } | undefined): LinkVisualError {
    const detail = error?.description ? ` (${String(error.description).slice(0, 200)})` : '';
    return new LinkVisualError(
      'AUTH_FAILED',
      `${this.#where()}: the broker refused the credentials${detail}; check the AppKey/AppSecret, the consumer group and that data sync is enabled`,
      { retryable: true },
    );
  }

  #remoteError(what: string, error: { condition?: string; description?: string } | undefined): LinkVisualError {
    if (error?.condition === UNAUTHORIZED) return this.#refused(error);
    const detail = error?.condition ? ` (${error.condition}${error.description ? `: ${String(error.description).slice(0, 200)}` : ''})` : '';
    return new LinkVisualError('NETWORK', `${this.#where()}: ${what}${detail}`, { retryable: true });
  }

  #networkError(cause: unknown): LinkVisualError {
    if (cause instanceof LinkVisualError) return cause;
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    const reason = cause instanceof Error ? `${code ?? cause.name}: ${cause.message}` : cause === undefined ? 'connection lost' : String(cause);
    return new LinkVisualError('NETWORK', `${this.#where()}: ${reason.slice(0, 300)}`, { retryable: true });
  }

  #onMessage(attempt: Attempt, context: EventContext): void {
    const delivery = context.delivery;
    // While closing, a delivery stays unsettled: the broker gives it to another client when the link goes.
    if (attempt.ended || !delivery || this.#closing) return;
    this.#counts.received += 1;
    const parsed = parsePushMessage(context.message);
    if (parsed instanceof LinkVisualError) {
      this.#counts.malformed += 1;
      delivery.accept();
      this.#safeEmit('malformed', parsed);
      return;
    }
    attempt.unsettled.add(delivery);
    let settled = false;
    const settle: PushSettle = () => {
      if (settled) return;
      settled = true;
      if (attempt.ended || !attempt.unsettled.delete(delivery)) return;
      this.#counts.settled += 1;
      delivery.accept();
    };
    this.#safeEmit('message', parsed, settle);
  }

  /** Emits without letting a listener's exception into rhea's frame handling or a timer. */
  #safeEmit(event: 'message' | 'malformed' | 'state', ...args: unknown[]): void {
    try {
      this.emit(event, ...args);
    } catch (error) {
      if (this.listenerCount('error') > 0) this.emit('error', error);
    }
  }

  /** Ends an attempt once: drops its socket and timers, reports, and plans the next one. */
  #end(attempt: Attempt, error: LinkVisualError): void {
    if (attempt.ended) return;
    attempt.ended = true;
    this.#teardown(attempt);
    if (this.#closing || this.#attempt !== attempt) return;
    this.#attempt = undefined;
    const refused = error.code === 'AUTH_FAILED';
    if (refused) this.#counts.refusals += 1;
    else this.#counts.losses += 1;
    const delay = this.#nextDelay();
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#connect();
    }, delay);
    this.#setState({ state: refused ? 'refused' : 'lost', error, retryInMs: delay });
  }

  #nextDelay(): number {
    const cap = Math.min(this.#maxMs, this.#initialMs * 2 ** Math.min(this.#failures, 30));
    this.#failures += 1;
    return Math.round(this.#initialMs + Math.random() * (cap - this.#initialMs));
  }

  #teardown(attempt: Attempt): void {
    if (attempt.tornDown) return;
    attempt.tornDown = true;
    if (attempt.timer) clearTimeout(attempt.timer);
    attempt.timer = undefined;
    attempt.unsettled.clear();
    const connection = attempt.connection as Connection & RheaConnectionInternals;
    const socket = connection.socket;
    // rhea's own abort path: ends and destroys the socket and clears its heartbeat timers.
    if (socket && typeof connection.abort_socket === 'function') {
      socket.on('error', () => undefined);
      connection.abort_socket(socket);
    }
    attempt.receiver.removeAllListeners();
    // Late rhea events of this dead connection (a deferred `disconnected`) need a listener, not the container's console warning.
    connection.removeAllListeners();
    for (const event of ['disconnected', 'error', 'protocol_error', 'connection_error', 'connection_close', 'session_error', 'session_close']) {
      connection.on(event, () => undefined);
    }
    clearRheaTimers(connection);
    const sweep = setImmediate(() => {
      this.#sweeps.delete(sweep);
      clearRheaTimers(connection);
    });
    this.#sweeps.add(sweep);
  }

  /** Releases unsettled deliveries, closes the link and the connection, and stops reconnecting. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#startTimer) clearImmediate(this.#startTimer);
      this.#startTimer = undefined;
      if (this.#retryTimer) clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
      const attempt = this.#attempt;
      this.#attempt = undefined;
      if (attempt && !attempt.ended) {
        if (attempt.connected) {
          for (const delivery of attempt.unsettled) delivery.release();
          attempt.unsettled.clear();
        }
        await new Promise<void>((resolve) => {
          const done = (): void => {
            clearTimeout(grace);
            resolve();
          };
          const grace = setTimeout(done, attempt.connected ? CLOSE_GRACE_MS : 0);
          attempt.connection.once('connection_close', done);
          attempt.connection.once('disconnected', done);
          if (attempt.connected) {
            attempt.receiver.close();
            attempt.connection.close();
          }
        });
        attempt.ended = true;
        this.#teardown(attempt);
      }
      // Let the last sweeps run (they are queued before this one).
      if (this.#sweeps.size > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      this.#setState({ state: 'closed' });
    })();
    return this.#closing;
  }
}
