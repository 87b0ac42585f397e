/** The Push section of a `link-visual-config` node: data sync over AMQP, read and checked. */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { LinkVisualError } from '../../lib/gateway/errors';
import { parsePushUrl } from '../../lib/push/connection';
import { isRegionId } from '../../lib/client/regions';

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

/** The data-sync host of a preset region (docs/protocol.md §10). */
export function regionPushUrl(region: string): string | undefined {
  return isRegionId(region) ? `amqps://ilop.iot-amqp.${region}.aliyuncs.com:5671` : undefined;
}

/** A client id that stays the same for this Node-RED instance (its host and user directory) across restarts. */
export function instanceClientId(stateDir: string | undefined): string {
  return `node-red-${createHash('sha256').update(`${hostname()}|${stateDir ?? ''}`).digest('hex').slice(0, 16)}`;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

const ID = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Undefined when push is off; the settings when on; throws CONFIG naming every bad setting. */
export function pushSettingsFrom(properties: PushProperties & { region?: string }, appKey: string, stateDir: string | undefined): PushSettings | undefined {
  if (properties.push !== true && properties.push !== 'true') return undefined;
  const problems: string[] = [];
  const endpoint = text(properties.pushEndpoint);
  let url = endpoint || regionPushUrl(text(properties.region) || 'cn-shanghai');
  if (!url) problems.push('push needs an endpoint (amqps://host:5671) with a custom region');
  else {
    try {
      parsePushUrl(url);
    } catch (error) {
      problems.push((error as Error).message);
      url = undefined;
    }
  }
  const consumerGroup = text(properties.consumerGroup) || appKey;
  if (!ID.test(consumerGroup)) problems.push('the consumer group id must be 1 to 64 letters, digits or _ . : -');
  const clientId = text(properties.clientId) || instanceClientId(stateDir);
  if (!ID.test(clientId)) problems.push('the client id must be 1 to 64 letters, digits or _ . : -');
  if (problems.length > 0 || !url) throw new LinkVisualError('CONFIG', `push settings: ${problems.join('; ')}`);
  return { url, consumerGroup, clientId };
}
