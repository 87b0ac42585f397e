/**
 * The cloud's business codes (the `code` of an HTTP 200 answer, docs/protocol.md §6): one table read by
 * the client's error mapping (./errors) and by the emulator, which answers with these codes and messages.
 * `kind` says what a caller does about the code.
 */

/**
 * What a code asks of the caller: `auth` renew the token once and repeat; `sessionDead` a new session
 * (auth code) is needed; `param` the parameters were refused (or, when the message names the token, an
 * auth refusal); `throttled` back off; `device` the camera is offline or waking, retry later;
 * `transient` server trouble, retry; `refused` a final answer about the request (unknown id, rule broken).
 */
export type ApiCodeKind = 'success' | 'auth' | 'sessionDead' | 'param' | 'throttled' | 'device' | 'transient' | 'refused';

/** One business code: its number, the cloud's message for it (where known) and what a caller does about it. */
export interface ApiCode {
  readonly code: number;
  readonly message?: string;
  readonly kind: ApiCodeKind;
}

/** Every business code the client maps or the emulator answers, by name. */
export const API_CODES = {
  SUCCESS: { code: 200, message: 'success', kind: 'success' },
  REQUEST_ERROR: { code: 400, message: 'request error.', kind: 'refused' },
  AUTH_ERROR: { code: 401, message: 'request auth error.', kind: 'auth' },
  FORBIDDEN: { code: 403, message: 'request forbidden.', kind: 'refused' },
  SERVICE_NOT_FOUND: { code: 404, message: 'service not found.', kind: 'refused' },
  TOO_MANY_REQUESTS: { code: 429, message: 'too many requests.', kind: 'throttled' },
  // 460 is the parameter error, also sent for token trouble; the message tells them apart (tokenRefusalMessage).
  PARAM_ERROR: { code: 460, message: 'request parameter error.', kind: 'param' },
  IOT_TOKEN_BLANK: { code: 460, message: 'iotToken blank.', kind: 'param' },
  IOT_TOKEN_INVALID: { code: 460, message: 'iotToken invalid.', kind: 'param' },
  IOT_TOKEN_EXPIRED: { code: 460, message: 'iotToken expired.', kind: 'param' },
  CLOUD_TOKEN_INVALID: { code: 460, message: 'cloudToken invalid.', kind: 'param' },
  CLOUD_TOKEN_EXPIRED: { code: 460, message: 'cloudToken expired.', kind: 'param' },
  SERVICE_ERROR: { code: 500, message: 'service error.', kind: 'transient' },
  SERVICE_UNAVAILABLE: { code: 503, message: 'service not available.', kind: 'transient' },
  REFRESH_TOKEN_INVALID: { code: 2401, message: 'refreshToken invalid.', kind: 'sessionDead' },
  AUTH_IDENTITY_EXCEPTION: { code: 2407, message: 'auth identity exception.', kind: 'sessionDead' },
  SESSION_INVALID: { code: 2459, message: 'session invalid.', kind: 'sessionDead' },
  AUTH_CODE_INVALID: { code: 2462, message: 'authCode invalid.', kind: 'sessionDead' },
  IDENTITY_ID_NOT_FOUND: { code: 2062, message: 'identityId does not exist.', kind: 'auth' },
  DEVICE_NOT_BOUND: { code: 2065, message: 'identityId and iotId not bound.', kind: 'refused' },
  IDENTITY_NOT_FOUND: { code: 29003, message: 'identityId does not exist.', kind: 'auth' },
  // Treated as auth refusals by a working client; their meaning and message are not documented.
  AUTH_REFUSED_26101: { code: 26101, kind: 'auth' },
  AUTH_REFUSED_26251: { code: 26251, kind: 'auth' },
  DEVICE_OFFLINE: { code: 6205, message: 'device offline.', kind: 'device' },
  // Seen from the field without a documented message: 6221 a device offline, 9201 a camera still waking.
  DEVICE_OFFLINE_6221: { code: 6221, kind: 'device' },
  DEVICE_WAKING: { code: 9201, message: 'device not connected.', kind: 'device' },
  BACKEND_NOT_FOUND: { code: 20003, message: 'Find Backend Error', kind: 'transient' },
  BACKEND_ERROR: { code: 20004, message: 'Backend Service Error', kind: 'transient' },
  BACKEND_TIMEOUT: { code: 20056, message: 'Hsf Invoke Timeout', kind: 'device' },
  RECORD_PLAN_NOT_FOUND: { code: 20501, message: 'record plan not found.', kind: 'refused' },
  EVENT_PLAN_NOT_FOUND: { code: 20502, message: 'event record plan not found.', kind: 'refused' },
  PLAN_IN_USE: { code: 20503, message: 'plan is bound to devices.', kind: 'refused' },
  CLOUD_STORAGE_DISABLED: { code: 20504, message: 'cloud storage not enabled for device.', kind: 'refused' },
  RECORD_FILE_NOT_FOUND: { code: 20505, message: 'record file not found.', kind: 'refused' },
  EVENT_NOT_FOUND: { code: 20506, message: 'event not found.', kind: 'refused' },
  EVENT_PLAN_REQUIRED: { code: 20507, message: 'event record plan not bound.', kind: 'refused' },
  PRESENTED_STORAGE_CONSUMED: { code: 20508, message: 'presented cloud storage already consumed.', kind: 'refused' },
  PRESENTED_STORAGE_NONE: { code: 20509, message: 'no presented cloud storage.', kind: 'refused' },
} as const satisfies Readonly<Record<string, ApiCode>>;

/** A name of API_CODES. */
export type ApiCodeName = keyof typeof API_CODES;

/** The numbers of every code of one kind. */
export function apiCodesOf(kind: ApiCodeKind): ReadonlySet<number> {
  return new Set(Object.values(API_CODES as Readonly<Record<string, ApiCode>>).filter((entry) => entry.kind === kind).map((entry) => entry.code));
}

/** The message the cloud sends with a code (the first entry of that code that has one), if known. */
export function apiCodeMessage(code: number): string | undefined {
  return Object.values(API_CODES as Readonly<Record<string, ApiCode>>).find((entry) => entry.code === code && entry.message !== undefined)?.message;
}
