import { findOperation } from './operations';

/** API versions to send instead of the catalog's, by operation name (an operation's path works too). */
export type ApiVersions = Readonly<Record<string, string>>;

function own(versions: ApiVersions, key: string): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(versions, key)) return undefined;
  const version = versions[key];
  return typeof version === 'string' && version !== '' ? version : undefined;
}

/**
 * The version `versions` gives an operation (looked up by the name or path as called, then by its catalog name
 * and path), or undefined: the call then goes at the catalog's version.
 */
export function apiVersionOf(versions: ApiVersions | undefined, operation: string): string | undefined {
  if (!versions) return undefined;
  const found = findOperation(operation);
  return own(versions, operation) ?? (found ? (own(versions, found.name) ?? own(versions, found.path)) : undefined);
}
