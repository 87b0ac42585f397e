/**
 * What a caller may name besides a catalog operation: an API path outside the catalog, and an API version.
 * Browser-safe (the editor checks the same syntax the client and the nodes accept).
 */

const OPERATION_PATH = /^\/[A-Za-z0-9_\-/.]+$/;
/** An API version as the cloud writes them: digits.digits.digits, e.g. `2.1.5`. */
const API_VERSION = /^\d{1,6}\.\d{1,6}\.\d{1,6}$/;

/** True for a path the client may call outside the catalog: `/` then letters, digits, `_ - . /`, and no `..`. */
export function isOperationPath(path: string): boolean {
  return OPERATION_PATH.test(path) && !path.includes('..');
}

/** True for an API version like `2.1.5` (digits.digits.digits). */
export function isApiVersion(value: unknown): value is string {
  return typeof value === 'string' && API_VERSION.test(value);
}
