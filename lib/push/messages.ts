/**
 * Data-sync messages (docs/protocol.md §10.3) read into one shape. A message carries
 * `application_properties.topic`, a `message_id`, and a JSON body either as a string (AMQP value) or
 * as bytes (a data section). Topics:
 *
 *   /sys/<pk>/<dn>/thing/event/<identifier>/post   device event (kind 'event'; AlarmEvent, IntelligentAlarm…)
 *   /sys/<pk>/<dn>/thing/event/property/post       property report (kind 'property', value = items)
 *   /as/mqtt/status/<pk>/<dn>                      online/offline (kind 'status', value = 'online' | 'offline')
 *
 * (the `/sys` prefix is optional: the IoT Platform's forwarding format drops it). Anything else is
 * kind 'other'. A message that cannot be read is returned as a LinkVisualError('INVALID_RESPONSE'),
 * never thrown, so a caller counts it and goes on.
 */
import { LinkVisualError } from '../gateway/errors';

export type PushMessageKind = 'event' | 'property' | 'status' | 'other';

/** One data-sync message. */
export interface PushMessage {
  readonly topic: string;
  /** The device's iotId from the body ('' when the body has none). */
  readonly iotId: string;
  readonly productKey: string;
  readonly deviceName: string;
  readonly kind: PushMessageKind;
  /** The TSL identifier: the event's (`AlarmEvent`…), `property`, `status`, or the body's `identifier` for other topics ('' if none). */
  readonly identifier: string;
  /** Epoch ms: the body's time (the event time for events), else the message's creation time, else the receipt time. */
  readonly time: number;
  /** Events: the body's `value`; properties: `items`; status: `status`; other: `value` or the whole body. */
  readonly value: unknown;
  /** The AMQP message_id (or application_properties.messageId) as text, when there is one. */
  readonly messageId?: string;
  /** The whole parsed JSON body. */
  readonly body: Readonly<Record<string, unknown>>;
}

/** What `parsePushMessage` reads of a rhea message (structural, so tests can build one by hand). */
export interface PushMessageInput {
  readonly message_id?: unknown;
  readonly creation_time?: unknown;
  readonly application_properties?: unknown;
  readonly body?: unknown;
}

const MAX_BODY_BYTES = 1024 * 1024;
const EVENT_TOPIC = /^(?:\/sys)?\/([^/]+)\/([^/]+)\/thing\/event\/([^/]+)\/post$/;
const STATUS_TOPIC = /^\/as\/mqtt\/status\/([^/]+)\/([^/]+)$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

function malformed(message: string, messageId?: string): LinkVisualError {
  return new LinkVisualError('INVALID_RESPONSE', `push message${messageId ? ` ${messageId}` : ''}: ${message}`, { retryable: false });
}

/** The body's bytes or text: a string, a Buffer, a data section `{content}`, or several data sections. */
function bodyText(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  if (isRecord(body) && 'content' in body) {
    const content = body.content;
    if (Array.isArray(content) && body.multiple === true) {
      const parts = content.map(bodyText);
      return parts.every((part): part is string => part !== undefined) ? parts.join('') : undefined;
    }
    return bodyText(content);
  }
  return undefined;
}

function messageIdText(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (Buffer.isBuffer(value)) return value.length === 16 ? value.toString('hex') : value.toString('utf8');
  return undefined;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : '';
}

/** Epoch ms from a number, a numeric string, or a date text (`2018-08-31T07:32:28.205Z`). */
export function pushTime(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return pushTime(Number(value));
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** Reads one data-sync message; a LinkVisualError('INVALID_RESPONSE') when it cannot. */
export function parsePushMessage(message: PushMessageInput | undefined, receivedAt: number = Date.now()): PushMessage | LinkVisualError {
  if (!isRecord(message)) return malformed('is not a message');
  const properties = isRecord(message.application_properties) ? message.application_properties : {};
  const messageId = messageIdText(message.message_id) ?? messageIdText(properties.messageId);
  const topic = properties.topic;
  if (typeof topic !== 'string' || topic === '') return malformed('has no application_properties.topic', messageId);
  const raw = bodyText(message.body);
  if (raw === undefined) return malformed(`on ${topic} has no string or data-section body`, messageId);
  if (raw.length > MAX_BODY_BYTES) return malformed(`on ${topic} has a body over ${MAX_BODY_BYTES} bytes`, messageId);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return malformed(`on ${topic} has a body that is not JSON`, messageId);
  }
  if (!isRecord(parsed)) return malformed(`on ${topic} has a body that is not a JSON object`, messageId);
  const body = parsed;
  let kind: PushMessageKind = 'other';
  let productKey = text(body.productKey);
  let deviceName = text(body.deviceName);
  let identifier = text(body.identifier);
  let value: unknown = 'value' in body ? body.value : body;
  let time = pushTime(body.time);
  const event = EVENT_TOPIC.exec(topic);
  const status = event ? null : STATUS_TOPIC.exec(topic);
  if (event) {
    [, productKey, deviceName, identifier] = event;
    if (identifier === 'property') {
      kind = 'property';
      value = body.items ?? body.value ?? {};
    } else {
      kind = 'event';
      value = body.value;
    }
  } else if (status) {
    [, productKey, deviceName] = status;
    kind = 'status';
    identifier = 'status';
    value = body.status;
    time = pushTime(body.utcTime) ?? pushTime(body.utcLastTime) ?? time ?? pushTime(body.lastTime);
  }
  time ??= message.creation_time instanceof Date ? message.creation_time.getTime() : pushTime(message.creation_time);
  return {
    topic,
    iotId: text(body.iotId),
    productKey,
    deviceName,
    kind,
    identifier,
    time: time ?? receivedAt,
    value,
    ...(messageId === undefined ? {} : { messageId }),
    body,
  };
}
