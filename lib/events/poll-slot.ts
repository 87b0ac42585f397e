/**
 * The schedule entry of one device in the event scheduler (poller.ts), and what a poll that stopped at
 * the page limit leaves in it for the next poll (device-poll.ts).
 */
import type { CameraEvent } from './camera-event';
import type { EventSubscriber } from './event-subscriber';

// The schedule runs on the monotonic clock (setting the wall clock must not stall or burst polls); query
// windows and positions are the server's time (the client's `serverNow`); reports carry the wall clock.
export interface PollSlot {
  readonly iotId: string;
  readonly subscribers: Set<EventSubscriber>;
  periodMs: number;
  /** Position in the period, 0 ≤ phase < 1: spreads the devices of one period evenly. */
  phase: number;
  nextDueAt: number;
  lastStartAt: number;
  /** Wall-clock time the last successful poll ended. */
  lastOkAt: number;
  failures: number;
  /** A scan that stopped at the page limit, to go on from at the next poll (same window end, so pages stay put). */
  resume?: ScanResume;
  /** A push said an event happened at `since`: poll now, then retry briefly until a poll finds it indexed. */
  nudge?: { since: number; retry: number; at: number };
  controller?: AbortController;
}

/** Where a scan cut short by the page limit goes on, and what it found so far. */
export interface ScanResume {
  readonly beginTime: number;
  readonly pageStart: number;
  readonly endTime: number;
  readonly eventType: number;
  /** Where the scan began (the window start; pages of a fixed window say nothing about time until the last). */
  readonly from: number;
  /** Who the scan is for: only they may have the rest without the start. */
  readonly subscribers: ReadonlySet<EventSubscriber>;
  /** Events found and not handed on yet: a window is handed on whole, in time order, whatever the cloud's list order. */
  readonly held: Map<string, CameraEvent>;
  /** Every eventId the scan has seen (a repeat on a shifted page is dropped). */
  readonly seen: Set<string>;
}
