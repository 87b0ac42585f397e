// The settings of a link-visual-config node (an account) as data (nodes/shared/setting-spec.ts): account-settings.ts
// and push-settings.ts read them, the editor bundle checks them, scripts/generate-settings.js writes the dialog (its
// `defaults`, `credentials` and rows) and generate-help.js the help's table. Browser-safe.
import { isRegionId } from '../../lib/client/regions';
import { parsePushUrl } from '../../lib/push/push-url';
import { credentialTypes, type NodeSettingsSpec, type SettingReader } from '../shared/setting-spec';
import { AUTH_MODES, DEFAULT_AUTH_MODE, DEFAULT_RATE_LIMIT, DEFAULT_REGION, DEFAULT_TIMEOUT_S, isEndpointUrl, isKnownRegion, regionOf } from './account-rules';

/** A consumer group or client id of the push connection. */
export const PUSH_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

/** The data-sync host of a preset region (docs/protocol.md §10). */
export function regionPushUrl(region: string): string | undefined {
  return isRegionId(region) ? `amqps://ilop.iot-amqp.${region}.aliyuncs.com:5671` : undefined;
}

function pushEndpointProblem(text: string, read: SettingReader): string | undefined {
  if (text === '') return regionPushUrl(regionOf(read('region'))) ? undefined : 'is needed (amqps://host:5671) with a custom region';
  try {
    parsePushUrl(text);
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^push endpoint /, '');
  }
}

function idProblem(text: string): string | undefined {
  return text === '' || PUSH_ID.test(text) ? undefined : 'must be 1 to 64 letters, digits or _ . : -';
}

const PUSH = { setting: 'push', is: ['true'] } as const;
const auth = (mode: string) => ({ setting: 'authMode', is: [mode] });

/** The account's settings and credentials, in form order. */
export const configSettingsSpec: NodeSettingsSpec = {
  type: 'link-visual-config',
  settings: [
    {
      property: 'region',
      type: 'text',
      default: DEFAULT_REGION,
      rules: [{ key: 'region', check: (text) => (isKnownRegion(text) ? undefined : `"${text.slice(0, 40)}" is not a known region`) }],
      icon: 'fa-map-marker',
      input: { kind: 'select', dynamic: true },
    },
    {
      property: 'endpoint',
      type: 'text',
      default: '',
      required: true,
      when: { setting: 'region', is: ['custom'] },
      rules: [{ key: 'endpoint', check: (text) => (isEndpointUrl(text) ? undefined : 'must be an http:// or https:// URL') }],
      icon: 'fa-link',
      input: { kind: 'text', placeholder: true },
    },
    { property: 'appKey', type: 'text', default: '', required: true, credential: true, icon: 'fa-id-card-o', input: { kind: 'text' } },
    { property: 'appSecret', type: 'text', default: '', required: true, credential: true, icon: 'fa-lock', input: { kind: 'password' } },
    { property: 'authMode', type: 'text', default: DEFAULT_AUTH_MODE, options: AUTH_MODES, icon: 'fa-user-secret', input: { kind: 'select', dynamic: true } },
    { property: 'identityId', type: 'text', default: '', required: true, credential: true, when: auth('session'), icon: 'fa-user', input: { kind: 'text' } },
    { property: 'refreshToken', type: 'text', default: '', required: true, credential: true, when: auth('session'), icon: 'fa-refresh', input: { kind: 'password' } },
    { property: 'authCode', type: 'text', default: '', required: true, credential: true, when: auth('authCode'), icon: 'fa-ticket', input: { kind: 'password' } },
    { property: 'iotToken', type: 'text', default: '', required: true, credential: true, when: auth('iotToken'), icon: 'fa-certificate', input: { kind: 'password' } },
    { property: 'projectId', type: 'text', default: '', required: true, credential: true, when: auth('cloud'), icon: 'fa-folder-o', input: { kind: 'text' } },
    { property: 'rateLimit', type: 'number', default: DEFAULT_RATE_LIMIT, above: 0, icon: 'fa-random', input: { kind: 'number', unit: 'perSecond' } },
    { property: 'timeout', type: 'number', default: DEFAULT_TIMEOUT_S, above: 0, icon: 'fa-clock-o', input: { kind: 'number', unit: 'seconds' } },
    // Push (data sync over AMQP): off unless turned on; empty fields take the region's host, the AppKey, this instance.
    { property: 'push', type: 'boolean', default: false, icon: 'fa-rss', input: { kind: 'checkbox', tip: 'push' } },
    { property: 'pushEndpoint', type: 'text', default: '', when: PUSH, rules: [{ key: 'pushEndpoint', check: pushEndpointProblem }], icon: 'fa-link', input: { kind: 'text', placeholder: true } },
    { property: 'consumerGroup', type: 'text', default: '', when: PUSH, rules: [{ key: 'pushId', check: idProblem }], icon: 'fa-users', input: { kind: 'text', placeholder: true } },
    { property: 'clientId', type: 'text', default: '', when: PUSH, rules: [{ key: 'pushId', check: idProblem }], icon: 'fa-id-badge', input: { kind: 'text', placeholder: true } },
  ],
};

/** The credentials of a `link-visual-config` node (Node-RED's credential store), in form order. */
export const CREDENTIAL_NAMES: readonly string[] = Object.keys(credentialTypes(configSettingsSpec));
