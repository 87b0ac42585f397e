import { API_CODES, type ApiCodeName } from '../gateway/api-codes';

// When the emulator answers each code (the code and its message come from the cloud's table, API_CODES).
const WHEN_ANSWERED = {
  SUCCESS: 'The call succeeded.',
  REQUEST_ERROR: 'The body is not JSON or not a request envelope.',
  AUTH_ERROR: 'An iotToken or cloudToken that is unknown (never issued, issued before a reset, replaced by a newer /cloud/token, or of a session a newer login ended under the one-login rule) or expired; the message then names which (`iotToken expired.`). With tokenErrorCode 460 the IOT_TOKEN_* / CLOUD_TOKEN_* answers are sent instead.',
  FORBIDDEN: '/cloud/token for a project that is not this emulator\'s.',
  SERVICE_NOT_FOUND: 'A catalog path without an emulator handler.',
  PARAM_ERROR: 'params refused: catalog limits or a cross-field rule; the problems follow in message.',
  IOT_TOKEN_BLANK: 'The request carries neither iotToken nor cloudToken (as the real cloud answers during refresh races).',
  IOT_TOKEN_INVALID: 'tokenErrorCode 460: an iotToken never issued, issued before a reset, or of a session a newer login ended (one-login rule).',
  IOT_TOKEN_EXPIRED: 'tokenErrorCode 460: an iotToken past its lifetime (or expired by the control API).',
  CLOUD_TOKEN_INVALID: 'tokenErrorCode 460: a cloudToken never issued, or replaced by a newer /cloud/token.',
  CLOUD_TOKEN_EXPIRED: 'tokenErrorCode 460: a cloudToken past its lifetime (or expired by the control API).',
  SERVICE_ERROR: 'The emulator failed while handling the call (a bug: please report).',
  REFRESH_TOKEN_INVALID: 'checkOrRefreshSession with a wrong, rotated-away or expired refreshToken, or one of a session a newer login ended (one-login rule).',
  AUTH_IDENTITY_EXCEPTION: 'createSessionByAuthCode for an appKey other than the signing one.',
  AUTH_CODE_INVALID: 'createSessionByAuthCode with a wrong authCode.',
  DEVICE_NOT_BOUND: 'The iotId is not a device of this account (unknown device).',
  IDENTITY_NOT_FOUND: 'checkOrRefreshSession for another identity, or a token whose identity is gone.',
  DEVICE_OFFLINE: 'picture/trigger or record/trigger on an offline device.',
  RECORD_PLAN_NOT_FOUND: 'No recording plan with this planId.',
  EVENT_PLAN_NOT_FOUND: 'No event-triggered plan with this planId.',
  PLAN_IN_USE: 'Delete refused: unbind the plan from every device first.',
  CLOUD_STORAGE_DISABLED: 'Bind or record/trigger on a device without cloud storage.',
  RECORD_FILE_NOT_FOUND: 'No recording with this fileName on the device.',
  EVENT_NOT_FOUND: 'No (visible) event with this eventId on the device.',
  EVENT_PLAN_REQUIRED: 'record/trigger or vod/getbyeventid needs an event-triggered plan bound to the device.',
  PRESENTED_STORAGE_CONSUMED: 'The complimentary grant can be consumed once.',
  PRESENTED_STORAGE_NONE: 'The device has no complimentary grant.',
} as const satisfies Partial<Record<ApiCodeName, string>>;

/** A name of a business code the emulator answers with. */
export type EmulatorCodeName = keyof typeof WHEN_ANSWERED;

/** One business code the emulator answers with: the cloud's code and message, and when the emulator sends it. */
export interface EmulatorCode {
  readonly code: number;
  readonly message: string;
  readonly meaning: string;
}

/** Every business code the emulator answers with, in one table (HTTP 200, body `code`). */
export const EMULATOR_CODES: { readonly [name in EmulatorCodeName]: EmulatorCode } = Object.fromEntries(
  (Object.keys(WHEN_ANSWERED) as EmulatorCodeName[]).map((name) => [name, { code: API_CODES[name].code, message: API_CODES[name].message, meaning: WHEN_ANSWERED[name] }]),
) as { readonly [name in EmulatorCodeName]: EmulatorCode };

/** A business failure: answered with HTTP 200 and the code's body. */
export class BusinessError extends Error {
  readonly code: number;
  readonly codeName: EmulatorCodeName;

  constructor(name: EmulatorCodeName, detail?: string) {
    const entry = EMULATOR_CODES[name];
    super(detail ? `${entry.message} ${detail}` : entry.message);
    this.name = 'BusinessError';
    this.code = entry.code;
    this.codeName = name;
  }
}
