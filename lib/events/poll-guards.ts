/**
 * Guards of the event scheduler: whatever a poll, a device-list read or a subscriber throws becomes a
 * LinkVisualError or is contained, so one failure never stops the schedule of the whole account.
 */
import { LinkVisualError } from '../gateway/errors';

/** The failure as a LinkVisualError (anything else is wrapped as API_ERROR, keeping it as the cause). */
export function asError(error: unknown): LinkVisualError {
  if (error instanceof LinkVisualError) return error;
  return new LinkVisualError('API_ERROR', error instanceof Error ? error.message : String(error), { cause: error });
}

/** Calls a subscriber; what it throws is dropped. */
export function safely(work: () => void): void {
  try {
    work();
  } catch {
    // A subscriber's failure must not stop the scheduler; subscribers report their own errors.
  }
}
