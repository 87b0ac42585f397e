/** Helpers for the push tests: an emulator with its AMQP endpoint, clients, waits. */
import type { EventEmitter } from 'node:events';
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from '../../lib/emulator';
import { PushConnection, type PushConnectionOptions, type PushMessage, type PushSettle, type PushStateEvent } from '../../lib/push';

export type Json = Record<string, unknown>;

export function startPushEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  return startEmulator({ host: '127.0.0.1', port: 0, amqpPort: 0, ...options });
}

/** A control API call; throws on a non-2xx answer. */
export async function control<T = Json>(emulator: EmulatorHandle, method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> {
  const answer = await fetch(`${emulator.url}/_emulator/${route}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const parsed = (await answer.json()) as T;
  if (!answer.ok) throw new Error(`${method} ${route}: ${answer.status} ${JSON.stringify(parsed)}`);
  return parsed;
}

/** POST /_emulator/events; the event's id and time. */
export function raise(emulator: EmulatorHandle, body: Json = {}): Promise<{ eventId: string; eventTime: number }> {
  return control(emulator, 'POST', 'events', { iotId: 'demo-camera-1', recording: false, ...body });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A PushConnection that records its states and messages; `autoSettle` settles each at once. */
export class Recorder {
  readonly states: PushStateEvent[] = [];
  readonly messages: { message: PushMessage; settle: PushSettle; at: number }[] = [];
  readonly connection: PushConnection;

  constructor(emulator: EmulatorHandle, options: Partial<PushConnectionOptions> = {}, autoSettle = true) {
    this.connection = new PushConnection({
      url: emulator.amqpUrl as string,
      appKey: emulator.appKey,
      appSecret: emulator.appSecret,
      clientId: 'test-client',
      reconnect: { initialMs: 50, maxMs: 200 },
      ...options,
    });
    this.connection.on('state', (event) => this.states.push(event));
    this.connection.on('message', (message, settle) => {
      this.messages.push({ message, settle, at: Date.now() });
      if (autoSettle) settle();
    });
  }

  /** Resolves once `check` holds (polled), or rejects after `timeoutMs`. */
  async until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; states ${this.states.map((s) => s.state).join(' ')}`);
      await sleep(5);
    }
  }

  connected(): Promise<void> {
    return this.until(() => this.connection.state === 'connected', 'connected');
  }

  events(): PushMessage[] {
    return this.messages.map((entry) => entry.message).filter((message) => message.kind === 'event');
  }
}

/** Waits for one emission of `event` matching `check`. */
export function once<T>(emitter: EventEmitter, event: string, check: (value: T) => boolean = () => true, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`timed out waiting for ${event}`));
    }, timeoutMs);
    const listener = (value: T): void => {
      if (!check(value)) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(value);
    };
    emitter.on(event, listener);
  });
}

/** Handles Node keeps open (sockets, servers), for leak checks. */
export function activeHandles(): number {
  return (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;
}

/** Every resource keeping the event loop alive (handles, timers, immediates), by type. */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}
