/** Handlers of the recording-plan, event-plan and complimentary cloud-storage operations. */
import { formatLocalTime, formatUtcTime } from './clock';
import { bool, list, num, pageOf, refuseAcrossFields, str, type Handler } from './handler-context';
import { convertSections, type TimeSection } from './schedule';
import type { EventPlan, EventPlanFields, PlanKind, PresentedGrant, RecordPlan } from './records';

function sections(params: Record<string, unknown>): TimeSection[] {
  return list<TimeSection>(params, 'timeSectionList').map((s) => ({ dayOfWeek: s.dayOfWeek, begin: s.begin, end: s.end }));
}

/** A plan as the API shows it, its sections re-expressed in the requested time zone. */
function recordPlanOut(plan: RecordPlan, timeZone: number): Record<string, unknown> {
  return {
    planId: plan.planId,
    name: plan.name,
    allDay: plan.allDay,
    timeSectionList: convertSections(plan.timeSectionList, plan.timeZone, timeZone),
  };
}

function eventPlanOut(plan: EventPlan, timeZone: number): Record<string, unknown> {
  return {
    planId: plan.planId,
    name: plan.name,
    preRecordDuration: plan.preRecordDuration,
    recordDuration: plan.recordDuration,
    allDay: plan.allDay,
    eventTypeList: [...plan.eventTypeList],
    timeSectionList: convertSections(plan.timeSectionList, plan.timeZone, timeZone),
  };
}

function planOut(kind: PlanKind, plan: RecordPlan | EventPlan, timeZone: number): Record<string, unknown> {
  return kind === 'record' ? recordPlanOut(plan, timeZone) : eventPlanOut(plan as EventPlan, timeZone);
}

/** The fields of a plan update that were sent (sections move to the request's time zone). */
function updateFields(kind: PlanKind, params: Record<string, unknown>): Partial<EventPlanFields> {
  const fields: Partial<EventPlanFields> = {};
  if (params.name !== undefined) fields.name = str(params, 'name');
  if (params.allDay !== undefined) fields.allDay = num(params, 'allDay');
  if (params.timeSectionList !== undefined) {
    fields.timeSectionList = sections(params);
    fields.timeZone = num(params, 'timeZone', 8);
  }
  if (kind === 'record') return fields;
  if (params.preRecordDuration !== undefined) fields.preRecordDuration = num(params, 'preRecordDuration');
  if (params.recordDuration !== undefined) fields.recordDuration = num(params, 'recordDuration');
  if (params.eventTypeList !== undefined) fields.eventTypeList = [...new Set(list<number>(params, 'eventTypeList'))];
  return fields;
}

function queryPlans(kind: PlanKind, listField: string): Handler {
  return ({ params }, { world }) => {
    const plans = world.listPlans(kind);
    const { page } = pageOf(plans, num(params, 'pageStart'), num(params, 'pageSize', 20));
    const timeZone = num(params, 'timeZone', 8);
    return { total: plans.length, currentCount: page.length, [listField]: page.map((plan) => planOut(kind, plan, timeZone)) };
  };
}

function planDevices(kind: PlanKind): Handler {
  return ({ params }, { world }) => {
    world.plan(kind, str(params, 'planId'));
    const bindings = world.planBindings(kind, str(params, 'planId'));
    const { page } = pageOf(bindings, num(params, 'pageStart'), num(params, 'pageSize', 20));
    return { total: bindings.length, currentCount: page.length, deviceList: page.map((b) => ({ iotId: b.iotId, streamType: b.streamType })) };
  };
}

function planByDevice(kind: PlanKind): Handler {
  return ({ params }, { world }) => {
    const iotId = str(params, 'iotId');
    world.device(iotId);
    const binding = world.binding(kind, iotId, num(params, 'streamType'));
    return binding ? planOut(kind, world.plan(kind, binding.planId), num(params, 'timeZone', 8)) : null;
  };
}

function bindPlan(kind: PlanKind): Handler {
  return ({ params }, { world, clock }) => {
    world.bind(kind, str(params, 'planId'), str(params, 'iotId'), num(params, 'streamType'), clock.now());
    return null;
  };
}

function unbindPlan(kind: PlanKind): Handler {
  return ({ params }, { world }) => {
    world.unbind(kind, str(params, 'iotId'), num(params, 'streamType'));
    return null;
  };
}

function deletePlan(kind: PlanKind): Handler {
  return ({ params }, { world }) => {
    world.deletePlan(kind, str(params, 'planId'));
    return null;
  };
}

function grantOut(grant: PresentedGrant, now: number, timeZone: number): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: grant.type,
    lifecycle: grant.lifecycle,
    months: grant.months,
    consumed: grant.consumed ? 1 : 0,
    expired: grant.endTime !== undefined && grant.endTime <= now ? 1 : 0,
  };
  if (grant.startTime !== undefined && grant.endTime !== undefined) {
    out.startTime = formatLocalTime(grant.startTime, timeZone);
    out.endTime = formatLocalTime(grant.endTime, timeZone);
    out.startTimeUTC = formatUtcTime(grant.startTime);
    out.endTimeUTC = formatUtcTime(grant.endTime);
  }
  return out;
}

/** Handlers by operation name. */
export const planHandlers: Readonly<Record<string, Handler>> = {
  setRecordPlan: ({ params }, { world, clock }) => {
    const plan = world.createRecordPlan(
      { name: str(params, 'name'), allDay: num(params, 'allDay'), timeSectionList: sections(params), timeZone: num(params, 'timeZone', 8) },
      clock.now(),
    );
    return { planId: plan.planId };
  },
  updateRecordPlan: ({ params }, { world }) => {
    const plan = world.updatePlan('record', str(params, 'planId'), updateFields('record', params));
    return { planId: plan.planId };
  },
  queryRecordPlans: queryPlans('record', 'recordPlanList'),
  getRecordPlan: ({ params }, { world }) => recordPlanOut(world.recordPlan(str(params, 'planId')), num(params, 'timeZone', 8)),
  deleteRecordPlan: deletePlan('record'),
  bindRecordPlan: bindPlan('record'),
  unbindRecordPlan: unbindPlan('record'),
  getRecordPlanByDevice: planByDevice('record'),
  queryRecordPlanDevices: planDevices('record'),

  setEventPlan: ({ params }, { world, clock }) => {
    const preRecordDuration = num(params, 'preRecordDuration');
    const recordDuration = num(params, 'recordDuration');
    const plan = world.createEventPlan(
      {
        name: str(params, 'name'),
        allDay: num(params, 'allDay'),
        timeSectionList: sections(params),
        timeZone: num(params, 'timeZone', 8),
        preRecordDuration,
        recordDuration,
        eventTypeList: [...new Set(list<number>(params, 'eventTypeList'))],
      },
      clock.now(),
    );
    return { planId: plan.planId };
  },
  updateEventPlan: ({ operation, params }, { world }) => {
    const planId = str(params, 'planId');
    const fields = updateFields('event', params);
    refuseAcrossFields(operation, { ...world.eventPlan(planId), ...fields });
    world.updatePlan('event', planId, fields);
    return null;
  },
  queryEventPlans: queryPlans('event', 'eventRecordPlanList'),
  deleteEventPlan: deletePlan('event'),
  getEventPlan: ({ params }, { world }) => eventPlanOut(world.eventPlan(str(params, 'planId')), num(params, 'timeZone', 8)),
  bindEventPlan: bindPlan('event'),
  unbindEventPlan: unbindPlan('event'),
  getEventPlanByDevice: planByDevice('event'),
  queryEventPlanDevices: planDevices('event'),

  getPresentedStorage: ({ params }, { world, clock }) => {
    const iotId = str(params, 'iotId');
    return grantOut(world.presented(iotId), clock.now(), world.device(iotId).timeZone);
  },
  consumePresentedStorage: ({ params }, { world, clock }) => {
    const iotId = str(params, 'iotId');
    const grant = world.consumePresented(iotId, bool(params, 'enableDefaultPlan'), clock.now());
    return grantOut(grant, clock.now(), world.device(iotId).timeZone);
  },
};
