// Picture and VOD URLs carry no documented lifetime; when a URL does not say, assume a short one.
/** Assumed life of a picture URL (snapshot, alert image) that does not state its expiry. */
export const PICTURE_URL_FALLBACK_MS = 5 * 60_000;
/** Assumed life of a VOD (recording) URL that does not state its expiry. */
export const VOD_URL_FALLBACK_MS = 5 * 60_000;

/**
 * When a signed media URL stops working, read from its query string: `Expires`/`expires` (epoch
 * seconds or ms), `x-oss-expires`, or a CDN `auth_key=<timestamp>-…`. Undefined when the URL says nothing.
 */
export function urlExpiresAt(url: string): number | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const params = parsed.searchParams;
  for (const name of ['expires', 'Expires', 'x-oss-expires', 'X-Oss-Expires']) {
    const value = params.get(name);
    if (value && /^\d+$/.test(value)) return toMs(Number(value));
  }
  const authKey = params.get('auth_key');
  const timestamp = authKey?.split('-')[0];
  if (timestamp && /^\d+$/.test(timestamp)) return toMs(Number(timestamp));
  return undefined;
}

function toMs(value: number): number {
  return value < 1e12 ? value * 1000 : value;
}

/** The expiry to report with a URL: what the URL says, else now + `fallbackMs` (a conservative guess). */
export function expiresAtFor(url: string, fallbackMs: number, now: number = Date.now()): number {
  return urlExpiresAt(url) ?? now + fallbackMs;
}
