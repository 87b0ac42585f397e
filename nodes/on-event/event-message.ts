/** The message an on-event node sends for one event. */
import { epochMs, eventTopic, eventTypeName } from '../../lib/events/camera-event';
import type { FeedDelivery } from '../../lib/events/event-feed';
import { fileNamePart } from '../../lib/media/path-template';
import { messageError } from '../shared/node-error';
import type { NodeMessage } from '../shared/red';

/**
 * `msg.payload` = the API's fields with `eventId`, `iotId`, `eventType`, `eventTypeName` and
 * `eventTime` in ms (the API's local time text moves to `eventTimeLocal`); `msg.topic` =
 * `link-visual/<iotId>/<type name>`; plus `image`/`contentType`/`filename`, `clip`, their errors,
 * `suppressed` and `linkVisual` when they apply.
 */
export function eventMessage(delivery: FeedDelivery, now: number = Date.now()): NodeMessage {
  const { event } = delivery;
  const fields = event.fields;
  const payload: Record<string, unknown> = { ...fields };
  // The local time text moves aside; an eventTime that was already ms (number or digits) does not.
  if (typeof fields.eventTime === 'string' && epochMs(fields.eventTime) === undefined) payload.eventTimeLocal = fields.eventTime;
  Object.assign(payload, {
    eventId: event.eventId,
    iotId: event.iotId,
    eventType: event.eventType,
    eventTypeName: eventTypeName(event.eventType),
    eventTime: event.eventTime,
  });
  const msg: NodeMessage = { topic: eventTopic(event.iotId, event.eventType), payload };
  if (delivery.image) {
    msg.image = delivery.image.buffer;
    msg.contentType = delivery.image.contentType;
    msg.filename = `${fileNamePart(event.iotId)}-${fileNamePart(event.eventId)}.${delivery.image.contentType === 'image/png' ? 'png' : 'jpg'}`;
  }
  if (delivery.imageError) msg.imageError = messageError(delivery.imageError);
  if (delivery.clip) msg.clip = { ...delivery.clip };
  if (delivery.clipError) msg.clipError = messageError(delivery.clipError);
  if (delivery.suppressed) msg.suppressed = { until: delivery.suppressed.until, count: delivery.suppressed.count };
  msg.linkVisual = { operation: 'on-event', foundAt: delivery.foundAt, delayMs: Math.max(0, now - event.eventTime) };
  return msg;
}
