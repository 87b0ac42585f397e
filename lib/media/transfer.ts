/**
 * Streams a media URL into a sink with the checks a download needs: the length the server stated,
 * an MP4 check as bytes pass, a stall timeout, a resume with `Range` after a broken connection (from
 * the start when the server ignores it), and one fresh URL when the signed one expired.
 */
import type { LinkVisualClient } from '../client/client';
import type { MediaStream } from './media-fetch';
import { abortError, pause } from '../util/abort';
import { LinkVisualError, networkError } from '../gateway/errors';
import type { MediaSink } from './media-sink';
import { Mp4Inspector } from './mp4-check';

/** Progress of the transfer, reported at most every `progressMs`. */
export interface TransferProgress {
  readonly received: number;
  /** The full length, when the server stated it. */
  readonly total?: number;
  readonly bytesPerSecond: number;
}

export interface TransferOptions {
  readonly signal?: AbortSignal;
  /** Longest wait for the first byte of an answer, then between two chunks. Default 30 s. */
  readonly stallTimeoutMs?: number;
  /** Further attempts after a broken, stalled or short transfer (each resumes where the last stopped). Default 3. */
  readonly retries?: number;
  /** Asked once for a new URL when the server says the signed URL expired. */
  readonly renewUrl?: () => Promise<string>;
  readonly onProgress?: (progress: TransferProgress) => void;
  /** Least time between two progress reports. Default 250 ms. */
  readonly progressMs?: number;
}

/** How a transfer went. */
export interface TransferResult {
  readonly size: number;
  /** The type the server stated (`video/mp4` when it gave none, or only a generic one). */
  readonly contentType: string;
  /** The clip's play length from the MP4 header, when it has one. */
  readonly durationMs?: number;
  /** Connections made (1 when nothing went wrong). */
  readonly attempts: number;
  /** How many of them continued with `Range` from where the previous one stopped. */
  readonly resumed: number;
  /** Whether the URL was requested again after it expired. */
  readonly renewedUrl: boolean;
  /** Average speed over the transfer. */
  readonly bytesPerSecond: number;
}

// Error pages, not media: stop before writing a byte.
const NOT_MEDIA = /^(text\/|application\/(json|xml|xhtml))/i;

function parseContentRange(value: string | undefined): { start: number; end: number; total?: number } | undefined {
  const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value?.trim() ?? '');
  if (!match) return undefined;
  return { start: Number(match[1]), end: Number(match[2]), ...(match[3] === '*' ? {} : { total: Number(match[3]) }) };
}

function contentLength(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value.trim()) ? Number(value.trim()) : undefined;
}

/** A validator usable with `If-Range`: a strong ETag, else Last-Modified. */
function validatorOf(headers: MediaStream['headers']): string | undefined {
  const etag = headers.etag;
  if (etag && !etag.startsWith('W/')) return etag;
  return headers['last-modified'];
}

/** A failure while reading a body, as a LinkVisualError (a broken or stalled connection may be resumed). */
export function bodyError(error: unknown, where: string, stallTimeoutMs: number, signal?: AbortSignal): LinkVisualError {
  if (error instanceof LinkVisualError) return error;
  if (signal?.aborted) return abortError(signal);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') {
    return new LinkVisualError('TIMEOUT', `${where}: no data for ${Math.round(stallTimeoutMs / 100) / 10} s (stalled transfer)`, { retryable: true });
  }
  return networkError(where, error);
}

/** A sink failure (disk full, no permission) is not the network's: never retried. */
async function guard(operation: Promise<void>): Promise<void> {
  try {
    await operation;
  } catch (error) {
    if (error instanceof LinkVisualError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new LinkVisualError('MEDIA', `cannot store the download: ${code ? `${code}: ` : ''}${(error as Error).message}`, { retryable: false, cause: error });
  }
}

function mediaWhere(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`; // never the query: it carries the URL's signature
  } catch {
    return 'media URL';
  }
}

/** Downloads `url` into `sink`; resolves once every byte is there and checked. */
export async function transferMedia(client: LinkVisualClient, url: string, sink: MediaSink, options: TransferOptions = {}): Promise<TransferResult> {
  const stallTimeoutMs = options.stallTimeoutMs ?? 30_000;
  const retries = Math.max(0, options.retries ?? 3);
  const progressMs = options.progressMs ?? 250;
  const inspector = new Mp4Inspector();
  const started = Date.now();
  let current = url;
  let renewedUrl = false;
  let failures = 0;
  let attempts = 0;
  let resumed = 0;
  let validator: string | undefined;
  let total: number | undefined;
  let contentType = 'video/mp4';
  let received = 0; // over every attempt, for the speed
  let lastReport = 0;
  const report = (force: boolean) => {
    const now = Date.now();
    if (!options.onProgress || (!force && now - lastReport < progressMs)) return;
    lastReport = now;
    const seconds = Math.max(0.001, (now - started) / 1000);
    options.onProgress({ received: sink.size, ...(total === undefined ? {} : { total }), bytesPerSecond: Math.round(received / seconds) });
  };

  for (;;) {
    const where = mediaWhere(current);
    const from = sink.size;
    let stream: MediaStream | undefined;
    try {
      attempts += 1;
      stream = await client.openMedia(current, { signal: options.signal, timeoutMs: stallTimeoutMs, rangeStart: from, ifRange: validator });
      const headers = stream.headers;
      const type = (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (NOT_MEDIA.test(type)) throw new LinkVisualError('MEDIA', `${where}: the server sent ${type}, not a video`, { httpStatus: stream.statusCode });
      if (type.startsWith('video/')) contentType = type;
      if (stream.statusCode === 206) {
        const range = parseContentRange(headers['content-range']);
        const problem =
          !range || range.start !== from
            ? `asked for bytes from ${from}, got ${headers['content-range'] ?? 'no Content-Range'}`
            : total !== undefined && range.total !== undefined && range.total !== total
              ? `the file changed size from ${total} to ${range.total} bytes between two requests`
              : undefined;
        if (problem) {
          await guard(sink.clear());
          inspector.reset();
          validator = undefined; // the next attempt fetches the whole file again
          throw new LinkVisualError('MEDIA', `${where}: ${problem}`, { retryable: true, httpStatus: 206 });
        }
        total = range?.total ?? total;
        if (from > 0) resumed += 1;
      } else {
        // 200: the whole file (first request, or the server ignored/refused the range): start over.
        if (sink.size > 0 || inspector.offset > 0) {
          await guard(sink.clear());
          inspector.reset();
        }
        total = contentLength(headers['content-length']);
        validator = validatorOf(headers);
      }
      if (sink.size === 0) sink.expect(total);
      for await (const chunk of stream.body as AsyncIterable<Buffer>) {
        inspector.push(chunk);
        if (inspector.problem !== undefined) throw new LinkVisualError('MEDIA', `${where}: not an MP4: ${inspector.problem}`);
        if (total !== undefined && sink.size + chunk.length > total) {
          throw new LinkVisualError('MEDIA', `${where}: the server sent more than the ${total} bytes it announced`);
        }
        await guard(sink.write(chunk));
        received += chunk.length;
        report(false);
      }
      if (total !== undefined && sink.size < total) {
        throw new LinkVisualError('NETWORK', `${where}: the body ended after ${sink.size} of ${total} bytes`, { retryable: true });
      }
      const mp4 = inspector.finish();
      report(true);
      const seconds = Math.max(0.001, (Date.now() - started) / 1000);
      return {
        size: sink.size,
        contentType,
        ...(mp4.durationMs === undefined ? {} : { durationMs: mp4.durationMs }),
        attempts,
        resumed,
        renewedUrl,
        bytesPerSecond: Math.round(received / seconds),
      };
    } catch (thrown) {
      stream?.body.destroy();
      const error = bodyError(thrown, where, stallTimeoutMs, options.signal);
      if (options.signal?.aborted) throw abortError(options.signal);
      if (error.code === 'URL_EXPIRED' && !renewedUrl && options.renewUrl) {
        renewedUrl = true;
        current = await options.renewUrl();
        continue;
      }
      if (!error.retryable || failures >= retries || error.code === 'CLOSED') throw error;
      failures += 1;
      await pause(Math.min(5000, 250 * 2 ** (failures - 1)), options.signal);
    }
  }
}
