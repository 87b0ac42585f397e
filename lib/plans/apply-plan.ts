import type { LinkVisualClient } from '../client/client';
import { formatProblems, validateParams } from '../catalog/validate';
import { isPlainObject } from '../util/plain-object';
import { findOperation } from '../catalog/operations';
import { apiVersionOf, type ApiVersions } from '../catalog/api-versions';
import { LinkVisualError } from '../gateway/errors';

/** Recording plans (continuous) or event-triggered plans. */
export type PlanKind = 'record' | 'event';

/** Catalog operation names per plan kind. */
export const PLAN_OPERATIONS = {
  record: {
    set: 'setRecordPlan',
    update: 'updateRecordPlan',
    get: 'getRecordPlan',
    query: 'queryRecordPlans',
    delete: 'deleteRecordPlan',
    bind: 'bindRecordPlan',
    unbind: 'unbindRecordPlan',
    byDevice: 'getRecordPlanByDevice',
    devices: 'queryRecordPlanDevices',
  },
  event: {
    set: 'setEventPlan',
    update: 'updateEventPlan',
    get: 'getEventPlan',
    query: 'queryEventPlans',
    delete: 'deleteEventPlan',
    bind: 'bindEventPlan',
    unbind: 'unbindEventPlan',
    byDevice: 'getEventPlanByDevice',
    devices: 'queryEventPlanDevices',
  },
} as const;

/** What `applyPlan` did. */
export interface ApplyPlanResult {
  readonly changed: boolean;
  readonly action: 'created' | 'updated' | 'unchanged';
  readonly planId: string;
  readonly name: string;
  /** Other plans with the same name (left alone). */
  readonly duplicates: readonly string[];
}

interface Section {
  dayOfWeek: number;
  begin: number;
  end: number;
}

function sections(value: unknown): Section[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter(isPlainObject)
    .map((s) => ({ dayOfWeek: Number(s.dayOfWeek), begin: Number(s.begin), end: Number(s.end) }))
    .sort((a, b) => a.dayOfWeek - b.dayOfWeek || a.begin - b.begin || a.end - b.end);
}

function numbers(value: unknown): number[] {
  return Array.isArray(value) ? value.map(Number).sort((a, b) => a - b) : [];
}

// The fields that define a schedule, normalised so equal schedules compare equal whatever the order.
function scheduleOf(kind: PlanKind, plan: Record<string, unknown>): string {
  const allDay = Number(plan.allDay ?? 0);
  const shape: Record<string, unknown> = { allDay, timeSectionList: allDay === 1 ? [] : sections(plan.timeSectionList) };
  if (kind === 'event') {
    shape.eventTypeList = numbers(plan.eventTypeList);
    shape.recordDuration = Number(plan.recordDuration);
    shape.preRecordDuration = Number(plan.preRecordDuration ?? 0);
  }
  return JSON.stringify(shape);
}

/**
 * Makes the plan called `desired.name` match the desired schedule: creates it when missing, updates it
 * when different, and sends no write at all when it already matches (safe to repeat from automations).
 * Every parameter is validated before the first request. `apiVersions` gives versions to send instead of the
 * catalog's, by operation name (the query, set and update operations of the kind).
 */
export async function applyPlan(
  client: LinkVisualClient,
  kind: PlanKind,
  desired: Record<string, unknown>,
  options: { signal?: AbortSignal; apiVersions?: ApiVersions } = {},
): Promise<ApplyPlanResult> {
  const ops = PLAN_OPERATIONS[kind];
  const setOperation = findOperation(ops.set);
  if (!setOperation) throw new LinkVisualError('UNKNOWN_OPERATION', ops.set);
  const problems = validateParams(setOperation, desired);
  if (problems.length > 0) {
    throw new LinkVisualError('INVALID_PARAMS', `apply ${kind} plan: ${formatProblems(problems)}`, { path: setOperation.path, problems });
  }
  const name = desired.name as string;
  const timeZone = desired.timeZone;
  const query = timeZone === undefined ? {} : { timeZone };
  const at = (operation: string) => ({ signal: options.signal, apiVer: apiVersionOf(options.apiVersions, operation) });
  const matches: Record<string, unknown>[] = [];
  for await (const plan of client.paginate(ops.query, query, at(ops.query))) {
    if (isPlainObject(plan) && plan.name === name) matches.push(plan);
  }
  const [current, ...others] = matches;
  const duplicates = others.map((plan) => String(plan.planId));
  if (!current) {
    const data = await client.call(ops.set, desired, at(ops.set));
    const planId = isPlainObject(data) ? data.planId : undefined;
    if (typeof planId !== 'string' || planId === '') {
      throw new LinkVisualError('INVALID_RESPONSE', `${setOperation.path}: the answer has no planId`, { path: setOperation.path });
    }
    return { changed: true, action: 'created', planId, name, duplicates };
  }
  const planId = String(current.planId);
  if (scheduleOf(kind, current) === scheduleOf(kind, desired)) {
    return { changed: false, action: 'unchanged', planId, name, duplicates };
  }
  await client.call(ops.update, { ...desired, planId }, at(ops.update));
  return { changed: true, action: 'updated', planId, name, duplicates };
}
