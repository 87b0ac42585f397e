import { LinkVisualError } from '../gateway/errors';
import { abortError } from '../util/abort';


/** Rate settings of one account: a token bucket plus a cap on requests in flight. */
export interface ThrottleOptions {
  /** Sustained requests per second; 0 or Infinity turns the bucket off. Default 5. */
  readonly perSecond?: number;
  /** Requests allowed at once after an idle spell. Default 10. */
  readonly burst?: number;
  /** Requests in flight at once. Default 16. */
  readonly maxConcurrent?: number;
}

interface Waiter {
  resolve: (release: () => void) => void;
  reject: (error: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/**
 * One per account: every request takes a token and a concurrency slot; a throttling answer pauses
 * the whole account (not just the caller that saw it), so callers back off as one.
 */
export class AccountThrottle {
  private readonly perSecond: number;
  private readonly burst: number;
  private readonly maxConcurrent: number;
  private tokens: number;
  private lastRefill: number;
  private inFlight = 0;
  private pausedUntil = 0;
  private readonly queue: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  // A monotonic clock: setting the wall clock back must not stretch a pause or stop the refill.
  constructor(options: ThrottleOptions = {}, private readonly now: () => number = () => performance.now()) {
    const perSecond = options.perSecond ?? 5;
    this.perSecond = perSecond > 0 ? perSecond : Infinity;
    this.burst = Math.max(1, options.burst ?? 10);
    this.maxConcurrent = Math.max(1, options.maxConcurrent ?? 16);
    this.tokens = this.burst;
    this.lastRefill = this.now();
  }

  /** Waits for a token and a slot; resolves with the function that gives the slot back. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.closed) return Promise.reject(new LinkVisualError('CLOSED', 'the client is closed'));
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const release = this.takeNow();
    if (release) return Promise.resolve(release);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const index = this.queue.indexOf(waiter);
          if (index >= 0) this.queue.splice(index, 1);
          reject(abortError(signal));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.queue.push(waiter);
      this.pump();
    });
  }

  /** A token and a slot at once, without waiting; undefined when `acquire` must queue (or fail). */
  tryAcquire(signal?: AbortSignal): (() => void) | undefined {
    if (this.closed || signal?.aborted) return undefined;
    return this.takeNow();
  }

  /** Pauses every caller of the account for `ms` (extends, never shortens, a running pause). */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + Math.max(0, ms));
    this.schedule();
  }

  /** Milliseconds until the account-wide pause ends (0 when not paused). */
  pausedForMs(): number {
    return Math.max(0, this.pausedUntil - this.now());
  }

  /** Rejects every waiter and stops the timer. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const waiter of this.queue.splice(0)) {
      this.detach(waiter);
      waiter.reject(new LinkVisualError('CLOSED', 'the client is closed'));
    }
  }

  // The common case on the hot path: nobody waits, a token and a slot are free: no waiter, no listener.
  private takeNow(): (() => void) | undefined {
    if (this.queue.length > 0 || this.inFlight >= this.maxConcurrent || this.pausedUntil > this.now()) return undefined;
    this.refill();
    if (this.tokens < 1) return undefined;
    this.tokens -= this.perSecond === Infinity ? 0 : 1;
    this.inFlight += 1;
    return this.releaser();
  }

  // Gives the slot back once, however often it is called.
  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
      if (this.queue.length > 0) this.pump();
    };
  }

  private refill(): void {
    if (this.perSecond === Infinity) {
      this.tokens = this.burst;
      return;
    }
    const now = this.now();
    const elapsed = Math.max(0, now - this.lastRefill);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.perSecond) / 1000);
    this.lastRefill = now;
  }

  private pump(): void {
    if (this.closed) return;
    this.refill();
    while (this.queue.length > 0) {
      if (this.pausedForMs() > 0 || this.inFlight >= this.maxConcurrent) break;
      if (this.tokens < 1) break;
      const waiter = this.queue.shift() as Waiter;
      this.detach(waiter);
      this.tokens -= this.perSecond === Infinity ? 0 : 1;
      this.inFlight += 1;
      waiter.resolve(this.releaser());
    }
    this.schedule();
  }

  // One timer at most: wakes the queue when the pause ends or the next token is due.
  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed || this.queue.length === 0) return;
    if (this.inFlight >= this.maxConcurrent && this.pausedForMs() === 0) return; // a release will pump
    const waitForToken = this.tokens >= 1 ? 0 : ((1 - this.tokens) * 1000) / this.perSecond;
    const delay = Math.max(this.pausedForMs(), waitForToken, 1);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, Math.ceil(delay));
  }

  private detach(waiter: Waiter): void {
    if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
  }
}
