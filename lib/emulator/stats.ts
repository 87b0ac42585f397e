/** Counters the control API reports at `GET /_emulator/stats`. */

export type RejectedKind = 'signature' | 'timestamp' | 'nonce' | 'auth' | 'params';

export interface StatsSnapshot {
  /** Every request to a gateway API path (known or not), refused ones included. */
  requests: number;
  byPath: Record<string, number>;
  rejected: Record<RejectedKind, number>;
  /** Successful checkOrRefreshSession and /cloud/token/refresh calls. */
  tokenRefreshes: number;
  /** Successful createSessionByAuthCode calls. */
  sessionsCreated: number;
  /** Successful /cloud/token calls. */
  cloudTokensIssued: number;
  /** Requests answered by an injected fault. */
  faultsApplied: number;
  /** The AMQP data-sync endpoint (amqp.ts). */
  push: PushStats;
}

/** Counts of the AMQP endpoint since start or reset; `open` is the connections open now. */
export interface PushStats {
  /** Connections that passed SASL. */
  connections: number;
  /** Connections open now (not cleared by reset). */
  open: number;
  /** Transfers sent (redeliveries and duplicates included). */
  sent: number;
  /** Deliveries a client settled (accepted or rejected). */
  settled: number;
  /** Messages never sent (the `drop` fault). */
  dropped: number;
  /** Messages sent twice (the `duplicate` fault). */
  duplicated: number;
  /** Transfers of a message sent before (released, or unsettled when its client went away). */
  redelivered: number;
  /** SASL attempts refused (bad credentials or the `refuse` fault). */
  refused: number;
  /** Queued messages dropped after a day of simulated time or past the queue bound. */
  expired: number;
}

export type PushCounter = Exclude<keyof PushStats, 'open'>;

const MAX_PATHS = 200;
const OTHER_PATHS = '(other)';

function empty(): StatsSnapshot {
  return {
    requests: 0,
    byPath: {},
    rejected: { signature: 0, timestamp: 0, nonce: 0, auth: 0, params: 0 },
    tokenRefreshes: 0,
    sessionsCreated: 0,
    cloudTokensIssued: 0,
    faultsApplied: 0,
    push: { connections: 0, open: 0, sent: 0, settled: 0, dropped: 0, duplicated: 0, redelivered: 0, refused: 0, expired: 0 },
  };
}

/** The live counters. */
export class Stats {
  private counters = empty();
  /** How many AMQP connections are open now (set by the AMQP endpoint). */
  openPushConnections: () => number = () => 0;

  /** Counts one gateway request by path (paths past the 200th share one bucket). */
  request(path: string): void {
    this.counters.requests += 1;
    const byPath = this.counters.byPath;
    const key = path in byPath || Object.keys(byPath).length < MAX_PATHS ? path : OTHER_PATHS;
    byPath[key] = (byPath[key] ?? 0) + 1;
  }

  /** Counts one refusal. */
  rejected(kind: RejectedKind): void {
    this.counters.rejected[kind] += 1;
  }

  /** Counts one event of the named counter. */
  count(name: 'tokenRefreshes' | 'sessionsCreated' | 'cloudTokensIssued' | 'faultsApplied'): void {
    this.counters[name] += 1;
  }

  /** Counts AMQP endpoint events. */
  pushCount(name: PushCounter, by = 1): void {
    this.counters.push[name] += by;
  }

  /** A copy of the counters. */
  snapshot(): StatsSnapshot {
    const copy = structuredClone(this.counters);
    copy.push.open = this.openPushConnections();
    return copy;
  }

  /** Zeroes every counter. */
  reset(): void {
    this.counters = empty();
  }
}
