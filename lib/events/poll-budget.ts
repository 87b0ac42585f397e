/**
 * The polling budget of an account: event polls may use `POLL_SHARE` of the account's rate limit
 * (the rest stays free for catch-up pages, image and clip look-ups and the other nodes). When the
 * devices' polls would need more, every device's period is stretched by the same factor.
 */

/** Share of the account's requests per second that scheduled event polls may take. */
export const POLL_SHARE = 0.8;

export interface PollBudget {
  /** Polls per second the configured intervals ask for. */
  readonly demandPerSecond: number;
  /** Polls per second the account allows for polling. */
  readonly capacityPerSecond: number;
  /** ≥ 1: every device's period is multiplied by it. */
  readonly stretch: number;
}

/** The stretch factor for devices polled every `periodsMs` (one entry per device) under `rateLimit` requests/s. */
export function pollBudget(periodsMs: readonly number[], rateLimit: number, share = POLL_SHARE): PollBudget {
  const demandPerSecond = periodsMs.reduce((sum, period) => sum + 1000 / Math.max(1, period), 0);
  const capacityPerSecond = rateLimit > 0 && Number.isFinite(rateLimit) ? rateLimit * share : Infinity;
  const stretch = demandPerSecond > capacityPerSecond ? demandPerSecond / capacityPerSecond : 1;
  return { demandPerSecond, capacityPerSecond, stretch };
}

export interface PollProjection {
  /** Event polls per minute once the budget is applied. */
  readonly callsPerMinute: number;
  /** Polls one interval may hold: rate limit × interval × share. */
  readonly budgetPerCycle: number;
  /** Seconds between two polls of one device (the interval, or longer when over budget). */
  readonly periodSeconds: number;
  readonly stretched: boolean;
}

/** What `devices` devices polled every `intervalSeconds` cost an account limited to `rateLimit` requests/s. */
export function projectPolling(devices: number, intervalSeconds: number, rateLimit: number, share = POLL_SHARE): PollProjection {
  const count = Math.max(0, Math.floor(devices));
  const interval = Math.max(1, intervalSeconds);
  const { stretch } = pollBudget(new Array<number>(count).fill(interval * 1000), rateLimit, share);
  const periodSeconds = interval * stretch;
  return {
    callsPerMinute: count === 0 ? 0 : (count * 60) / periodSeconds,
    budgetPerCycle: rateLimit > 0 && Number.isFinite(rateLimit) ? Math.floor(rateLimit * interval * share) : Infinity,
    periodSeconds,
    stretched: stretch > 1,
  };
}
