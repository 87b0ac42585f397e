/** Runs jobs in the order they came, at most `concurrency` at once; `clear` drops those still waiting. */
export class JobQueue {
  #running = 0;
  readonly #waiting: { start: () => void; reject: (reason: unknown) => void }[] = [];

  constructor(private readonly concurrency: number) {}

  /** Jobs running now. */
  get running(): number {
    return this.#running;
  }

  /** Jobs waiting for a slot. */
  get queued(): number {
    return this.#waiting.length;
  }

  /** Runs `task` once a slot is free; settles as it does. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    // A finishing job hands its slot straight to the next waiter, so a newcomer can never slip in between.
    if (this.#running >= this.concurrency) await new Promise<void>((start, reject) => this.#waiting.push({ start, reject }));
    else this.#running += 1;
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next) next.start();
      else this.#running -= 1;
    }
  }

  /** Rejects every waiting job with `reason` (running ones are cancelled by their own signals). */
  clear(reason: unknown): void {
    for (const waiter of this.#waiting.splice(0)) waiter.reject(reason);
  }
}
