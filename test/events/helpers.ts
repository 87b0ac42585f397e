/** Emulator control helpers and a collecting sink for the on-event tests. */
import assert from 'node:assert/strict';
import type { EmulatorHandle } from '../../lib/emulator';
import { LinkVisualClient } from '../../lib';

/** POSTs JSON to the emulator's control API and returns the answer. */
export async function control(emulator: EmulatorHandle, route: string, body: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const response = await fetch(`${emulator.url}/_emulator/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = (await response.json()) as Record<string, unknown>;
  assert.equal(response.status, 200, `${route}: ${JSON.stringify(answer)}`);
  return answer;
}

/** Raises an event on a camera; resolves with its eventId. */
export async function inject(emulator: EmulatorHandle, body: { iotId: string; eventType?: number; eventTime?: number; picture?: boolean; recording?: boolean; visibleAfterMs?: number }): Promise<string> {
  const answer = await control(emulator, 'events', body);
  return String(answer.eventId);
}

/** Arms a fault. */
export async function fault(emulator: EmulatorHandle, body: Record<string, unknown>): Promise<void> {
  await control(emulator, 'faults', body);
}

/** A client of the emulator's demo account. */
export function emulatorClient(emulator: EmulatorHandle, rateLimit = 1000): LinkVisualClient {
  return new LinkVisualClient({
    endpoint: emulator.url,
    appKey: emulator.appKey,
    appSecret: emulator.appSecret,
    auth: { mode: 'session', identityId: emulator.identityId, refreshToken: emulator.refreshToken },
    rateLimit: { perSecond: rateLimit, burst: rateLimit, maxConcurrent: 32 },
    timeoutMs: 3000,
  });
}

/** Waits until `check` is true (polling every 50 ms) or fails after `ms`. */
export async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Counts deliveries per eventId. */
export class Tally {
  readonly counts = new Map<string, number>();
  order: { iotId: string; eventTime: number; eventId: string }[] = [];

  add(iotId: string, eventId: string, eventTime: number): void {
    this.counts.set(eventId, (this.counts.get(eventId) ?? 0) + 1);
    this.order.push({ iotId, eventId, eventTime });
  }

  get duplicates(): number {
    let extra = 0;
    for (const count of this.counts.values()) extra += count - 1;
    return extra;
  }

  missing(expected: Iterable<string>): string[] {
    return [...expected].filter((id) => !this.counts.has(id));
  }
}
