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
    // A string msg.apiVer is for the write (set or update); an object can give the query its own.
    apiVerOperations: { record: [PLAN_OPERATIONS.record.set, PLAN_OPERATIONS.record.update], event: [PLAN_OPERATIONS.event.set, PLAN_OPERATIONS.event.update] },
    async run(context) {
      const { client, kind } = context;
      const result = await applyPlan(client, kind, context.params, { signal: context.signal, apiVersions: context.apiVersions });
      const written = result.action === 'created' ? PLAN_OPERATIONS[kind].set : result.action === 'updated' ? PLAN_OPERATIONS[kind].update : undefined;
      // msg.linkVisual.apiVer: the version of the write, when there was one.
      const apiVer = written === undefined ? undefined : (context.apiVersion(written) ?? client.resolve(written).apiVer);
      return { payload: result, status: `${result.action}`, apiVer };
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
