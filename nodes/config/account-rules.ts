// The lists and rules an account's settings spec (settings-spec.ts) is made of, shared by the runtime and the editor
// bundle (editor/): what the account dialog refuses is what the runtime refuses. Browser-safe: no Node-RED, no
// Node built-in.
import { isRegionId } from '../../lib/client/regions';

/** How the account signs its users in. */
export type AuthMode = 'session' | 'authCode' | 'iotToken' | 'cloud';
export const AUTH_MODES: readonly AuthMode[] = ['session', 'authCode', 'iotToken', 'cloud'];

/** The properties of a `link-visual-config` node that shape its client. */
export const ACCOUNT_PROPERTY_NAMES = ['region', 'endpoint', 'authMode', 'rateLimit', 'timeout'] as const;

export const DEFAULT_REGION = 'cn-shanghai';
/** The region value that means "use the endpoint URL". */
export const CUSTOM_REGION = 'custom';
export const DEFAULT_AUTH_MODE: AuthMode = 'session';
/** Requests per second when the account does not say. */
export const DEFAULT_RATE_LIMIT = 5;
export const DEFAULT_TIMEOUT_S = 10;

/** The region a setting names: its text, or the default region when empty. */
export function regionOf(value: unknown): string {
  return (typeof value === 'string' ? value.trim() : '') || DEFAULT_REGION;
}

/** True for a preset region or `custom`. */
export function isKnownRegion(region: string): boolean {
  return region === CUSTOM_REGION || isRegionId(region);
}

/** True for an endpoint URL the client can call: http:// or https:// and a host. */
export function isEndpointUrl(text: string): boolean {
  return /^https?:\/\/[^\s/]+/.test(text);
}
