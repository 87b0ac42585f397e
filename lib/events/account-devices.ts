/** The devices of the signed-in account, for on-event nodes that watch "every device". */
import type { LinkVisualClient } from '../client/client';
import { isPlainObject } from '../util/plain-object';

/** Every iotId bound to the account (`/uc/listBindingByAccount`, all pages), without repeats, in the API's order. */
export async function listAccountDevices(client: LinkVisualClient, signal?: AbortSignal): Promise<string[]> {
  const ids = new Set<string>();
  for await (const device of client.paginate('listDevices', {}, { signal })) {
    if (isPlainObject(device) && typeof device.iotId === 'string' && device.iotId !== '') ids.add(device.iotId);
  }
  return [...ids];
}

/** Splits a devices setting (iotIds separated by commas, spaces or new lines) into distinct iotIds. */
export function parseDeviceList(text: unknown): string[] {
  if (Array.isArray(text)) return [...new Set(text.filter((id): id is string => typeof id === 'string').map((id) => id.trim()).filter(Boolean))];
  if (typeof text !== 'string') return [];
  return [...new Set(text.split(/[\s,;]+/).map((id) => id.trim()).filter(Boolean))];
}
