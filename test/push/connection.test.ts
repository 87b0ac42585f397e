import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { create_container as createContainer } from 'rhea';
import type { EmulatorHandle } from '../../lib/emulator';
import { LinkVisualError } from '../../lib/gateway/errors';
import { PushConnection, parsePushUrl, pushCredentials } from '../../lib/push';
import { activeHandles, activeResources, control, raise, Recorder, sleep, startPushEmulator, type Json } from './helpers';

describe('PushConnection (AMQP data sync) against the emulator', function () {
  this.timeout(20_000);
  let emulator: EmulatorHandle;
  const recorders: Recorder[] = [];
  const client = (options: ConstructorParameters<typeof Recorder>[1] = {}, autoSettle = true): Recorder => {
    const recorder = new Recorder(emulator, options, autoSettle);
    recorders.push(recorder);
    return recorder;
  };

  beforeEach(async () => {
    emulator = await startPushEmulator();
  });

  afterEach(async () => {
    await Promise.all(recorders.splice(0).map((recorder) => recorder.connection.close()));
    await emulator.close();
  });

  it('refuses plain amqp:// to a host that is not loopback, and other schemes', () => {
    const base = { appKey: 'k', appSecret: 's', clientId: 'c' };
    for (const url of ['amqp://example.com:5672', 'amqp://10.0.0.1', 'amqp://[fe80::1]:5672', 'http://127.0.0.1:80', 'amqps://user:pw@example.com', 'not a url']) {
      assert.throws(
        () => new PushConnection({ ...base, url }),
        (error: unknown) => error instanceof LinkVisualError && error.code === 'CONFIG' && !error.message.includes('pw'),
        url,
      );
    }
    assert.deepEqual(parsePushUrl('amqps://ilop.iot-amqp.cn-shanghai.aliyuncs.com'), {
      tls: true,
      host: 'ilop.iot-amqp.cn-shanghai.aliyuncs.com',
      port: 5671,
      display: 'amqps://ilop.iot-amqp.cn-shanghai.aliyuncs.com',
    });
    assert.equal(parsePushUrl('amqp://127.0.0.1:5999').tls, false);
    assert.equal(parsePushUrl('amqp://localhost').port, 5672);
    assert.equal(parsePushUrl('amqp://[::1]:1234').host, '::1');
  });

  it('receives a raised event within a second, with its iotId and time', async () => {
    const recorder = client();
    await recorder.connected();
    const started = Date.now();
    const event = await raise(emulator, { eventTime: 1_700_000_000_000 });
    await recorder.until(() => recorder.events().length === 1, 'the event', 1000);
    const { message, at } = recorder.messages[0];
    assert.ok(at - started < 1000, `${at - started} ms`);
    assert.equal(message.iotId, 'demo-camera-1');
    assert.equal(message.time, event.eventTime);
    assert.equal(message.kind, 'event');
    assert.equal(message.identifier, 'AlarmEvent');
    assert.equal(message.topic, '/sys/demoProductKey/demo-camera-1/thing/event/AlarmEvent/post');
    assert.deepEqual(message.value, { AlarmType: 1, AlarmPicID: (message.value as Json).AlarmPicID, Data: '', EventTime: String(event.eventTime) });
    assert.ok(message.messageId);
    const human = await raise(emulator, { eventType: 3 });
    await recorder.until(() => recorder.events().length === 2, 'the human event');
    assert.equal(recorder.messages[1].message.identifier, 'IntelligentAlarm');
    assert.equal(recorder.messages[1].message.time, human.eventTime);
    assert.equal(((recorder.messages[1].message.value as Json).EventList as Json[])[0].AlarmType, 3);
    await recorder.until(() => emulator.stats().push.settled === 2, 'both settled');
    const stats = emulator.stats().push;
    assert.deepEqual([stats.connections, stats.open, stats.sent, stats.settled, stats.redelivered], [1, 1, 2, 2, 0]);
  });

  it('does not deliver a settled message again', async () => {
    const first = client();
    await first.connected();
    await raise(emulator);
    await first.until(() => first.messages.length === 1, 'the message');
    await first.until(() => emulator.stats().push.settled === 1, 'the settlement');
    await first.connection.close();
    const second = client({ clientId: 'second' });
    await second.connected();
    await sleep(300);
    assert.equal(second.messages.length, 0);
    assert.equal(emulator.stats().push.redelivered, 0);
  });

  it('gives a message left unsettled at close to the next client of the group', async () => {
    const first = client({}, false);
    await first.connected();
    await raise(emulator);
    await first.until(() => first.messages.length === 1, 'the message');
    const id = first.messages[0].message.messageId;
    await first.connection.close();
    first.messages[0].settle(); // too late: a no-op
    const second = client({ clientId: 'second' });
    await second.connected();
    await second.until(() => second.messages.length === 1, 'the redelivery');
    assert.equal(second.messages[0].message.messageId, id);
    await second.until(() => emulator.stats().push.settled === 1, 'the settlement');
    const stats = emulator.stats().push;
    assert.equal(stats.redelivered, 1);
    assert.equal(stats.sent, 2);
  });

  it('shares one group between its clients, and gives every group every message', async () => {
    const a = client({ clientId: 'a' });
    const b = client({ clientId: 'b' });
    const other = client({ clientId: 'o', consumerGroup: 'other-group' });
    await Promise.all([a.connected(), b.connected(), other.connected()]);
    for (let index = 0; index < 4; index += 1) await raise(emulator, { eventTime: 1_700_000_000_000 + index });
    await a.until(() => a.messages.length + b.messages.length === 4 && other.messages.length === 4, 'the messages');
    await sleep(100);
    assert.equal(a.messages.length, 2);
    assert.equal(b.messages.length, 2);
    const times = [...a.messages, ...b.messages].map((entry) => entry.message.time).sort();
    assert.deepEqual(times, [0, 1, 2, 3].map((index) => 1_700_000_000_000 + index));
  });

  it('reports refused credentials as refused, with no secret in the error', async () => {
    const wrongSecret = 'definitely-wrong-secret';
    const recorder = client({ appSecret: wrongSecret });
    await recorder.until(() => recorder.states.some((event) => event.state === 'refused'), 'refused');
    const refused = recorder.states.find((event) => event.state === 'refused');
    assert.ok(refused?.error instanceof LinkVisualError);
    assert.equal(refused.error.code, 'AUTH_FAILED');
    assert.match(refused.error.message, /refused the credentials/);
    const { password } = pushCredentials({ appKey: emulator.appKey, appSecret: wrongSecret, clientId: 'test-client', random: 1 });
    for (const text of [refused.error.message, JSON.stringify(refused.error), JSON.stringify(refused), String(refused.error.stack)]) {
      assert.ok(!text.includes(wrongSecret), 'no secret');
      assert.ok(!text.includes(emulator.appSecret), 'no emulator secret');
      assert.ok(!text.includes(password.slice(0, 12)), 'no password');
    }
    assert.ok(typeof refused.retryInMs === 'number');
    assert.equal(recorder.connection.state === 'connected', false);
    assert.ok(emulator.stats().push.refused >= 1);
    assert.equal(emulator.stats().push.connections, 0);
  });

  it('comes back by itself after refused logins (refuse: N) and after a disconnect', async () => {
    await control(emulator, 'POST', 'push', { refuse: 2 });
    const recorder = client();
    await recorder.connected();
    assert.deepEqual(
      recorder.states.map((event) => event.state),
      ['connecting', 'refused', 'connecting', 'refused', 'connecting', 'connected'],
    );
    assert.equal(emulator.stats().push.refused, 2);
    recorder.states.length = 0;
    const answer = await control(emulator, 'POST', 'push', { disconnect: true });
    assert.equal(answer.disconnected, 1);
    await recorder.until(() => recorder.states.some((event) => event.state === 'connected'), 'reconnected');
    assert.deepEqual(recorder.states.map((event) => event.state), ['lost', 'connecting', 'connected']);
    assert.match(String(recorder.states[0].error?.message), /amqp:connection:forced/);
    await raise(emulator);
    await recorder.until(() => recorder.messages.length === 1, 'a message after reconnecting');
  });

  it('makes drop, duplicate, delayMs and early observable', async () => {
    const recorder = client();
    await recorder.connected();
    await control(emulator, 'POST', 'push', { drop: 1 });
    await raise(emulator);
    await sleep(200);
    assert.equal(recorder.messages.length, 0);
    assert.equal(emulator.stats().push.dropped, 1);

    await control(emulator, 'POST', 'push', { drop: 0, duplicate: 1 });
    await raise(emulator);
    await recorder.until(() => recorder.messages.length === 2, 'two copies');
    assert.equal(recorder.messages[0].message.messageId, recorder.messages[1].message.messageId);
    assert.equal(emulator.stats().push.duplicated, 1);

    await control(emulator, 'POST', 'push', { duplicate: 0, delayMs: 400 });
    let started = Date.now();
    await raise(emulator);
    await recorder.until(() => recorder.messages.length === 3, 'the delayed push');
    assert.ok(recorder.messages[2].at - started >= 390, `delayed ${recorder.messages[2].at - started} ms`);

    // Pushed when event/query shows the event; with early, before.
    await control(emulator, 'POST', 'push', { delayMs: 0 });
    started = Date.now();
    await raise(emulator, { visibleAfterMs: 500 });
    await recorder.until(() => recorder.messages.length === 4, 'the push at visibility');
    assert.ok(recorder.messages[3].at - started >= 490, `after ${recorder.messages[3].at - started} ms`);
    await control(emulator, 'POST', 'push', { early: true });
    started = Date.now();
    await raise(emulator, { visibleAfterMs: 2000 });
    await recorder.until(() => recorder.messages.length === 5, 'the early push');
    assert.ok(recorder.messages[4].at - started < 1000);
  });

  it('accepts malformed messages, reports them, and goes on', async () => {
    // A tiny broker of our own that sends one bad and one good message.
    const broker = createContainer();
    broker.sasl_server_mechanisms.enable_plain(() => true);
    const outcomes: string[] = [];
    broker.on('sender_open', (context) => {
      context.sender?.send({ message_id: 'bad', application_properties: { topic: '/sys/p/d/thing/event/AlarmEvent/post' }, body: '{oops' });
      context.sender?.send({ message_id: 'good', application_properties: { topic: '/sys/p/d/thing/event/AlarmEvent/post' }, body: '{"iotId":"x","time":1}' });
    });
    broker.on('accepted', (context) => outcomes.push(String(context.delivery?.id)));
    broker.on('disconnected', () => undefined);
    const server = broker.listen({ port: 0, host: '127.0.0.1' }) as unknown as Server;
    await new Promise((resolve) => server.once('listening', resolve));
    const port = (server.address() as { port: number }).port;
    const connection = new PushConnection({ url: `amqp://127.0.0.1:${port}`, appKey: 'k', appSecret: 's', clientId: 'c' });
    const malformed: LinkVisualError[] = [];
    connection.on('malformed', (error) => malformed.push(error));
    const got: string[] = [];
    connection.on('message', (message, settle) => {
      got.push(String(message.messageId));
      settle();
    });
    const end = Date.now() + 3000;
    while (outcomes.length < 2 && Date.now() < end) await sleep(10);
    await connection.close();
    await new Promise((resolve) => server.close(resolve));
    assert.deepEqual(got, ['good']);
    assert.equal(malformed.length, 1);
    assert.equal(malformed[0].code, 'INVALID_RESPONSE');
    assert.deepEqual(outcomes.sort(), ['0', '1'], 'both accepted');
    assert.deepEqual(
      { received: connection.counts().received, malformed: connection.counts().malformed, settled: connection.counts().settled },
      { received: 2, malformed: 1, settled: 1 },
    );
  });

  it('gives up an attempt that never opens (connect timeout) and tries again', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const connection = new PushConnection({
      url: `amqp://127.0.0.1:${port}`,
      appKey: 'k',
      appSecret: 's',
      clientId: 'c',
      connectTimeoutMs: 200,
      reconnect: { initialMs: 50, maxMs: 50 },
    });
    const states: string[] = [];
    connection.on('state', (event) => states.push(`${event.state}${event.error ? `:${event.error.code}` : ''}`));
    const end = Date.now() + 3000;
    while (states.filter((state) => state === 'connecting').length < 2 && Date.now() < end) await sleep(10);
    await connection.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
    assert.deepEqual(states.slice(0, 3), ['connecting', 'lost:TIMEOUT', 'connecting']);
    assert.equal(states.at(-1), 'closed');
  });

  it('reports a lost link when the emulator goes away, and retries with growing, jittered delays', async () => {
    const recorder = client({ reconnect: { initialMs: 20, maxMs: 160 } });
    await recorder.connected();
    await emulator.close();
    await recorder.until(() => recorder.states.filter((event) => event.state === 'lost').length >= 5, 'several lost attempts');
    const delays = recorder.states.filter((event) => event.state === 'lost').map((event) => event.retryInMs as number);
    assert.equal(delays[0], 20, 'the first wait is the initial one');
    for (const [index, delay] of delays.entries()) assert.ok(delay >= 20 && delay <= Math.min(160, 20 * 2 ** index), `${index}: ${delay}`);
    assert.equal(recorder.states.filter((event) => event.state === 'lost')[1].error?.code, 'NETWORK');
  });

  it('drops a link that went silent (heartbeats) and reconnects', async () => {
    // A proxy that can turn into a black hole: no FIN, no reset, just silence.
    const target = Number(new URL(String(emulator.amqpUrl)).port);
    let silent = false;
    const sockets = new Set<Socket>();
    const proxy = createServer((inbound) => {
      const outbound = connect(target, '127.0.0.1');
      for (const socket of [inbound, outbound]) {
        sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => sockets.delete(socket));
      }
      inbound.on('data', (chunk) => !silent && outbound.write(chunk));
      outbound.on('data', (chunk) => !silent && inbound.write(chunk));
      inbound.on('close', () => outbound.destroy());
      outbound.on('close', () => inbound.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const port = (proxy.address() as { port: number }).port;
      const recorder = client({ url: `amqp://127.0.0.1:${port}`, idleTimeoutMs: 1000 });
      await recorder.connected();
      silent = true;
      const since = Date.now();
      await recorder.until(() => recorder.states.some((event) => event.state === 'lost'), 'lost', 8000);
      assert.ok(Date.now() - since >= 1500, `lost after ${Date.now() - since} ms`);
      silent = false;
      recorder.states.length = 0;
      await recorder.until(() => recorder.states.some((event) => event.state === 'connected'), 'reconnected');
      await raise(emulator);
      await recorder.until(() => recorder.messages.length === 1, 'a message on the new link');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('leaves no handle behind after close', async () => {
    await emulator.close();
    await sleep(50);
    const baseline = activeHandles();
    const baselineResources = activeResources();
    emulator = await startPushEmulator();
    const a = new Recorder(emulator, { clientId: 'a' }, false);
    const b = new Recorder(emulator, { clientId: 'b' });
    await Promise.all([a.connected(), b.connected()]);
    await raise(emulator);
    await raise(emulator);
    await a.until(() => a.messages.length + b.messages.length >= 2, 'messages');
    await control(emulator, 'POST', 'push', { disconnect: true });
    await Promise.all([a.connected(), b.connected()]);
    // Closed in every state: refused and waiting to retry, just made, connecting.
    const refused = new Recorder(emulator, { clientId: 'r', appSecret: 'wrong' });
    await refused.until(() => refused.connection.state === 'refused', 'refused');
    const connecting = new Recorder(emulator, { clientId: 'c' });
    await connecting.until(() => connecting.states.length > 0, 'the first attempt');
    const fresh = new Recorder(emulator, { clientId: 'f' });
    await Promise.all([a, b, refused, fresh, connecting].map((recorder) => recorder.connection.close()));
    assert.deepEqual(fresh.states.map((event) => event.state), ['closed']);
    await emulator.close();
    const end = Date.now() + 2000;
    while ((activeHandles() > baseline || (activeResources().Timeout ?? 0) > (baselineResources.Timeout ?? 0)) && Date.now() < end) await sleep(20);
    assert.equal(activeHandles(), baseline);
    assert.deepEqual(activeResources(), baselineResources, 'no timer, socket or server left');
    emulator = await startPushEmulator(); // for afterEach
  });
});
