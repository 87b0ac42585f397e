import { LinkVisualError } from '../../lib/gateway/errors';
import { applyBinding } from '../../lib/plans/apply-binding';
import { PLAN_OPERATIONS } from '../../lib/plans/apply-plan';
import { isPlainObject } from '../../lib/util/plain-object';
import type { NodeAction, OperationNodeSpec } from '../shared/operation-node';

type PlanOperation = keyof (typeof PLAN_OPERATIONS)['record'];

function byKind(action: PlanOperation): { record: string; event: string } {
  return { record: PLAN_OPERATIONS.record[action], event: PLAN_OPERATIONS.event[action] };
}

function deviceIds(value: unknown): string[] {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  return [...new Set(list.filter((id): id is string => typeof id === 'string' && id.trim() !== '').map((id) => id.trim()))];
}

/** Bind, unbind, plan of a device, devices of a plan, and apply (bind the desired plan, unbinding another). */
export const bindActions: readonly NodeAction[] = [
  { key: 'bind', operation: byKind('bind'), summary: () => 'bound' },
  { key: 'unbind', operation: byKind('unbind'), summary: () => 'unbound' },
  {
    key: 'byDevice',
    operation: byKind('byDevice'),
    summary: (plan) => (isPlainObject(plan) && typeof plan.name === 'string' ? plan.name : 'no plan'),
  },
  {
    key: 'devices',
    operation: byKind('devices'),
    allPages: true,
    summary: (devices) => (Array.isArray(devices) ? `${devices.length} device${devices.length === 1 ? '' : 's'}` : 'ok'),
  },
  {
    key: 'apply',
    operation: byKind('bind'),
    // A string msg.apiVer is for bind only; an object can give query, byDevice and unbind their own.
    extraParams: [
      {
        name: 'planName',
        type: 'string',
        description: 'Instead of planId: the name of the plan to bind (looked up among the plans of this kind).',
      },
    ],
    async run(context) {
      const { params, kind, client, signal, apiVersions } = context;
      const ids = deviceIds(params.iotId);
      const problems: { path: string; message: string }[] = [];
      if (ids.length === 0) problems.push({ path: 'iotId', message: 'is required (one id, a list, or ids separated by commas)' });
      let planId = typeof params.planId === 'string' && params.planId !== '' ? params.planId : undefined;
      const planName = typeof params.planName === 'string' && params.planName !== '' ? params.planName : undefined;
      if (!planId && !planName) problems.push({ path: 'planId', message: 'give planId or planName' });
      const streamType = params.streamType as number | undefined;
      for (const iotId of ids) context.check(PLAN_OPERATIONS[kind].bind, { iotId, planId: planId ?? 'lookup', ...(streamType === undefined ? {} : { streamType }) });
      if (problems.length > 0) throw new LinkVisualError('INVALID_PARAMS', `apply: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, { problems });
      if (!planId) {
        for await (const plan of client.paginate(PLAN_OPERATIONS[kind].query, {}, { signal, apiVer: context.apiVersion(PLAN_OPERATIONS[kind].query) })) {
          if (isPlainObject(plan) && plan.name === planName) {
            planId = String(plan.planId);
            break;
          }
        }
        if (!planId) throw new LinkVisualError('API_ERROR', `apply: no ${kind} plan is named "${planName}"`, { problems: [{ path: 'planName', message: 'no such plan' }] });
      }
      const results = [];
      for (const iotId of ids) {
        context.progress(`applying ${results.length + 1}/${ids.length}`);
        results.push(await applyBinding(client, kind, { iotId, planId, streamType }, { signal, apiVersions }));
      }
      const changed = results.filter((r) => r.changed).length;
      // msg.linkVisual.apiVer: the version of bind, when it was sent.
      const bind = PLAN_OPERATIONS[kind].bind;
      const apiVer = changed === 0 ? undefined : (context.apiVersion(bind) ?? client.resolve(bind).apiVer);
      return { payload: ids.length === 1 && !Array.isArray(params.iotId) ? results[0] : results, status: changed === 0 ? 'unchanged' : `${changed} changed`, apiVer };
    },
  },
];

/** `link-visual-bind`: plan bindings of devices (kind record | event). */
export const nodeSpec: OperationNodeSpec = {
  type: 'link-visual-bind',
  actions: bindActions,
  kinds: true,
  editor: { defaultOperation: 'apply', operationField: 'select', label: 'operation' },
};
