/** The editor settings of a `link-visual-push` node, read and checked. */
import { LinkVisualError } from '../../lib/gateway/errors';
import { parseDeviceList } from '../../lib/events/account-devices';
import type { PushMessage, PushMessageKind } from '../../lib/push/messages';
import type { NodeDef } from '../shared/red';

export const PUSH_KINDS: readonly PushMessageKind[] = ['event', 'property', 'status', 'other'];

export interface PushNodeSettings {
  /** Only these devices (undefined: every device of the account). */
  readonly devices: ReadonlySet<string> | undefined;
  /** Only these kinds of message. */
  readonly kinds: ReadonlySet<PushMessageKind>;
  /** Only this TSL identifier (e.g. `AlarmEvent`); undefined: any. */
  readonly identifier: string | undefined;
}

function flag(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null || value === '') return fallback;
  return value === true || value === 'true';
}

/** Reads the node's settings; throws one CONFIG error naming every bad one. */
export function pushNodeSettings(def: NodeDef): PushNodeSettings {
  const problems: string[] = [];
  const devices = parseDeviceList(def.devices);
  for (const iotId of devices) if (iotId.length > 128) problems.push(`device "${iotId.slice(0, 20)}…" is not an iotId`);
  // One checkbox per kind, all on by default (a node made before a kind existed takes it too).
  const kinds = new Set(PUSH_KINDS.filter((kind) => flag(def[kind], true)));
  if (kinds.size === 0) problems.push('choose at least one kind of message');
  const identifier = typeof def.identifier === 'string' ? def.identifier.trim() : '';
  if (identifier.length > 128) problems.push('the identifier is longer than 128 characters');
  if (problems.length > 0) throw new LinkVisualError('CONFIG', `push settings: ${problems.join('; ')}`);
  return { devices: devices.length > 0 ? new Set(devices) : undefined, kinds, identifier: identifier || undefined };
}

/** Whether a message passes the node's filters. */
export function wanted(settings: PushNodeSettings, message: PushMessage): boolean {
  if (!settings.kinds.has(message.kind)) return false;
  if (settings.devices && !settings.devices.has(message.iotId)) return false;
  return settings.identifier === undefined || settings.identifier === message.identifier;
}
