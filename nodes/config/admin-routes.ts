import { LinkVisualClient } from '../../lib/client/client';
import { LinkVisualError } from '../../lib/gateway/errors';
import { operations } from '../../lib/catalog/operations';
import { SessionFile } from '../../lib/client/session-file';
import { isPlainObject } from '../../lib/util/plain-object';
import { numberOf } from '../../lib/gateway/numbers';
import type { AdminRequest, AdminResponse, NodeAPI } from '../shared/red';
import { sessionFilePath, type Account } from './account';
import { clientOptionsFrom, type AccountCredentials, type AccountProperties } from './account-settings';

import { ACCOUNT_PROPERTY_NAMES as PROPERTY_NAMES } from './account-rules';
import { CREDENTIAL_NAMES } from './settings-spec';

// The editor shows stored passwords as this sentinel: it means "keep the stored value".
const KEEP_STORED = '__PWRD__';
const MAX_LISTED = 2000;

interface ConfigNodeLike {
  account?: Account;
  credentials?: AccountCredentials;
}

type Lease = { client: LinkVisualClient; release: () => Promise<void> };

function errorBody(error: unknown): { code: string; message: string } {
  if (error instanceof LinkVisualError) return { code: error.code, message: error.message };
  return { code: 'ERROR', message: error instanceof Error ? error.message : String(error) };
}

/**
 * A client for an editor request: the deployed account's when the dialog holds the deployed settings,
 * else a short-lived one built from the dialog (stored secrets filled in for `__PWRD__`), whose rotated
 * session is saved where the deployed node will find it.
 */
async function leaseClient(RED: NodeAPI, body: Record<string, unknown>): Promise<Lease> {
  const id = typeof body.id === 'string' ? body.id : '';
  const deployed = id ? (RED.nodes.getNode(id) as ConfigNodeLike | null) : null;
  const form = isPlainObject(body.settings) ? body.settings : undefined;
  if (!form) {
    if (!deployed?.account) throw new LinkVisualError('CONFIG', 'the account is not deployed yet: fill in its settings or deploy it first');
    const client = await deployed.account.getClient();
    return { client, release: async () => undefined };
  }
  const stored = (id ? RED.nodes.getCredentials(id) : undefined) ?? deployed?.credentials ?? {};
  const formCredentials = isPlainObject(form.credentials) ? form.credentials : {};
  const credentials: Record<string, string | undefined> = {};
  for (const name of CREDENTIAL_NAMES) {
    const value = formCredentials[name];
    credentials[name] = value === KEEP_STORED || value === undefined ? (stored as Record<string, string | undefined>)[name] : typeof value === 'string' ? value : undefined;
  }
  const properties: AccountProperties = {};
  for (const name of PROPERTY_NAMES) {
    const value = form[name];
    if (typeof value === 'string' || typeof value === 'number') (properties as Record<string, unknown>)[name] = value;
  }
  const settings = clientOptionsFrom(properties, credentials);
  if (deployed?.account && !deployed.account.configError && deployed.account.fingerprint === settings.fingerprint) {
    const client = await deployed.account.getClient();
    return { client, release: async () => undefined };
  }
  const stateDir = RED.settings.userDir;
  const sessionFile = stateDir && id ? new SessionFile(sessionFilePath(stateDir, id), settings.fingerprint) : undefined;
  const client = new LinkVisualClient({ ...settings.options, timeoutMs: Math.min(settings.options.timeoutMs ?? 10_000, 15_000), onSession: (s) => void sessionFile?.save(s).catch(() => undefined) });
  return {
    client,
    release: async () => {
      await client.close();
      await sessionFile?.flush();
    },
  };
}

async function withClient(RED: NodeAPI, req: AdminRequest, res: AdminResponse, work: (client: LinkVisualClient, body: Record<string, unknown>) => Promise<unknown>): Promise<void> {
  const body = isPlainObject(req.body) ? req.body : {};
  let lease: Lease | undefined;
  try {
    lease = await leaseClient(RED, body);
    res.json({ ok: true, ...(await work(lease.client, body) as Record<string, unknown>) });
  } catch (error) {
    res.json({ ok: false, error: errorBody(error) });
  } finally {
    await lease?.release().catch(() => undefined);
  }
}

async function collect(iterator: AsyncIterable<unknown>): Promise<unknown[]> {
  const items: unknown[] = [];
  for await (const item of iterator) {
    items.push(item);
    if (items.length >= MAX_LISTED) break;
  }
  return items;
}

function field(item: unknown, name: string): unknown {
  return isPlainObject(item) ? item[name] : undefined;
}

/**
 * Admin endpoints for the editor (registered once, at module load): the catalog, "test connection",
 * and the device and plan pickers. Listing needs `link-visual.read`; testing may create a session, so it
 * needs `link-visual.write`. Answers never contain a secret.
 */
export function registerAdminRoutes(RED: NodeAPI): void {
  const read = RED.auth.needsPermission('link-visual.read');
  const write = RED.auth.needsPermission('link-visual.write');

  RED.httpAdmin.get('/link-visual/catalog', read, (_req, res) => {
    res.json({ operations });
  });

  RED.httpAdmin.post('/link-visual/test', write, (req, res) => {
    void withClient(RED, req, res, async (client) => {
      const started = Date.now();
      const devices = await client.call('listDevices', { pageNo: 1, pageSize: 1 });
      const total = field(devices, 'total');
      return { endpoint: client.endpoint, devices: numberOf(total), durationMs: Date.now() - started };
    });
  });

  RED.httpAdmin.post('/link-visual/devices', read, (req, res) => {
    void withClient(RED, req, res, async (client) => {
      const items = await collect(client.paginate('listDevices', {}));
      return {
        devices: items.map((device) => ({
          iotId: String(field(device, 'iotId') ?? ''),
          name: String(field(device, 'nickName') || field(device, 'deviceName') || field(device, 'iotId') || ''),
          online: numberOf(field(device, 'status')) === 1,
        })),
      };
    });
  });

  RED.httpAdmin.post('/link-visual/plans', read, (req, res) => {
    void withClient(RED, req, res, async (client, body) => {
      const operation = body.kind === 'event' ? 'queryEventPlans' : 'queryRecordPlans';
      const items = await collect(client.paginate(operation, {}));
      return { plans: items.map((plan) => ({ planId: String(field(plan, 'planId') ?? ''), name: String(field(plan, 'name') ?? '') })) };
    });
  });
}
