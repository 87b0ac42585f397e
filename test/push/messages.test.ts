import assert from 'node:assert/strict';
import { message as amqp } from 'rhea';
import { LinkVisualError } from '../../lib/gateway/errors';
import { parsePushMessage, type PushMessage } from '../../lib/push';

const EVENT_TOPIC = '/sys/pk1/cam-1/thing/event/AlarmEvent/post';
const EVENT_BODY = {
  deviceType: 'IPC',
  iotId: 'iot-1',
  productKey: 'pk1',
  deviceName: 'cam-1',
  identifier: 'AlarmEvent',
  time: 1_700_000_000_123,
  value: { AlarmType: 1, AlarmPicID: 'pic', Data: '', EventTime: '1700000000123' },
};

function ok(result: PushMessage | LinkVisualError): PushMessage {
  if (result instanceof LinkVisualError) assert.fail(result.message);
  return result;
}

function malformed(result: PushMessage | LinkVisualError, pattern: RegExp): void {
  assert.ok(result instanceof LinkVisualError, 'a LinkVisualError');
  assert.equal(result.code, 'INVALID_RESPONSE');
  assert.match(result.message, pattern);
}

/** Encodes and decodes through rhea, as a message arrives off the wire. */
function wire(message: Record<string, unknown>): Record<string, unknown> {
  return amqp.decode(amqp.encode(message)) as unknown as Record<string, unknown>;
}

describe('push messages (docs/protocol.md §10.3)', () => {
  it('reads an event with a string body', () => {
    const parsed = ok(parsePushMessage({ message_id: 'm-1', application_properties: { topic: EVENT_TOPIC }, body: JSON.stringify(EVENT_BODY) }));
    assert.deepEqual(
      { ...parsed, body: undefined },
      {
        topic: EVENT_TOPIC,
        iotId: 'iot-1',
        productKey: 'pk1',
        deviceName: 'cam-1',
        kind: 'event',
        identifier: 'AlarmEvent',
        time: 1_700_000_000_123,
        value: EVENT_BODY.value,
        messageId: 'm-1',
        body: undefined,
      },
    );
    assert.deepEqual(parsed.body, EVENT_BODY);
  });

  it('reads a data-section body: off the wire, a plain Buffer, {content}, a Uint8Array, several sections', () => {
    const json = JSON.stringify(EVENT_BODY);
    const fromWire = wire({ message_id: 'm-2', application_properties: { topic: EVENT_TOPIC }, body: amqp.data_section(Buffer.from(json)) });
    assert.equal(typeof fromWire.body, 'object', 'rhea gives a typed section');
    for (const body of [fromWire.body, Buffer.from(json), { content: Buffer.from(json) }, new Uint8Array(Buffer.from(json))]) {
      const parsed = ok(parsePushMessage({ message_id: 'm-2', application_properties: { topic: EVENT_TOPIC }, body }));
      assert.equal(parsed.iotId, 'iot-1');
      assert.equal(parsed.time, 1_700_000_000_123);
    }
    const split = wire({ application_properties: { topic: EVENT_TOPIC }, body: amqp.data_sections([Buffer.from(json.slice(0, 10)), Buffer.from(json.slice(10))]) });
    assert.equal(ok(parsePushMessage(split)).iotId, 'iot-1');
    const stringOffTheWire = wire({ message_id: 7, application_properties: { topic: EVENT_TOPIC }, body: json });
    const parsed = ok(parsePushMessage(stringOffTheWire));
    assert.equal(parsed.messageId, '7');
  });

  it('returns malformed messages as INVALID_RESPONSE errors instead of throwing', () => {
    malformed(parsePushMessage({ application_properties: { topic: EVENT_TOPIC }, body: '{not json' }), /not JSON/);
    malformed(parsePushMessage({ message_id: 'm-3', application_properties: { topic: EVENT_TOPIC }, body: Buffer.from('[1,2]') }), /m-3.*not a JSON object/);
    malformed(parsePushMessage({ application_properties: {}, body: JSON.stringify(EVENT_BODY) }), /no application_properties.topic/);
    malformed(parsePushMessage({ body: JSON.stringify(EVENT_BODY) }), /no application_properties.topic/);
    malformed(parsePushMessage({ application_properties: { topic: EVENT_TOPIC }, body: 42 }), /no string or data-section body/);
    malformed(parsePushMessage({ application_properties: { topic: EVENT_TOPIC } }), /no string or data-section body/);
    malformed(parsePushMessage(undefined), /not a message/);
    malformed(parsePushMessage({ application_properties: { topic: EVENT_TOPIC }, body: 'x'.repeat(1024 * 1024 + 1) }), /over/);
  });

  it('reads the intelligent alarm, property and status forms, and other topics', () => {
    const intelligent = ok(
      parsePushMessage({
        application_properties: { topic: '/pk1/cam-1/thing/event/IntelligentAlarm/post', messageId: 'app-id' },
        body: JSON.stringify({ iotId: 'iot-1', time: '1700000000999', value: { EventList: [{ AlarmType: 10009 }] } }),
      }),
    );
    assert.deepEqual([intelligent.kind, intelligent.identifier, intelligent.productKey, intelligent.time, intelligent.messageId], ['event', 'IntelligentAlarm', 'pk1', 1_700_000_000_999, 'app-id']);

    const property = ok(
      parsePushMessage({
        application_properties: { topic: '/sys/pk1/cam-1/thing/event/property/post' },
        body: JSON.stringify({ iotId: 'iot-1', items: { NickName: { value: 'Door', time: 5 } }, gmtCreate: 5 }),
        creation_time: new Date(1_700_000_000_000),
      }),
    );
    assert.deepEqual([property.kind, property.identifier, property.value, property.time], ['property', 'property', { NickName: { value: 'Door', time: 5 } }, 1_700_000_000_000]);

    const status = ok(
      parsePushMessage({
        application_properties: { topic: '/as/mqtt/status/pk1/cam-1' },
        body: JSON.stringify({ iotId: 'iot-1', status: 'offline', time: '2023-11-15 06:13:20.000', utcTime: '2023-11-14T22:13:20.000Z' }),
      }),
    );
    assert.deepEqual([status.kind, status.identifier, status.value, status.deviceName, status.time], ['status', 'status', 'offline', 'cam-1', Date.parse('2023-11-14T22:13:20.000Z')]);

    const other = ok(parsePushMessage({ application_properties: { topic: '/some/thing' }, body: JSON.stringify({ productKey: 'p', deviceName: 'd', x: 1 }) }, 42));
    assert.deepEqual([other.kind, other.iotId, other.productKey, other.deviceName, other.identifier, other.time, other.value], ['other', '', 'p', 'd', '', 42, { productKey: 'p', deviceName: 'd', x: 1 }]);
  });
});
