import { LinkVisualError } from '../gateway/errors';

/** The error for a caller-cancelled wait or request: the signal's reason when it is a LinkVisualError, else ABORTED. */
export function abortError(signal: AbortSignal): LinkVisualError {
  const reason = signal.reason as unknown;
  if (reason instanceof LinkVisualError) return reason;
  return new LinkVisualError('ABORTED', 'the request was cancelled', { retryable: false });
}

/** Waits `ms`; rejects with `abortError(signal)` when the signal aborts first (or already has). */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
