import { LinkVisualError } from '../../lib/gateway/errors';

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
