type Undici = typeof import('undici');
let undiciModule: Undici | undefined;

/**
 * undici, loaded on first use: it is most of this package's load time, so a flow that never calls the
 * API (Node-RED loads every node at start) does not pay for it.
 */
export function undici(): Undici {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  undiciModule ??= require('undici') as Undici;
  return undiciModule;
}

/** A header value as one string (repeated headers joined with ", "). */
export function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
