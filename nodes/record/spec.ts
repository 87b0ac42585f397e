import type { OperationNodeSpec } from '../shared/operation-node';
import { fixedStatus } from '../shared/summaries';

/** `link-visual-record`: trigger a manual recording (≤ 1800 s). */
export const nodeSpec: OperationNodeSpec = {
  type: 'link-visual-record',
  actions: [{ key: 'trigger', operation: 'triggerRecording', summary: fixedStatus('recording') }],
  editor: { defaultOperation: 'trigger', operationField: 'hidden', label: 'palette' },
};
