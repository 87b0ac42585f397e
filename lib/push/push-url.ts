/** A push (AMQP) URL read and checked. Browser-safe, so the account dialog refuses what the connection refuses. */
import { LinkVisualError } from '../gateway/errors';

/** The endpoint of a push URL. */
export interface PushEndpoint {
  readonly tls: boolean;
  readonly host: string;
  readonly port: number;
  /** The URL without user info, for messages. */
  readonly display: string;
}

/** True for 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const plain = host.replace(/^\[|\]$/g, '').toLowerCase();
  return plain === 'localhost' || plain === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(plain);
}

/** Reads and checks a push URL: amqps to any host, amqp to a loopback host only. */
export function parsePushUrl(raw: string): PushEndpoint {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new LinkVisualError('CONFIG', 'push endpoint is not a URL (amqps://host:5671)');
  }
  if (url.username !== '' || url.password !== '') throw new LinkVisualError('CONFIG', 'push endpoint must not carry user info');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const display = `${url.protocol}//${url.host}`;
  if (host === '') throw new LinkVisualError('CONFIG', `push endpoint has no host: ${display}`);
  if (url.protocol === 'amqps:') return { tls: true, host, port: url.port === '' ? 5671 : Number(url.port), display };
  if (url.protocol === 'amqp:') {
    if (!isLoopbackHost(host)) {
      throw new LinkVisualError('CONFIG', `push endpoint ${display}: plain amqp:// is allowed for a loopback host only (the emulator); use amqps://`);
    }
    return { tls: false, host, port: url.port === '' ? 5672 : Number(url.port), display };
  }
  throw new LinkVisualError('CONFIG', `push endpoint must be amqps:// (or amqp:// to a loopback host): ${display}`);
}
