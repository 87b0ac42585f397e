/**
 * Consumer groups of the emulator's data-sync endpoint (amqp.ts): a group is a subscription (the
 * username's `groupId`). Every group gets every message; the clients of one group share them
 * round-robin (among those with link credit). A delivery released, or unsettled when its link or
 * connection goes, is queued again at the front and sent to the next client of the group. A group keeps
 * undelivered messages for one day of simulated time, at most MAX_QUEUE of them (the oldest go first).
 */
import type { Delivery, Sender } from 'rhea';
import type { OutgoingMessage } from './data-sync-messages';

/** Undelivered messages a group keeps at most. */
export const MAX_QUEUE = 10_000;
const DAY_MS = 86_400_000;

/** A message waiting in (or sent from) a group's queue. */
export interface QueuedMessage extends OutgoingMessage {
  /** Simulated time it was queued (it expires a day later). */
  readonly enqueuedAt: number;
  deliveries: number;
}

/** The connection a consumer belongs to, as far as its group needs to know it. */
export interface ConsumerPeer {
  /** True once the connection is closing or closed: it gets no more messages. */
  readonly gone: boolean;
  readonly consumers: Set<Consumer>;
}

/** One client's sending link on `default`: what it has been sent and not settled yet. */
export interface Consumer {
  readonly peer: ConsumerPeer;
  readonly sender: Sender;
  readonly group: ConsumerGroup;
  readonly inflight: Map<Delivery, QueuedMessage>;
}

/** One subscription: its queue and its clients, served in turn from `next`. */
export interface ConsumerGroup {
  readonly id: string;
  readonly queue: QueuedMessage[];
  readonly consumers: Consumer[];
  next: number;
}

/** A new group with no client and nothing queued. */
export function newConsumerGroup(id: string): ConsumerGroup {
  return { id, queue: [], consumers: [], next: 0 };
}

/** Queues a message at the back; returns how many old ones made room for it by expiring (0 or 1). */
export function enqueue(group: ConsumerGroup, entry: QueuedMessage): number {
  let expired = 0;
  if (group.queue.length >= MAX_QUEUE) {
    group.queue.shift();
    expired = 1;
  }
  group.queue.push(entry);
  return expired;
}

/** Drops the messages queued more than a day before simulated time `now`; returns how many. */
export function pruneExpired(group: ConsumerGroup, now: number): number {
  const oldest = now - DAY_MS;
  let expired = 0;
  while (group.queue.length > 0 && group.queue[0].enqueuedAt < oldest) {
    group.queue.shift();
    expired += 1;
  }
  return expired;
}

/** The group's next client in turn that can take a message now (open link with credit), if any. */
export function nextConsumer(group: ConsumerGroup): Consumer | undefined {
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

/** Puts unsettled deliveries back at the front of their group's queue, oldest first. */
export function requeue(consumer: Consumer, deliveries: readonly Delivery[]): void {
  const entries: QueuedMessage[] = [];
  for (const delivery of deliveries) {
    const entry = consumer.inflight.get(delivery);
    if (!entry) continue;
    consumer.inflight.delete(delivery);
    entries.push(entry);
  }
  if (entries.length > 0) consumer.group.queue.unshift(...entries);
}

/** Takes a client out of its peer and its group's turn; false if it was already out. Its deliveries stay in flight. */
export function detachConsumer(consumer: Consumer): boolean {
  if (!consumer.peer.consumers.delete(consumer)) return false;
  const { group } = consumer;
  const index = group.consumers.indexOf(consumer);
  if (index >= 0) group.consumers.splice(index, 1);
  if (group.next > index && index >= 0) group.next -= 1;
  if (group.consumers.length > 0) group.next %= group.consumers.length;
  else group.next = 0;
  return true;
}
