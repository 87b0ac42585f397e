/** The editor settings of a `link-visual-on-event` node, read and checked. */
import { LinkVisualError } from '../../lib/gateway/errors';
import { parseDeviceList } from '../../lib/events/account-devices';
import type { Startup } from '../../lib/events/event-feed';
import type { NodeDef } from '../shared/red';

export interface OnEventSettings {
  /** Watched iotIds; undefined: every device of the account. */
  readonly devices: readonly string[] | undefined;
  readonly eventType: number;
  readonly intervalMs: number;
  /** With the account's push on: ms between reconciliation sweeps of every watched device. */
  readonly sweepMs: number;
  readonly startup: Startup;
  readonly backfillMs: number;
  readonly image: boolean;
  readonly clip: boolean;
  readonly cooldownMs: number;
}

const MAX_INTERVAL_S = 86_400;
/** Default seconds between sweeps while pushes trigger the polls. */
export const DEFAULT_SWEEP_S = 600;
const MAX_BACKFILL_MIN = 30 * 24 * 60;
const MAX_COOLDOWN_S = 86_400;

function number(value: unknown, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  return typeof value === 'number' ? value : Number(value);
}

function flag(value: unknown): boolean {
  return value === true || value === 'true';
}

/** Reads the node's settings; throws one CONFIG error naming every bad one. */
export function onEventSettings(def: NodeDef): OnEventSettings {
  const problems: string[] = [];
  const devices = parseDeviceList(def.devices);
  for (const iotId of devices) if (iotId.length > 128) problems.push(`device "${iotId.slice(0, 20)}…" is not an iotId`);
  const eventType = number(def.eventType, 0);
  if (![0, 1, 2, 3].includes(eventType)) problems.push('event type must be 0 (all), 1 (motion), 2 (sound) or 3 (human)');
  const interval = number(def.interval, 30);
  if (!(interval >= 1 && interval <= MAX_INTERVAL_S)) problems.push(`interval must be 1 to ${MAX_INTERVAL_S} seconds`);
  const sweep = number(def.sweep, DEFAULT_SWEEP_S);
  if (!(sweep >= 10 && sweep <= MAX_INTERVAL_S)) problems.push(`sweep must be 10 to ${MAX_INTERVAL_S} seconds`);
  const startup = def.startup === undefined || def.startup === '' ? 'new' : def.startup;
  if (startup !== 'new' && startup !== 'backfill') problems.push('startup must be "new" or "backfill"');
  const backfill = number(def.backfillMinutes, 60);
  if (startup === 'backfill' && !(backfill >= 0 && backfill <= MAX_BACKFILL_MIN)) problems.push(`backfill must be 0 to ${MAX_BACKFILL_MIN} minutes`);
  const cooldown = number(def.cooldown, 0);
  if (!(cooldown >= 0 && cooldown <= MAX_COOLDOWN_S)) problems.push(`cooldown must be 0 to ${MAX_COOLDOWN_S} seconds`);
  if (problems.length > 0) throw new LinkVisualError('CONFIG', `on-event settings: ${problems.join('; ')}`);
  return {
    devices: devices.length > 0 ? devices : undefined,
    eventType,
    intervalMs: Math.round(interval * 1000),
    sweepMs: Math.round(sweep * 1000),
    startup: startup as Startup,
    backfillMs: Math.round((Number.isFinite(backfill) ? backfill : 60) * 60_000),
    image: flag(def.image),
    clip: flag(def.clip),
    cooldownMs: Math.round(cooldown * 1000),
  };
}
