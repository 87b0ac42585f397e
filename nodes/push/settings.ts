/** The editor settings of a `link-visual-push` node, read and checked. */
import { LinkVisualError } from '../../lib/gateway/errors';
import { parseDeviceList } from '../../lib/events/account-devices';
import type { PushMessage, PushMessageKind } from '../../lib/push/messages';
import type { NodeDef } from '../shared/red';
import { readSettings } from '../shared/setting-spec';
import { KIND_PROPERTY, PUSH_KINDS, pushSettingsSpec } from './settings-spec';

export { PUSH_KINDS };

export interface PushNodeSettings {
  /** Only these devices (undefined: every device of the account). */
  readonly devices: ReadonlySet<string> | undefined;
  /** Only these kinds of message. */
  readonly kinds: ReadonlySet<PushMessageKind>;
  /** Only this TSL identifier (e.g. `AlarmEvent`); undefined: any. */
  readonly identifier: string | undefined;
}

/** Reads the node's settings with their spec (settings-spec.ts); throws one CONFIG error naming every bad one. */
export function pushNodeSettings(def: NodeDef): PushNodeSettings {
  const { values, problems } = readSettings(pushSettingsSpec, def);
  if (problems.length > 0) throw new LinkVisualError('CONFIG', `push settings: ${problems.map((p) => `${p.property} ${p.text}`).join('; ')}`);
  const devices = parseDeviceList(values.devices);
  const identifier = String(values.identifier);
  return {
    devices: devices.length > 0 ? new Set(devices) : undefined,
    kinds: new Set(PUSH_KINDS.filter((kind) => values[KIND_PROPERTY[kind]] === true)),
    identifier: identifier === '' ? undefined : identifier,
  };
}

/** Whether a message passes the node's filters. */
export function wanted(settings: PushNodeSettings, message: PushMessage): boolean {
  if (!settings.kinds.has(message.kind)) return false;
  if (settings.devices && !settings.devices.has(message.iotId)) return false;
  return settings.identifier === undefined || settings.identifier === message.identifier;
}
