/**
 * The emulated cloud's state and its rules: devices, recording plans and event-triggered plans,
 * bindings, duration and business-event configuration, complimentary cloud-storage grants, and the
 * recordings, pictures and events the cameras produce (kept here so one snapshot holds everything).
 *
 * Rules where the seed is silent, decided here:
 * - One recording plan and one event-triggered plan per device and stream type. Binding a plan where
 *   another plan of the same kind is bound REPLACES it (the seed's "attach" verb; the device follows
 *   the latest plan). Binding the plan already bound is a no-op success. Unbinding where nothing is
 *   bound succeeds (idempotent).
 * - Deleting a plan that is still bound to any device is REFUSED with PLAN_IN_USE: detach it first.
 *   (Silently detaching would stop a camera's recording as a side effect of a clean-up call.)
 * - Binding needs cloud storage on the device (the seed: "You must enable cloud storage").
 *   Consuming the complimentary grant enables it; the grant can be consumed once.
 * - `getbyiotid` where nothing is bound answers code 200 with `data: null` (nothing is not an error).
 */
import { isPlainObject } from '../util/plain-object';
import { BusinessError } from './codes';
import { newId, streamKey } from './record-ids';
import type {
  Binding,
  CameraEvent,
  Device,
  DeviceInput,
  EventPlan,
  EventPlanFields,
  Picture,
  PlanKind,
  PresentedGrant,
  Recording,
  RecordPlan,
  RecordPlanFields,
  WorldSnapshot,
} from './records';
import { insertSorted } from '../util/sorted-insert';

// The push broker (amqp.ts) reads these two shapes from here.
export type { CameraEvent, Device } from './records';

export const DEFAULT_RECORD_DURATION = 1800;
export const DEFAULT_EVENT_INTERVAL = 120;
export const DEFAULT_TIME_ZONE = 8;
const PRODUCT_KEY = 'demoProductKey';

function removeFrom<T>(list: T[] | undefined, item: T): void {
  const index = list ? list.indexOf(item) : -1;
  if (list && index >= 0) list.splice(index, 1);
}

function bindingKey(kind: PlanKind, iotId: string, streamType: number): string {
  return `${kind}|${iotId}|${streamType}`;
}

function addMonths(epochMs: number, months: number): number {
  const date = new Date(epochMs);
  date.setUTCMonth(date.getUTCMonth() + months);
  return date.getTime();
}

/** The state and its rules; every mutation reports through `onChange` (state file) and `onScheduleChange` (cameras). */
export class World {
  readonly devices = new Map<string, Device>();
  readonly recordPlans = new Map<string, RecordPlan>();
  readonly eventPlans = new Map<string, EventPlan>();
  private readonly bindings = new Map<string, Binding>();
  /** Per device, sorted by begin. */
  readonly recordings = new Map<string, Recording[]>();
  /** Per device, sorted by time. */
  readonly pictures = new Map<string, Picture[]>();
  /** Per device, sorted by time. */
  readonly events = new Map<string, CameraEvent[]>();
  readonly picturesById = new Map<string, Picture>();
  readonly eventsById = new Map<string, CameraEvent>();
  private readonly recordingsByName = new Map<string, Recording>();
  /** Per device stream: simulated ms up to which scheduled recording has been materialised. */
  readonly recordedUntil = new Map<string, number>();

  /** Called after every change (debounced state save). */
  onChange: () => void = () => undefined;
  /** Called before anything that changes when a device stream records (cameras settle first). */
  onScheduleChange: (iotId: string, streamType: number) => void = () => undefined;

  // ----- devices -------------------------------------------------------------------------------

  /** The device, or DEVICE_NOT_BOUND. */
  device(iotId: string): Device {
    const device = this.devices.get(iotId);
    if (!device) throw new BusinessError('DEVICE_NOT_BOUND', `iotId: ${iotId}`);
    return device;
  }

  /** Creates a device or updates the given fields of an existing one. */
  upsertDevice(input: DeviceInput): Device {
    const existing = this.devices.get(input.iotId);
    if (existing) {
      if (input.cloudStorage !== undefined || input.online !== undefined) this.scheduleChange(existing.iotId);
      if (input.name !== undefined) existing.name = input.name;
      if (input.cloudStorage !== undefined) existing.cloudStorage = input.cloudStorage;
      if (input.online !== undefined) existing.online = input.online;
      if (input.timeZone !== undefined) existing.timeZone = input.timeZone;
      if (input.productKey !== undefined) existing.productKey = input.productKey;
      this.onChange();
      return existing;
    }
    const device: Device = {
      iotId: input.iotId,
      name: input.name ?? input.iotId,
      productKey: input.productKey ?? PRODUCT_KEY,
      deviceName: input.iotId,
      cloudStorage: input.cloudStorage ?? true,
      online: input.online ?? true,
      timeZone: input.timeZone ?? DEFAULT_TIME_ZONE,
      recordDuration: DEFAULT_RECORD_DURATION,
      eventIntervals: {},
      presented: { type: 1, lifecycle: 7, months: 1, consumed: false },
    };
    this.devices.set(device.iotId, device);
    this.onChange();
    return device;
  }

  private scheduleChange(iotId: string, streamType?: number): void {
    for (const stream of streamType === undefined ? [0, 1] : [streamType]) this.onScheduleChange(iotId, stream);
  }

  /** Sets the length of continuous recording files (the catalog checks 600–3600). */
  setRecordDuration(iotId: string, seconds: number): void {
    const device = this.device(iotId);
    this.scheduleChange(iotId);
    device.recordDuration = seconds;
    this.onChange();
  }

  /** Sets the push interval of a business event type. */
  setEventInterval(iotId: string, eventType: number, seconds: number): void {
    this.device(iotId).eventIntervals[String(eventType)] = seconds;
    this.onChange();
  }

  /** The push interval of a business event type (default 120 s). */
  eventInterval(iotId: string, eventType: number): number {
    return this.device(iotId).eventIntervals[String(eventType)] ?? DEFAULT_EVENT_INTERVAL;
  }

  // ----- plans ---------------------------------------------------------------------------------

  /** The recording plan, or RECORD_PLAN_NOT_FOUND. */
  recordPlan(planId: string): RecordPlan {
    const plan = this.recordPlans.get(planId);
    if (!plan) throw new BusinessError('RECORD_PLAN_NOT_FOUND', `planId: ${planId}`);
    return plan;
  }

  /** The event-triggered plan, or EVENT_PLAN_NOT_FOUND. */
  eventPlan(planId: string): EventPlan {
    const plan = this.eventPlans.get(planId);
    if (!plan) throw new BusinessError('EVENT_PLAN_NOT_FOUND', `planId: ${planId}`);
    return plan;
  }

  /** The plan of either kind. */
  plan(kind: PlanKind, planId: string): RecordPlan | EventPlan {
    return kind === 'record' ? this.recordPlan(planId) : this.eventPlan(planId);
  }

  /** Creates a recording plan. */
  createRecordPlan(fields: RecordPlanFields, now: number): RecordPlan {
    const plan: RecordPlan = { planId: newId('rp'), ...fields, timeSectionList: [...fields.timeSectionList], createdAt: now };
    this.recordPlans.set(plan.planId, plan);
    this.onChange();
    return plan;
  }

  /** Creates an event-triggered plan. */
  createEventPlan(fields: EventPlanFields, now: number): EventPlan {
    const plan: EventPlan = {
      planId: newId('ep'),
      ...fields,
      timeSectionList: [...fields.timeSectionList],
      eventTypeList: [...fields.eventTypeList],
      createdAt: now,
    };
    this.eventPlans.set(plan.planId, plan);
    this.onChange();
    return plan;
  }

  /** Applies the given fields to a plan; streams recording by it settle first. */
  updatePlan(kind: PlanKind, planId: string, fields: Partial<EventPlanFields>): RecordPlan | EventPlan {
    const plan = this.plan(kind, planId);
    if (kind === 'record') {
      for (const binding of this.planBindings(kind, planId)) this.onScheduleChange(binding.iotId, binding.streamType);
    }
    Object.assign(plan, fields);
    this.onChange();
    return plan;
  }

  /** Deletes a plan; refused with PLAN_IN_USE while any device follows it. */
  deletePlan(kind: PlanKind, planId: string): void {
    this.plan(kind, planId);
    const bound = this.planBindings(kind, planId);
    if (bound.length > 0) {
      const where = bound.map((b) => `${b.iotId} (streamType ${b.streamType})`).join(', ');
      throw new BusinessError('PLAN_IN_USE', `planId ${planId} is bound to ${where}; unbind it first`);
    }
    if (kind === 'record') this.recordPlans.delete(planId);
    else this.eventPlans.delete(planId);
    this.onChange();
  }

  /** Every plan of a kind, oldest first. */
  listPlans(kind: PlanKind): (RecordPlan | EventPlan)[] {
    const plans: (RecordPlan | EventPlan)[] = [...(kind === 'record' ? this.recordPlans : this.eventPlans).values()];
    return plans.sort((a, b) => a.createdAt - b.createdAt);
  }

  // ----- bindings ------------------------------------------------------------------------------

  /** Attaches a plan to a device stream, replacing the plan of that kind bound there before. */
  bind(kind: PlanKind, planId: string, iotId: string, streamType: number, now: number): void {
    this.plan(kind, planId);
    const device = this.device(iotId);
    if (!device.cloudStorage) throw new BusinessError('CLOUD_STORAGE_DISABLED', `iotId: ${iotId}`);
    const key = bindingKey(kind, iotId, streamType);
    if (this.bindings.get(key)?.planId === planId) return;
    if (kind === 'record') this.onScheduleChange(iotId, streamType);
    this.bindings.set(key, { kind, planId, iotId, streamType, since: now });
    this.onChange();
  }

  /** Detaches the plan of a kind from a device stream (success when nothing was bound). */
  unbind(kind: PlanKind, iotId: string, streamType: number): void {
    this.device(iotId);
    const key = bindingKey(kind, iotId, streamType);
    if (!this.bindings.has(key)) return;
    if (kind === 'record') this.onScheduleChange(iotId, streamType);
    this.bindings.delete(key);
    this.onChange();
  }

  /** The binding of a kind on a device stream, if any. */
  binding(kind: PlanKind, iotId: string, streamType: number): Binding | undefined {
    return this.bindings.get(bindingKey(kind, iotId, streamType));
  }

  /** The recording plan a device stream follows, if any. */
  boundRecordPlan(iotId: string, streamType: number): RecordPlan | undefined {
    const binding = this.binding('record', iotId, streamType);
    return binding ? this.recordPlans.get(binding.planId) : undefined;
  }

  /** The event-triggered plan a device stream follows, if any. */
  boundEventPlan(iotId: string, streamType: number): EventPlan | undefined {
    const binding = this.binding('event', iotId, streamType);
    return binding ? this.eventPlans.get(binding.planId) : undefined;
  }

  /** The device streams a plan is bound to, by iotId then streamType. */
  planBindings(kind: PlanKind, planId: string): Binding[] {
    return [...this.bindings.values()]
      .filter((b) => b.kind === kind && b.planId === planId)
      .sort((a, b) => (a.iotId < b.iotId ? -1 : a.iotId > b.iotId ? 1 : a.streamType - b.streamType));
  }

  // ----- complimentary cloud storage ---------------------------------------------------------

  /** The device's complimentary grant, or PRESENTED_STORAGE_NONE. */
  presented(iotId: string): PresentedGrant {
    const grant = this.device(iotId).presented;
    if (!grant) throw new BusinessError('PRESENTED_STORAGE_NONE', `iotId: ${iotId}`);
    return grant;
  }

  /** Claims the grant once: enables cloud storage and, on request, binds a new 7x24 plan to stream 0. */
  consumePresented(iotId: string, enableDefaultPlan: boolean, now: number): PresentedGrant {
    const device = this.device(iotId);
    const grant = this.presented(iotId);
    if (grant.consumed) throw new BusinessError('PRESENTED_STORAGE_CONSUMED', `iotId: ${iotId}`);
    this.scheduleChange(iotId);
    grant.consumed = true;
    grant.startTime = now;
    grant.endTime = addMonths(now, grant.months);
    device.cloudStorage = true;
    if (enableDefaultPlan) {
      const plan = this.createRecordPlan({ name: '7x24', allDay: 1, timeSectionList: [], timeZone: device.timeZone }, now);
      this.bind('record', plan.planId, iotId, 0, now);
    }
    this.onChange();
    return grant;
  }

  // ----- snapshot ------------------------------------------------------------------------------

  /** Forgets everything (control API reset). */
  clear(): void {
    for (const map of [this.devices, this.recordPlans, this.eventPlans, this.bindings, this.recordings, this.pictures,
      this.events, this.picturesById, this.eventsById, this.recordingsByName, this.recordedUntil] as Map<string, unknown>[]) {
      map.clear();
    }
    this.onChange();
  }

  /** The world as plain JSON. */
  toJSON(): WorldSnapshot {
    return {
      devices: [...this.devices.values()],
      recordPlans: [...this.recordPlans.values()],
      eventPlans: [...this.eventPlans.values()],
      bindings: [...this.bindings.values()],
      recordings: [...this.recordings.values()].flat(),
      pictures: [...this.pictures.values()].flat(),
      events: [...this.events.values()].flat(),
      recordedUntil: Object.fromEntries(this.recordedUntil),
    };
  }

  /** Replaces the world with a snapshot (from the state file). */
  load(snapshot: WorldSnapshot): void {
    const listed = (name: keyof WorldSnapshot): unknown[] => {
      const value = snapshot[name];
      if (!Array.isArray(value) || !value.every(isPlainObject)) throw new Error(`state: world.${name} is not a list of objects`);
      return value;
    };
    const devices = listed('devices') as Device[];
    const recordPlans = listed('recordPlans') as RecordPlan[];
    const eventPlans = listed('eventPlans') as EventPlan[];
    const bindings = listed('bindings') as Binding[];
    const recordings = listed('recordings') as Recording[];
    const pictures = listed('pictures') as Picture[];
    const events = listed('events') as CameraEvent[];
    if (!isPlainObject(snapshot.recordedUntil)) throw new Error('state: world.recordedUntil is not an object');
    const onChange = this.onChange;
    this.onChange = () => undefined;
    this.clear();
    this.onChange = onChange;
    for (const device of devices) this.devices.set(device.iotId, device);
    for (const plan of recordPlans) this.recordPlans.set(plan.planId, plan);
    for (const plan of eventPlans) this.eventPlans.set(plan.planId, plan);
    for (const b of bindings) this.bindings.set(bindingKey(b.kind, b.iotId, b.streamType), b);
    for (const recording of recordings) this.addRecording(recording);
    for (const picture of pictures) this.addPicture(picture);
    for (const event of events) this.addEvent(event);
    for (const [key, value] of Object.entries(snapshot.recordedUntil)) {
      if (typeof value === 'number') this.recordedUntil.set(key, value);
    }
  }

  // ----- camera products (logic in cameras.ts) ----------------------------------------------

  /** Stores a recording in begin order. */
  addRecording(recording: Recording): void {
    let list = this.recordings.get(recording.iotId);
    if (!list) this.recordings.set(recording.iotId, (list = []));
    insertSorted(list, recording, (r) => r.begin);
    this.recordingsByName.set(streamKey(recording.iotId, recording.fileName), recording);
  }

  /** The recording of a device with this file name, visible or not. */
  findRecording(iotId: string, fileName: string): Recording | undefined {
    return this.recordingsByName.get(streamKey(iotId, fileName));
  }

  /** Forgets a recording. */
  removeRecording(recording: Recording): void {
    removeFrom(this.recordings.get(recording.iotId), recording);
    this.recordingsByName.delete(streamKey(recording.iotId, recording.fileName));
  }

  /** Forgets a picture (its event keeps the dangling id, as the cloud would). */
  removePicture(picture: Picture): void {
    removeFrom(this.pictures.get(picture.iotId), picture);
    this.picturesById.delete(picture.pictureId);
  }

  /** Forgets an event. */
  removeEvent(event: CameraEvent): void {
    removeFrom(this.events.get(event.iotId), event);
    this.eventsById.delete(event.eventId);
  }

  /** Stores a picture in time order. */
  addPicture(picture: Picture): void {
    let list = this.pictures.get(picture.iotId);
    if (!list) this.pictures.set(picture.iotId, (list = []));
    insertSorted(list, picture, (p) => p.time);
    this.picturesById.set(picture.pictureId, picture);
  }

  /** Stores an event in time order. */
  addEvent(event: CameraEvent): void {
    let list = this.events.get(event.iotId);
    if (!list) this.events.set(event.iotId, (list = []));
    insertSorted(list, event, (e) => e.time);
    this.eventsById.set(event.eventId, event);
  }
}
