import { LinkVisualError } from '../../lib/gateway/errors';
import { isPlainObject } from '../../lib/util/plain-object';
import { isApiVersion } from '../../lib/catalog/call-syntax';
import type { NodeAction, OperationNodeSpec } from '../shared/operation-node';

/** Any operation or path: catalog entries are validated, unknown paths need an apiVer. */
function anyOperation(requested: string): NodeAction | undefined {
  if (requested.trim() === '') {
    throw new LinkVisualError('INVALID_PARAMS', 'api: give an operation (catalog name) or an API path, in the node or in msg.operation', {
      problems: [{ path: 'operation', message: 'is required' }],
    });
  }
  return {
    key: requested,
    extraParams: [
      { name: 'params', type: 'object', description: 'The API parameters (merged with msg.payload, which wins).' },
      { name: 'apiVer', type: 'string', description: 'The API version; required for a path outside the catalog.' },
    ],
    async run(context) {
      const { params: configured, apiVer, ...fromPayload } = context.params;
      if (configured !== undefined && !isPlainObject(configured)) {
        throw new LinkVisualError('INVALID_PARAMS', 'params must be an object', { problems: [{ path: 'params', message: 'must be an object' }] });
      }
      // The node's apiVer follows the rule msg.apiVer follows (and the editor checks), so a typo is not sent.
      if (apiVer !== undefined && !isApiVersion(apiVer)) {
        throw new LinkVisualError('INVALID_PARAMS', 'apiVer must be a version like "2.1.5" (digits.digits.digits)', {
          problems: [{ path: 'apiVer', message: 'must be digits.digits.digits, e.g. 2.1.5' }],
        });
      }
      // msg.apiVer (a string, or an object naming this operation; already checked) wins over the node's.
      const version = context.apiVersion(requested) ?? ((typeof apiVer === 'string' && apiVer) || undefined);
      const result = await context.client.callDetailed(requested, { ...(configured ?? {}), ...fromPayload }, { apiVer: version, signal: context.signal });
      return { payload: result.data, status: 'ok', meta: result };
    },
  };
}

/** `link-visual-api`: the escape hatch to any path. */
export const nodeSpec: OperationNodeSpec = {
  type: 'link-visual-api',
  actions: [],
  passThroughParams: true,
  resolveOther: anyOperation,
  editor: {
    defaultOperation: '',
    operationField: 'text',
    label: 'operationTail',
    settings: [
      {
        property: 'params',
        value: '',
        validate: true,
        icon: 'fa-sliders',
        input: { kind: 'typed', type: 'json', button: { id: 'node-lv-api-skeleton', icon: 'fa-magic', title: 'skeleton' } },
      },
      { property: 'apiVer', value: '', validate: true, icon: 'fa-code-fork', input: { kind: 'typed', type: 'str' } },
    ],
    tip: true,
  },
};
