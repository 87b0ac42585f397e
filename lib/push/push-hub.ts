/**
 * One data-sync connection per account, shared by every listener (on-event nodes, push nodes): the
 * first listener opens it, the last one to leave closes it. A message is handed to every listener in
 * turn and settled once they all returned, so a message is accepted only after it was handed on;
 * a listener that throws is reported and does not stop the others.
 */
import type { LinkVisualError } from '../gateway/errors';
import type { PushConnection, PushSettle, PushState, PushStateEvent } from './connection';
import type { PushMessage } from './messages';

/** What a listener of the hub hears. */
export interface PushListener {
  /** One data-sync message (settled after every listener returned). */
  message?(message: PushMessage): void;
  /** The connection's state changed. */
  state?(event: PushStateEvent): void;
  /** A message that could not be read (accepted, counted). */
  malformed?(error: LinkVisualError): void;
}

/** How the hub is doing, for status lines. */
export interface PushHubHealth {
  readonly state: PushState | 'idle';
  readonly lastError?: LinkVisualError;
  /** When the last message arrived (0: none yet). */
  readonly lastMessageAt: number;
  readonly received: number;
  readonly malformed: number;
}

/** The account's shared data-sync consumer. */
export class PushHub {
  readonly #open: () => PushConnection;
  readonly #onListenerError: (error: unknown) => void;
  readonly #listeners = new Set<PushListener>();
  #connection: PushConnection | undefined;
  #closing: Promise<void> | undefined;
  #state: PushState | 'idle' = 'idle';
  #lastError: LinkVisualError | undefined;
  #lastMessageAt = 0;
  #received = 0;
  #malformed = 0;

  /** `open` makes the connection (it starts by itself); `onListenerError` hears a listener that threw. */
  constructor(open: () => PushConnection, onListenerError: (error: unknown) => void = () => undefined) {
    this.#open = open;
    this.#onListenerError = onListenerError;
  }

  /** Adds a listener (opening the connection for the first); returns the function that removes it. */
  subscribe(listener: PushListener): () => void {
    this.#listeners.add(listener);
    if (!this.#connection) this.#start();
    else if (this.#state !== 'idle') this.#call(listener, (l) => l.state?.({ state: this.#state as PushState, error: this.#lastError }));
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) void this.close();
    };
  }

  /** State, last error, last message and counts. */
  health(): PushHubHealth {
    return { state: this.#state, lastError: this.#lastError, lastMessageAt: this.#lastMessageAt, received: this.#received, malformed: this.#malformed };
  }

  /** True while the connection is up (messages can arrive). */
  get connected(): boolean {
    return this.#state === 'connected';
  }

  /** Closes the connection (unsettled messages go back to the broker); listeners stay registered but hear nothing more. */
  async close(): Promise<void> {
    const connection = this.#connection;
    this.#connection = undefined;
    this.#state = 'idle';
    if (!connection) return this.#closing;
    connection.removeAllListeners('message');
    this.#closing = connection.close().finally(() => {
      connection.removeAllListeners();
    });
    await this.#closing;
  }

  #start(): void {
    const connection = this.#open();
    this.#connection = connection;
    connection.on('state', (event: PushStateEvent) => {
      if (this.#connection !== connection) return;
      this.#state = event.state;
      this.#lastError = event.error ?? (event.state === 'connected' ? undefined : this.#lastError);
      for (const listener of [...this.#listeners]) this.#call(listener, (l) => l.state?.(event));
    });
    connection.on('message', (message: PushMessage, settle: PushSettle) => {
      this.#received += 1;
      this.#lastMessageAt = Date.now();
      for (const listener of [...this.#listeners]) this.#call(listener, (l) => l.message?.(message));
      settle();
    });
    connection.on('malformed', (error: LinkVisualError) => {
      this.#malformed += 1;
      for (const listener of [...this.#listeners]) this.#call(listener, (l) => l.malformed?.(error));
    });
    connection.on('error', (error: unknown) => this.#onListenerError(error));
  }

  #call(listener: PushListener, work: (listener: PushListener) => void): void {
    try {
      work(listener);
    } catch (error) {
      this.#onListenerError(error);
    }
  }
}
