import { LinkVisualError, PARAM_ERROR_API_CODE } from '../gateway/errors';
import { isPlainObject } from '../util/plain-object';

/** How the client proves who it acts for (docs/protocol.md §5). */
export type AuthOptions =
  | {
      readonly mode: 'session';
      readonly identityId: string;
      readonly refreshToken: string;
      /** A token persisted from an earlier run, reused while valid. */
      readonly iotToken?: string;
      readonly iotTokenExpiresAt?: number;
      /** When the refresh token runs out, if known (tells a refused refresh's cause apart). */
      readonly refreshTokenExpiresAt?: number;
    }
  | { readonly mode: 'authCode'; readonly authCode: string; readonly accountType?: 'OA_SESSION' | 'OA_TOKEN' }
  | { readonly mode: 'iotToken'; readonly iotToken: string }
  | {
      readonly mode: 'cloud';
      readonly projectId: string;
      readonly cloudToken?: string;
      readonly cloudTokenExpiresAt?: number;
    }
  | { readonly mode: 'none' };

/** What `onSession` reports after every new token, so a caller can persist it. */
export interface SessionSnapshot {
  readonly mode: 'session' | 'cloud';
  readonly identityId?: string;
  readonly iotToken?: string;
  readonly iotTokenExpiresAt?: number;
  readonly refreshToken?: string;
  readonly refreshTokenExpiresAt?: number;
  readonly cloudToken?: string;
  readonly cloudTokenExpiresAt?: number;
}

/** The token block one request carries. */
export interface RequestToken {
  readonly iotToken?: string;
  readonly cloudToken?: string;
}

/** Sends an operation that needs no user token (session and token calls). */
export type TokenCallSender = (operation: string, params: Record<string, unknown>, signal?: AbortSignal) => Promise<unknown>;

// Refresh this long before expiry: an hour for day-long tokens, a fifth of the life for short ones.
function refreshLeadMs(lifetimeMs: number): number {
  return Math.min(3_600_000, Math.max(0, lifetimeMs / 5));
}

function field(data: unknown, name: string): unknown {
  return isPlainObject(data) ? data[name] : undefined;
}

function requireString(data: unknown, names: readonly string[], operation: string): string {
  for (const name of names) {
    const value = field(data, name);
    if (typeof value === 'string' && value !== '') return value;
  }
  throw new LinkVisualError('INVALID_RESPONSE', `${operation}: the answer has no ${names[0]}`, { retryable: true });
}

// Lifetimes come as numbers or as numeric strings ("72000"): the SDK reads both (docs/protocol.md §8.2).
function optionalNumber(data: unknown, names: readonly string[]): number | undefined {
  for (const name of names) {
    const value = field(data, name);
    const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    if (Number.isFinite(number) && number > 0) return number;
  }
  return undefined;
}

/** The error for a refresh the cloud refused while the refresh token should still have been good, or after it ran out. */
function sessionEndedError(refusal: LinkVisualError, refreshTokenExpired: boolean): LinkVisualError {
  const answer = `code ${refusal.apiCode ?? '?'}`;
  const message = refreshTokenExpired
    ? `session expired: the refresh token has run out and the cloud refused it (${answer}). A new auth code (or refresh token) is needed.`
    : `signed in elsewhere: the cloud ended this session and refused its refresh token (${answer}), most likely because the account ` +
      'signed in on another device or app (the cloud keeps only the latest login of an account). A new auth code (or refresh token) is needed.';
  return new LinkVisualError('AUTH_FAILED', message, {
    apiCode: refusal.apiCode,
    path: refusal.path,
    requestId: refusal.requestId,
    retryable: false,
    reason: refreshTokenExpired ? 'refreshTokenExpired' : 'sessionEnded',
  });
}

/**
 * Keeps the account's token fresh: refreshes ahead of expiry, one refresh at a time however many
 * calls wait (single flight), and reports every rotated credential through `onSession`.
 */
export class SessionManager {
  private iotToken: string | undefined;
  private cloudToken: string | undefined;
  private expiresAt = 0;
  private issuedAt = 0;
  private identityId: string | undefined;
  private refreshToken: string | undefined;
  private refreshTokenExpiresAt: number | undefined;
  private inflight: Promise<RequestToken> | undefined;
  // Set once the cloud refused the refresh token: it stays refused, so later calls fail at once
  // instead of asking again (repeated logins lengthen the cloud's block, docs/protocol.md §8.10).
  private ended: LinkVisualError | undefined;

  constructor(
    private readonly auth: AuthOptions,
    private readonly appKey: string,
    private readonly send: TokenCallSender,
    private readonly onSession: (snapshot: SessionSnapshot) => void,
    private readonly now: () => number = Date.now,
  ) {
    switch (auth.mode) {
      case 'session':
        this.identityId = auth.identityId;
        this.refreshToken = auth.refreshToken;
        this.refreshTokenExpiresAt = auth.refreshTokenExpiresAt;
        if (auth.iotToken && auth.iotTokenExpiresAt) {
          this.iotToken = auth.iotToken;
          this.expiresAt = auth.iotTokenExpiresAt;
          this.issuedAt = this.now();
        }
        break;
      case 'iotToken':
        this.iotToken = auth.iotToken;
        this.expiresAt = Infinity;
        break;
      case 'cloud':
        if (auth.cloudToken && auth.cloudTokenExpiresAt) {
          this.cloudToken = auth.cloudToken;
          this.expiresAt = auth.cloudTokenExpiresAt;
          this.issuedAt = this.now();
        }
        break;
      default:
        break;
    }
  }

  /** Every credential currently held, so error texts and logs can be scrubbed of them. */
  secrets(): string[] {
    return [this.iotToken, this.cloudToken, this.refreshToken].filter((s): s is string => typeof s === 'string' && s !== '');
  }

  /** The token to put in the next request, refreshed first when it is missing or near expiry. */
  /** The token at once when one is fresh (the hot path: no promise); undefined when `token()` must work for it. */
  freshToken(): RequestToken | undefined {
    if (this.auth.mode === 'none') return {};
    if (this.ended || !this.isFresh()) return undefined;
    return this.current();
  }

  async token(signal?: AbortSignal): Promise<RequestToken> {
    if (this.auth.mode === 'none') return {};
    if (this.ended) throw this.ended;
    if (this.isFresh()) return this.current();
    return this.refresh(signal);
  }

  /** Marks `used` as rejected by the server, so the next `token()` fetches a new one. */
  invalidate(used: RequestToken): void {
    if (this.auth.mode === 'iotToken') return; // nothing to renew: the caller's token is all we have
    if ((used.iotToken && used.iotToken === this.iotToken) || (used.cloudToken && used.cloudToken === this.cloudToken)) {
      this.expiresAt = 0;
    }
  }

  /** True when the mode can obtain a new token after a rejection. */
  canRenew(): boolean {
    return this.auth.mode !== 'iotToken' && this.auth.mode !== 'none';
  }

  private isFresh(): boolean {
    const token = this.auth.mode === 'cloud' ? this.cloudToken : this.iotToken;
    if (!token) return false;
    if (this.expiresAt === Infinity) return true;
    const lead = refreshLeadMs(this.expiresAt - this.issuedAt);
    return this.now() < this.expiresAt - lead;
  }

  private current(): RequestToken {
    return this.auth.mode === 'cloud' ? { cloudToken: this.cloudToken } : { iotToken: this.iotToken };
  }

  private refresh(signal?: AbortSignal): Promise<RequestToken> {
    // Single flight: a refresh rotates the refresh token, so concurrent refreshes would race (docs/protocol.md §5.2).
    this.inflight ??= this.renew(signal).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async renew(signal?: AbortSignal): Promise<RequestToken> {
    switch (this.auth.mode) {
      case 'iotToken':
        return this.current();
      case 'authCode':
        if (!this.refreshToken || !this.identityId) {
          const data = await this.send(
            'createSessionByAuthCode',
            { request: { authCode: this.auth.authCode, accountType: this.auth.accountType ?? 'OA_SESSION', appKey: this.appKey } },
            signal,
          );
          this.acceptSession(data, 'createSessionByAuthCode');
          return this.current();
        }
        return this.refreshSession(signal);
      case 'session':
        return this.refreshSession(signal);
      case 'cloud':
        return this.renewCloudToken(signal);
      default:
        return {};
    }
  }

  private async refreshSession(signal?: AbortSignal): Promise<RequestToken> {
    let data: unknown;
    try {
      data = await this.send(
        'checkOrRefreshSession',
        { request: { identityId: this.identityId, refreshToken: this.refreshToken } },
        signal,
      );
    } catch (error) {
      throw this.refreshRefused(error);
    }
    this.acceptSession(data, 'checkOrRefreshSession');
    return this.current();
  }

  // A refresh refused with an auth or session-dead code ends the session for good. A 460 naming the
  // token ("iotToken blank") is left as it is: the cloud sends it during refresh races and throttling.
  private refreshRefused(error: unknown): unknown {
    if (!(error instanceof LinkVisualError) || error.code !== 'AUTH_FAILED' || error.apiCode === undefined || error.apiCode === PARAM_ERROR_API_CODE) {
      return error;
    }
    const expired = this.refreshTokenExpiresAt !== undefined && this.refreshTokenExpiresAt <= this.now();
    this.ended = sessionEndedError(error, expired);
    return this.ended;
  }

  private acceptSession(data: unknown, operation: string): void {
    const now = this.now();
    this.iotToken = requireString(data, ['iotToken'], operation);
    const lifeSeconds = optionalNumber(data, ['iotTokenExpire']) ?? 7200;
    this.issuedAt = now;
    this.expiresAt = now + lifeSeconds * 1000;
    const identityId = field(data, 'identityId');
    if (typeof identityId === 'string' && identityId !== '') this.identityId = identityId;
    const refreshToken = field(data, 'refreshToken');
    if (typeof refreshToken === 'string' && refreshToken !== '') this.refreshToken = refreshToken;
    const refreshLife = optionalNumber(data, ['refreshTokenExpire']);
    if (refreshLife !== undefined) this.refreshTokenExpiresAt = now + refreshLife * 1000;
    this.onSession({
      mode: 'session',
      identityId: this.identityId,
      iotToken: this.iotToken,
      iotTokenExpiresAt: this.expiresAt,
      refreshToken: this.refreshToken,
      refreshTokenExpiresAt: this.refreshTokenExpiresAt,
    });
  }

  private async renewCloudToken(signal?: AbortSignal): Promise<RequestToken> {
    if (this.auth.mode !== 'cloud') return {};
    // Refresh the token we hold rather than issue a new one: issuing invalidates every other holder.
    if (this.cloudToken) {
      try {
        const data = await this.send('refreshCloudToken', { cloudToken: this.cloudToken }, signal);
        this.acceptCloudToken(data, 'refreshCloudToken');
        return this.current();
      } catch (error) {
        if (!(error instanceof LinkVisualError) || error.code !== 'AUTH_FAILED') throw error;
      }
    }
    const data = await this.send('getCloudToken', { grantType: 'project', res: this.auth.projectId }, signal);
    this.acceptCloudToken(data, 'getCloudToken');
    return this.current();
  }

  private acceptCloudToken(data: unknown, operation: string): void {
    const now = this.now();
    // The docs disagree on names and units (docs/protocol.md §5.4): accept both; small values are seconds.
    this.cloudToken = requireString(data, ['cloudToken', 'iotToken'], operation);
    const life = optionalNumber(data, ['expireIn', 'expiresIn']) ?? 7_200_000;
    this.issuedAt = now;
    this.expiresAt = now + (life < 1_000_000 ? life * 1000 : life);
    this.onSession({ mode: 'cloud', cloudToken: this.cloudToken, cloudTokenExpiresAt: this.expiresAt });
  }
}
