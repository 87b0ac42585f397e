/**
 * The emulator's AMQP 1.0 data-sync endpoint (docs/protocol.md §10), on rhea.
 *
 * - SASL PLAIN only (no anonymous), checked with the app-key scheme (lib/push/credentials.ts):
 *   an unknown AppKey or a wrong signature is refused (SASL outcome `auth`, then the socket closes).
 *   Passwords in base64 (the scheme's) unless `amqpPasswordEncoding` says `hex` or `either`.
 * - Consumer groups (consumer-group.ts): the username's `groupId`. A group (a subscription) exists
 *   from its first login (until a reset while it has no client); every group gets every message, its
 *   clients share them round-robin, and what a client leaves unsettled goes to the next one.
 * - One source only: `default` (any other address is refused with `amqp:not-found`).
 * - Messages (data-sync-messages.ts): an event's thing event is sent once the event is visible to
 *   event/query (visibleAfterMs, and its simulated time reached), plus `delayMs`; with `early`, at once
 *   (before the cloud has indexed it). A device's property report and status are sent when it is added
 *   or changed through the control API; property reports also every `amqpPropertyReportMs` for every
 *   online device when that option is set. A message published while no group exists goes nowhere
 *   (nobody subscribed yet).
 * - Faults (push-settings.ts, `POST /_emulator/push`): drop, duplicate, delay, early, refuse, disconnect, bodyForm.
 */
import { randomUUID } from 'node:crypto';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { create_container, type Connection, type ConnectionOptions, type EventContext, type Sender, type Session } from 'rhea';
import { verifyPushCredentials, type PushPasswordEncoding } from '../push/credentials';
import { clearRheaTimers, type RheaConnectionInternals } from '../push/rhea-internals';
import type { SimulatedClock } from './clock';
import { detachConsumer, enqueue, newConsumerGroup, nextConsumer, pruneExpired, requeue, type Consumer, type ConsumerGroup, type QueuedMessage } from './consumer-group';
import { alarmEventMessage, amqpMessageOf, propertyMessage, statusMessage } from './data-sync-messages';
import { applyPushBody, DEFAULT_PUSH_SETTINGS, type PushSettings } from './push-settings';
import type { Stats } from './stats';
import type { CameraEvent, Device } from './world';

export type { PushBodyForm, PushSettings } from './push-settings';
export { MAX_QUEUE } from './consumer-group';
export type PasswordEncodingOption = 'base64' | 'hex' | 'either';

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

// One accepted connection: its login, its consumers, and the deadline it is under.
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

/** Real ms an accepted socket has to authenticate and open. */
const OPEN_DEADLINE_MS = 15_000;
/** Real ms a refused or closed connection gets to hang up before the socket is dropped. */
const HANG_UP_MS = 1000;
const FORCED = { condition: 'amqp:connection:forced', description: 'the emulator closed every connection (disconnect fault)' };

/** The AMQP endpoint: listener, groups, queues, faults. Inert (no timer, no socket) until `listen`. */
export class PushBroker {
  private server: Server | undefined;
  private readonly peers = new Set<Peer>();
  private readonly groups = new Map<string, ConsumerGroup>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sweeps = new Set<NodeJS.Immediate>();
  private reportTimer: NodeJS.Timeout | undefined;
  private settings: PushSettings = { ...DEFAULT_PUSH_SETTINGS };
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
    const { settings, disconnect } = applyPushBody(this.settings, body);
    this.settings = settings;
    if (disconnect) return { ...this.current(), disconnected: this.disconnectAll() };
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
    this.settings = { ...DEFAULT_PUSH_SETTINGS };
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
    const { topic, body } = alarmEventMessage(event, device);
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
    const { topic, body } = statusMessage(device, this.options.clock.now());
    this.publish(topic, body);
  }

  private publishProperties(device: Device): void {
    const { topic, body } = propertyMessage(device, this.options.clock.now());
    this.publish(topic, body);
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
        if (enqueue(group, { id, topic, json, createdReal, enqueuedAt, deliveries: 0 }) > 0) stats.pushCount('expired');
      }
      this.drain(group);
    }
  }

  /** Sends queued messages round-robin to the group's clients that have credit. */
  private drain(group: ConsumerGroup): void {
    const expired = pruneExpired(group, this.options.clock.now());
    if (expired > 0) this.options.stats.pushCount('expired', expired);
    while (group.queue.length > 0) {
      const consumer = nextConsumer(group);
      if (!consumer) return;
      this.deliver(consumer, group.queue.shift() as QueuedMessage);
    }
  }

  private deliver(consumer: Consumer, entry: QueuedMessage): void {
    const { stats } = this.options;
    const delivery = consumer.sender.send(amqpMessageOf(entry, this.settings.bodyForm));
    if (entry.deliveries > 0) stats.pushCount('redelivered');
    entry.deliveries += 1;
    stats.pushCount('sent');
    consumer.inflight.set(delivery, entry);
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
      requeue(consumer, [context.delivery]);
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
    if (!this.groups.has(verdict.consumerGroup)) this.groups.set(verdict.consumerGroup, newConsumerGroup(verdict.consumerGroup));
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
    if (!detachConsumer(consumer)) return;
    requeue(consumer, [...consumer.inflight.keys()]);
    this.drain(consumer.group);
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
