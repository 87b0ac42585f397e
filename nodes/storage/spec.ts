import type { OperationNodeSpec } from '../shared/operation-node';
import { isPlainObject } from '../../lib/util/plain-object';

function grantStatus(data: unknown): string {
  if (!isPlainObject(data)) return 'no plan';
  if (data.expired === 1) return 'expired';
  return data.consumed === 1 ? 'claimed' : 'not claimed';
}

/** `link-visual-storage`: the complimentary cloud-storage plan of a device (get, claim). */
export const nodeSpec: OperationNodeSpec = {
  type: 'link-visual-storage',
  actions: [
    { key: 'get', operation: 'getPresentedStorage', summary: grantStatus },
    { key: 'consume', operation: 'consumePresentedStorage', summary: grantStatus },
  ],
  editor: { defaultOperation: 'get', operationField: 'select', label: 'operation' },
};
