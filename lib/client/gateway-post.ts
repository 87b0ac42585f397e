/**
 * One POST to the gateway through undici's dispatcher, its answer read whole into text. The API
 * client's hot path: `undici.request()` builds a body stream and its promise plumbing for every call,
 * about a fifth of a call's CPU for answers that are a few hundred bytes of JSON; a dispatch handler
 * that gathers the chunks does the same work without them. Timeouts stay undici's own (headers, then
 * between body chunks); the caller's signal aborts the request.
 */
import type { Dispatcher } from 'undici';

/** The status, headers (lower-case names) and body text of one answer. */
export interface GatewayAnswer {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
}

/** What to send and how long to wait. */
export interface GatewayPost {
  readonly origin: string;
  /** Path with any query string. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly signal?: AbortSignal;
  /** Waiting for the headers, and then between two chunks of the body. */
  readonly timeoutMs: number;
  /** The most body bytes read; a longer answer is aborted with `tooLarge()`. */
  readonly maxBytes: number;
  readonly tooLarge: () => Error;
}

/** Sends the POST; resolves with the whole answer, rejects with undici's error, the signal's reason or `tooLarge()`. */
export function postToGateway(dispatcher: Dispatcher, post: GatewayPost): Promise<GatewayAnswer> {
  return new Promise((resolve, reject) => {
    const { signal } = post;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let controller: Dispatcher.DispatchController | undefined;
    let statusCode = 0;
    let headers: Record<string, string | string[] | undefined> = {};
    let chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const onAbort = (): void => controller?.abort(signal?.reason as Error);
    const finish = (error: unknown, answer?: GatewayAnswer): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (answer) resolve(answer);
      else reject(error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    dispatcher.dispatch(
      { origin: post.origin, path: post.path, method: 'POST', headers: post.headers, body: post.body, headersTimeout: post.timeoutMs, bodyTimeout: post.timeoutMs },
      {
        onRequestStart(started) {
          controller = started;
          if (signal?.aborted) started.abort(signal.reason as Error);
        },
        onResponseStart(_controller, status, answerHeaders) {
          // 1xx answers come first and are not the answer; a retried request starts over.
          statusCode = status;
          headers = answerHeaders;
          chunks = [];
          size = 0;
        },
        onResponseData(current, chunk) {
          size += chunk.length;
          if (size > post.maxBytes) {
            current.abort(post.tooLarge());
            return;
          }
          chunks.push(chunk);
        },
        onResponseEnd() {
          const text = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
          finish(undefined, { statusCode, headers, text });
        },
        onResponseError(_controller, error) {
          finish(error);
        },
      },
    );
  });
}
