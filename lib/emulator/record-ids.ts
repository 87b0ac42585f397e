import { randomBytes } from 'node:crypto';

/** A fresh random ID with a readable prefix. */
export function newId(prefix: string): string {
  return `${prefix}${randomBytes(10).toString('hex')}`;
}

/** An event id in the cloud's form: 32 hex digits, `_`, the event time in ms (docs/protocol.md §8.5). */
export function newEventId(time: number): string {
  return `${randomBytes(16).toString('hex')}_${Math.max(0, Math.floor(time))}`;
}

/** A picture id in the cloud's form: base64, with its `+`, `/` and `=` (docs/protocol.md §8.5). */
export function newPictureId(): string {
  return randomBytes(20).toString('base64');
}

/** The key of a device's stream in `recordedUntil` (and of a device's file by name). */
export function streamKey(iotId: string, streamType: number | string): string {
  return `${iotId}|${streamType}`;
}
