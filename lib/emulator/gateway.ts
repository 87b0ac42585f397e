/**
 * The API gateway's checks on an incoming request (docs/protocol.md §4, §4.6), computed from the request
 * as sent: the signature over the headers listed in X-Ca-Signature-Headers, Content-MD5 against the
 * body, the AppKey, the stage, X-Ca-Timestamp within ±15 minutes and X-Ca-Nonce unused within 15
 * minutes. Order: signature (with AppKey and Content-MD5), then timestamp, then nonce; a nonce is
 * remembered only once the request passed everything else, so a forged request cannot burn one.
 */
import { verifySignature, type IncomingSignedRequest } from '../gateway/sign';

/** Which stats counter a refusal counts under. */
export type RejectionKind = 'signature' | 'timestamp' | 'nonce' | 'url';

/** A gateway refusal: non-2xx status and the `X-Ca-Error-Message` text. */
export interface GatewayRejection {
  readonly status: number;
  readonly message: string;
  readonly kind: RejectionKind;
}

const WINDOW_MS = 15 * 60 * 1000;
const STAGES = new Set(['RELEASE', 'TEST', 'PRE']);
const MAX_NONCES = 1_000_000;

function headerValue(request: IncomingSignedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** Header values must be visible ASCII: newlines become '#', as the gateway renders its StringToSign. */
export function headerSafe(text: string): string {
  return text.replace(/\n/g, '#').replace(/[^\x20-\x7e]/g, '?');
}

/** Checks signatures, timestamps and nonces for one set of AppKeys. */
export class GatewayGuard {
  private readonly nonces = new Map<string, number>();

  constructor(
    private readonly secretFor: (appKey: string) => string | undefined,
    private readonly realNow: () => number,
  ) {}

  /** Null when the request passes, else the gateway's answer. */
  check(request: IncomingSignedRequest): GatewayRejection | null {
    const stage = headerValue(request, 'x-ca-stage');
    if (stage !== undefined && !STAGES.has(stage)) return { status: 400, message: 'Invalid Url', kind: 'url' };

    const signature = verifySignature(request, this.secretFor);
    if (!signature.ok) {
      if (signature.reason === 'Invalid Signature') {
        return {
          status: 400,
          message: headerSafe(`Invalid Signature, Server StringToSign:${signature.stringToSign ?? ''}`),
          kind: 'signature',
        };
      }
      return { status: signature.reason === 'Empty Signature' ? 401 : 400, message: signature.reason, kind: 'signature' };
    }

    const now = this.realNow();
    const timestamp = headerValue(request, 'x-ca-timestamp');
    if (timestamp !== undefined) {
      if (!/^\d{1,15}$/.test(timestamp)) return { status: 400, message: 'Invalid Timestamp', kind: 'timestamp' };
      if (Math.abs(now - Number(timestamp)) > WINDOW_MS) return { status: 400, message: 'Timestamp Expired', kind: 'timestamp' };
    }

    const nonce = headerValue(request, 'x-ca-nonce');
    if (nonce !== undefined && nonce !== '') {
      this.forgetOldNonces(now);
      const key = `${signature.appKey}\n${nonce}`;
      if (this.nonces.has(key)) return { status: 400, message: 'Nonce Used', kind: 'nonce' };
      this.nonces.set(key, now);
    }
    return null;
  }

  private forgetOldNonces(now: number): void {
    for (const [key, seenAt] of this.nonces) {
      if (seenAt >= now - WINDOW_MS && this.nonces.size < MAX_NONCES) break;
      this.nonces.delete(key);
    }
  }

  /** Forgets every nonce (control API reset). */
  reset(): void {
    this.nonces.clear();
  }
}
