import { LinkVisualError, networkError, type LinkVisualErrorDetails } from '../gateway/errors';
import { abortError } from './abort';

/** How one outgoing request may be cut short. */
export interface RequestDeadlineOptions {
  /** The caller's signal: aborting it aborts the request. */
  readonly signal?: AbortSignal;
  /** Aborts the request after this long; omit when the transport times out by itself (then pass its timeout to `failure`). */
  readonly timeoutMs?: number;
  /** The owner's requests in flight: its close() aborts every controller in the set. */
  readonly inflight: Set<AbortController>;
  /** True once the owner is closed (a request cut short by close() fails as CLOSED). */
  readonly isClosed: () => boolean;
}

// undici's own timeouts: waiting for an answer's headers, then between two chunks of its body.
const TRANSPORT_TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** How a request ended early, for `requestFailure`. */
export interface FailureContext {
  readonly signal?: AbortSignal;
  readonly isClosed: () => boolean;
  /** Our own timer ran out (the transport's timeouts are recognised by their codes). */
  readonly timedOut?: boolean;
}

/**
 * The error to throw for a request that failed: a LinkVisualError as it is, else CLOSED, the caller's
 * abort, TIMEOUT (`timeoutMs` names the limit in the message) or NETWORK; `where` names the request.
 */
export function requestFailure(
  error: unknown,
  context: FailureContext,
  where: string,
  timeoutMs: number,
  details: Omit<LinkVisualErrorDetails, 'retryable' | 'cause'> = {},
): LinkVisualError {
  if (error instanceof LinkVisualError) return error;
  if (context.isClosed()) return new LinkVisualError('CLOSED', 'the client is closed', details);
  if (context.signal?.aborted) return abortError(context.signal);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (context.timedOut || (typeof code === 'string' && TRANSPORT_TIMEOUT_CODES.has(code))) {
    return new LinkVisualError('TIMEOUT', `${where}: no answer within ${timeoutMs} ms`, { ...details, retryable: true });
  }
  return networkError(where, error, details);
}

/**
 * The timeout and abort wiring of one request: a controller that aborts when the caller's signal does,
 * when the timer runs out or when the owner closes, and the error that says which of them ended it.
 */
export class RequestDeadline {
  readonly #controller = new AbortController();
  readonly #options: RequestDeadlineOptions;
  readonly #onAbort: () => void;
  readonly #timer: NodeJS.Timeout | undefined;
  #timedOut = false;

  /** Starts the timer and links the caller's signal (one that has already aborted aborts the request at once). */
  constructor(options: RequestDeadlineOptions) {
    this.#options = options;
    this.#onAbort = () => this.#controller.abort(options.signal?.reason);
    if (options.signal?.aborted) this.#onAbort();
    else options.signal?.addEventListener('abort', this.#onAbort, { once: true });
    if (options.timeoutMs !== undefined) {
      this.#timer = setTimeout(() => {
        this.#timedOut = true;
        this.#controller.abort();
      }, options.timeoutMs);
    }
    options.inflight.add(this.#controller);
  }

  /** The signal to hand to the request. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Stops the timer, unlinks the caller's signal and leaves the in-flight set (safe to call twice). */
  release(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
    this.#options.inflight.delete(this.#controller);
  }

  /**
   * The error to throw for a request that failed: a LinkVisualError as it is, else CLOSED, the caller's
   * abort, TIMEOUT (`timeoutMs` names the limit in the message) or NETWORK; `where` names the request.
   */
  failure(error: unknown, where: string, timeoutMs: number, details: Omit<LinkVisualErrorDetails, 'retryable' | 'cause'> = {}): LinkVisualError {
    return requestFailure(error, { signal: this.#options.signal, isClosed: this.#options.isClosed, timedOut: this.#timedOut }, where, timeoutMs, details);
  }
}
