/** Handlers of the event, picture and business-event configuration operations. */
import { formatLocalTime, formatUtcTime } from './clock';
import { bool, checkRange, list, mediaUrl, num, pageOf, str, type CallContext, type Handler, type Services } from './handler-context';
import type { CameraEvent, Picture } from './world';

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

function eventOut(context: CallContext, services: Services, event: CameraEvent, pictureType: number): Record<string, unknown> {
  const timeZone = services.world.device(event.iotId).timeZone;
  const out: Record<string, unknown> = {
    eventId: event.eventId,
    eventTime: formatLocalTime(event.time, timeZone),
    eventType: event.eventType,
    eventDesc: event.desc,
    eventPicId: event.pictureId ?? '',
    eventData: event.data,
    eventTimeUTC: formatUtcTime(event.time),
  };
  const picture = event.pictureId ? services.world.picturesById.get(event.pictureId) : undefined;
  if (picture) {
    const urls = pictureUrls(context, services, picture, pictureType);
    if (urls.pictureUrl) out.eventPicUrl = urls.pictureUrl;
    if (urls.thumbUrl) out.eventPicThumbUrl = urls.thumbUrl;
  }
  if (event.eventType === 3) out.intelligentTypeList = '3';
  return out;
}

/** Handlers by operation name. */
export const eventHandlers: Readonly<Record<string, Handler>> = {
  queryEvents: (context, services) => {
    const { params } = context;
    const beginTime = num(params, 'beginTime');
    const endTime = num(params, 'endTime');
    checkRange(beginTime, endTime, 'beginTime/endTime');
    const all = services.cameras.eventsBetween(str(params, 'iotId'), beginTime, endTime, num(params, 'eventType'));
    const { page, next } = pageOf(all, num(params, 'pageStart'), num(params, 'pageSize', 20));
    return {
      eventList: page.map((e) => eventOut(context, services, e, num(params, 'pictureType'))),
      nextValid: next !== undefined,
      // Milliseconds; events sharing the boundary instant may come again on the next page, none is lost.
      nextBeginTime: next ? Math.max(beginTime, next.time) : 0,
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
          eventTime: formatLocalTime(event.time, services.world.device(iotId).timeZone),
          eventTimeUTC: formatUtcTime(event.time),
          eventPicId: event.pictureId ?? '',
        };
        const picture = event.pictureId ? services.world.picturesById.get(event.pictureId) : undefined;
        if (bool(params, 'needAlarmPicture') && picture) Object.assign(out, {
          eventPicUrl: mediaUrl(context, services, 'picture', iotId, picture.pictureId),
          eventPicThumbUrl: mediaUrl(context, services, 'thumb', iotId, picture.pictureId),
        });
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
    checkRange(startTime, endTime, 'startTime/endTime');
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
