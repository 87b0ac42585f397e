// The abortable delay lives in lib/util; media's pollers (and the event fetchers) read it from here with pollDelay.
export { pause } from '../util/abort';

/** Poll pauses that start short (a quick transcode answers at once) and settle at `maxMs`. */
export function pollDelay(attempt: number, maxMs: number): number {
  return Math.min(maxMs, 250 * 2 ** Math.max(0, attempt));
}
