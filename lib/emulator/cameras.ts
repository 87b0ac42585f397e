/**
 * Simulated cameras: what each device records and captures over (scaled) time.
 *
 * Scheduled recordings are materialised lazily: before any read of a device stream the camera
 * "advances" from where it stopped to the simulated now, cutting files of the device's
 * durationconfig length inside each window of its bound recording plan (cut at window ends). A file
 * appears once it is complete. Anything that changes a stream's schedule (bind, unbind, plan update,
 * duration, cloud storage, online) first settles the stream: completed files are stored and the file
 * in progress is cut at that instant. So a simulated day yields exactly the files its plan implies,
 * whatever the timeScale and however rarely anyone looks.
 */
import type { SimulatedClock } from './clock';
import { isInSchedule, nextWindow } from './schedule';
import { BusinessError } from './codes';
import { newEventId, newId, newPictureId, streamKey } from './record-ids';
import type { CameraEvent, Picture, Recording } from './records';
import type { World } from './world';

export interface CameraOptions {
  /** Real ms between picture/trigger and the picture showing up in queries. */
  readonly captureDelayMs: number;
  /** Simulated days after which recordings, pictures and events are dropped. */
  readonly retentionDays: number;
}

export interface NewEvent {
  readonly iotId: string;
  readonly eventType: number;
  /** Simulated epoch ms; may be in the past. */
  readonly time: number;
  readonly picture: boolean;
  readonly recording: boolean;
  /** Real ms during which the event (and its picture and recording) stays out of every query. */
  readonly visibleAfterMs: number;
}

const DAY_MS = 86_400_000;
const MIN_PARTIAL_MS = 1000;
const STREAMS = [0, 1] as const;
const EVENT_DESCRIPTIONS: Readonly<Record<number, string>> = {
  1: 'Motion detected',
  2: 'Sound detected',
  3: 'Human detected',
  10009: 'Person or vehicle detected',
};

/** Algorithm names of intelligent event types seen in firmware samples (docs/protocol.md §8.6). */
export const INTELLIGENT_ALGORITHMS: Readonly<Record<number, string>> = { 10009: 'personVehicleDetect' };

function compactUtc(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 19).replace(/[-:]/g, '') + 'Z';
}

function recordingFileName(streamType: number, recordType: number, begin: number, suffix?: string): string {
  return `s${streamType}_t${recordType}_${compactUtc(begin)}${suffix ? `_${suffix.slice(0, 8)}` : ''}`;
}

function ceilSecond(ms: number): number {
  return Math.ceil(ms / 1000) * 1000;
}

/** The cameras of a world: materialise recordings, take pictures, raise events, answer reads. */
export class Cameras {
  /** Called after every raised event (the AMQP endpoint pushes it). */
  onEvent: (event: CameraEvent) => void = () => undefined;

  constructor(
    private readonly world: World,
    private readonly clock: SimulatedClock,
    private readonly options: CameraOptions,
  ) {
    world.onScheduleChange = (iotId, streamType) => this.advance(iotId, streamType, true);
  }

  // ----- scheduled recording -----------------------------------------------------------------

  /**
   * Stores the stream's completed scheduled files up to now. With `cut`, the file in progress ends
   * now (the schedule is about to change) and the stream is settled up to now.
   */
  advance(iotId: string, streamType: number, cut = false): void {
    const now = this.clock.now();
    const key = streamKey(iotId, streamType);
    const device = this.world.devices.get(iotId);
    const plan = this.world.boundRecordPlan(iotId, streamType);
    let at = Math.max(this.world.recordedUntil.get(key) ?? now, now - this.options.retentionDays * DAY_MS);
    if (!device || !plan || !device.cloudStorage || !device.online || at >= now) {
      this.world.recordedUntil.set(key, Math.max(at, now));
      return;
    }
    const fileMs = device.recordDuration * 1000;
    const storedBefore = this.world.recordings.get(iotId)?.length ?? 0;
    for (;;) {
      const window = nextWindow(plan, at);
      if (!window || window.start >= now) {
        at = now;
        break;
      }
      const begin = Math.max(window.start, ceilSecond(at));
      if (begin >= window.end) {
        at = window.end;
        continue;
      }
      const end = Math.min(begin + fileMs, window.end);
      if (end > now) {
        if (cut && now - begin >= MIN_PARTIAL_MS) this.storeScheduled(iotId, streamType, begin, now);
        at = cut ? now : begin;
        break;
      }
      this.storeScheduled(iotId, streamType, begin, end);
      at = end;
    }
    this.world.recordedUntil.set(key, at);
    if ((this.world.recordings.get(iotId)?.length ?? 0) !== storedBefore) this.world.onChange();
  }

  private storeScheduled(iotId: string, streamType: number, begin: number, end: number): void {
    this.world.addRecording({
      fileName: recordingFileName(streamType, 0, begin),
      iotId,
      streamType,
      recordType: 0,
      begin,
      end,
      visibleAt: 0,
    });
  }

  /** Brings both streams of a device up to now and drops what is older than the retention. */
  advanceDevice(iotId: string): void {
    for (const streamType of STREAMS) this.advance(iotId, streamType);
    this.prune(iotId);
  }

  private prune(iotId: string): void {
    const cutoff = this.clock.now() - this.options.retentionDays * DAY_MS;
    const recordings = this.world.recordings.get(iotId) ?? [];
    for (const recording of recordings.filter((r) => r.end < cutoff)) this.world.removeRecording(recording);
    const pictures = this.world.pictures.get(iotId) ?? [];
    while (pictures.length > 0 && pictures[0].time < cutoff) this.world.removePicture(pictures[0]);
    const events = this.world.events.get(iotId) ?? [];
    while (events.length > 0 && events[0].time < cutoff) this.world.removeEvent(events[0]);
  }

  // ----- events, pictures, manual recordings ------------------------------------------------

  /**
   * Raises an event: an alert picture (when asked) and, on every stream whose bound event-triggered
   * plan covers the event time and type, an alert recording of the plan's length starting
   * preRecordDuration before the event.
   */
  raiseEvent(input: NewEvent): CameraEvent {
    this.world.device(input.iotId);
    const visibleAt = this.clock.realNow() + input.visibleAfterMs;
    const event: CameraEvent = {
      eventId: newEventId(input.time),
      iotId: input.iotId,
      eventType: input.eventType,
      time: input.time,
      desc: EVENT_DESCRIPTIONS[input.eventType] ?? (input.eventType > 10000 ? 'Intelligent event' : 'Event'),
      data: '',
      fileNames: [],
      visibleAt,
    };
    if (input.picture) {
      const picture: Picture = {
        pictureId: newPictureId(),
        iotId: input.iotId,
        time: input.time,
        source: 1,
        eventType: input.eventType,
        visibleAt,
        eventId: event.eventId,
      };
      this.world.addPicture(picture);
      event.pictureId = picture.pictureId;
    }
    const device = this.world.device(input.iotId);
    if (input.recording && device.cloudStorage) {
      for (const streamType of STREAMS) {
        const plan = this.world.boundEventPlan(input.iotId, streamType);
        if (!plan || !plan.eventTypeList.includes(input.eventType) || !isInSchedule(plan, input.time)) continue;
        const begin = input.time - plan.preRecordDuration * 1000;
        const recording: Recording = {
          fileName: recordingFileName(streamType, 1, begin, event.eventId),
          iotId: input.iotId,
          streamType,
          recordType: 1,
          begin,
          end: begin + plan.recordDuration * 1000,
          visibleAt,
          eventId: event.eventId,
          eventType: input.eventType,
        };
        this.world.addRecording(recording);
        event.fileNames.push(recording.fileName);
      }
    }
    this.world.addEvent(event);
    this.world.onChange();
    this.onEvent(event);
    return event;
  }

  /** picture/trigger: a manual capture, visible after the capture delay. */
  triggerPicture(iotId: string): Picture {
    const device = this.world.device(iotId);
    if (!device.online) throw new BusinessError('DEVICE_OFFLINE', `iotId: ${iotId}`);
    const picture: Picture = {
      pictureId: newPictureId(),
      iotId,
      time: this.clock.now(),
      source: 2,
      eventType: 0,
      visibleAt: this.clock.realNow() + this.options.captureDelayMs,
    };
    this.world.addPicture(picture);
    this.world.onChange();
    return picture;
  }

  /**
   * record/trigger: a manual recording of `recordDuration` seconds, `preRecordDuration` of them
   * before now. Needs cloud storage and an event-triggered plan bound to the stream (the seed).
   */
  triggerRecording(iotId: string, streamType: number, recordDuration: number, preRecordDuration: number): Recording {
    const device = this.world.device(iotId);
    if (!device.cloudStorage) throw new BusinessError('CLOUD_STORAGE_DISABLED', `iotId: ${iotId}`);
    if (!this.world.boundEventPlan(iotId, streamType)) {
      throw new BusinessError('EVENT_PLAN_REQUIRED', `iotId: ${iotId}, streamType: ${streamType}`);
    }
    if (!device.online) throw new BusinessError('DEVICE_OFFLINE', `iotId: ${iotId}`);
    const recordId = newId('rec');
    const begin = this.clock.now() - preRecordDuration * 1000;
    const recording: Recording = {
      fileName: recordingFileName(streamType, 2, begin, recordId),
      iotId,
      streamType,
      recordType: 2,
      begin,
      end: begin + recordDuration * 1000,
      visibleAt: 0,
      recordId,
    };
    this.world.addRecording(recording);
    this.world.onChange();
    return recording;
  }

  /** demoEvents: one motion event with picture and recording on every online camera. */
  demoTick(): void {
    for (const device of this.world.devices.values()) {
      if (!device.online) continue;
      this.raiseEvent({ iotId: device.iotId, eventType: 1, time: this.clock.now(), picture: true, recording: true, visibleAfterMs: 0 });
    }
  }

  // ----- reads -------------------------------------------------------------------------------

  private recordingVisible(recording: Recording): boolean {
    return recording.end <= this.clock.now() && recording.visibleAt <= this.clock.realNow();
  }

  private momentVisible(item: { time: number; visibleAt: number }): boolean {
    return item.time <= this.clock.now() && item.visibleAt <= this.clock.realNow();
  }

  /** Visible recordings of a stream overlapping [beginMs, endMs], by begin; recordType 99 = all. */
  recordingsBetween(iotId: string, streamType: number, beginMs: number, endMs: number, recordType: number): Recording[] {
    this.advanceDevice(iotId);
    const upper = Math.max(endMs, beginMs + 1);
    return (this.world.recordings.get(iotId) ?? []).filter(
      (r) =>
        r.streamType === streamType &&
        (recordType === 99 || r.recordType === recordType) &&
        r.begin < upper &&
        r.end > beginMs &&
        this.recordingVisible(r),
    );
  }

  /** The visible recording with this file name, or RECORD_FILE_NOT_FOUND. */
  recording(iotId: string, fileName: string): Recording {
    this.advanceDevice(iotId);
    const recording = this.world.findRecording(iotId, fileName);
    if (!recording || !this.recordingVisible(recording)) {
      throw new BusinessError('RECORD_FILE_NOT_FOUND', `fileName: ${fileName}`);
    }
    return recording;
  }

  /** Month calendar: one '1'/'0' per day of `yyyyMM`, days in `timeZone` (hours; default the device's own). */
  monthFlags(iotId: string, month: string, timeZone?: number): string {
    const device = this.world.device(iotId);
    this.advanceDevice(iotId);
    const year = Number(month.slice(0, 4));
    const monthIndex = Number(month.slice(4, 6)) - 1;
    const days = new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();
    const offset = (timeZone ?? device.timeZone) * 3_600_000;
    const monthStart = Date.UTC(year, monthIndex, 1) - offset;
    const flags = new Array<string>(days).fill('0');
    for (const recording of this.world.recordings.get(iotId) ?? []) {
      if (!this.recordingVisible(recording)) continue;
      const first = Math.max(0, Math.floor((recording.begin - monthStart) / DAY_MS));
      const last = Math.min(days - 1, Math.floor((recording.end - 1 - monthStart) / DAY_MS));
      for (let day = first; day <= last; day += 1) flags[day] = '1';
    }
    return flags.join('');
  }

  /** Visible events in [beginMs, endMs] by time; eventType 0 = all. */
  eventsBetween(iotId: string, beginMs: number, endMs: number, eventType: number): CameraEvent[] {
    this.world.device(iotId);
    this.advanceDevice(iotId);
    return (this.world.events.get(iotId) ?? []).filter(
      (e) => e.time >= beginMs && e.time <= endMs && (eventType === 0 || e.eventType === eventType) && this.momentVisible(e),
    );
  }

  /** The visible event with this id on the device, or undefined. */
  findEvent(iotId: string, eventId: string): CameraEvent | undefined {
    const event = this.world.eventsById.get(eventId);
    return event && event.iotId === iotId && this.momentVisible(event) ? event : undefined;
  }

  /** Visible pictures in [startMs, endMs] by time; source 0 = all. */
  picturesBetween(iotId: string, startMs: number, endMs: number, source: number): Picture[] {
    this.world.device(iotId);
    this.advanceDevice(iotId);
    return (this.world.pictures.get(iotId) ?? []).filter(
      (p) => p.time >= startMs && p.time <= endMs && (source === 0 || p.source === source) && this.momentVisible(p),
    );
  }

  /** The visible picture with this id on the device, or undefined. */
  findPicture(iotId: string, pictureId: string): Picture | undefined {
    const picture = this.world.picturesById.get(pictureId);
    return picture && picture.iotId === iotId && this.momentVisible(picture) ? picture : undefined;
  }

  /** The visible, still stored recordings of an event. */
  eventRecordings(event: CameraEvent): Recording[] {
    return event.fileNames
      .map((name) => this.world.findRecording(event.iotId, name))
      .filter((r): r is Recording => r !== undefined && this.recordingVisible(r));
  }

  /** record/batchdelete: removes the named files; returns how many existed. */
  deleteRecordings(iotId: string, fileNames: readonly string[]): number {
    this.world.device(iotId);
    this.advanceDevice(iotId);
    let deleted = 0;
    for (const name of new Set(fileNames)) {
      const recording = this.world.findRecording(iotId, name);
      if (!recording) continue;
      this.world.removeRecording(recording);
      deleted += 1;
    }
    if (deleted > 0) this.world.onChange();
    return deleted;
  }

  /** picture/batchdelete: removes the pictures; returns how many existed. */
  deletePictures(iotId: string, pictureIds: readonly string[]): number {
    this.world.device(iotId);
    let deleted = 0;
    for (const id of new Set(pictureIds)) {
      const picture = this.world.picturesById.get(id);
      if (!picture || picture.iotId !== iotId) continue;
      this.world.removePicture(picture);
      deleted += 1;
    }
    if (deleted > 0) this.world.onChange();
    return deleted;
  }
}
