/**
 * The account's device list for the event scheduler's subscribers of "every device" (poller.ts): read
 * while any such subscriber exists, read again periodically (devices get bound and unbound), and after
 * a failure asked for again soon, then less often.
 */
import type { LinkVisualClient } from '../client/client';
import { LinkVisualError } from '../gateway/errors';
import { listAccountDevices } from './account-devices';
import { asError } from './poll-guards';

export interface DeviceListRefreshOptions {
  /** The account's client (created on first use). */
  readonly client: () => Promise<LinkVisualClient>;
  /** How often the list is read again. Default 10 min. */
  readonly refreshMs?: number;
  /** True while some subscriber watches every device (the list is kept only then). */
  readonly wanted: () => boolean;
  /** After every read, ok or not (not after a cancelled one): the list, or why it could not be read. */
  readonly changed: (devices: readonly string[] | undefined, error: LinkVisualError | undefined) => void;
}

// A device list that could not be read is asked for again soon, then less often (1 s, 2 s, 4 s … 60 s).
const DEVICE_RETRY_FIRST_MS = 1000;
const DEVICE_RETRY_MAX_MS = 60_000;

/** Keeps the account's device list read while it is wanted. */
export class DeviceListRefresh {
  readonly #options: DeviceListRefreshOptions;
  #devices: string[] | undefined;
  #error: LinkVisualError | undefined;
  #timer: NodeJS.Timeout | undefined;
  #controller: AbortController | undefined;
  #reading: Promise<void> | undefined;
  #failures = 0;
  #closed = false;

  constructor(options: DeviceListRefreshOptions) {
    this.#options = options;
  }

  /** The list as last read, if read. */
  get devices(): string[] | undefined {
    return this.#devices;
  }

  /** Why the last read failed (undefined after a successful one). */
  get error(): LinkVisualError | undefined {
    return this.#error;
  }

  /** Starts reading unless a read is in flight or scheduled. */
  ensure(): void {
    if (this.#reading || this.#timer || this.#closed) return;
    this.#read();
  }

  /** No subscriber watches every device any more: stops reading and forgets the list. */
  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#controller?.abort(new LinkVisualError('ABORTED', 'no subscriber watches every device'));
    this.#devices = undefined;
    this.#error = undefined;
    this.#failures = 0;
  }

  /** Stops for good: the timer is cleared and a read in flight aborted with `reason`; returns that read, to wait for. */
  close(reason: LinkVisualError): Promise<void> | undefined {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#controller?.abort(reason);
    return this.#reading;
  }

  #read(): void {
    const controller = new AbortController();
    this.#controller = controller;
    this.#reading = (async () => {
      let delay = this.#options.refreshMs ?? 10 * 60_000;
      try {
        const client = await this.#options.client();
        const devices = await listAccountDevices(client, controller.signal);
        if (controller.signal.aborted) return;
        this.#devices = devices;
        this.#error = undefined;
        this.#failures = 0;
      } catch (error) {
        if (controller.signal.aborted || this.#closed) return;
        this.#error = asError(error);
        this.#failures += 1;
        delay = Math.min(delay, DEVICE_RETRY_MAX_MS, DEVICE_RETRY_FIRST_MS * 2 ** (this.#failures - 1));
      }
      this.#options.changed(this.#devices, this.#error);
      if (!this.#closed && this.#options.wanted()) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.#read();
        }, delay);
      }
    })()
      .catch(() => undefined)
      .finally(() => {
        this.#reading = undefined;
        if (this.#controller === controller) this.#controller = undefined;
        // Cancelled because its last subscriber left, while a new one arrived meanwhile: read it again.
        if (controller.signal.aborted && !this.#closed && !this.#timer && this.#options.wanted()) {
          this.#read();
        }
      });
  }
}
