import { PLAN_OPERATIONS, applyPlan } from '../../lib/plans/apply-plan';
import type { NodeAction, OperationNodeSpec } from '../shared/operation-node';

function byKind(action: keyof (typeof PLAN_OPERATIONS)['record']): { record: string; event: string } {
  return { record: PLAN_OPERATIONS.record[action], event: PLAN_OPERATIONS.event[action] };
}

/** Plans: set, update, get, query (all pages), delete, and apply (create or update by name, idempotent). */
export const planActions: readonly NodeAction[] = [
  { key: 'set', operation: byKind('set'), summary: () => 'created' },
  { key: 'update', operation: byKind('update'), summary: () => 'updated' },
  { key: 'get', operation: byKind('get') },
  {
    key: 'query',
    operation: byKind('query'),
    allPages: true,
    summary: (plans) => (Array.isArray(plans) ? `${plans.length} plan${plans.length === 1 ? '' : 's'}` : 'ok'),
  },
  { key: 'delete', operation: byKind('delete'), summary: () => 'deleted' },
  {
    key: 'apply',
    // apply takes exactly the parameters of `set`: the desired plan, identified by its name.
    operation: byKind('set'),
    fixedApiVersions: true, // query, set and update, each at its own version
    async run(context) {
      const result = await applyPlan(context.client, context.kind, context.params, { signal: context.signal });
      return { payload: result, status: `${result.action}` };
    },
  },
];

/** `link-visual-plan`: recording and event-triggered plans (kind record | event). */
export const nodeSpec: OperationNodeSpec = {
  type: 'link-visual-plan',
  actions: planActions,
  kinds: true,
  editor: { defaultOperation: 'apply', operationField: 'select', label: 'operation' },
};
