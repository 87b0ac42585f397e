/** Slots for jobs, given in the order asked, at most `concurrency` at once; `clear` drops those still waiting. */
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

  /** Waits for a slot, in the order asked; resolves with the function that gives it back (call it once). */
  async acquire(): Promise<() => void> {
    // A finishing job hands its slot straight to the next waiter, so a newcomer can never slip in between.
    if (this.#running >= this.concurrency) await new Promise<void>((start, reject) => this.#waiting.push({ start, reject }));
    else this.#running += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next.start();
      else this.#running -= 1;
    };
  }

  /** Rejects every waiting job with `reason` (running ones are cancelled by their own signals). */
  clear(reason: unknown): void {
    for (const waiter of this.#waiting.splice(0)) waiter.reject(reason);
  }
}
