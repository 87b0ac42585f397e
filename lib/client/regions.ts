/** Documented gateway hosts (docs/protocol.md §1); any other host goes in `endpoint`. */
export const regions = {
  'cn-shanghai': 'https://api.link.aliyun.com',
  'ap-southeast-1': 'https://ap-southeast-1.api-iot.aliyuncs.com',
  'us-east-1': 'https://us-east-1.api-iot.aliyuncs.com',
  'eu-central-1': 'https://eu-central-1.api-iot.aliyuncs.com',
} as const;

export type RegionId = keyof typeof regions;

/** True when `value` names a preset region. */
export function isRegionId(value: unknown): value is RegionId {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(regions, value);
}
