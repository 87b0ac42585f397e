// Requests to the package's admin routes (nodes/config/admin-routes.ts): the account test and the pickers.
import { isPlainObject } from '../lib/util/plain-object';
import { ACCOUNT_PROPERTY_NAMES } from '../nodes/config/account-rules';
import { CREDENTIAL_NAMES } from '../nodes/config/settings-spec';
import { hasRED, t } from './i18n';

/** An admin route's answer: `ok` and the route's fields, or an error with code and message. */
export interface AdminAnswer {
  readonly ok?: boolean;
  readonly error?: { readonly code?: string; readonly message?: string };
  readonly [field: string]: unknown;
}

function httpError(xhr: JQuery.jqXHR | undefined, status: string): { code: string; message: string } {
  const code = xhr && xhr.status ? `HTTP ${xhr.status}` : String(status || 'error').toUpperCase();
  let message: string;
  if (!xhr || !xhr.status) message = t('errors.network', null, 'Node-RED did not answer (network error or timeout)');
  else if (xhr.status === 401 || xhr.status === 403) message = t('errors.permission', null, 'not permitted: your editor user needs the link-visual permissions');
  else if (xhr.status === 404) message = t('errors.noRoute', null, 'the admin endpoint is missing: restart Node-RED after installing or updating the package');
  else message = String(xhr.responseText || xhr.statusText || '').slice(0, 300);
  return { code, message };
}

/** POSTs JSON to an admin route (relative URL, so the editor adds its auth headers); never rejects. */
export function post(url: string, body: unknown): Promise<AdminAnswer> {
  return new Promise((resolve) => {
    $.ajax({ url, method: 'POST', contentType: 'application/json', data: JSON.stringify(body), dataType: 'json', timeout: 60000 })
      .done((answer: unknown) => {
        resolve(
          isPlainObject(answer)
            ? (answer as AdminAnswer)
            : { ok: false, error: { code: 'BAD_ANSWER', message: t('errors.badAnswer', null, 'the admin endpoint answered something unexpected') } },
        );
      })
      .fail((xhr: JQuery.jqXHR, status: string) => {
        resolve({ ok: false, error: httpError(xhr, status) });
      });
  });
}

/** The credentials of a config node's editor copy, by name (strings only). */
export function credentialsOf(source: Record<string, unknown> | undefined): Record<string, string> {
  const credentials: Record<string, string> = {};
  if (!source) return credentials;
  for (const name of CREDENTIAL_NAMES) {
    const value = source[name];
    if (typeof value === 'string') credentials[name] = value;
  }
  return credentials;
}

/**
 * The body for a picker request: `{id}` for a deployed, unchanged account, else `{id, settings}` from
 * the editor's copy of the config node (its properties and any credentials edited in this session;
 * passwords left alone arrive as `__PWRD__` or not at all, and the route keeps the stored ones).
 */
export function accountRequest(id: string): Record<string, unknown> {
  const body: Record<string, unknown> = { id };
  const config = hasRED() && RED.nodes && RED.nodes.node ? RED.nodes.node(id) : null;
  if (config && (config.changed || config.credentials)) {
    const settings: Record<string, unknown> = {};
    for (const name of ACCOUNT_PROPERTY_NAMES) settings[name] = config[name];
    settings.credentials = credentialsOf(config.credentials);
    body.settings = settings;
  }
  return body;
}
