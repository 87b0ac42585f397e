/** Inserts `item` into `list` kept sorted by `key` (stable: after equal keys). */
export function insertSorted<T>(list: T[], item: T, key: (value: T) => number): void {
  const value = key(item);
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (key(list[middle]) <= value) low = middle + 1;
    else high = middle;
  }
  list.splice(low, 0, item);
}
