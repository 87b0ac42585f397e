/** Poll pauses that start short (a quick transcode answers at once) and settle at `maxMs`. */
export function pollDelay(attempt: number, maxMs: number): number {
  return Math.min(maxMs, 250 * 2 ** Math.max(0, attempt));
}
