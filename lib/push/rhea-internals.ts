/**
 * The few rhea connection internals the push client and the emulator's endpoint rely on to drop a
 * connection at once and leave no timer behind (rhea 3; its typings leave them out).
 */

/** Internal fields and methods of a rhea Connection. */
export interface RheaConnectionInternals {
  socket?: { destroyed?: boolean; on(event: string, listener: () => void): unknown };
  /** rhea's own abort path: ends and destroys the socket, then runs its disconnect handling (clears heartbeats). */
  abort_socket?: (socket: unknown) => void;
  /** Server side: takes over an accepted socket. */
  accept?: (socket: unknown) => unknown;
  heartbeat_in?: NodeJS.Timeout;
  heartbeat_out?: NodeJS.Timeout;
  abort_idle?: NodeJS.Timeout;
}

/**
 * Clears rhea's heartbeat timers of a dead connection. rhea re-arms its idle timer after every frame
 * it reads, even when a handler of that frame dropped the connection: call this again once the frame
 * is done (setImmediate).
 */
export function clearRheaTimers(connection: RheaConnectionInternals): void {
  for (const key of ['heartbeat_in', 'heartbeat_out', 'abort_idle'] as const) {
    const timer = connection[key];
    if (timer) clearTimeout(timer);
    connection[key] = undefined;
  }
}
