import type { Readable } from 'node:stream';
import type { Agent } from 'undici';
import { LinkVisualError } from '../gateway/errors';
import { RequestDeadline } from '../util/request-deadline';
import { headerText, undici } from '../util/undici';

/** Options of `fetchMedia`. */
export interface FetchMediaOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  /** Refuse bodies larger than this. Default 20 MiB. */
  readonly maxBytes?: number;
  /** Content-Type prefixes accepted, e.g. `['image/']`. Default: any. */
  readonly accept?: readonly string[];
}

/** A media file fetched into memory. */
export interface MediaBuffer {
  readonly buffer: Buffer;
  readonly contentType: string;
}

/** Options of `openMedia`. */
export interface OpenMediaOptions {
  readonly signal?: AbortSignal;
  /** Longest wait for the answer's headers, then for each body chunk (a stalled transfer). Default: the client timeout. */
  readonly timeoutMs?: number;
  /** First byte wanted: sends `Range: bytes=<rangeStart>-` when above 0. */
  readonly rangeStart?: number;
  /** Sent as `If-Range` with a range: the ETag (or Last-Modified) of the first answer, so a changed file comes whole. */
  readonly ifRange?: string;
}

/** An open media answer (200, or 206 for a range): read `body` to its end or destroy it. */
export interface MediaStream {
  readonly statusCode: number;
  /** Header values by lower-case name (repeated headers joined with ", "). */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Readable;
}

/** What a media request borrows from the client that owns the account's connections. */
export interface MediaTransport {
  readonly dispatcher: Agent;
  /** Timeout when the caller gives none. */
  readonly timeoutMs: number;
  /** The client's requests in flight, which its close() aborts. */
  readonly inflight: Set<AbortController>;
  readonly isClosed: () => boolean;
}

const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;
// A streamed media body buffers up to this much, so the socket keeps flowing while the reader writes to disk.
const MEDIA_HIGH_WATER_MARK = 1024 * 1024;

// Checks a media URL before any request; `where` names it in errors without its query (the signature).
function mediaTarget(transport: MediaTransport, url: string): { target: URL; where: string } {
  if (transport.isClosed()) throw new LinkVisualError('CLOSED', 'the client is closed');
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new LinkVisualError('MEDIA', 'media URL is not a URL');
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') throw new LinkVisualError('MEDIA', 'media URL must be http(s)');
  return { target, where: `${target.origin}${target.pathname}` };
}

/** The error for a media answer that is not the file: a signed URL past its life answers 403 or 410. */
function mediaStatusError(where: string, statusCode: number): LinkVisualError {
  const expired = statusCode === 403 || statusCode === 410;
  return new LinkVisualError(expired ? 'URL_EXPIRED' : 'MEDIA', `${where}: HTTP ${statusCode}${expired ? ' (the URL has expired or is not valid)' : ''}`, {
    httpStatus: statusCode,
    retryable: statusCode >= 500,
  });
}

/**
 * Fetches a media URL the API returned (alert image, picture) into a Buffer, with a timeout, a size
 * cap and a content-type check; an expired signed URL is reported as URL_EXPIRED.
 */
export async function fetchMedia(transport: MediaTransport, url: string, options: FetchMediaOptions = {}): Promise<MediaBuffer> {
  const { target, where } = mediaTarget(transport, url);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const timeoutMs = options.timeoutMs ?? transport.timeoutMs;
  const deadline = new RequestDeadline({ signal: options.signal, timeoutMs, inflight: transport.inflight, isClosed: transport.isClosed });
  try {
    const response = await undici().request(target, { method: 'GET', signal: deadline.signal, dispatcher: transport.dispatcher });
    if (response.statusCode !== 200) {
      await response.body.dump().catch(() => undefined);
      throw mediaStatusError(where, response.statusCode);
    }
    const contentType = (headerText(response.headers['content-type']) ?? 'application/octet-stream').split(';')[0].trim();
    if (options.accept && !options.accept.some((prefix) => contentType.startsWith(prefix))) {
      await response.body.dump().catch(() => undefined);
      throw new LinkVisualError('MEDIA', `${where}: unexpected content type ${contentType}`);
    }
    const declared = Number(headerText(response.headers['content-length']));
    if (Number.isFinite(declared) && declared > maxBytes) {
      await response.body.dump().catch(() => undefined);
      throw new LinkVisualError('TOO_LARGE', `${where}: ${declared} bytes is more than the ${maxBytes} allowed`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        response.body.destroy();
        throw new LinkVisualError('TOO_LARGE', `${where}: more than the ${maxBytes} bytes allowed`);
      }
      chunks.push(chunk as Buffer);
    }
    if (Number.isFinite(declared) && declared !== size) {
      throw new LinkVisualError('MEDIA', `${where}: body ended after ${size} of ${declared} bytes`, { retryable: true });
    }
    return { buffer: Buffer.concat(chunks), contentType };
  } catch (error) {
    throw deadline.failure(error, where, timeoutMs);
  } finally {
    deadline.release();
  }
}

/**
 * Opens a media URL the API returned as a stream, with the checks of `fetchMedia` (http(s) only, an
 * expired signed URL is URL_EXPIRED) and a stall timeout; for downloads too large to hold in memory.
 */
export async function openMedia(transport: MediaTransport, url: string, options: OpenMediaOptions = {}): Promise<MediaStream> {
  const { target, where } = mediaTarget(transport, url);
  const timeoutMs = options.timeoutMs ?? transport.timeoutMs;
  // undici times the headers and each body chunk itself (a stall), so the deadline sets no timer of its own.
  const deadline = new RequestDeadline({ signal: options.signal, inflight: transport.inflight, isClosed: transport.isClosed });
  const headers: Record<string, string> = {};
  if (options.rangeStart !== undefined && options.rangeStart > 0) {
    headers.range = `bytes=${Math.floor(options.rangeStart)}-`;
    if (options.ifRange) headers['if-range'] = options.ifRange;
  }
  try {
    const response = await undici().request(target, {
      method: 'GET',
      headers,
      signal: deadline.signal,
      dispatcher: transport.dispatcher,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      highWaterMark: MEDIA_HIGH_WATER_MARK,
    });
    if (response.statusCode !== 200 && response.statusCode !== 206) {
      await response.body.dump().catch(() => undefined);
      throw mediaStatusError(where, response.statusCode);
    }
    const flat: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(response.headers)) flat[name.toLowerCase()] = headerText(value);
    // The request counts as in flight (close() aborts it) until its body is consumed or destroyed.
    response.body.once('close', () => deadline.release());
    return { statusCode: response.statusCode, headers: flat, body: response.body };
  } catch (error) {
    deadline.release();
    throw deadline.failure(error, where, timeoutMs);
  }
}
