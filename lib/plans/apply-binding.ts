import type { LinkVisualClient } from '../client/client';
import { isPlainObject } from '../catalog/validate';
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
 * already is; otherwise unbinds the other plan first, then binds. Safe to repeat.
 */
export async function applyBinding(
  client: LinkVisualClient,
  kind: PlanKind,
  target: { iotId: string; planId: string; streamType?: number },
  options: { signal?: AbortSignal } = {},
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
  const current = await client.call(ops.byDevice, { iotId, ...stream }, { signal: options.signal });
  const currentPlanId = isPlainObject(current) && typeof current.planId === 'string' && current.planId !== '' ? current.planId : undefined;
  if (currentPlanId === planId) return { iotId, changed: false, action: 'unchanged', planId };
  if (currentPlanId) await client.call(ops.unbind, { iotId, ...stream }, { signal: options.signal });
  await client.call(ops.bind, { iotId, planId, ...stream }, { signal: options.signal });
  return currentPlanId
    ? { iotId, changed: true, action: 'rebound', planId, previousPlanId: currentPlanId }
    : { iotId, changed: true, action: 'bound', planId };
}
