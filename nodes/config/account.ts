import path from 'node:path';
import { LinkVisualClient } from '../../lib/client/client';
import { LinkVisualError, type LinkVisualErrorReason } from '../../lib/gateway/errors';
import type { AuthOptions, SessionSnapshot } from '../../lib';
import { SessionFile } from '../../lib/client/session-file';
import { EventPoller } from '../../lib/events/poller';
import { PushConnection } from '../../lib/push/connection';
import { PushHub } from '../../lib/push/push-hub';
import type { Node } from '../shared/red';
import { clientOptionsFrom, type AccountCredentials, type AccountProperties } from './account-settings';
import { pushSettingsFrom, type PushProperties, type PushSettings } from './push-settings';

/** The runtime side of a `link-visual-config` node, as user nodes see it. */
export interface ConfigNode extends Node<AccountCredentials> {
  account: Account;
}

/** A node that uses the account: gets its status fanned out. */
export interface AccountUser {
  readonly id: string;
  onAccountStatus?(status: AccountStatus): void;
}

export type AccountStatus =
  | { state: 'ok' }
  | { state: 'backoff'; ms: number; reason: string }
  /** `reason` when the session is over and a new auth code is needed (LinkVisualError.reason). */
  | { state: 'error'; message: string; reason?: LinkVisualErrorReason };

/** Where rotated sessions of a config node are kept: `<userDir>/link-visual/session-<id>.json`. */
export function sessionFilePath(stateDir: string, configId: string): string {
  return path.join(stateDir, 'link-visual', `session-${configId.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
}

function resumeAuth(auth: AuthOptions | undefined, stored: SessionSnapshot | undefined): AuthOptions | undefined {
  if (!stored || !auth) return auth;
  if (stored.mode === 'session' && stored.identityId && stored.refreshToken && (auth.mode === 'session' || auth.mode === 'authCode')) {
    // A spent auth code cannot be used twice: resume from the session it produced.
    return {
      mode: 'session',
      identityId: stored.identityId,
      refreshToken: stored.refreshToken,
      iotToken: stored.iotToken,
      iotTokenExpiresAt: stored.iotTokenExpiresAt,
      refreshTokenExpiresAt: stored.refreshTokenExpiresAt,
    };
  }
  if (stored.mode === 'cloud' && auth.mode === 'cloud' && stored.cloudToken) {
    return { ...auth, cloudToken: stored.cloudToken, cloudTokenExpiresAt: stored.cloudTokenExpiresAt };
  }
  return auth;
}

/**
 * One Link Visual account as a config node holds it: the shared client (created on first use, after
 * the persisted session is loaded), the nodes that use it, and status fan-out to them.
 */
export class Account {
  readonly users = new Map<string, AccountUser>();
  readonly configError: LinkVisualError | undefined;
  private clientPromise: Promise<LinkVisualClient> | undefined;
  private client: LinkVisualClient | undefined;
  private readonly sessionFile: SessionFile | undefined;
  // Private (#) so that logging or serialising the account can never show the AppSecret.
  readonly #settings: ReturnType<typeof clientOptionsFrom> | undefined;
  private closed = false;
  private lastStatus: AccountStatus = { state: 'ok' };
  private poller: EventPoller | undefined;
  /** The Push section's settings (undefined: push off), and why they were refused. */
  readonly #push: PushSettings | undefined;
  readonly pushError: LinkVisualError | undefined;
  private pushHub: PushHub | undefined;

  constructor(
    readonly id: string,
    properties: AccountProperties & PushProperties,
    credentials: AccountCredentials,
    stateDir: string | undefined,
    private readonly warn: (message: string) => void,
  ) {
    try {
      this.#settings = clientOptionsFrom(properties, credentials);
    } catch (error) {
      this.configError = error instanceof LinkVisualError ? error : new LinkVisualError('CONFIG', String(error));
    }
    if (this.#settings && stateDir) this.sessionFile = new SessionFile(sessionFilePath(stateDir, id), this.#settings.fingerprint);
    try {
      this.#push = this.#settings ? pushSettingsFrom(properties, this.#settings.options.appKey, stateDir) : undefined;
    } catch (error) {
      this.pushError = error instanceof LinkVisualError ? error : new LinkVisualError('CONFIG', String(error));
    }
  }

  /** True when the account's Push section is on and valid (on-event nodes then wait for pushes and sweep). */
  get pushEnabled(): boolean {
    return this.#push !== undefined && !this.closed;
  }

  /** The account's shared data-sync consumer, when push is on (the connection opens with its first listener). */
  getPushHub(): PushHub | undefined {
    const push = this.#push;
    const settings = this.#settings;
    if (!push || !settings || this.closed) return undefined;
    this.pushHub ??= new PushHub(
      () =>
        new PushConnection({
          url: push.url,
          appKey: settings.options.appKey,
          appSecret: settings.options.appSecret,
          consumerGroup: push.consumerGroup,
          clientId: push.clientId,
          ...(settings.options.ca === undefined ? {} : { ca: settings.options.ca }),
        }),
      (error) => this.warn(`a data-sync message could not be handed on: ${error instanceof Error ? error.message : String(error)}`),
    );
    return this.pushHub;
  }

  /** Identifies the credentials in use (a hash), to tell whether an editor form matches this account. */
  get fingerprint(): string | undefined {
    return this.#settings?.fingerprint;
  }

  /** The shared client; rejects with the CONFIG error when the settings are incomplete. */
  getClient(): Promise<LinkVisualClient> {
    if (this.closed) return Promise.reject(new LinkVisualError('CLOSED', 'the account was closed (redeploy)'));
    if (this.configError || !this.#settings) return Promise.reject(this.configError);
    this.clientPromise ??= this.createClient(this.#settings);
    return this.clientPromise;
  }

  private async createClient(settings: ReturnType<typeof clientOptionsFrom>): Promise<LinkVisualClient> {
    const stored = await this.sessionFile?.load();
    const client = new LinkVisualClient({
      ...settings.options,
      auth: resumeAuth(settings.options.auth, stored),
      onSession: (snapshot) => {
        this.sessionFile?.save(snapshot).catch((error: unknown) => {
          this.warn(`could not save the session: ${(error as Error).message}`);
        });
      },
    });
    client.on('backoff', (event: { ms: number; reason: string }) => this.setStatus({ state: 'backoff', ms: event.ms, reason: event.reason }));
    // The cloud refused the session (a login elsewhere, or a spent refresh token): say so once in the
    // log and on every node of the account; only new credentials (a redeploy) can cure it.
    client.on('sessionEnded', (error: LinkVisualError) => {
      this.warn(error.message);
      this.setStatus({ state: 'error', message: error.message, reason: error.reason });
    });
    if (this.closed) {
      await client.close();
      throw new LinkVisualError('CLOSED', 'the account was closed (redeploy)');
    }
    this.client = client;
    return client;
  }

  /** The account's shared event scheduler for on-event nodes (created on first use, closed with the account). */
  getPoller(): EventPoller {
    if (this.closed) throw new LinkVisualError('CLOSED', 'the account was closed (redeploy)');
    if (this.configError || !this.#settings) throw this.configError ?? new LinkVisualError('CONFIG', 'account settings are incomplete');
    const rate = this.#settings.options.rateLimit;
    this.poller ??= new EventPoller({ client: () => this.getClient(), rateLimit: typeof rate === 'number' ? rate : (rate?.perSecond ?? 5) });
    return this.poller;
  }

  /** Adds a node to the account's users. */
  register(user: AccountUser): void {
    this.users.set(user.id, user);
  }

  /** Removes a node from the account's users. */
  deregister(user: AccountUser): void {
    this.users.delete(user.id);
  }

  /** The most recent account-wide status. */
  status(): AccountStatus {
    return this.lastStatus;
  }

  /** Records an account-wide status and tells every user node. */
  setStatus(status: AccountStatus): void {
    this.lastStatus = status;
    for (const user of this.users.values()) user.onAccountStatus?.(status);
  }

  /** Closes the event poller and the client (aborting in-flight calls) and waits for pending session writes. */
  async close(): Promise<void> {
    this.closed = true;
    await this.pushHub?.close();
    await this.poller?.close();
    const client = this.client ?? (await this.clientPromise?.catch(() => undefined));
    await client?.close();
    await this.sessionFile?.flush();
    this.users.clear();
  }
}
