/** The status line of an on-event node. */
import type { Liveness } from '../../lib/events/liveness';
import { sessionStatusText } from '../shared/node-error';
import type { NodeStatus } from '../shared/red';

export interface StatusInput {
  readonly liveness: Liveness;
  readonly delivered: number;
  readonly suppressed: number;
  readonly cooldown: boolean;
  /** Devices watched (undefined: the account's list is not read yet). */
  readonly devices: number | undefined;
  /** The account backs off after throttling: reason and seconds left. */
  readonly backoff?: { readonly reason: string; readonly seconds: number };
  /** Seconds between polls of a device when the budget stretched them (undefined: as configured). */
  readonly stretchedSeconds?: number;
  /** With the account's push on: pushes trigger polls (`push`), or the connection is down and the node polls (`degraded`). */
  readonly push?: { readonly mode: 'push' | 'degraded'; readonly lastPushAt: number; readonly reason?: string };
}

/** `HH:MM:SS` in the Node-RED host's time zone. */
export function clockTime(ms: number): string {
  const date = new Date(ms);
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** Red when overdue, yellow while backing off or failing or stretched, green once polls succeed, grey before. */
export function onEventStatus(input: StatusInput): NodeStatus {
  const { liveness } = input;
  const counts = `${input.delivered} event${input.delivered === 1 ? '' : 's'}${input.cooldown ? `, ${input.suppressed} suppressed` : ''}`;
  const last = liveness.lastOkAt > 0 ? clockTime(liveness.lastOkAt) : 'none';
  // A session the cloud ended polls no more until new credentials: say that first, not overdue or a code.
  const ended = sessionStatusText(liveness.lastError?.reason);
  if (ended) return { fill: 'red', shape: 'ring', text: ended };
  if (liveness.overdue.length > 0 || liveness.listOverdue) {
    const what = liveness.listOverdue ? 'device list' : `${liveness.overdue.length} device${liveness.overdue.length === 1 ? '' : 's'}`;
    return { fill: 'red', shape: 'ring', text: `overdue (${what}) · last poll ${last}` };
  }
  if (input.backoff && input.backoff.seconds > 0) return { fill: 'yellow', shape: 'ring', text: `${input.backoff.reason} backing off ${input.backoff.seconds} s` };
  if (liveness.failing.length > 0 && liveness.lastError) {
    const code = liveness.lastError.apiCode ? `${liveness.lastError.code} ${liveness.lastError.apiCode}` : liveness.lastError.code;
    return { fill: 'yellow', shape: 'ring', text: `${code} · ${counts} · ${last}` };
  }
  if (input.devices === 0) return { fill: 'grey', shape: 'ring', text: 'no devices' };
  const push = input.push;
  if (push?.mode === 'degraded') {
    // Push is on but its connection is down: the node polls at its interval until it is back.
    return { fill: 'yellow', shape: 'dot', text: `push ${push.reason ?? 'down'}, polling · ${counts} · ${last}` };
  }
  if (push?.mode === 'push') {
    const pushed = push.lastPushAt > 0 ? clockTime(push.lastPushAt) : 'none yet';
    return { fill: 'green', shape: 'dot', text: `push · ${counts} · last push ${pushed} · sweep ${liveness.lastOkAt > 0 ? last : 'pending'}` };
  }
  if (liveness.lastOkAt === 0) return { fill: 'grey', shape: 'dot', text: input.devices === undefined ? 'reading devices' : 'waiting for first poll' };
  if (input.stretchedSeconds !== undefined) return { fill: 'yellow', shape: 'dot', text: `${counts} · ${last} · every ${input.stretchedSeconds} s` };
  return { fill: 'green', shape: 'dot', text: `${counts} · ${last}` };
}
