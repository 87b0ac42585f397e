/**
 * The gateway's clock as seen from here. Event times and query windows are the server's time; the
 * local clock may be off or be set (NTP) at any moment. Every answer's `Date` header gives the
 * server's time to the second, so the offset between the two clocks is learned from the answers.
 */

/** When a request left, on both local clocks. */
export interface RequestTiming {
  readonly wall: number;
  readonly mono: number;
}

// Beyond this the gateway refuses a request's timestamp anyway (docs/protocol.md §4.6): such a header is not trusted.
const MAX_OFFSET_MS = 15 * 60_000;
// The wall clock and the monotonic clock disagree by more than this over one request: the wall clock was set.
const JUMP_TOLERANCE_MS = 250;
// The header has whole seconds: samples within this (plus half the round trip) of the offset agree with it.
const RESOLUTION_MS = 1000;

/** An offset between the local wall clock and the server's, learned from `Date` headers. */
export class ServerClock {
  #offsetMs = 0;
  #known = false;
  /** How far `now()` may be off either way, from the samples (the header's second and the round trip). */
  #uncertaintyMs = 0;
  #lastDate = '';
  #lastDateMs = NaN;

  constructor(
    private readonly wallNow: () => number = Date.now,
    private readonly monoNow: () => number = () => performance.now(),
  ) {}

  /** Marks a request leaving; give the result to `observe` with the answer's `Date` header. */
  start(): RequestTiming {
    return { wall: this.wallNow(), mono: this.monoNow() };
  }

  /** Learns from one answer's `Date` header (ignored when missing, unreadable or implausible). */
  observe(date: string | undefined, sent: RequestTiming): void {
    if (!date) return;
    // Answers within one second carry the same header: parse each text once.
    if (date !== this.#lastDate) {
      this.#lastDate = date;
      this.#lastDateMs = Date.parse(date);
    }
    const serverTime = this.#lastDateMs;
    if (!Number.isFinite(serverTime)) return;
    const wall = this.wallNow();
    const roundTrip = this.monoNow() - sent.mono;
    if (Math.abs(wall - sent.wall - roundTrip) > JUMP_TOLERANCE_MS) return; // the local clock was set meanwhile
    // The answer was stamped somewhere in the round trip, within the second its header names.
    const sample = serverTime + RESOLUTION_MS / 2 - (sent.wall + roundTrip / 2);
    if (Math.abs(sample) > MAX_OFFSET_MS) return;
    // Keep a settled offset through the header's one-second jitter; follow any real change at once.
    const spread = RESOLUTION_MS / 2 + roundTrip / 2;
    if (!this.#known || Math.abs(sample - this.#offsetMs) > RESOLUTION_MS + roundTrip / 2) {
      this.#offsetMs = Math.round(sample);
      this.#uncertaintyMs = spread;
    } else {
      // The kept offset is this far from the newest sample, which is within `spread` of the truth.
      this.#uncertaintyMs = Math.abs(sample - this.#offsetMs) + spread;
    }
    this.#known = true;
  }

  /** The server's time now (the local clock until an answer was seen). */
  now(): number {
    return this.wallNow() + this.#offsetMs;
  }

  /** A time the server's clock has certainly passed: `now()` less what the estimate may be ahead by. */
  passed(): number {
    return this.now() - this.#uncertaintyMs;
  }

  /** How far the server's clock is ahead of the local one, in ms. */
  get offsetMs(): number {
    return this.#offsetMs;
  }

  /** True once an answer's `Date` header was learned from. */
  get known(): boolean {
    return this.#known;
  }
}
