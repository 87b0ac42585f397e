/** Handlers of the cloud-recording operations: queries, calendar, VOD and download URLs, deletes, triggers. */
import { formatLocalTime, formatUtcTime } from './clock';
import { bool, list, mediaUrl, num, pageOf, str, type CallContext, type Handler, type Services } from './handler-context';
import { BusinessError } from './codes';
import type { Recording } from './records';

function recordingOut(context: CallContext, services: Services, recording: Recording, withSnapshot: boolean): Record<string, unknown> {
  const timeZone = services.world.device(recording.iotId).timeZone;
  const out: Record<string, unknown> = {
    beginTime: formatLocalTime(recording.begin, timeZone),
    endTime: formatLocalTime(recording.end, timeZone),
    beginTimeUTC: formatUtcTime(recording.begin),
    endTimeUTC: formatUtcTime(recording.end),
    recordType: recording.recordType,
    streamType: recording.streamType,
    fileName: recording.fileName,
    fileSize: services.mp4Size,
  };
  if (withSnapshot) out.snapshotUrl = mediaUrl(context, services, 'snapshot', recording.iotId, recording.fileName);
  if (recording.eventType === 3) out.intelligentTypeList = '3';
  return out;
}

/** The expiring playback URL of a recording: the MP4, or its HLS playlist, as the vodFormat variant says. */
function vodUrl(context: CallContext, services: Services, recording: Recording): { url: string; expiresAt: number } {
  const ext = services.variants.vodFormat === 'hls' ? 'm3u8' : 'mp4';
  return services.media.url(context.baseUrl, 'vod', recording.iotId, recording.fileName, ext);
}

/** A playlist entry of vod/getbyeventid. */
function vodOut(context: CallContext, services: Services, recording: Recording): Record<string, unknown> {
  const timeZone = services.world.device(recording.iotId).timeZone;
  return {
    fileName: recording.fileName,
    vodUrl: vodUrl(context, services, recording).url,
    beginTime: formatLocalTime(recording.begin, timeZone),
    endTime: formatLocalTime(recording.end, timeZone),
    beginTimeUTC: formatUtcTime(recording.begin),
    endTimeUTC: formatUtcTime(recording.end),
  };
}

/** Handlers by operation name. */
export const recordingHandlers: Readonly<Record<string, Handler>> = {
  queryRecordings: (context, services) => {
    const { params } = context;
    const iotId = str(params, 'iotId');
    services.world.device(iotId);
    const beginTime = num(params, 'beginTime');
    const endTime = num(params, 'endTime');
    const all = services.cameras.recordingsBetween(iotId, num(params, 'streamType'), beginTime * 1000, endTime * 1000, num(params, 'recordType', 99));
    const { page, next } = pageOf(all, num(params, 'pageStart'), num(params, 'pageSize', 20));
    return {
      recordFileList: page.map((r) => recordingOut(context, services, r, bool(params, 'needSnapshot'))),
      nextValid: next !== undefined,
      // The next page re-queries from here (seconds); files already seen may come again, none is lost.
      nextBeginTime: next ? Math.max(beginTime, Math.floor(next.begin / 1000)) : 0,
    };
  },
  getVodUrlByFileName: (context, services) => {
    const recording = services.cameras.recording(str(context.params, 'iotId'), str(context.params, 'fileName'));
    const { url, expiresAt } = vodUrl(context, services, recording);
    return { vodUrl: url, expiresAt };
  },
  queryMonthRecordings: ({ params }, { cameras }) => ({
    // Days are counted in the asked time zone (the apps send timeZone: 8), else in the device's own.
    recordFlags: cameras.monthFlags(str(params, 'iotId'), str(params, 'month'), typeof params.timeZone === 'number' ? params.timeZone : undefined),
  }),
  getVodUrlByEvent: (context, services) => {
    const iotId = str(context.params, 'iotId');
    const eventId = str(context.params, 'eventId');
    services.world.device(iotId);
    services.cameras.advanceDevice(iotId);
    const event = services.cameras.findEvent(iotId, eventId);
    if (!event) throw new BusinessError('EVENT_NOT_FOUND', `eventId: ${eventId}`);
    const recordings = services.cameras.eventRecordings(event);
    if (recordings.length === 0 && !services.world.boundEventPlan(iotId, 0) && !services.world.boundEventPlan(iotId, 1)) {
      throw new BusinessError('EVENT_PLAN_REQUIRED', `iotId: ${iotId}`);
    }
    return { vodList: recordings.map((r) => vodOut(context, services, r)) };
  },
  deleteRecordings: ({ params }, { cameras, transcodes }) => {
    const iotId = str(params, 'iotId');
    const names = list<string>(params, 'fileNameList');
    const deletedCount = cameras.deleteRecordings(iotId, names);
    transcodes.forget(iotId, names);
    return { deletedCount };
  },
  getDownloadUrl: (context, services) => {
    const recording = services.cameras.recording(str(context.params, 'iotId'), str(context.params, 'fileName'));
    const job = services.transcodes.poll(recording.iotId, recording.fileName);
    if (job === null) return null; // a job just started: the cloud's "still being made"
    const number = (value: number) => services.variants.number(value); // "1"/"80" or 1/80, as the variant says
    if (job.status !== 0) return { url: '', status: number(job.status), progress: number(job.progress) };
    const { url, expiresAt } = services.media.url(context.baseUrl, 'download', recording.iotId, recording.fileName);
    return { url, status: number(0), progress: number(100), expiresAt };
  },
  triggerRecording: ({ params }, { cameras }) => {
    const recording = cameras.triggerRecording(
      str(params, 'iotId'),
      num(params, 'streamType'),
      num(params, 'recordDuration'),
      num(params, 'preRecordDuration'),
    );
    return { recordId: recording.recordId };
  },
  setRecordDuration: ({ params }, { world }) => {
    world.setRecordDuration(str(params, 'iotId'), num(params, 'recordDuration', 1800));
    return null;
  },
  getRecordDuration: ({ params }, { world }) => ({ recordDuration: world.device(str(params, 'iotId')).recordDuration }),
};
