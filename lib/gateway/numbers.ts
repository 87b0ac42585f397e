/** Numbers as the cloud sends them: JSON numbers or numeric text (`"80"`, `"7200"`), docs/protocol.md §8.2. */

/** A finite number from a number or a numeric string (surrounding blanks allowed); undefined otherwise. */
export function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}
