/**
 * The emulator's AMQP 1.0 data-sync endpoint (docs/protocol.md §10), on rhea.
 *
 * - SASL PLAIN only (no anonymous), checked with the app-key scheme (lib/push/credentials.ts):
 *   an unknown AppKey or a wrong signature is refused (SASL outcome `auth`, then the socket closes).
 *   Passwords in base64 (the scheme's) unless `amqpPasswordEncoding` says `hex` or `either`.
 * - Consumer groups: the username's `groupId`. A group (a subscription) exists from its first login
 *   (until a reset while it has no client); every group gets every message; the clients of one group share them round-robin
 *   (among those with link credit). A delivery released, or unsettled when its link or connection
 *   goes, is queued again at the front and sent to the next client of the group (header
 *   `delivery_count` > 0, `first_acquirer` false). A group keeps undelivered messages for one day of
 *   simulated time, at most MAX_QUEUE of them (the oldest go first; counted as `expired`).
 * - One source only: `default` (any other address is refused with `amqp:not-found`).
 * - Messages (body JSON as a data section, or an AMQP string with `bodyForm: 'string'`;
 *   `message_id` and `application_properties.topic`):
 *   event     /sys/<pk>/<dn>/thing/event/AlarmEvent/post (IntelligentAlarm for human, 3, and types
 *             above 10000), `{deviceType, iotId, productKey, deviceName, identifier, name, type,
 *             time: <event ms>, value}`; AlarmEvent value `{AlarmType, AlarmPicID, Data, EventTime}`,
 *             IntelligentAlarm value `{EventList: [{AlarmType, AlarmPicID, Data, EventTime}]}`
 *             (EventTime: ms as text, as docs/protocol.md §10.3). Sent once the event is visible to
 *             event/query (visibleAfterMs, and its simulated time reached), plus `delayMs`; with
 *             `early`, at once (before the cloud has indexed it).
 *   property  /sys/<pk>/<dn>/thing/event/property/post `{iotId, productKey, deviceName, items:
 *             {NickName, CloudStorage, TimeZone: {value, time}}}` (emulator-chosen identifiers) when
 *             a device is added or changed through the control API, and every
 *             `amqpPropertyReportMs` for every online device when that option is set.
 *   status    /as/mqtt/status/<pk>/<dn> `{iotId, productKey, deviceName, status: online|offline,
 *             time, utcTime, lastTime, utcLastTime}` when a device is added or goes on/offline
 *             through the control API.
 *   A message published while no group exists goes nowhere (nobody subscribed yet).
 * - Faults (`POST /_emulator/push`): `drop` (fraction never sent), `duplicate` (fraction sent twice),
 *   `delayMs`, `early`, `refuse` (the next N logins refused), `disconnect` (every connection closed
 *   now with `amqp:connection:forced`), `bodyForm`.
 */
import { randomUUID } from 'node:crypto';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { create_container, message as amqpMessage, type Connection, type ConnectionOptions, type Delivery, type EventContext, type Sender, type Session } from 'rhea';
import { verifyPushCredentials, type PushPasswordEncoding } from '../push/credentials';
import { clearRheaTimers, type RheaConnectionInternals } from '../push/rhea-internals';
import type { SimulatedClock } from './clock';
import { InputError } from './http';
import type { Stats } from './stats';
import type { CameraEvent, Device } from './world';

export type PushBodyForm = 'data' | 'string';
export type PasswordEncodingOption = 'base64' | 'hex' | 'either';

/** The push faults in force (`GET /_emulator/push`). */
export interface PushSettings {
  drop: number;
  duplicate: number;
  delayMs: number;
  early: boolean;
  /** Logins still to refuse. */
  refuse: number;
  bodyForm: PushBodyForm;
}

export interface PushBrokerOptions {
  readonly clock: SimulatedClock;
  readonly stats: Stats;
  readonly lookupSecret: (appKey: string) => string | undefined;
  readonly passwordEncoding: PasswordEncodingOption;
  /** Where a failure of the listener after start is reported. */
  readonly log: (line: string) => void;
  /** Idle timeout the endpoint announces (clients send heartbeats at half of it); default 60000. */
  readonly idleTimeoutMs?: number;
  /** Every this many real ms, a property report for every online device; off when undefined. */
  readonly propertyReportMs?: number;
  /** All devices (for the periodic property report). */
  readonly devices: () => Iterable<Device>;
}

interface Entry {
  readonly id: string;
  readonly topic: string;
  readonly json: string;
  readonly createdReal: number;
  readonly enqueuedAt: number;
  deliveries: number;
}

interface Consumer {
  readonly peer: Peer;
  readonly sender: Sender;
  readonly group: Group;
  readonly inflight: Map<Delivery, Entry>;
}

interface Group {
  readonly id: string;
  readonly queue: Entry[];
  readonly consumers: Consumer[];
  next: number;
}

interface Peer {
  readonly socket: Socket;
  connection?: Connection;
  group?: string;
  authenticated: boolean;
  gone: boolean;
  aborted: boolean;
  readonly consumers: Set<Consumer>;
  timer?: NodeJS.Timeout;
}

const DAY_MS = 86_400_000;
/** Undelivered messages a group keeps at most. */
export const MAX_QUEUE = 10_000;
/** Real ms an accepted socket has to authenticate and open. */
const OPEN_DEADLINE_MS = 15_000;
/** Real ms a refused or closed connection gets to hang up before the socket is dropped. */
const HANG_UP_MS = 1000;
const FORCED = { condition: 'amqp:connection:forced', description: 'the emulator closed every connection (disconnect fault)' };

const DEFAULT_SETTINGS: PushSettings = { drop: 0, duplicate: 0, delayMs: 0, early: false, refuse: 0, bodyForm: 'data' };

function fraction(body: Record<string, unknown>, key: string): number | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) throw new InputError(`${key} must be a number from 0 to 1`);
  return value;
}

function integer(body: Record<string, unknown>, key: string, max: number): number | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) throw new InputError(`${key} must be an integer from 0 to ${max}`);
  return value;
}

/** The AMQP endpoint: listener, groups, queues, faults. Inert (no timer, no socket) until `listen`. */
export class PushBroker {
  private server: Server | undefined;
  private readonly peers = new Set<Peer>();
  private readonly groups = new Map<string, Group>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sweeps = new Set<NodeJS.Immediate>();
  private reportTimer: NodeJS.Timeout | undefined;
  private settings: PushSettings = { ...DEFAULT_SETTINGS };
  private closed = false;

  constructor(private readonly options: PushBrokerOptions) {
    options.stats.openPushConnections = () => [...this.peers].filter((peer) => peer.authenticated && !peer.gone).length;
  }

  /** True once listening (messages are made only then). */
  get listening(): boolean {
    return this.server !== undefined && !this.closed;
  }

  /** Starts listening; TLS when `tls` holds a key and certificate. */
  async listen(port: number, host: string, tls?: { key: string; cert: string }): Promise<AddressInfo> {
    const server = tls
      ? createTlsServer({ key: tls.key, cert: tls.cert }, (socket) => this.accept(socket))
      : createNetServer((socket) => this.accept(socket));
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    server.on('error', (error) => this.options.log(`link-visual-emulator: AMQP endpoint: ${String(error)}`));
    const every = this.options.propertyReportMs;
    if (every !== undefined) {
      this.reportTimer = setInterval(() => {
        for (const device of this.options.devices()) if (device.online) this.publishProperties(device);
      }, every);
    }
    return server.address() as AddressInfo;
  }

  // ----- faults -------------------------------------------------------------------------------

  /** The settings in force. */
  current(): PushSettings {
    return { ...this.settings };
  }

  /** `POST /_emulator/push`: changes the given settings; `disconnect: true` closes every connection now. */
  configure(body: Record<string, unknown>): PushSettings & { disconnected?: number } {
    const allowed = ['drop', 'duplicate', 'delayMs', 'early', 'disconnect', 'refuse', 'bodyForm'];
    const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
    if (unknown.length > 0) throw new InputError(`unknown field(s): ${unknown.join(', ')}; allowed: ${allowed.join(', ')}`);
    const next = { ...this.settings };
    next.drop = fraction(body, 'drop') ?? next.drop;
    next.duplicate = fraction(body, 'duplicate') ?? next.duplicate;
    next.delayMs = integer(body, 'delayMs', 86_400_000) ?? next.delayMs;
    next.refuse = integer(body, 'refuse', 1_000_000) ?? next.refuse;
    if (body.early !== undefined) {
      if (typeof body.early !== 'boolean') throw new InputError('early must be true or false');
      next.early = body.early;
    }
    if (body.bodyForm !== undefined) {
      if (body.bodyForm !== 'data' && body.bodyForm !== 'string') throw new InputError('bodyForm must be data or string');
      next.bodyForm = body.bodyForm;
    }
    if (body.disconnect !== undefined && typeof body.disconnect !== 'boolean') throw new InputError('disconnect must be true or false');
    this.settings = next;
    if (body.disconnect === true) return { ...this.current(), disconnected: this.disconnectAll() };
    return this.current();
  }

  /** Closes every connection now (`amqp:connection:forced`); returns how many. */
  disconnectAll(): number {
    let count = 0;
    for (const peer of [...this.peers]) {
      if (peer.gone) continue;
      count += 1;
      if (peer.authenticated) this.hangUp(peer, FORCED);
      else this.abort(peer);
    }
    return count;
  }

  /** Control API reset: faults, groups and queued messages, scheduled pushes, counters (connections stay). */
  reset(): void {
    this.settings = { ...DEFAULT_SETTINGS };
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const group of this.groups.values()) group.queue.length = 0;
    for (const [id, group] of this.groups) if (group.consumers.length === 0) this.groups.delete(id);
  }

  // ----- messages -----------------------------------------------------------------------------

  /** A camera event was raised: its thing event goes out once visible (or at once with `early`). */
  eventRaised(event: CameraEvent, device: Device): void {
    if (!this.listening) return;
    const { clock } = this.options;
    const realNow = clock.realNow();
    const untilTime = Math.max(0, (event.time - clock.now()) / clock.timeScale);
    const visibleIn = Math.max(event.visibleAt - realNow, untilTime);
    const delay = (this.settings.early ? 0 : visibleIn) + this.settings.delayMs;
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
    const topic = `/sys/${device.productKey}/${device.deviceName}/thing/event/${identifier}/post`;
    this.later(delay, () => this.publish(topic, body));
  }

  /** A device was added (`before` undefined) or changed through the control API. */
  deviceChanged(before: Device | undefined, after: Device): void {
    if (!this.listening) return;
    if (!before || before.online !== after.online) this.publishStatus(after);
    if (!before || before.name !== after.name || before.cloudStorage !== after.cloudStorage || before.timeZone !== after.timeZone) {
      this.publishProperties(after);
    }
  }

  private publishStatus(device: Device): void {
    const now = this.options.clock.now();
    const local = new Date(now + device.timeZone * 3_600_000).toISOString().replace('T', ' ').slice(0, 23);
    const utc = new Date(now).toISOString();
    this.publish(`/as/mqtt/status/${device.productKey}/${device.deviceName}`, {
      iotId: device.iotId,
      productKey: device.productKey,
      deviceName: device.deviceName,
      status: device.online ? 'online' : 'offline',
      time: local,
      utcTime: utc,
      lastTime: local,
      utcLastTime: utc,
      clientIp: '127.0.0.1',
    });
  }

  private publishProperties(device: Device): void {
    const time = this.options.clock.now();
    this.publish(`/sys/${device.productKey}/${device.deviceName}/thing/event/property/post`, {
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
    });
  }

  private later(ms: number, action: () => void): void {
    if (ms <= 0) {
      action();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    this.timers.add(timer);
  }

  /** Queues a message for every group (the drop and duplicate faults apply here) and sends what can go. */
  publish(topic: string, body: Record<string, unknown>): void {
    if (this.closed || this.groups.size === 0) return;
    const { stats } = this.options;
    if (this.settings.drop > 0 && Math.random() < this.settings.drop) {
      stats.pushCount('dropped');
      return;
    }
    const copies = this.settings.duplicate > 0 && Math.random() < this.settings.duplicate ? 2 : 1;
    if (copies === 2) stats.pushCount('duplicated');
    const id = randomUUID();
    const json = JSON.stringify(body);
    const enqueuedAt = this.options.clock.now();
    const createdReal = this.options.clock.realNow();
    for (const group of this.groups.values()) {
      for (let copy = 0; copy < copies; copy += 1) {
        if (group.queue.length >= MAX_QUEUE) {
          group.queue.shift();
          stats.pushCount('expired');
        }
        group.queue.push({ id, topic, json, createdReal, enqueuedAt, deliveries: 0 });
      }
      this.drain(group);
    }
  }

  private prune(group: Group): void {
    const oldest = this.options.clock.now() - DAY_MS;
    let expired = 0;
    while (group.queue.length > 0 && group.queue[0].enqueuedAt < oldest) {
      group.queue.shift();
      expired += 1;
    }
    if (expired > 0) this.options.stats.pushCount('expired', expired);
  }

  /** Sends queued messages round-robin to the group's clients that have credit. */
  private drain(group: Group): void {
    this.prune(group);
    while (group.queue.length > 0) {
      const consumer = this.nextConsumer(group);
      if (!consumer) return;
      this.deliver(consumer, group.queue.shift() as Entry);
    }
  }

  private nextConsumer(group: Group): Consumer | undefined {
    const count = group.consumers.length;
    for (let step = 0; step < count; step += 1) {
      const index = (group.next + step) % count;
      const consumer = group.consumers[index];
      if (!consumer.peer.gone && consumer.sender.is_open() && consumer.sender.sendable()) {
        group.next = (index + 1) % count;
        return consumer;
      }
    }
    return undefined;
  }

  private deliver(consumer: Consumer, entry: Entry): void {
    const { stats } = this.options;
    const string = this.settings.bodyForm === 'string';
    const delivery = consumer.sender.send({
      message_id: entry.id,
      creation_time: new Date(entry.createdReal),
      content_type: 'application/json',
      application_properties: { topic: entry.topic, messageId: entry.id },
      body: string ? entry.json : amqpMessage.data_section(Buffer.from(entry.json, 'utf8')),
      delivery_count: entry.deliveries,
      first_acquirer: entry.deliveries === 0,
    });
    if (entry.deliveries > 0) stats.pushCount('redelivered');
    entry.deliveries += 1;
    stats.pushCount('sent');
    consumer.inflight.set(delivery, entry);
  }

  /** Puts unsettled deliveries back at the front of their group's queue, oldest first. */
  private requeue(consumer: Consumer, deliveries: readonly Delivery[]): void {
    const entries: Entry[] = [];
    for (const delivery of deliveries) {
      const entry = consumer.inflight.get(delivery);
      if (!entry) continue;
      consumer.inflight.delete(delivery);
      entries.push(entry);
    }
    if (entries.length > 0) consumer.group.queue.unshift(...entries);
  }

  // ----- connections --------------------------------------------------------------------------

  private accept(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    socket.on('error', () => undefined);
    const peer: Peer = { socket, authenticated: false, gone: false, aborted: false, consumers: new Set() };
    this.peers.add(peer);
    socket.on('close', () => {
      if (peer.timer) clearTimeout(peer.timer);
      peer.timer = undefined;
      this.gone(peer);
      this.peers.delete(peer);
    });
    peer.timer = setTimeout(() => {
      peer.timer = undefined;
      if (!peer.authenticated) this.abort(peer);
    }, OPEN_DEADLINE_MS);
    // One rhea container per connection, so the SASL check knows whose login it is.
    const container = create_container({ id: 'link-visual-emulator' });
    container.on('error', () => undefined);
    container.sasl_server_mechanisms.enable_plain((username: string, password: string) => this.authenticate(peer, username, password));
    const connection = container.create_connection({
      container_id: 'link-visual-emulator',
      idle_time_out: this.options.idleTimeoutMs ?? 60_000,
    } as ConnectionOptions); // a server connection: no transport or port of its own
    peer.connection = connection;
    connection.on('connection_open', () => undefined);
    connection.on('sender_open', (context: EventContext) => this.senderOpened(peer, context.sender as Sender));
    connection.on('receiver_open', (context: EventContext) => {
      context.receiver?.close({ condition: 'amqp:not-allowed', description: 'the data sync only sends: attach a receiver to "default"' });
    });
    connection.on('sendable', (context: EventContext) => {
      const consumer = this.consumerOf(peer, context.sender);
      if (consumer) this.drain(consumer.group);
    });
    const settled = (context: EventContext): void => {
      const consumer = this.consumerOf(peer, context.sender);
      if (!consumer || !context.delivery || !consumer.inflight.delete(context.delivery)) return;
      this.options.stats.pushCount('settled');
    };
    connection.on('accepted', settled);
    connection.on('rejected', settled);
    connection.on('released', (context: EventContext) => {
      const consumer = this.consumerOf(peer, context.sender);
      if (!consumer || !context.delivery) return;
      this.requeue(consumer, [context.delivery]);
      this.drain(consumer.group);
    });
    connection.on('settled', () => undefined);
    const linkGone = (context: EventContext): void => {
      const consumer = this.consumerOf(peer, context.sender);
      if (consumer) this.removeConsumer(consumer);
    };
    connection.on('sender_close', linkGone);
    connection.on('sender_error', linkGone);
    const sessionGone = (context: EventContext): void => {
      for (const consumer of [...peer.consumers]) if (consumer.sender.session === (context.session as Session)) this.removeConsumer(consumer);
    };
    connection.on('session_close', sessionGone);
    connection.on('session_error', sessionGone);
    connection.on('connection_close', () => this.hangUp(peer));
    connection.on('connection_error', () => undefined);
    connection.on('disconnected', () => this.abort(peer));
    connection.on('error', () => this.abort(peer));
    connection.on('protocol_error', () => this.abort(peer));
    (connection as Connection & RheaConnectionInternals).accept?.(socket);
  }

  private authenticate(peer: Peer, username: string, password: string): boolean {
    const { stats } = this.options;
    const refuse = (): boolean => {
      stats.pushCount('refused');
      // The client hangs up on the SASL outcome; drop the socket if it does not.
      if (peer.timer) clearTimeout(peer.timer);
      peer.timer = setTimeout(() => {
        peer.timer = undefined;
        this.abort(peer);
      }, HANG_UP_MS);
      return false;
    };
    if (this.closed || peer.gone) return false;
    if (this.settings.refuse > 0) {
      this.settings.refuse -= 1;
      return refuse();
    }
    const encoding = this.options.passwordEncoding;
    const encodings: PushPasswordEncoding[] = encoding === 'either' ? ['base64', 'hex'] : [encoding];
    const verdict = verifyPushCredentials(username, password, this.options.lookupSecret, { encodings });
    if (!verdict.ok) return refuse();
    peer.authenticated = true;
    peer.group = verdict.consumerGroup;
    if (peer.timer) clearTimeout(peer.timer);
    peer.timer = undefined;
    stats.pushCount('connections');
    if (!this.groups.has(verdict.consumerGroup)) this.groups.set(verdict.consumerGroup, { id: verdict.consumerGroup, queue: [], consumers: [], next: 0 });
    return true;
  }

  private senderOpened(peer: Peer, sender: Sender): void {
    const address = (sender.source as { address?: unknown } | undefined)?.address;
    const group = peer.group === undefined ? undefined : this.groups.get(peer.group);
    if (!group || peer.gone) {
      sender.close({ condition: 'amqp:unauthorized-access', description: 'not authenticated' });
      return;
    }
    if (address !== 'default') {
      sender.close({ condition: 'amqp:not-found', description: `no queue "${String(address).slice(0, 64)}": the data sync delivers on "default"` });
      return;
    }
    sender.set_source({ address: 'default' });
    const consumer: Consumer = { peer, sender, group, inflight: new Map() };
    peer.consumers.add(consumer);
    group.consumers.push(consumer);
    this.drain(group);
  }

  private consumerOf(peer: Peer, sender: Sender | undefined): Consumer | undefined {
    for (const consumer of peer.consumers) if (consumer.sender === sender) return consumer;
    return undefined;
  }

  private removeConsumer(consumer: Consumer): void {
    if (!consumer.peer.consumers.delete(consumer)) return;
    const { group } = consumer;
    const index = group.consumers.indexOf(consumer);
    if (index >= 0) group.consumers.splice(index, 1);
    if (group.next > index && index >= 0) group.next -= 1;
    if (group.consumers.length > 0) group.next %= group.consumers.length;
    else group.next = 0;
    this.requeue(consumer, [...consumer.inflight.keys()]);
    this.drain(group);
  }

  /** The peer left or is being dropped: its unsettled messages go to the rest of its group. */
  private gone(peer: Peer): void {
    if (peer.gone) return;
    peer.gone = true;
    for (const consumer of [...peer.consumers]) this.removeConsumer(consumer);
  }

  /** Closes the AMQP connection (with an error when given), then drops the socket shortly after. */
  private hangUp(peer: Peer, error?: { condition: string; description: string }): void {
    this.gone(peer);
    if (peer.aborted) return;
    if (!peer.connection || !peer.authenticated) {
      this.abort(peer);
      return;
    }
    peer.connection.close(error); // no-op when already closing
    if (peer.timer) clearTimeout(peer.timer);
    peer.timer = setTimeout(() => {
      peer.timer = undefined;
      this.abort(peer);
    }, HANG_UP_MS);
  }

  /** Drops the socket now. */
  private abort(peer: Peer): void {
    this.gone(peer);
    if (peer.aborted) return;
    peer.aborted = true;
    if (peer.timer) clearTimeout(peer.timer);
    peer.timer = undefined;
    const connection = peer.connection as (Connection & RheaConnectionInternals) | undefined;
    if (connection?.socket === peer.socket) connection.abort_socket?.(peer.socket);
    if (!peer.socket.destroyed) peer.socket.destroy();
    if (connection) {
      clearRheaTimers(connection);
      // rhea re-arms its idle timer after the frame being read, if that frame's handler got here.
      const sweep = setImmediate(() => {
        this.sweeps.delete(sweep);
        clearRheaTimers(connection);
      });
      this.sweeps.add(sweep);
    }
  }

  /** Stops listening, drops every connection, timer and queue. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.reportTimer) clearInterval(this.reportTimer);
    this.reportTimer = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const server = this.server;
    const closedServer = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    for (const peer of [...this.peers]) this.abort(peer);
    await closedServer;
    if (this.sweeps.size > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    this.groups.clear();
  }
}
