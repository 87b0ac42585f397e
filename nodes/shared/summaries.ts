/** "3 plans", "1 plan", "0 plans": status text for a list result. */
export function countOf(noun: string): (payload: unknown) => string {
  return (payload) => {
    const n = Array.isArray(payload) ? payload.length : 0;
    return `${n} ${noun}${n === 1 ? '' : 's'}`;
  };
}

/** A fixed status text, whatever the result. */
export function fixedStatus(text: string): () => string {
  return () => text;
}
