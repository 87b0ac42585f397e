/** The names the account gives its cameras, for people reading a timeline rather than iotIds. */
import type { LinkVisualClient } from '../client/client';
import { isPlainObject } from '../util/plain-object';

/** iotId → the camera's nickname (else its deviceName), from the account's device list (all pages). */
export async function listDeviceNames(client: LinkVisualClient, signal?: AbortSignal): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for await (const device of client.paginate('listDevices', {}, { signal })) {
    if (!isPlainObject(device) || typeof device.iotId !== 'string' || device.iotId === '') continue;
    const name = [device.nickName, device.deviceName].find((value): value is string => typeof value === 'string' && value.trim() !== '');
    if (name) names.set(device.iotId, name.trim());
  }
  return names;
}
