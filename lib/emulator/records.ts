/**
 * The records the emulated cloud keeps (devices, plans, bindings, recordings, pictures, events) as the
 * World holds them and the state file saves them.
 */
import type { Schedule, TimeSection } from './schedule';

export type PlanKind = 'record' | 'event';

export interface PresentedGrant {
  type: number;
  lifecycle: number;
  months: number;
  consumed: boolean;
  startTime?: number;
  endTime?: number;
}

export interface Device {
  iotId: string;
  name: string;
  productKey: string;
  deviceName: string;
  cloudStorage: boolean;
  online: boolean;
  /** UTC offset (hours) the device's local time strings use. */
  timeZone: number;
  /** durationconfig: seconds per continuous recording file. */
  recordDuration: number;
  /** bizevent config: push interval (s) by business event type. */
  eventIntervals: Record<string, number>;
  presented: PresentedGrant | null;
}

export interface RecordPlan extends Schedule {
  planId: string;
  name: string;
  allDay: number;
  timeSectionList: TimeSection[];
  timeZone: number;
  createdAt: number;
}

export interface EventPlan extends RecordPlan {
  preRecordDuration: number;
  recordDuration: number;
  eventTypeList: number[];
}

export interface Binding {
  kind: PlanKind;
  planId: string;
  iotId: string;
  streamType: number;
  since: number;
}

/** 0 scheduled, 1 alert, 2 manual (record/trigger). */
export interface Recording {
  fileName: string;
  iotId: string;
  streamType: number;
  recordType: number;
  /** Simulated epoch ms, half-open [begin, end). */
  begin: number;
  end: number;
  /** Real epoch ms before which queries do not show it (cloud indexing lag). */
  visibleAt: number;
  eventId?: string;
  recordId?: string;
  eventType?: number;
}

/** source 1 alert capture, 2 manual capture. */
export interface Picture {
  pictureId: string;
  iotId: string;
  time: number;
  source: number;
  eventType: number;
  visibleAt: number;
  eventId?: string;
}

export interface CameraEvent {
  eventId: string;
  iotId: string;
  eventType: number;
  time: number;
  desc: string;
  data: string;
  pictureId?: string;
  fileNames: string[];
  visibleAt: number;
}

/** What `POST /_emulator/devices` and the options may set. */
export interface DeviceInput {
  iotId: string;
  name?: string;
  cloudStorage?: boolean;
  online?: boolean;
  timeZone?: number;
  productKey?: string;
}

/** The whole world as JSON (the `--state` file's `world`). */
export interface WorldSnapshot {
  devices: Device[];
  recordPlans: RecordPlan[];
  eventPlans: EventPlan[];
  bindings: Binding[];
  recordings: Recording[];
  pictures: Picture[];
  events: CameraEvent[];
  recordedUntil: Record<string, number>;
}

export interface RecordPlanFields {
  name: string;
  allDay: number;
  timeSectionList: TimeSection[];
  timeZone: number;
}

export interface EventPlanFields extends RecordPlanFields {
  preRecordDuration: number;
  recordDuration: number;
  eventTypeList: number[];
}
