/** The poll schedule's queue: the next due poll without a scan of every camera. */
import assert from 'node:assert/strict';
import { DueQueue } from '../../lib/events/due-queue';

interface Item {
  id: number;
  nextDueAt: number;
  running?: boolean;
  gone?: boolean;
}

describe('DueQueue (poll schedule)', () => {
  it('hands items out in due order, only once due', () => {
    const queue = new DueQueue<Item>(() => true);
    const items = Array.from({ length: 1000 }, (_, id) => ({ id, nextDueAt: (id * 7919) % 1000 }));
    for (const item of items) queue.push(item);
    assert.equal(queue.takeDue(-1), undefined, 'nothing is due before its time');
    const order: number[] = [];
    for (let item = queue.takeDue(Infinity); item; item = queue.takeDue(Infinity)) order.push(item.nextDueAt);
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
    assert.equal(order.length, 1000);
  });

  it('drops entries left behind when an item moves, and skips items that are running or gone', () => {
    const queue = new DueQueue<Item>((item) => !item.running && !item.gone);
    const a: Item = { id: 1, nextDueAt: 100 };
    const b: Item = { id: 2, nextDueAt: 200 };
    const c: Item = { id: 3, nextDueAt: 300 };
    for (const item of [a, b, c]) queue.push(item);
    a.nextDueAt = 400; // moved later: its old entry at 100 is stale
    queue.push(a);
    b.running = true;
    assert.equal(queue.peek(), c, 'a moved away, b is running');
    c.gone = true;
    assert.equal(queue.peek(), a);
    assert.equal(queue.takeDue(399), undefined, 'a is due at 400');
    assert.equal(queue.takeDue(400), a);
    assert.equal(queue.peek(), undefined);
    assert.equal(queue.size, 0, 'every stale entry was dropped on the way');
  });

  it('finds the next of 10,000 items by looking at few of them', () => {
    let looks = 0;
    const queue = new DueQueue<Item>(() => {
      looks += 1;
      return true;
    });
    const items = Array.from({ length: 10_000 }, (_, id) => ({ id, nextDueAt: id * 60 }));
    for (const item of items) queue.push(item);
    // A poll: take the item due, move it one period on, push it again (what the poller does per poll).
    for (let poll = 0; poll < 1000; poll += 1) {
      const item = queue.takeDue(Infinity) as Item;
      item.nextDueAt += 600_000;
      queue.push(item);
    }
    assert.ok(looks < 3 * 1000, `${looks} liveness checks for 1,000 polls of 10,000 items`);
    assert.equal(queue.size, 10_000);
  });
});
