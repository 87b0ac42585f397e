/** The Push section of a `link-visual-config` node: data sync over AMQP, read and checked. */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { LinkVisualError } from '../../lib/gateway/errors';
import { readSettings } from '../shared/setting-spec';
import { PUSH_ID, configSettingsSpec, regionPushUrl } from './settings-spec';

export { regionPushUrl } from './settings-spec';

const PUSH_PROPERTIES = ['pushEndpoint', 'consumerGroup', 'clientId'];

/** Editor properties of the Push section. */
export interface PushProperties {
  push?: boolean | string;
  pushEndpoint?: string;
  consumerGroup?: string;
  clientId?: string;
}

/** What the account's push connection needs (the AppKey/AppSecret come from the credentials). */
export interface PushSettings {
  readonly url: string;
  readonly consumerGroup: string;
  readonly clientId: string;
}

/** A client id that stays the same for this Node-RED instance (its host and user directory) across restarts. */
export function instanceClientId(stateDir: string | undefined): string {
  return `node-red-${createHash('sha256').update(`${hostname()}|${stateDir ?? ''}`).digest('hex').slice(0, 16)}`;
}

/** Undefined when push is off; the settings when on; throws CONFIG naming every bad setting (checked by their spec). */
export function pushSettingsFrom(properties: PushProperties & { region?: string }, appKey: string, stateDir: string | undefined): PushSettings | undefined {
  const read = readSettings(configSettingsSpec, properties as Record<string, unknown>);
  if (read.values.push !== true) return undefined;
  const problems = read.problems.filter((p) => PUSH_PROPERTIES.includes(p.property)).map((p) => `${p.property} ${p.text}`);
  if (problems.length > 0) throw new LinkVisualError('CONFIG', `push settings: ${problems.join('; ')}`);
  const url = String(read.values.pushEndpoint) || regionPushUrl(String(read.values.region));
  if (!url) throw new LinkVisualError('CONFIG', 'push settings: pushEndpoint is needed with a custom region');
  const consumerGroup = String(read.values.consumerGroup) || appKey;
  // The AppKey stands in for an empty consumer group: it must be a valid id as well.
  if (!PUSH_ID.test(consumerGroup)) throw new LinkVisualError('CONFIG', 'push settings: the consumer group id (the AppKey) must be 1 to 64 letters, digits or _ . : -');
  return { url, consumerGroup, clientId: String(read.values.clientId) || instanceClientId(stateDir) };
}
