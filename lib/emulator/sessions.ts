/**
 * Sessions and tokens (protocol.md §4): the demo identity's refresh token, the iotTokens issued by
 * createSessionByAuthCode / checkOrRefreshSession, and the project cloudToken. Lifetimes run on the
 * real clock (clients measure them with theirs).
 *
 * - checkOrRefreshSession needs no iotToken: the refresh token is the credential. It always issues a
 *   new iotToken (earlier ones stay valid until they expire, so clients sharing the demo identity do
 *   not break each other) and rotates the refresh token only with `rotateRefreshTokens`; then the old
 *   one is refused with 2401 and the new one lives `refreshTokenTtlSeconds`.
 * - /cloud/token issues a new cloudToken and invalidates every earlier one of the project (the doc:
 *   "再次调用...导致之前的cloudToken失效"); /cloud/token/refresh renews the current token in place
 *   (same string, new lifetime), so holders of it keep working.
 */
import { randomBytes } from 'node:crypto';
import { BusinessError } from './world';

export interface SessionOptions {
  readonly appKey: string;
  readonly identityId: string;
  readonly refreshToken: string;
  readonly authCode: string;
  readonly projectId: string;
  readonly rotateRefreshTokens: boolean;
  readonly iotTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly cloudTokenTtlSeconds: number;
}

/** What a session call answers (`data`). */
export interface SessionAnswer {
  identityId: string;
  iotToken: string;
  refreshToken: string;
  iotTokenExpire: number;
  refreshTokenExpire: number;
}

/** Who a user request acts for. */
export type Principal = { readonly kind: 'user'; readonly identityId: string } | { readonly kind: 'project'; readonly projectId: string };

interface IotTokenEntry {
  identityId: string;
  expiresAt: number;
}

interface CloudTokenEntry {
  projectId: string;
  expiresAt: number;
}

/** The sessions part of the state file. */
export interface SessionsSnapshot {
  refreshToken: string;
  refreshTokenExpiresAt: number | null;
  iotTokens: Record<string, IotTokenEntry>;
  cloudTokens: Record<string, CloudTokenEntry>;
}

const KEEP_EXPIRED_MS = 86_400_000;
const MAX_TOKENS = 100_000;

function newToken(): string {
  return randomBytes(16).toString('hex');
}

function prune<T extends { expiresAt: number }>(tokens: Map<string, T>, now: number): void {
  for (const [token, entry] of tokens) {
    if (entry.expiresAt < now - KEEP_EXPIRED_MS || tokens.size > MAX_TOKENS) tokens.delete(token);
  }
}

/** Issues and checks the identity's tokens. */
export class Sessions {
  private refreshToken: string;
  private refreshTokenExpiresAt: number | null = null;
  private readonly iotTokens = new Map<string, IotTokenEntry>();
  private readonly cloudTokens = new Map<string, CloudTokenEntry>();

  constructor(
    private readonly options: SessionOptions,
    private readonly realNow: () => number,
  ) {
    this.refreshToken = options.refreshToken;
  }

  /** The refresh token currently accepted (changes only with rotation). */
  currentRefreshToken(): string {
    return this.refreshToken;
  }

  private answer(): SessionAnswer {
    const now = this.realNow();
    prune(this.iotTokens, now);
    const iotToken = newToken();
    this.iotTokens.set(iotToken, { identityId: this.options.identityId, expiresAt: now + this.options.iotTokenTtlSeconds * 1000 });
    const refreshLife = this.refreshTokenExpiresAt === null
      ? this.options.refreshTokenTtlSeconds
      : Math.max(0, Math.floor((this.refreshTokenExpiresAt - now) / 1000));
    return {
      identityId: this.options.identityId,
      iotToken,
      refreshToken: this.refreshToken,
      iotTokenExpire: this.options.iotTokenTtlSeconds,
      refreshTokenExpire: refreshLife,
    };
  }

  private rotate(): void {
    if (!this.options.rotateRefreshTokens) return;
    this.refreshToken = newToken();
    this.refreshTokenExpiresAt = this.realNow() + this.options.refreshTokenTtlSeconds * 1000;
  }

  /** /account/createSessionByAuthCode. */
  createSession(authCode: string, appKey: string, signingAppKey: string): SessionAnswer {
    if (authCode !== this.options.authCode) throw new BusinessError('AUTH_CODE_INVALID');
    if (appKey !== signingAppKey) throw new BusinessError('AUTH_IDENTITY_EXCEPTION', `appKey ${appKey} is not the signing AppKey`);
    this.rotate();
    return this.answer();
  }

  /** /account/checkOrRefreshSession. */
  refreshSession(identityId: string, refreshToken: string): SessionAnswer {
    if (identityId !== this.options.identityId) throw new BusinessError('IDENTITY_NOT_FOUND', `identityId: ${identityId}`);
    if (refreshToken !== this.refreshToken) throw new BusinessError('REFRESH_TOKEN_INVALID');
    if (this.refreshTokenExpiresAt !== null && this.refreshTokenExpiresAt <= this.realNow()) {
      throw new BusinessError('REFRESH_TOKEN_INVALID', 'refreshToken expired');
    }
    this.rotate();
    return this.answer();
  }

  /** /cloud/token: a new project token; every earlier one of the project stops working. */
  issueCloudToken(projectId: string): { cloudToken: string; expireIn: number } {
    if (projectId !== this.options.projectId) throw new BusinessError('FORBIDDEN', `unknown project: ${projectId}`);
    for (const [token, entry] of this.cloudTokens) if (entry.projectId === projectId) this.cloudTokens.delete(token);
    const cloudToken = newToken();
    const lifeMs = this.options.cloudTokenTtlSeconds * 1000;
    this.cloudTokens.set(cloudToken, { projectId, expiresAt: this.realNow() + lifeMs });
    return { cloudToken, expireIn: lifeMs };
  }

  /** /cloud/token/refresh: renews a current, unexpired token in place. */
  refreshCloudToken(cloudToken: string): { cloudToken: string; expiresIn: number } {
    const entry = this.cloudTokens.get(cloudToken);
    if (!entry) throw new BusinessError('CLOUD_TOKEN_INVALID');
    if (entry.expiresAt <= this.realNow()) throw new BusinessError('CLOUD_TOKEN_EXPIRED');
    entry.expiresAt = this.realNow() + this.options.cloudTokenTtlSeconds * 1000;
    return { cloudToken, expiresIn: this.options.cloudTokenTtlSeconds };
  }

  /** Who a user operation acts for: a valid iotToken, else a valid cloudToken; throws the auth code. */
  authenticate(request: { iotToken?: unknown; cloudToken?: unknown }): Principal {
    const iotToken = typeof request.iotToken === 'string' && request.iotToken !== '' ? request.iotToken : undefined;
    const cloudToken = typeof request.cloudToken === 'string' && request.cloudToken !== '' ? request.cloudToken : undefined;
    const now = this.realNow();
    if (iotToken !== undefined) {
      const entry = this.iotTokens.get(iotToken);
      if (!entry) throw new BusinessError('IOT_TOKEN_INVALID');
      if (entry.expiresAt <= now) throw new BusinessError('IOT_TOKEN_EXPIRED');
      if (entry.identityId !== this.options.identityId) throw new BusinessError('IDENTITY_NOT_FOUND', `identityId: ${entry.identityId}`);
      return { kind: 'user', identityId: entry.identityId };
    }
    if (cloudToken !== undefined) {
      const entry = this.cloudTokens.get(cloudToken);
      if (!entry) throw new BusinessError('CLOUD_TOKEN_INVALID');
      if (entry.expiresAt <= now) throw new BusinessError('CLOUD_TOKEN_EXPIRED');
      return { kind: 'project', projectId: entry.projectId };
    }
    throw new BusinessError('AUTH_ERROR', 'request.iotToken or request.cloudToken is required');
  }

  /** Control API: every issued iotToken and cloudToken expires now; returns how many. */
  expireAll(): number {
    const past = this.realNow() - 1;
    for (const entry of this.iotTokens.values()) entry.expiresAt = Math.min(entry.expiresAt, past);
    for (const entry of this.cloudTokens.values()) entry.expiresAt = Math.min(entry.expiresAt, past);
    return this.iotTokens.size + this.cloudTokens.size;
  }

  /** Forgets every token; the refresh token returns to the configured one. */
  reset(): void {
    this.iotTokens.clear();
    this.cloudTokens.clear();
    this.refreshToken = this.options.refreshToken;
    this.refreshTokenExpiresAt = null;
  }

  /** The sessions as plain JSON. */
  toJSON(): SessionsSnapshot {
    return {
      refreshToken: this.refreshToken,
      refreshTokenExpiresAt: this.refreshTokenExpiresAt,
      iotTokens: Object.fromEntries(this.iotTokens),
      cloudTokens: Object.fromEntries(this.cloudTokens),
    };
  }

  /** Restores sessions from the state file. */
  load(snapshot: SessionsSnapshot): void {
    this.reset();
    // A rotated refresh token survives a restart; without rotation the configured one rules.
    if (this.options.rotateRefreshTokens && typeof snapshot.refreshToken === 'string' && snapshot.refreshToken !== '') {
      this.refreshToken = snapshot.refreshToken;
      this.refreshTokenExpiresAt = typeof snapshot.refreshTokenExpiresAt === 'number' ? snapshot.refreshTokenExpiresAt : null;
    }
    for (const [token, entry] of Object.entries(snapshot.iotTokens ?? {})) {
      if (typeof entry?.identityId === 'string' && typeof entry.expiresAt === 'number') this.iotTokens.set(token, { ...entry });
    }
    for (const [token, entry] of Object.entries(snapshot.cloudTokens ?? {})) {
      if (typeof entry?.projectId === 'string' && typeof entry.expiresAt === 'number') this.cloudTokens.set(token, { ...entry });
    }
  }
}
