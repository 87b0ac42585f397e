/**
 * Sessions and tokens (docs/protocol.md §5): the demo identity's refresh token, the iotTokens issued by
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
 * - One-login rule (`variants.oneLogin`, docs/protocol.md §8.10: the cloud may keep only the latest login
 *   of an account): every login (createSessionByAuthCode, or `POST /_emulator/sessions/login-elsewhere`
 *   for a phone app signing in) gets its own refresh token and ends every older session: their
 *   iotTokens are refused like unknown ones and their refresh token with 2401. Refreshing the latest
 *   session's refresh token works and keeps it the latest. Without the rule, logins share the
 *   identity's refresh token and nobody is cut off.
 * - A refused token: `variants.tokenErrorCode` 401 `request auth error. iotToken expired.` (the real
 *   gateway) or 460 `iotToken expired.` (older readings); no token at all: 460 `iotToken blank.`.
 *   Lifetimes in session answers go out in `variants.numberForm` ("72000" or 72000).
 */
import { randomBytes } from 'node:crypto';
import type { Variants } from './variants';
import { BusinessError, type EmulatorCodeName } from './codes';

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
  /** Seconds, as a number or numeric text (`variants.numberForm`). */
  iotTokenExpire: number | string;
  refreshTokenExpire: number | string;
}

/** Who a user request acts for. */
export type Principal = { readonly kind: 'user'; readonly identityId: string } | { readonly kind: 'project'; readonly projectId: string };

interface IotTokenEntry {
  identityId: string;
  expiresAt: number;
  /** The login the token belongs to (absent in older state files: the first). */
  login?: number;
}

interface CloudTokenEntry {
  projectId: string;
  expiresAt: number;
}

/** The sessions part of the state file. */
export interface SessionsSnapshot {
  refreshToken: string;
  refreshTokenExpiresAt: number | null;
  /** How many logins replaced the configured session under the one-login rule (absent in older files: 0). */
  login?: number;
  iotTokens: Record<string, IotTokenEntry>;
  cloudTokens: Record<string, CloudTokenEntry>;
}

const KEEP_EXPIRED_MS = 86_400_000;
const MAX_TOKENS = 100_000;

// The 460 answers naming the refused token (tokenErrorCode 460).
const REFUSED_460: Readonly<Record<'iotToken' | 'cloudToken', Readonly<Record<'invalid' | 'expired', EmulatorCodeName>>>> = {
  iotToken: { invalid: 'IOT_TOKEN_INVALID', expired: 'IOT_TOKEN_EXPIRED' },
  cloudToken: { invalid: 'CLOUD_TOKEN_INVALID', expired: 'CLOUD_TOKEN_EXPIRED' },
};

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
  // The latest login under the one-login rule (0: the configured session); tokens of others are refused.
  private login = 0;
  private readonly iotTokens = new Map<string, IotTokenEntry>();
  private readonly cloudTokens = new Map<string, CloudTokenEntry>();

  constructor(
    private readonly options: SessionOptions,
    private readonly variants: Variants,
    private readonly realNow: () => number,
  ) {
    this.refreshToken = options.refreshToken;
  }

  /** The refresh token currently accepted (changes with rotation and, under the one-login rule, with every login). */
  currentRefreshToken(): string {
    return this.refreshToken;
  }

  private answer(): SessionAnswer {
    const now = this.realNow();
    prune(this.iotTokens, now);
    const iotToken = newToken();
    this.iotTokens.set(iotToken, { identityId: this.options.identityId, expiresAt: now + this.options.iotTokenTtlSeconds * 1000, login: this.login });
    const refreshLife = this.refreshTokenExpiresAt === null
      ? this.options.refreshTokenTtlSeconds
      : Math.max(0, Math.floor((this.refreshTokenExpiresAt - now) / 1000));
    return {
      identityId: this.options.identityId,
      iotToken,
      refreshToken: this.refreshToken,
      iotTokenExpire: this.variants.number(this.options.iotTokenTtlSeconds),
      refreshTokenExpire: this.variants.number(refreshLife),
    };
  }

  // A new login of the identity. Under the one-login rule it gets its own refresh token, and every
  // older session ends (their iotTokens carry an older login; their refresh token is no longer the one).
  private newLogin(): SessionAnswer {
    if (this.variants.oneLogin) {
      this.login += 1;
      this.refreshToken = newToken();
      this.refreshTokenExpiresAt = this.realNow() + this.options.refreshTokenTtlSeconds * 1000;
    } else {
      this.rotate();
    }
    return this.answer();
  }

  // An unknown or expired token: 401 as the real gateway answers, or 460 naming the token (older readings).
  private refused(token: 'iotToken' | 'cloudToken', state: 'invalid' | 'expired'): BusinessError {
    if (this.variants.tokenErrorCode === 460) return new BusinessError(REFUSED_460[token][state]);
    return new BusinessError('AUTH_ERROR', `${token} ${state}.`);
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
    return this.newLogin();
  }

  /** Control API: the identity signs in on another device (a phone app); under the one-login rule that ends our sessions. */
  loginElsewhere(): SessionAnswer {
    return this.newLogin();
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
    if (!entry) throw this.refused('cloudToken', 'invalid');
    if (entry.expiresAt <= this.realNow()) throw this.refused('cloudToken', 'expired');
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
      const ended = this.variants.oneLogin && (entry?.login ?? 0) !== this.login;
      if (!entry || ended) throw this.refused('iotToken', 'invalid');
      if (entry.expiresAt <= now) throw this.refused('iotToken', 'expired');
      if (entry.identityId !== this.options.identityId) throw new BusinessError('IDENTITY_NOT_FOUND', `identityId: ${entry.identityId}`);
      return { kind: 'user', identityId: entry.identityId };
    }
    if (cloudToken !== undefined) {
      const entry = this.cloudTokens.get(cloudToken);
      if (!entry) throw this.refused('cloudToken', 'invalid');
      if (entry.expiresAt <= now) throw this.refused('cloudToken', 'expired');
      return { kind: 'project', projectId: entry.projectId };
    }
    throw new BusinessError('IOT_TOKEN_BLANK');
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
    this.login = 0;
  }

  /** The sessions as plain JSON. */
  toJSON(): SessionsSnapshot {
    return {
      refreshToken: this.refreshToken,
      refreshTokenExpiresAt: this.refreshTokenExpiresAt,
      login: this.login,
      iotTokens: Object.fromEntries(this.iotTokens),
      cloudTokens: Object.fromEntries(this.cloudTokens),
    };
  }

  /** Restores sessions from the state file (older files, without logins, too). */
  load(snapshot: SessionsSnapshot): void {
    this.reset();
    const login = typeof snapshot.login === 'number' && Number.isSafeInteger(snapshot.login) && snapshot.login > 0 ? snapshot.login : 0;
    // A rotated refresh token, or that of a newer login, survives a restart; otherwise the configured one rules.
    if ((this.options.rotateRefreshTokens || login > 0) && typeof snapshot.refreshToken === 'string' && snapshot.refreshToken !== '') {
      this.refreshToken = snapshot.refreshToken;
      this.refreshTokenExpiresAt = typeof snapshot.refreshTokenExpiresAt === 'number' ? snapshot.refreshTokenExpiresAt : null;
      this.login = login;
    }
    for (const [token, entry] of Object.entries(snapshot.iotTokens ?? {})) {
      if (typeof entry?.identityId === 'string' && typeof entry.expiresAt === 'number') {
        this.iotTokens.set(token, { identityId: entry.identityId, expiresAt: entry.expiresAt, login: typeof entry.login === 'number' ? entry.login : 0 });
      }
    }
    for (const [token, entry] of Object.entries(snapshot.cloudTokens ?? {})) {
      if (typeof entry?.projectId === 'string' && typeof entry.expiresAt === 'number') this.cloudTokens.set(token, { ...entry });
    }
  }
}
