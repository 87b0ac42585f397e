import { API_CODES, apiCodesOf } from './api-codes';

/** Stable error codes a caller can branch on. */
export type LinkVisualErrorCode =
  | 'INVALID_PARAMS'
  | 'INVALID_RESPONSE'
  | 'UNKNOWN_OPERATION'
  | 'AUTH_FAILED'
  | 'THROTTLED'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'NETWORK'
  | 'GATEWAY'
  | 'DEVICE'
  | 'API_ERROR'
  | 'CONFIG'
  | 'CLOSED'
  | 'URL_EXPIRED'
  | 'TOO_LARGE'
  | 'NOT_READY'
  | 'MEDIA';

/**
 * Why an AUTH_FAILED cannot be cured by asking again, for callers that show it (node status): the
 * cloud refused the refresh token of a session it ended (`sessionEnded`, most likely a login
 * elsewhere) or of one whose refresh token ran out (`refreshTokenExpired`). Both need a new auth code.
 */
export type LinkVisualErrorReason = 'sessionEnded' | 'refreshTokenExpired';

export interface LinkVisualErrorDetails {
  readonly apiCode?: number;
  readonly httpStatus?: number;
  readonly requestId?: string;
  readonly path?: string;
  readonly retryable?: boolean;
  /** Milliseconds the server asked us to wait (Retry-After), when it did. */
  readonly retryAfterMs?: number;
  /** For INVALID_PARAMS: every problem by parameter path. */
  readonly problems?: readonly { path: string; message: string }[];
  /** For AUTH_FAILED that needs a new auth code: why. */
  readonly reason?: LinkVisualErrorReason;
  readonly cause?: unknown;
}

/** Every failure of the client, the emulator helpers and the nodes: one class with a stable `code`. */
export class LinkVisualError extends Error {
  readonly code: LinkVisualErrorCode;
  readonly apiCode?: number;
  readonly httpStatus?: number;
  readonly requestId?: string;
  readonly path?: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly problems?: readonly { path: string; message: string }[];
  readonly reason?: LinkVisualErrorReason;

  constructor(code: LinkVisualErrorCode, message: string, details: LinkVisualErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'LinkVisualError';
    this.code = code;
    this.apiCode = details.apiCode;
    this.httpStatus = details.httpStatus;
    this.requestId = details.requestId;
    this.path = details.path;
    this.retryable = details.retryable ?? false;
    this.retryAfterMs = details.retryAfterMs;
    this.problems = details.problems;
    this.reason = details.reason;
  }

  /** A plain object for `msg.error` and logs: code, message and the details, never secrets. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      apiCode: this.apiCode,
      httpStatus: this.httpStatus,
      requestId: this.requestId,
      path: this.path,
      retryable: this.retryable,
      ...(this.problems ? { problems: this.problems } : {}),
      ...(this.reason ? { reason: this.reason } : {}),
    };
  }
}

/**
 * Body codes that mean the token is missing, expired or invalid: renew once and repeat (docs/protocol.md
 * §6.3: the official SDK renews on 401). 460 is not here: it is a parameter error unless its
 * message names the token (`tokenRefusalMessage`).
 */
export const AUTH_API_CODES: ReadonlySet<number> = apiCodesOf('auth');
/** Body codes that mean the refresh credential itself is gone: a new session is needed. */
export const SESSION_DEAD_API_CODES: ReadonlySet<number> = apiCodesOf('sessionDead');
/** The request-parameter error, also sent for `iotToken blank` during refresh races (docs/protocol.md §6.3). */
export const PARAM_ERROR_API_CODE = API_CODES.PARAM_ERROR.code;

// "iotToken blank", "iotToken expired.", "cloudToken invalid.", "token invalid", "invalid iotToken".
const TOKEN_REFUSAL = /\b(?:iot|cloud)?token\b[\s:.]*(?:is\s+)?(?:blank|expired?|invalid|empty|null|missing)\b|\b(?:blank|expired|invalid|empty|missing)\s+(?:iot|cloud)?token\b/i;

/** True when an answer's message names the token as the problem (a 460 that is really an auth refusal). */
export function tokenRefusalMessage(message: string): boolean {
  return TOKEN_REFUSAL.test(message);
}

/** Body codes for throttling. */
export const THROTTLE_API_CODES: ReadonlySet<number> = apiCodesOf('throttled');
/** Body codes for transient server trouble: safe to retry an idempotent call. */
export const TRANSIENT_API_CODES: ReadonlySet<number> = apiCodesOf('transient');
/** Body codes for a device that is offline or waking (or a backend that timed out waiting for it): retry later. */
export const DEVICE_API_CODES: ReadonlySet<number> = apiCodesOf('device');

/** Classifies a business (HTTP 200) answer with code ≠ 200. */
export function errorFromApiCode(
  apiCode: number,
  message: string,
  details: { path?: string; requestId?: string } = {},
): LinkVisualError {
  const text = `${details.path ?? 'request'}: ${message || 'error'} (code ${apiCode})`;
  if (AUTH_API_CODES.has(apiCode) || SESSION_DEAD_API_CODES.has(apiCode)) {
    return new LinkVisualError('AUTH_FAILED', text, { ...details, apiCode, retryable: false });
  }
  if (apiCode === PARAM_ERROR_API_CODE) {
    const code = tokenRefusalMessage(message) ? 'AUTH_FAILED' : 'INVALID_PARAMS';
    return new LinkVisualError(code, text, { ...details, apiCode, retryable: false });
  }
  if (THROTTLE_API_CODES.has(apiCode)) {
    return new LinkVisualError('THROTTLED', text, { ...details, apiCode, retryable: true });
  }
  if (DEVICE_API_CODES.has(apiCode)) {
    return new LinkVisualError('DEVICE', text, { ...details, apiCode, retryable: true });
  }
  return new LinkVisualError('API_ERROR', text, { ...details, apiCode, retryable: TRANSIENT_API_CODES.has(apiCode) });
}

/** Classifies a non-2xx gateway answer from its status and `X-Ca-Error-Message`. */
export function errorFromHttp(
  httpStatus: number,
  gatewayMessage: string | undefined,
  details: { path?: string; requestId?: string; retryAfterMs?: number } = {},
): LinkVisualError {
  const reason = gatewayMessage ?? `HTTP ${httpStatus}`;
  const text = `${details.path ?? 'request'}: ${reason} (HTTP ${httpStatus})`;
  const throttled = httpStatus === 429 || (httpStatus === 403 && /throttl|request limited|flow control/i.test(reason));
  if (throttled) return new LinkVisualError('THROTTLED', text, { ...details, httpStatus, retryable: true });
  if (httpStatus === 401) return new LinkVisualError('AUTH_FAILED', text, { ...details, httpStatus, retryable: false });
  const retryable = httpStatus >= 500 || httpStatus === 408;
  return new LinkVisualError('GATEWAY', text, { ...details, httpStatus, retryable });
}

// A certificate the client refuses stays refused: asking again cannot help.
const CERTIFICATE_FAILURE = /CERT|SIGNATURE|CRL|INVALID_CA|INVALID_PURPOSE|PATH_LENGTH_EXCEEDED|HOSTNAME_MISMATCH/;

/** A transport failure (connection refused or reset, DNS, TLS) as NETWORK; retryable unless the certificate was refused. */
export function networkError(where: string, error: unknown, details: Omit<LinkVisualErrorDetails, 'retryable' | 'cause'> = {}): LinkVisualError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = error instanceof Error ? `${code ?? error.name}: ${error.message}` : String(error);
  const refusedCertificate = typeof code === 'string' && CERTIFICATE_FAILURE.test(code);
  return new LinkVisualError('NETWORK', `${where}: ${reason}`, { ...details, retryable: !refusedCertificate, cause: error });
}
