/**
 * One download at a time per target file in this process, so two jobs that resolve to the same name
 * never share a `.part` file; the second runs after the first and then meets its overwrite policy.
 */
const held = new Map<string, Promise<void>>();

/** Runs `task` once no other task holds `key`; waits are cut short by `signal`. */
export async function withPathLock<T>(key: string, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  for (;;) {
    const current = held.get(key);
    if (!current) break;
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(signal?.reason);
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      void current.then(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }
  let release = (): void => undefined;
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  held.set(key, mine);
  try {
    return await task();
  } finally {
    held.delete(key);
    release();
  }
}
