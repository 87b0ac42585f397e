/**
 * The faults of the emulator's data-sync endpoint (amqp.ts), read by `GET /_emulator/push` and changed
 * by `POST /_emulator/push`: `drop` (fraction never sent), `duplicate` (fraction sent twice),
 * `delayMs`, `early`, `refuse` (the next N logins refused), `disconnect` (every connection closed
 * now with `amqp:connection:forced`), `bodyForm`.
 */
import { InputError } from './http';

export type PushBodyForm = 'data' | 'string';

/** The push faults in force (`GET /_emulator/push`). */
export interface PushSettings {
  drop: number;
  duplicate: number;
  delayMs: number;
  early: boolean;
  /** Logins still to refuse. */
  refuse: number;
  bodyForm: PushBodyForm;
}

/** No fault: every message sent once, when its event is visible, as a data section. */
export const DEFAULT_PUSH_SETTINGS: Readonly<PushSettings> = { drop: 0, duplicate: 0, delayMs: 0, early: false, refuse: 0, bodyForm: 'data' };

const PUSH_FIELDS = ['drop', 'duplicate', 'delayMs', 'early', 'disconnect', 'refuse', 'bodyForm'];

function fraction(body: Record<string, unknown>, key: string): number | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) throw new InputError(`${key} must be a number from 0 to 1`);
  return value;
}

function integer(body: Record<string, unknown>, key: string, max: number): number | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) throw new InputError(`${key} must be an integer from 0 to ${max}`);
  return value;
}

/**
 * The settings a `POST /_emulator/push` body makes of `current` (fields left out keep their value), and
 * whether it asks to close every connection now. Throws InputError, changing nothing, on any bad field.
 */
export function applyPushBody(current: Readonly<PushSettings>, body: Record<string, unknown>): { settings: PushSettings; disconnect: boolean } {
  const unknown = Object.keys(body).filter((key) => !PUSH_FIELDS.includes(key));
  if (unknown.length > 0) throw new InputError(`unknown field(s): ${unknown.join(', ')}; allowed: ${PUSH_FIELDS.join(', ')}`);
  const next = { ...current };
  next.drop = fraction(body, 'drop') ?? next.drop;
  next.duplicate = fraction(body, 'duplicate') ?? next.duplicate;
  next.delayMs = integer(body, 'delayMs', 86_400_000) ?? next.delayMs;
  next.refuse = integer(body, 'refuse', 1_000_000) ?? next.refuse;
  if (body.early !== undefined) {
    if (typeof body.early !== 'boolean') throw new InputError('early must be true or false');
    next.early = body.early;
  }
  if (body.bodyForm !== undefined) {
    if (body.bodyForm !== 'data' && body.bodyForm !== 'string') throw new InputError('bodyForm must be data or string');
    next.bodyForm = body.bodyForm;
  }
  if (body.disconnect !== undefined && typeof body.disconnect !== 'boolean') throw new InputError('disconnect must be true or false');
  return { settings: next, disconnect: body.disconnect === true };
}
