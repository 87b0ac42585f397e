// The on-event node's projected polling cost, from the runtime's own budget (lib/events/poll-budget.ts).
import { projectPolling, type PollProjection } from '../lib/events/poll-budget';
import { DEFAULT_RATE_LIMIT, positiveSetting } from '../nodes/config/account-rules';

/** What `devices` devices polled every `intervalSeconds` cost an account whose rate limit setting is `rateLimit`. */
export function pollProjection(devices: number, intervalSeconds: number, rateLimit: unknown): PollProjection & { readonly rateLimit: number } {
  // The account's limit as the runtime reads it: unset or malformed means the default.
  const setting = positiveSetting(rateLimit, DEFAULT_RATE_LIMIT);
  const rate = Number.isNaN(setting) ? DEFAULT_RATE_LIMIT : setting;
  return { ...projectPolling(devices, intervalSeconds, rate), rateLimit: rate };
}
