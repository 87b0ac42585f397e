import type { LinkVisualClient } from '../client/client';
import { apiVersionOf, type ApiVersions } from '../catalog/api-versions';
import { isPlainObject } from '../util/plain-object';
import { LinkVisualError } from '../gateway/errors';
import { PLAN_OPERATIONS, type PlanKind } from './apply-plan';

/** What `applyBinding` did for one device. */
export interface ApplyBindingResult {
  readonly iotId: string;
  readonly changed: boolean;
  readonly action: 'bound' | 'rebound' | 'unchanged';
  readonly planId: string;
  /** The plan that was bound before and got unbound, when there was one. */
  readonly previousPlanId?: string;
}

/**
 * Makes `planId` the plan bound to `iotId` (for one stream type): no request but the lookup when it
 * already is; otherwise unbinds the other plan first, then binds. Safe to repeat. `apiVersions` gives versions to
 * send instead of the catalog's, by operation name (the byDevice, unbind and bind operations of the kind).
 */
export async function applyBinding(
  client: LinkVisualClient,
  kind: PlanKind,
  target: { iotId: string; planId: string; streamType?: number },
  options: { signal?: AbortSignal; apiVersions?: ApiVersions } = {},
): Promise<ApplyBindingResult> {
  const ops = PLAN_OPERATIONS[kind];
  const { iotId, planId } = target;
  if (typeof iotId !== 'string' || iotId === '' || typeof planId !== 'string' || planId === '') {
    throw new LinkVisualError('INVALID_PARAMS', 'apply binding: iotId and planId are required', {
      problems: [
        ...(typeof iotId === 'string' && iotId !== '' ? [] : [{ path: 'iotId', message: 'is required' }]),
        ...(typeof planId === 'string' && planId !== '' ? [] : [{ path: 'planId', message: 'is required' }]),
      ],
    });
  }
  const stream = target.streamType === undefined ? {} : { streamType: target.streamType };
  const at = (operation: string) => ({ signal: options.signal, apiVer: apiVersionOf(options.apiVersions, operation) });
  const current = await client.call(ops.byDevice, { iotId, ...stream }, at(ops.byDevice));
  const currentPlanId = isPlainObject(current) && typeof current.planId === 'string' && current.planId !== '' ? current.planId : undefined;
  if (currentPlanId === planId) return { iotId, changed: false, action: 'unchanged', planId };
  if (currentPlanId) await client.call(ops.unbind, { iotId, ...stream }, at(ops.unbind));
  await client.call(ops.bind, { iotId, planId, ...stream }, at(ops.bind));
  return currentPlanId
    ? { iotId, changed: true, action: 'rebound', planId, previousPlanId: currentPlanId }
    : { iotId, changed: true, action: 'bound', planId };
}
