import type { AuthOptions, LinkVisualClientOptions, RegionId } from '../../lib';
import { LinkVisualError } from '../../lib/gateway/errors';
import { isRegionId } from '../../lib/client/regions';
import { sessionFingerprint } from '../../lib/client/session-file';
import { readSettings } from '../shared/setting-spec';
import { ACCOUNT_PROPERTY_NAMES, CUSTOM_REGION, type AuthMode } from './account-rules';
import { configSettingsSpec } from './settings-spec';

/** Editor properties of a `link-visual-config` node. */
export interface AccountProperties {
  name?: string;
  region?: string;
  endpoint?: string;
  authMode?: string;
  rateLimit?: number | string;
  timeout?: number | string;
}

/** Credentials of a `link-visual-config` node (Node-RED credential store, never flows.json). */
export interface AccountCredentials {
  appKey?: string;
  appSecret?: string;
  identityId?: string;
  refreshToken?: string;
  authCode?: string;
  iotToken?: string;
  projectId?: string;
}

export { AUTH_MODES, type AuthMode } from './account-rules';

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

/**
 * Turns editor properties and credentials into client options, or throws one CONFIG error listing
 * every missing or malformed setting (never echoing a secret).
 */
export function clientOptionsFrom(
  properties: AccountProperties,
  credentials: AccountCredentials,
): { options: Omit<LinkVisualClientOptions, 'onSession'>; fingerprint: string; mode: AuthMode } {
  // The account's own settings as their spec reads them (the Push section is read by push-settings.ts).
  const read = readSettings(configSettingsSpec, properties as Record<string, unknown>);
  const problems = read.problems.filter((p) => (ACCOUNT_PROPERTY_NAMES as readonly string[]).includes(p.property)).map((p) => `${p.property} ${p.text}`);
  const region = String(read.values.region);
  let endpoint: string | undefined;
  let regionId: RegionId | undefined;
  if (region === CUSTOM_REGION) endpoint = String(read.values.endpoint);
  else if (isRegionId(region)) regionId = region;
  const appKey = text(credentials.appKey);
  const appSecret = text(credentials.appSecret);
  if (!appKey) problems.push('AppKey is required');
  if (!appSecret) problems.push('AppSecret is required');

  const mode = read.values.authMode as AuthMode;
  let auth: AuthOptions = { mode: 'none' };
  const identityId = text(credentials.identityId);
  const refreshToken = text(credentials.refreshToken);
  const authCode = text(credentials.authCode);
  const iotToken = text(credentials.iotToken);
  const projectId = text(credentials.projectId);
  switch (mode) {
    case 'session':
      if (!identityId) problems.push('identityId is required for session auth');
      if (!refreshToken) problems.push('refreshToken is required for session auth');
      auth = { mode: 'session', identityId, refreshToken };
      break;
    case 'authCode':
      if (!authCode) problems.push('an auth code is required for auth-code auth');
      auth = { mode: 'authCode', authCode };
      break;
    case 'iotToken':
      if (!iotToken) problems.push('an iotToken is required for token auth');
      auth = { mode: 'iotToken', iotToken };
      break;
    case 'cloud':
      if (!projectId) problems.push('a projectId is required for cloud auth');
      auth = { mode: 'cloud', projectId };
      break;
    default:
      problems.push(`unknown auth mode "${String(mode).slice(0, 40)}"`);
  }
  const rateLimit = read.values.rateLimit as number;
  const timeoutSeconds = read.values.timeout as number;
  if (problems.length > 0) throw new LinkVisualError('CONFIG', `account settings: ${problems.join('; ')}`);

  const fingerprint = sessionFingerprint([endpoint ?? regionId, appKey, mode, identityId, refreshToken, authCode, projectId]);
  return {
    options: {
      endpoint,
      region: regionId,
      appKey,
      appSecret,
      auth,
      rateLimit,
      timeoutMs: Math.round(timeoutSeconds * 1000),
    },
    fingerprint,
    mode,
  };
}
