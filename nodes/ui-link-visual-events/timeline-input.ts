/**
 * What a message into the timeline widget asks for: a camera event (link-visual-on-event, or any payload
 * with iotId and eventId), a data-sync push of a device alarm (link-visual-push: device and time, no
 * eventId, so the event is looked up), another kind of push (status, property: not for the timeline),
 * `msg.reset`, or something the widget cannot read.
 */
import { eventFromPayload } from '../../lib/events/event-timeline';
import type { CameraEvent } from '../../lib/events/camera-event';
import type { PushedAlarm } from '../../lib/events/pushed-event-lookup';
import { isPlainObject } from '../../lib/util/plain-object';
import type { NodeMessage } from '../shared/red';

export type TimelineInput =
  | { readonly kind: 'reset' }
  | { readonly kind: 'event'; readonly event: CameraEvent }
  | { readonly kind: 'push'; readonly alarm: PushedAlarm }
  | { readonly kind: 'other-push' }
  | { readonly kind: 'unreadable' };

// The kinds of link-visual-push messages (lib/push/messages.ts) that are not camera alarms.
const OTHER_PUSH_KINDS = new Set(['property', 'status', 'other']);

/** Reads one incoming message. */
export function timelineInput(msg: NodeMessage): TimelineInput {
  if (msg.reset === true) return { kind: 'reset' };
  const event = eventFromPayload(msg.payload);
  if (event) return { kind: 'event', event };
  const payload = msg.payload;
  if (!isPlainObject(payload) || typeof payload.iotId !== 'string' || payload.iotId.trim() === '') return { kind: 'unreadable' };
  if (payload.kind === 'event') return { kind: 'push', alarm: { iotId: payload.iotId.trim(), time: Number(payload.time) } };
  if (typeof payload.kind === 'string' && OTHER_PUSH_KINDS.has(payload.kind)) return { kind: 'other-push' };
  return { kind: 'unreadable' };
}
