/** What the event scheduler (poller.ts) and its consumers exchange: subscribers and the reports of polls. */
import type { LinkVisualError } from '../gateway/errors';
import type { EventPage } from './event-pages';

/** The outcome of one poll of one device. */
export interface PollReport {
  readonly iotId: string;
  readonly ok: boolean;
  /** When the poll ended. */
  readonly at: number;
  /** The end of the queried window (ok polls). */
  readonly scannedTo?: number;
  /** Events the poll returned (before de-duplication). */
  readonly events: number;
  readonly pages: number;
  /** True when the window was not finished (too many pages): the device is polled again soon. */
  readonly behind?: boolean;
  readonly error?: LinkVisualError;
}

/** One consumer of the scheduler (an on-event node's feed). */
export interface EventSubscriber {
  readonly id: string;
  /** The iotIds it watches; undefined: every device of the account (refreshed periodically). */
  readonly devices: readonly string[] | undefined;
  /** 0 all, 1 motion, 2 sound, 3 human. */
  readonly eventType: number;
  readonly intervalMs: number;
  /** The earliest event time it still needs for a device; asked before every poll of the device. */
  windowStart(iotId: string): number;
  /** One page of a poll of one of its devices: its events (of its type, by time) and how far the scan is complete. */
  deliver(iotId: string, page: EventPage): void;
  /** Every poll of one of its devices, ok or not. */
  pollDone?(report: PollReport): void;
  /** The account's device list changed or could not be read (subscribers of every device only). */
  devicesChanged?(devices: readonly string[] | undefined, error?: LinkVisualError): void;
}
