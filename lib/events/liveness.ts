/** Whether a feed's polls still succeed: a device is overdue when its last good poll is older than a few periods. */
import type { LinkVisualError } from '../gateway/errors';
import type { DeviceHealth } from './event-feed';

/** Polls a device may miss before it counts as overdue. */
export const OVERDUE_PERIODS = 3;

export interface Liveness {
  /** Every device judged. */
  readonly devices: readonly DeviceHealth[];
  /** Devices whose last good poll (or, before one, the start of watching) is older than OVERDUE_PERIODS periods. */
  readonly overdue: readonly DeviceHealth[];
  /** The device list of an every-device feed was never read within OVERDUE_PERIODS intervals. */
  readonly listOverdue: boolean;
  /** Devices whose latest poll failed. */
  readonly failing: readonly DeviceHealth[];
  /** The most recent good poll of any device (0: none). */
  readonly lastOkAt: number;
  /** An error to show: the latest failure of a failing device, or of the device list. */
  readonly lastError?: LinkVisualError;
}

/** Judges the devices of a feed at `now`; `list` is given for a feed of every device. */
export function judgeLiveness(
  devices: readonly DeviceHealth[],
  intervalMs: number,
  now: number,
  list?: { readonly since: number; readonly readAt: number; readonly error?: LinkVisualError },
): Liveness {
  const overdue = devices.filter((device) => now - Math.max(device.lastOkAt, device.since) > OVERDUE_PERIODS * (device.periodMs ?? intervalMs));
  const failing = devices.filter((device) => device.lastError !== undefined);
  const listOverdue = list !== undefined && list.readAt === 0 && now - list.since > OVERDUE_PERIODS * intervalMs;
  const lastOkAt = devices.reduce((latest, device) => Math.max(latest, device.lastOkAt), 0);
  const lastError = failing.find((device) => device.lastError)?.lastError ?? list?.error;
  return { devices, overdue, listOverdue, failing, lastOkAt, lastError };
}
