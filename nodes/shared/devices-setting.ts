// The devices setting of the on-event and push nodes (iotIds by lines, commas or spaces): one rule, read by both
// nodes' settings specs, so their dialogs and runtimes refuse the same lists. Browser-safe.
import { parseDeviceList } from '../../lib/events/account-devices';
import type { SettingRule } from './setting-spec';

/** The longest iotId the cloud hands out, with room. */
export const MAX_IOT_ID_LENGTH = 128;

/** Refuses a list with an entry too long to be an iotId (`problem.devices` in the node's catalog). */
export const devicesRule: SettingRule = {
  key: 'devices',
  check: (text) => {
    const long = parseDeviceList(text).find((iotId) => iotId.length > MAX_IOT_ID_LENGTH);
    return long === undefined ? undefined : `has "${long.slice(0, 20)}…", which is not an iotId (over ${MAX_IOT_ID_LENGTH} characters)`;
  },
};
