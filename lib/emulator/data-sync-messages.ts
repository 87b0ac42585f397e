/**
 * The messages of the emulator's data-sync endpoint (amqp.ts, docs/protocol.md §10): their topics and
 * bodies, and the AMQP message a queued one goes out as (body JSON as a data section, or an AMQP
 * string with `bodyForm: 'string'`; `message_id` and `application_properties.topic`).
 *   event     /sys/<pk>/<dn>/thing/event/AlarmEvent/post (IntelligentAlarm for human, 3, and types
 *             above 10000), `{deviceType, iotId, productKey, deviceName, identifier, name, type,
 *             time: <event ms>, value}`; AlarmEvent value `{AlarmType, AlarmPicID, Data, EventTime}`,
 *             IntelligentAlarm value `{EventList: [{AlarmType, AlarmPicID, Data, EventTime}]}`
 *             (EventTime: ms as text, as docs/protocol.md §10.3).
 *   property  /sys/<pk>/<dn>/thing/event/property/post `{iotId, productKey, deviceName, items:
 *             {NickName, CloudStorage, TimeZone: {value, time}}}` (emulator-chosen identifiers).
 *   status    /as/mqtt/status/<pk>/<dn> `{iotId, productKey, deviceName, status: online|offline,
 *             time, utcTime, lastTime, utcLastTime}`.
 */
import { message as amqpMessage, type Message } from 'rhea';
import type { PushBodyForm } from './push-settings';
import type { CameraEvent, Device } from './world';

/** A message before it is queued: where it is published and its JSON body. */
export interface DataSyncMessage {
  readonly topic: string;
  readonly body: Record<string, unknown>;
}

/** A queued message as sent (again): its id, topic, JSON and how often it went out before. */
export interface OutgoingMessage {
  readonly id: string;
  readonly topic: string;
  readonly json: string;
  /** Real ms it was made (the AMQP creation time). */
  readonly createdReal: number;
  readonly deliveries: number;
}

/** The thing event of a camera event (AlarmEvent, or IntelligentAlarm for human and types above 10000). */
export function alarmEventMessage(event: CameraEvent, device: Device): DataSyncMessage {
  const intelligent = event.eventType === 3 || event.eventType > 10_000;
  const identifier = intelligent ? 'IntelligentAlarm' : 'AlarmEvent';
  const alarm = { AlarmType: event.eventType, AlarmPicID: event.pictureId ?? '', Data: event.data, EventTime: String(event.time) };
  const body = {
    deviceType: 'IPC',
    iotId: device.iotId,
    productKey: device.productKey,
    deviceName: device.deviceName,
    identifier,
    name: intelligent ? 'Intelligent alarm' : 'Alarm event',
    type: 'alert',
    time: event.time,
    value: intelligent ? { EventList: [alarm] } : alarm,
  };
  return { topic: `/sys/${device.productKey}/${device.deviceName}/thing/event/${identifier}/post`, body };
}

/** The online/offline status of a device at simulated time `now` (local time in the device's time zone). */
export function statusMessage(device: Device, now: number): DataSyncMessage {
  const local = new Date(now + device.timeZone * 3_600_000).toISOString().replace('T', ' ').slice(0, 23);
  const utc = new Date(now).toISOString();
  return {
    topic: `/as/mqtt/status/${device.productKey}/${device.deviceName}`,
    body: {
      iotId: device.iotId,
      productKey: device.productKey,
      deviceName: device.deviceName,
      status: device.online ? 'online' : 'offline',
      time: local,
      utcTime: utc,
      lastTime: local,
      utcLastTime: utc,
      clientIp: '127.0.0.1',
    },
  };
}

/** The property report of a device (name, cloud storage, time zone) at simulated time `time`. */
export function propertyMessage(device: Device, time: number): DataSyncMessage {
  return {
    topic: `/sys/${device.productKey}/${device.deviceName}/thing/event/property/post`,
    body: {
      deviceType: 'IPC',
      iotId: device.iotId,
      productKey: device.productKey,
      deviceName: device.deviceName,
      gmtCreate: time,
      items: {
        NickName: { value: device.name, time },
        CloudStorage: { value: device.cloudStorage ? 1 : 0, time },
        TimeZone: { value: device.timeZone, time },
      },
    },
  };
}

/** The AMQP message a queued message goes out as; a redelivery says so (`delivery_count`, `first_acquirer`). */
export function amqpMessageOf(entry: OutgoingMessage, bodyForm: PushBodyForm): Message {
  return {
    message_id: entry.id,
    creation_time: new Date(entry.createdReal),
    content_type: 'application/json',
    application_properties: { topic: entry.topic, messageId: entry.id },
    body: bodyForm === 'string' ? entry.json : amqpMessage.data_section(Buffer.from(entry.json, 'utf8')),
    delivery_count: entry.deliveries,
    first_acquirer: entry.deliveries === 0,
  };
}
