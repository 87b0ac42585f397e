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
}

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
  };
}

/** The live counters. */
export class Stats {
  private counters = empty();

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

  /** A copy of the counters. */
  snapshot(): StatsSnapshot {
    return structuredClone(this.counters);
  }

  /** Zeroes every counter. */
  reset(): void {
    this.counters = empty();
  }
}
