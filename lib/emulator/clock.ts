/**
 * The emulator's two clocks. Simulated time (what cameras record, what events and pictures carry)
 * runs `timeScale` times faster than real time from a start instant; real time (token lifetimes,
 * signatures, media URL expiry, capture and transcode delays) is the wall clock, because clients
 * measure those with their own wall clocks.
 */
export class SimulatedClock {
  private originReal: number;
  private originSimulated: number;

  constructor(
    readonly timeScale: number,
    startSimulated: number,
    private readonly wallClock: () => number = Date.now,
  ) {
    if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new RangeError('timeScale must be a positive number');
    this.originReal = wallClock();
    this.originSimulated = startSimulated;
  }

  /** Simulated epoch milliseconds: start + real elapsed × timeScale. */
  now(): number {
    return Math.floor(this.originSimulated + (this.wallClock() - this.originReal) * this.timeScale);
  }

  /** Real (wall-clock) epoch milliseconds. */
  realNow(): number {
    return this.wallClock();
  }

  /** Moves simulated time forward by `ms` at once (control API `POST /_emulator/time`). */
  advance(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError('advance must be a non-negative number of milliseconds');
    this.originSimulated += ms;
  }
}

const HOUR_MS = 3_600_000;

/** `yyyy-MM-dd HH:mm:ss` in the given UTC offset (hours), as the API renders local times. */
export function formatLocalTime(epochMs: number, timeZoneHours: number): string {
  return new Date(epochMs + timeZoneHours * HOUR_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** `yyyy-MM-ddTHH:mm:ssZ`, as the API renders the `*UTC` fields. */
export function formatUtcTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}Z`;
}
