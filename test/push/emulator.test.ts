/** The emulator's AMQP data-sync endpoint: control route, stats, TLS, SASL checks, groups, messages, CLI. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { create_container as createContainer, type Connection, type EventContext } from 'rhea';
import type { EmulatorHandle } from '../../lib/emulator';
import { parseArgs, USAGE } from '../../lib/emulator/cli';
import { PushConnection, pushCredentials } from '../../lib/push';
import { control, raise, Recorder, sleep, startPushEmulator, type Json } from './helpers';

describe('emulator AMQP endpoint', function () {
  this.timeout(20_000);
  const emulators: EmulatorHandle[] = [];
  const recorders: Recorder[] = [];
  const start = async (options: Parameters<typeof startPushEmulator>[0] = {}): Promise<EmulatorHandle> => {
    const emulator = await startPushEmulator(options);
    emulators.push(emulator);
    return emulator;
  };
  const client = (emulator: EmulatorHandle, options: ConstructorParameters<typeof Recorder>[1] = {}): Recorder => {
    const recorder = new Recorder(emulator, options);
    recorders.push(recorder);
    return recorder;
  };

  afterEach(async () => {
    await Promise.all(recorders.splice(0).map((recorder) => recorder.connection.close()));
    await Promise.all(emulators.splice(0).map((emulator) => emulator.close()));
  });

  it('has no endpoint unless asked, and amqp://127.0.0.1:<port> with amqpPort 0', async () => {
    const plain = await start({ amqpPort: undefined });
    assert.equal(plain.amqpUrl, undefined);
    const withPush = await start();
    assert.match(String(withPush.amqpUrl), /^amqp:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(withPush.amqpUrl, 'amqp://127.0.0.1:0');
    await assert.rejects(start({ amqpPort: 70_000 }), RangeError);
    // A port in use: the start fails and the HTTP server is closed again.
    await assert.rejects(start({ amqpPort: Number(new URL(String(withPush.amqpUrl)).port) }), /EADDRINUSE/);
  });

  it('answers GET/POST /_emulator/push, checks the input, and reset clears faults and counts', async () => {
    const emulator = await start();
    assert.deepEqual(await control(emulator, 'GET', 'push'), { drop: 0, duplicate: 0, delayMs: 0, early: false, refuse: 0, bodyForm: 'data' });
    assert.deepEqual(await control(emulator, 'POST', 'push', { drop: 0.5, duplicate: 0.25, delayMs: 100, early: true, refuse: 3 }), {
      drop: 0.5,
      duplicate: 0.25,
      delayMs: 100,
      early: true,
      refuse: 3,
      bodyForm: 'data',
    });
    for (const bad of [{ drop: 2 }, { duplicate: -1 }, { delayMs: 1.5 }, { refuse: 'x' }, { early: 1 }, { disconnect: 'yes' }, { bodyForm: 'xml' }, { nope: 1 }]) {
      const answer = await fetch(`${emulator.url}/_emulator/push`, { method: 'POST', body: JSON.stringify(bad) });
      assert.equal(answer.status, 400, JSON.stringify(bad));
    }
    const stats = (await control(emulator, 'GET', 'stats')).push as Json;
    assert.deepEqual(Object.keys(stats).sort(), ['connections', 'dropped', 'duplicated', 'expired', 'open', 'redelivered', 'refused', 'sent', 'settled']);
    await control(emulator, 'POST', 'push', { drop: 0, duplicate: 0, delayMs: 0, early: false, refuse: 0 });
    const recorder = client(emulator);
    await recorder.connected();
    await raise(emulator);
    await recorder.until(() => emulator.stats().push.settled === 1, 'settled');
    await control(emulator, 'POST', 'reset');
    assert.deepEqual(await control(emulator, 'GET', 'push'), { drop: 0, duplicate: 0, delayMs: 0, early: false, refuse: 0, bodyForm: 'data' });
    assert.deepEqual(emulator.stats().push, { connections: 0, open: 1, sent: 0, settled: 0, dropped: 0, duplicated: 0, redelivered: 0, refused: 0, expired: 0 });
    // The connection survives a reset and still gets messages.
    await raise(emulator);
    await recorder.until(() => recorder.messages.length === 2, 'a message after reset');
  });

  it('serves amqps:// with a certificate made at start; a client must trust it', async () => {
    const emulator = await start({ amqpTls: true });
    assert.match(String(emulator.amqpUrl), /^amqps:\/\/127\.0\.0\.1:\d+$/);
    assert.match(String(emulator.amqpCa), /^-----BEGIN CERTIFICATE-----/);
    const trusting = client(emulator, { ca: emulator.amqpCa });
    await trusting.connected();
    await raise(emulator);
    await trusting.until(() => trusting.messages.length === 1, 'a message over TLS');
    const untrusting = client(emulator, { clientId: 'u' });
    await untrusting.until(() => untrusting.states.some((event) => event.state === 'lost'), 'lost');
    const lost = untrusting.states.find((event) => event.state === 'lost');
    assert.equal(lost?.error?.code, 'NETWORK');
    assert.match(String(lost?.error?.message), /certificate|CERT/i);
  });

  it('refuses an unknown AppKey, the wrong password encoding, and accepts hex when configured', async () => {
    const emulator = await start();
    const stranger = client(emulator, { appKey: 'unknown-key' });
    await stranger.until(() => stranger.states.some((event) => event.state === 'refused'), 'refused');
    const hex = client(emulator, { encoding: 'hex', clientId: 'hex' });
    await hex.until(() => hex.states.some((event) => event.state === 'refused'), 'hex refused by default');
    assert.ok(emulator.stats().push.refused >= 2);

    const hexEmulator = await start({ amqpPasswordEncoding: 'hex' });
    const hexClient = client(hexEmulator, { encoding: 'hex' });
    await hexClient.connected();
    const base64Client = client(hexEmulator, { clientId: 'b64' });
    await base64Client.until(() => base64Client.states.some((event) => event.state === 'refused'), 'base64 refused');

    const either = await start({ amqpPasswordEncoding: 'either' });
    await Promise.all([client(either, { encoding: 'hex' }).connected(), client(either, { clientId: 'b' }).connected()]);
  });

  it('refuses anonymous logins, links to anything but "default", and sending links', async () => {
    const emulator = await start();
    const port = Number(new URL(String(emulator.amqpUrl)).port);
    const container = createContainer();
    container.on('error', () => undefined);
    // No SASL at all.
    const anonymous = container.connect({ host: '127.0.0.1', port, reconnect: false });
    const anonymousGone = new Promise<void>((resolve) => anonymous.on('disconnected', () => resolve()));
    anonymous.on('connection_error', () => undefined);
    anonymous.on('protocol_error', () => undefined);
    anonymous.on('error', () => undefined);
    anonymous.open_receiver('default');
    await anonymousGone;

    const { username, password } = pushCredentials({ appKey: emulator.appKey, appSecret: emulator.appSecret, clientId: 'raw' });
    const connection: Connection = container.connect({ host: '127.0.0.1', port, username, password, reconnect: false });
    connection.on('disconnected', () => undefined);
    const wrong = connection.open_receiver({ source: { address: 'elsewhere' }, autoaccept: false });
    const wrongClosed = new Promise<EventContext>((resolve) => wrong.on('receiver_error', resolve));
    wrong.on('receiver_close', () => undefined);
    const sender = connection.open_sender('default');
    const senderClosed = new Promise<EventContext>((resolve) => sender.on('sender_error', resolve));
    sender.on('sender_close', () => undefined);
    const [wrongContext, senderContext] = await Promise.all([wrongClosed, senderClosed]);
    assert.equal((wrongContext.receiver?.error as { condition?: string }).condition, 'amqp:not-found');
    assert.equal((senderContext.sender?.error as { condition?: string }).condition, 'amqp:not-allowed');
    const closed = new Promise<void>((resolve) => connection.on('connection_close', () => resolve()));
    connection.close();
    await closed;
  });

  it('sends status and property messages for devices changed through the control API, and periodic property reports', async () => {
    const emulator = await start({ amqpPropertyReportMs: 200 });
    const recorder = client(emulator);
    await recorder.connected();
    await control(emulator, 'POST', 'devices', { iotId: 'cam-x', name: 'Porch', productKey: 'pkX' });
    await recorder.until(() => recorder.messages.some((entry) => entry.message.kind === 'status' && entry.message.iotId === 'cam-x'), 'status');
    await recorder.until(() => recorder.messages.some((entry) => entry.message.kind === 'property' && entry.message.iotId === 'cam-x'), 'property');
    const status = recorder.messages.find((entry) => entry.message.kind === 'status')?.message;
    assert.equal(status?.topic, '/as/mqtt/status/pkX/cam-x');
    assert.equal(status?.value, 'online');
    const property = recorder.messages.find((entry) => entry.message.kind === 'property' && entry.message.iotId === 'cam-x')?.message;
    assert.equal(property?.topic, '/sys/pkX/cam-x/thing/event/property/post');
    assert.equal(((property?.value as Json).NickName as Json).value, 'Porch');
    recorder.messages.length = 0;
    await control(emulator, 'POST', 'devices', { iotId: 'cam-x', online: false });
    await recorder.until(() => recorder.messages.some((entry) => entry.message.kind === 'status' && entry.message.value === 'offline'), 'offline');
    // Periodic reports cover the online cameras only.
    await recorder.until(
      () => ['demo-camera-1', 'demo-camera-2'].every((iotId) => recorder.messages.some((entry) => entry.message.kind === 'property' && entry.message.iotId === iotId)),
      'periodic reports',
    );
    assert.ok(!recorder.messages.some((entry) => entry.message.kind === 'property' && entry.message.iotId === 'cam-x'));
  });

  it('sends string bodies with bodyForm string', async () => {
    const emulator = await start();
    const container = createContainer();
    const port = Number(new URL(String(emulator.amqpUrl)).port);
    const { username, password } = pushCredentials({ appKey: emulator.appKey, appSecret: emulator.appSecret, clientId: 'raw' });
    const connection = container.connect({ host: '127.0.0.1', port, username, password, reconnect: false });
    connection.on('disconnected', () => undefined);
    const bodies: unknown[] = [];
    const receiver = connection.open_receiver({ source: { address: 'default' } });
    receiver.on('message', (context: EventContext) => bodies.push(context.message?.body));
    await new Promise((resolve) => receiver.once('receiver_open', resolve));
    await raise(emulator);
    await control(emulator, 'POST', 'push', { bodyForm: 'string' });
    await raise(emulator);
    const end = Date.now() + 3000;
    while (bodies.length < 2 && Date.now() < end) await sleep(10);
    assert.equal(typeof bodies[0], 'object', 'a data section');
    assert.equal(typeof bodies[1], 'string');
    assert.equal((JSON.parse(bodies[1] as string) as Json).iotId, 'demo-camera-1');
    const closed = new Promise<void>((resolve) => connection.on('connection_close', () => resolve()));
    connection.close();
    await closed;
  });

  it('keeps undelivered messages for a day of simulated time', async () => {
    const emulator = await start();
    const first = client(emulator);
    await first.connected();
    await first.connection.close(); // the group exists from now on
    await raise(emulator);
    await raise(emulator);
    const kept = client(emulator, { clientId: 'kept' });
    await kept.until(() => kept.messages.length === 2, 'the queued messages');
    await kept.connection.close();
    await raise(emulator);
    await control(emulator, 'POST', 'time', { advanceMs: 86_400_000 + 1000 });
    const late = client(emulator, { clientId: 'late' });
    await late.connected();
    await sleep(200);
    assert.equal(late.messages.length, 0);
    assert.equal(emulator.stats().push.expired, 1);
  });

  it('closes every AMQP connection when the emulator closes', async () => {
    const emulator = await start();
    const recorder = client(emulator);
    await recorder.connected();
    await emulator.close();
    await recorder.until(() => recorder.states.some((event) => event.state === 'lost'), 'lost');
    assert.equal(emulator.stats().push.open, 0);
  });

  it('takes --amqp-port, --amqp-tls and friends on the command line', () => {
    assert.deepEqual(parseArgs(['--amqp-port', '0', '--amqp-tls']), { help: false, options: { port: 8787, amqpPort: 0, amqpTls: true } });
    assert.deepEqual(parseArgs(['--amqp-port=5673', '--amqp-password-encoding', 'either', '--amqp-property-report', '1000']), {
      help: false,
      options: { port: 8787, amqpPort: 5673, amqpPasswordEncoding: 'either', amqpPropertyReportMs: 1000 },
    });
    assert.ok('error' in parseArgs(['--amqp-tls']));
    assert.ok('error' in parseArgs(['--amqp-port', '70000']));
    assert.ok('error' in parseArgs(['--amqp-port', '1', '--amqp-password-encoding', 'base32']));
    assert.ok('error' in parseArgs(['--amqp-port', '1', '--amqp-tls=yes']));
    assert.match(USAGE, /--amqp-port N/);
    assert.match(USAGE, /--amqp-tls/);
  });

  it('prints the AMQP URL and certificate at start; a client connects with them', async function () {
    this.timeout(30_000);
    const root = path.resolve(__dirname, '..', '..');
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(root, 'lib', 'emulator', 'cli.ts'), '--port', '0', '--amqp-port', '0', '--amqp-tls'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const deadline = Date.now() + 20_000;
      while (!/-----END CERTIFICATE-----/.test(stdout) && Date.now() < deadline) await sleep(50);
      const url = /AMQP push\s+(amqps:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
      const ca = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/.exec(stdout)?.[0];
      assert.ok(url && ca, stdout);
      const connection = new PushConnection({ url, ca, appKey: 'demo-app-key', appSecret: 'demo-app-secret', clientId: 'cli' });
      const connected = new Promise<void>((resolve) => connection.on('state', (event) => event.state === 'connected' && resolve()));
      await connected;
      await connection.close();
      child.kill('SIGTERM');
      assert.equal(await exit, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
