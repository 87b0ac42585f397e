import type { OperationNodeSpec } from '../shared/operation-node';
import { says } from '../shared/summaries';

/** `link-visual-record`: trigger a manual recording (≤ 1800 s). */
export const nodeSpec: OperationNodeSpec = {
  type: 'link-visual-record',
  actions: [{ key: 'trigger', operation: 'triggerRecording', summary: says('recording') }],
  editor: { defaultOperation: 'trigger', operationField: 'hidden', label: 'palette' },
};
