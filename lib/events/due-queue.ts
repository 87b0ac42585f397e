/**
 * The poll schedule's queue: a binary min-heap of items by due time, so that finding the next poll
 * costs O(log n) whatever the number of cameras, not a scan of every camera per tick. Removal is
 * lazy: an item is pushed again each time its due time changes, and an entry whose time no longer
 * matches its item (or that the owner says is not live) is dropped when it reaches the top.
 */

/** Something with a due time on the schedule's clock. */
export interface Due {
  readonly nextDueAt: number;
}

interface Entry<T> {
  readonly at: number;
  readonly item: T;
}

export class DueQueue<T extends Due> {
  #heap: Entry<T>[] = [];

  /** @param isLive whether an item may still be handed out (e.g. still scheduled and not running). */
  constructor(private readonly isLive: (item: T) => boolean) {}

  /** Entries held, stale ones included (for tests and bounds). */
  get size(): number {
    return this.#heap.length;
  }

  /** Adds the item at its current due time (call again whenever that time changes). */
  push(item: T): void {
    const heap = this.#heap;
    heap.push({ at: item.nextDueAt, item });
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (heap[parent].at <= heap[index].at) break;
      [heap[parent], heap[index]] = [heap[index], heap[parent]];
      index = parent;
    }
  }

  /** The live item due first, without removing it; stale entries on the way are dropped. */
  peek(): T | undefined {
    for (;;) {
      const top = this.#heap[0];
      if (!top) return undefined;
      if (top.at === top.item.nextDueAt && this.isLive(top.item)) return top.item;
      this.#removeTop();
    }
  }

  /** Removes and returns the live item due first, if it is due by `until`. */
  takeDue(until: number): T | undefined {
    const item = this.peek();
    if (!item || item.nextDueAt > until) return undefined;
    this.#removeTop();
    return item;
  }

  /** Starts over from these items (after due times changed in bulk). */
  reset(items: Iterable<T>): void {
    this.#heap = [];
    for (const item of items) this.push(item);
  }

  #removeTop(): void {
    const heap = this.#heap;
    const last = heap.pop() as Entry<T>;
    if (heap.length === 0) return;
    heap[0] = last;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && heap[left].at < heap[smallest].at) smallest = left;
      if (right < heap.length && heap[right].at < heap[smallest].at) smallest = right;
      if (smallest === index) return;
      [heap[smallest], heap[index]] = [heap[index], heap[smallest]];
      index = smallest;
    }
  }
}
