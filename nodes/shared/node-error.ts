import { LinkVisualError, type LinkVisualErrorReason } from '../../lib/gateway/errors';

/** The structured `msg.error` every node sets before reporting a failure. */
export interface MessageError {
  message: string;
  code: string;
  apiCode?: number;
  httpStatus?: number;
  retryable: boolean;
  path?: string;
  requestId?: string;
  problems?: readonly { path: string; message: string }[];
  /** Set when the session is over and a new auth code is needed (`sessionEnded`, `refreshTokenExpired`). */
  reason?: LinkVisualErrorReason;
}

// The editor translates a status text that is a message key (namespace:key); the strings live in the
// config node's catalogs, whose namespace is this package's name and the node set's.
const SESSION_STATUS_KEYS: Readonly<Record<LinkVisualErrorReason, string>> = {
  sessionEnded: 'node-red-contrib-link-visual/link-visual-config:link-visual-config.status.signedInElsewhere',
  refreshTokenExpired: 'node-red-contrib-link-visual/link-visual-config:link-visual-config.status.sessionExpired',
};

/** The node status text for an error that needs a new auth code (a message key), else undefined. */
export function sessionStatusText(reason: LinkVisualErrorReason | undefined): string | undefined {
  return reason === undefined ? undefined : SESSION_STATUS_KEYS[reason];
}

/** Any thrown value as a LinkVisualError (unknown failures keep their message). */
export function asLinkVisualError(error: unknown): LinkVisualError {
  if (error instanceof LinkVisualError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new LinkVisualError('API_ERROR', message, { cause: error });
}

/** `msg.error` for a failure: code, message, retryable and the API details. */
export function messageError(error: LinkVisualError): MessageError {
  const result: MessageError = { message: error.message, code: error.code, retryable: error.retryable };
  if (error.apiCode !== undefined) result.apiCode = error.apiCode;
  if (error.httpStatus !== undefined) result.httpStatus = error.httpStatus;
  if (error.path !== undefined) result.path = error.path;
  if (error.requestId !== undefined) result.requestId = error.requestId;
  if (error.problems !== undefined) result.problems = error.problems;
  if (error.reason !== undefined) result.reason = error.reason;
  return result;
}

/**
 * The Error handed to `done(err)`. A Catch node rebuilds `msg.error` from the Error's own `message`,
 * `code` and `cause` only, so the structured details travel in `cause` (and the original `msg.error`
 * arrives as `msg._error`).
 */
export function nodeError(error: LinkVisualError): Error & { code: string } {
  const result = new Error(error.message, { cause: messageError(error) }) as Error & { code: string };
  result.name = 'LinkVisualError';
  result.code = error.code;
  // Node-RED builds the Catch node's msg.error.message from toString(): keep it the plain message.
  result.toString = () => result.message;
  return result;
}
