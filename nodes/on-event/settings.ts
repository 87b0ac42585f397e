/** The editor settings of a `link-visual-on-event` node, read and checked. */
import { LinkVisualError } from '../../lib/gateway/errors';
import { parseDeviceList } from '../../lib/events/account-devices';
import type { Startup } from '../../lib/events/event-feed';
import type { NodeDef } from '../shared/red';
import { readSettings } from '../shared/setting-spec';
import { onEventSettingsSpec } from './settings-spec';

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

/** Reads the node's settings with their spec (settings-spec.ts); throws one CONFIG error naming every bad one. */
export function onEventSettings(def: NodeDef): OnEventSettings {
  const { values, problems } = readSettings(onEventSettingsSpec, def);
  if (problems.length > 0) throw new LinkVisualError('CONFIG', `on-event settings: ${problems.map((p) => `${p.property} ${p.text}`).join('; ')}`);
  const devices = parseDeviceList(values.devices);
  return {
    devices: devices.length > 0 ? devices : undefined,
    eventType: values.eventType as number,
    intervalMs: Math.round((values.interval as number) * 1000),
    sweepMs: Math.round((values.sweep as number) * 1000),
    startup: values.startup as Startup,
    backfillMs: Math.round((values.backfillMinutes as number) * 60_000),
    image: values.image === true,
    clip: values.clip === true,
    cooldownMs: Math.round((values.cooldown as number) * 1000),
  };
}
