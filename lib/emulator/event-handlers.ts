/** Handlers of the event, picture and business-event configuration operations. */
import { formatLocalTime, formatUtcTime } from './clock';
import { bool, list, mediaUrl, num, pageOf, str, type CallContext, type Handler, type Services } from './handler-context';
import { INTELLIGENT_ALGORITHMS } from './cameras';
import type { CameraEvent, Picture } from './records';

/** Picture URL fields by image type: 0 both, 1 original only, 2 thumbnail only. */
function pictureUrls(context: CallContext, services: Services, picture: Picture, type: number): { pictureUrl: string; thumbUrl: string } {
  return {
    pictureUrl: type === 2 ? '' : mediaUrl(context, services, 'picture', picture.iotId, picture.pictureId),
    thumbUrl: type === 1 ? '' : mediaUrl(context, services, 'thumb', picture.iotId, picture.pictureId),
  };
}

function pictureOut(context: CallContext, services: Services, picture: Picture, type: number): Record<string, unknown> {
  const timeZone = services.world.device(picture.iotId).timeZone;
  return {
    iotId: picture.iotId,
    pictureId: picture.pictureId,
    pictureTime: formatLocalTime(picture.time, timeZone),
    ...pictureUrls(context, services, picture, type),
    pictureTimeUTC: formatUtcTime(picture.time),
  };
}

// The event time in the form in force: local text beside eventTimeUTC (the reference), or ms alone (one app's model).
function eventTimes(services: Services, event: CameraEvent): Record<string, unknown> {
  if (services.variants.eventTimeForm === 'ms') return { eventTime: event.time };
  return { eventTime: formatLocalTime(event.time, services.world.device(event.iotId).timeZone), eventTimeUTC: formatUtcTime(event.time) };
}

// Intelligent detections (human, and the types above 10000) carry their tags and the algorithm's data.
function intelligence(event: CameraEvent): Record<string, unknown> {
  if (event.eventType !== 3 && event.eventType <= 10000) return { tagList: [] };
  const algorithm = INTELLIGENT_ALGORITHMS[event.eventType];
  return {
    tagList: [event.eventType],
    intelligentData: algorithm ? JSON.stringify({ algorithm, eventType: event.eventType }) : '',
  };
}

function eventOut(context: CallContext, services: Services, event: CameraEvent, pictureType: number): Record<string, unknown> {
  const out: Record<string, unknown> = {
    eventId: event.eventId,
    eventType: event.eventType,
    eventDesc: event.desc,
    eventPicId: event.pictureId ?? '',
    eventData: event.data,
    ...eventTimes(services, event),
    ...intelligence(event),
  };
  // The event's recording is named once it can be had (it has ended), as event/query/byeventids does.
  const recording = services.cameras.eventRecordings(event)[0];
  if (recording) out.eventFileName = recording.fileName;
  const picture = event.pictureId ? services.world.picturesById.get(event.pictureId) : undefined;
  if (picture) {
    const urls = pictureUrls(context, services, picture, pictureType);
    if (urls.pictureUrl) out.eventPicUrl = urls.pictureUrl;
    if (urls.thumbUrl) out.eventPicThumbUrl = urls.thumbUrl;
  }
  if (event.eventType === 3 || event.eventType > 10000) out.intelligentTypeList = String(event.eventType);
  return out;
}

/** Handlers by operation name. */
export const eventHandlers: Readonly<Record<string, Handler>> = {
  queryEvents: (context, services) => {
    const { params } = context;
    const beginTime = num(params, 'beginTime');
    const endTime = num(params, 'endTime');
    const found = services.cameras.eventsBetween(str(params, 'iotId'), beginTime, endTime, num(params, 'eventType'));
    const all = services.variants.eventOrder === 'newest' ? found.reverse() : found;
    const { page, next } = pageOf(all, num(params, 'pageStart'), num(params, 'pageSize', 20));
    return {
      eventList: page.map((e) => eventOut(context, services, e, num(params, 'pictureType'))),
      nextValid: next !== undefined,
      // Milliseconds: the time of the next page's first event, as one reading of the reference has it. With
      // the list newest first, a client that re-queried from it would skip; clients must page by pageStart.
      nextBeginTime: next ? next.time : 0,
    };
  },
  queryEventsByIds: (context, services) => {
    const { params } = context;
    const iotId = str(params, 'iotId');
    services.world.device(iotId);
    const eventList = list<string>(params, 'eventIds')
      .map((id) => services.cameras.findEvent(iotId, id))
      .filter((e): e is CameraEvent => e !== undefined)
      .map((event) => {
        const out: Record<string, unknown> = {
          eventId: event.eventId,
          eventType: event.eventType,
          ...eventTimes(services, event),
          eventPicId: event.pictureId ?? '',
          ...intelligence(event),
        };
        const picture = event.pictureId ? services.world.picturesById.get(event.pictureId) : undefined;
        if (bool(params, 'needAlarmPicture') && picture) Object.assign(out, {
          eventPicUrl: mediaUrl(context, services, 'picture', iotId, picture.pictureId),
          eventPicThumbUrl: mediaUrl(context, services, 'thumb', iotId, picture.pictureId),
        });
        // needProlongOriginRecord (1.0.1) is accepted and changes nothing: the emulator's event recordings are never cut short.
        const recording = services.cameras.eventRecordings(event)[0];
        if (recording) {
          out.eventFileName = recording.fileName;
          if (bool(params, 'needRecordSnapshot')) out.recordSnapshotUrl = mediaUrl(context, services, 'snapshot', iotId, recording.fileName);
        }
        return out;
      });
    return { eventList };
  },
  getPicturesByEvent: (context, services) => {
    const iotId = str(context.params, 'iotId');
    services.world.device(iotId);
    const timeZone = services.world.device(iotId).timeZone;
    const pictureList: Record<string, unknown>[] = [];
    for (const id of list<string>(context.params, 'eventIds')) {
      const event = services.cameras.findEvent(iotId, id);
      const picture = event?.pictureId ? services.world.picturesById.get(event.pictureId) : undefined;
      if (!event || !picture) continue;
      pictureList.push({
        iotId,
        eventId: event.eventId,
        pictureTime: formatLocalTime(picture.time, timeZone),
        alarmPicId: picture.pictureId,
        picUrl: mediaUrl(context, services, 'picture', iotId, picture.pictureId),
        thumbUrl: mediaUrl(context, services, 'thumb', iotId, picture.pictureId),
        pictureTimeUTC: formatUtcTime(picture.time),
      });
    }
    return { pictureList };
  },
  triggerPicture: ({ params }, { cameras }) => ({ pictureId: cameras.triggerPicture(str(params, 'iotId')).pictureId }),
  queryPicturesByTime: (context, services) => {
    const { params } = context;
    const startTime = num(params, 'startTime');
    const endTime = num(params, 'endTime');
    const all = services.cameras.picturesBetween(str(params, 'iotId'), startTime, endTime, num(params, 'source'));
    const { page } = pageOf(all, num(params, 'pageStart'), num(params, 'pageSize', 20));
    return {
      pictureList: page.map((p) => ({ ...pictureOut(context, services, p, num(params, 'type')), eventType: p.eventType, source: p.source })),
    };
  },
  queryPicturesByIds: (context, services) => {
    const iotId = str(context.params, 'iotId');
    services.world.device(iotId);
    const pictureList = list<string>(context.params, 'pictureIdList')
      .map((id) => services.cameras.findPicture(iotId, id))
      .filter((p): p is Picture => p !== undefined)
      .map((p) => pictureOut(context, services, p, num(context.params, 'type')));
    return { pictureList };
  },
  deletePictures: ({ params }, { cameras }) => ({ deleteCount: cameras.deletePictures(str(params, 'iotId'), list<string>(params, 'pictureIdList')) }),
  setEventConfig: ({ params }, { world }) => {
    world.setEventInterval(str(params, 'iotId'), num(params, 'eventType'), num(params, 'eventInterval', 120));
    return null;
  },
  getEventConfig: ({ params }, { world }) => ({
    eventType: num(params, 'eventType'),
    eventInterval: world.eventInterval(str(params, 'iotId'), num(params, 'eventType')),
  }),
};
