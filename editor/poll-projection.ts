// The on-event node's projected polling cost, from the runtime's own budget (lib/events/poll-budget.ts).
import { projectPolling, type PollProjection } from '../lib/events/poll-budget';
import { configSettingsSpec } from '../nodes/config/settings-spec';
import { readSetting, settingOf } from '../nodes/shared/setting-spec';

/** What `devices` devices polled every `intervalSeconds` cost an account whose rate limit setting is `rateLimit`. */
export function pollProjection(devices: number, intervalSeconds: number, rateLimit: unknown): PollProjection & { readonly rateLimit: number } {
  // The account's limit as the runtime reads it: unset or malformed means the default.
  const setting = settingOf(configSettingsSpec, 'rateLimit');
  const read = readSetting(setting, rateLimit, () => undefined);
  const rate = 'value' in read ? Number(read.value) : Number(setting.default);
  return { ...projectPolling(devices, intervalSeconds, rate), rateLimit: rate };
}
