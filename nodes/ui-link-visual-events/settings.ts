/** The settings of a ui-link-visual-events node, read once at deploy. */
import { parseDeviceList } from '../../lib/events/account-devices';
import { LinkVisualError } from '../../lib/gateway/errors';
import type { NodeDef } from '../shared/red';

export const DEFAULT_MAX_EVENTS = 50;
export const MAX_EVENTS_LIMIT = 500;
export const DEFAULT_HISTORY_HOURS = 24;
export const MAX_HISTORY_HOURS = 168;

export interface TimelineSettings {
  /** Only events of these cameras are shown; empty: every camera. */
  readonly devices: readonly string[];
  /** The most events kept and shown. */
  readonly maxEvents: number;
  /** With an account: the hours of past events loaded at start (event/query); 0: none. */
  readonly historyHours: number;
}

/** Reads the node's settings; a CONFIG error for a setting out of range. */
export function timelineSettings(def: NodeDef): TimelineSettings {
  const raw = def.maxEvents === undefined || def.maxEvents === '' ? DEFAULT_MAX_EVENTS : Number(def.maxEvents);
  if (!Number.isInteger(raw) || raw < 1 || raw > MAX_EVENTS_LIMIT) {
    throw new LinkVisualError('CONFIG', `Max events must be a whole number from 1 to ${MAX_EVENTS_LIMIT}, got ${String(def.maxEvents)}`);
  }
  const hours = def.historyHours === undefined || def.historyHours === '' ? DEFAULT_HISTORY_HOURS : Number(def.historyHours);
  if (!Number.isInteger(hours) || hours < 0 || hours > MAX_HISTORY_HOURS) {
    throw new LinkVisualError('CONFIG', `History must be a whole number of hours from 0 to ${MAX_HISTORY_HOURS}, got ${String(def.historyHours)}`);
  }
  return { devices: parseDeviceList(def.devices), maxEvents: raw, historyHours: hours };
}
