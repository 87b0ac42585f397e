/**
 * A proxy in front of an emulator that breaks its answers: bad JSON, missing or null `data`, a code of
 * the wrong type, wrong types deep inside `data`, truncated bodies, dropped connections, 5xx HTML pages,
 * deeply nested and huge bodies; media answers cut short or of the wrong type. The Host header is kept,
 * so the media URLs the emulator hands out point at the proxy too.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Rng } from './harness';

export type Mutation =
  | 'pass'
  | 'badJson'
  | 'noData'
  | 'nullData'
  | 'codeType'
  | 'wrongTypes'
  | 'dataType'
  | 'truncated'
  | 'reset'
  | 'html5xx'
  | 'deep'
  | 'hugeList'
  | 'huge'
  | 'slow'
  | 'mediaTruncated'
  | 'mediaType'
  | 'mediaExpired';

const SESSION_PATHS = new Set(['/account/createSessionByAuthCode', '/account/checkOrRefreshSession', '/cloud/token', '/cloud/token/refresh']);

export interface ProxyOptions {
  /** Share of API answers that are broken. */
  readonly mutateRate: number;
  /** Share of API answers made larger than the client's 16 MiB limit. */
  readonly hugeRate?: number;
  /** Share of API answers held back past the client's timeout. */
  readonly slowRate?: number;
  readonly slowMs?: number;
}

function randomJson(rng: Rng, depth = 0): unknown {
  switch (rng.int(0, depth > 2 ? 7 : 10)) {
    case 0:
      return null;
    case 1:
      return rng.pick([0, -1, 1, 1.5, 2 ** 53 + 1, -(2 ** 63), 1e308, -1e-308]);
    case 2:
      return rng.bool();
    case 3:
      return rng.text(rng.int(0, 12));
    case 4:
      return rng.pick(['', '../../etc/passwd', 'http://127.0.0.1:1/x.jpg', 'not a url', '2025-13-45T99:99:99Z', 'NaN', '\u0000', '😀']);
    case 5:
      return 'Q'.repeat(rng.int(1000, 200_000));
    case 6:
      return [];
    case 7:
      return {};
    case 8:
    case 9:
      return Array.from({ length: rng.int(0, 4) }, () => randomJson(rng, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let i = rng.int(0, 4); i > 0; i -= 1) object[rng.pick(['eventList', 'pictureList', 'recordFile', 'vodUrl', 'planId', 'total', 'nextValid', rng.text(4)])] = randomJson(rng, depth + 1);
      return object;
    }
  }
}

/** Replaces random fields deep inside `value` with values of other types. */
function mutateTypes(value: unknown, rng: Rng, depth = 0): unknown {
  if (depth > 6) return value;
  if (Array.isArray(value)) return value.map((item) => (rng.bool(0.25) ? randomJson(rng, 2) : mutateTypes(item, rng, depth + 1)));
  if (value && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      if (rng.bool(0.1)) continue; // a field goes missing
      result[key] = rng.bool(0.3) ? randomJson(rng, 2) : mutateTypes(field, rng, depth + 1);
    }
    return result;
  }
  return rng.bool(0.3) ? randomJson(rng, 2) : value;
}

function deepNesting(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

export class MutatingProxy {
  readonly counts: Record<string, number> = {};
  readonly #recent: string[] = [];

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  /** Starts the proxy in front of `target` (an emulator URL). */
  static async start(target: string, rng: Rng, options: ProxyOptions): Promise<MutatingProxy> {
    const upstream = new URL(target);
    const agent = new http.Agent({ keepAlive: true });
    const self: { proxy?: MutatingProxy } = {};
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const forward = http.request(
          { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent },
          (answer) => {
            const parts: Buffer[] = [];
            answer.on('data', (chunk: Buffer) => parts.push(chunk));
            answer.on('end', () => {
              const pathname = new URL(req.url ?? '/', 'http://x').pathname;
              const mutation = pick(pathname, answer.statusCode ?? 0);
              self.proxy?.note(mutation, pathname);
              respond(res, answer, Buffer.concat(parts), mutation);
            });
            answer.on('error', () => res.destroy());
          },
        );
        forward.on('error', () => res.destroy());
        forward.end(body);
      });
    });

    const pick = (pathname: string, status: number): Mutation => {
      if (pathname.startsWith('/_emulator/')) return 'pass';
      if (pathname.startsWith('/_media/')) {
        if (!rng.bool(options.mutateRate * 0.5)) return 'pass';
        return rng.pick(['mediaTruncated', 'mediaType', 'mediaExpired', 'reset'] as const);
      }
      if (SESSION_PATHS.has(pathname)) {
        // Broken refresh answers, but never a garbled token in a well-formed one: a client that stored it would
        // have lost its session for good (as it would with any cloud that handed out a wrong token).
        if (rng.bool(0.7)) return 'pass';
        return rng.pick(['badJson', 'noData', 'nullData', 'codeType', 'truncated', 'reset', 'html5xx', 'deep'] as const);
      }
      if (options.slowRate && rng.bool(options.slowRate)) return 'slow';
      if (options.hugeRate && rng.bool(options.hugeRate)) return 'huge';
      if (status !== 200 || !rng.bool(options.mutateRate)) return 'pass';
      return rng.pick(['badJson', 'noData', 'nullData', 'codeType', 'wrongTypes', 'wrongTypes', 'wrongTypes', 'dataType', 'truncated', 'reset', 'html5xx', 'deep', 'hugeList'] as const);
    };

    const respond = (res: http.ServerResponse, answer: http.IncomingMessage, body: Buffer, mutation: Mutation) => {
      const headers: http.OutgoingHttpHeaders = { ...answer.headers };
      delete headers['content-length'];
      delete headers['transfer-encoding'];
      delete headers.connection;
      delete headers['keep-alive'];
      const send = (status: number, text: string | Buffer, extra: http.OutgoingHttpHeaders = {}) => {
        const buffer = Buffer.isBuffer(text) ? text : Buffer.from(text);
        res.writeHead(status, { ...headers, ...extra, 'content-length': buffer.length });
        res.end(buffer);
      };
      let json: Record<string, unknown> | undefined;
      try {
        json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      } catch {
        json = undefined;
      }
      switch (mutation) {
        case 'pass':
          return send(answer.statusCode ?? 200, body);
        case 'badJson': {
          const text = body.toString('utf8');
          return send(200, rng.pick([text.slice(0, rng.int(0, Math.max(0, text.length - 1))), 'not json', '<html><body>502 Bad Gateway</body></html>', '{"code":200,"data":', '\u0000\u0001', 'null', 'true', '"string"', '[]', '{}', '']));
        }
        case 'noData':
          if (json) delete json.data;
          return send(200, JSON.stringify(json ?? {}));
        case 'nullData':
          return send(200, JSON.stringify({ ...(json ?? {}), data: null }));
        case 'codeType':
          return send(200, JSON.stringify({ ...(json ?? {}), code: rng.pick(['200', 200.5, null, -1, 2 ** 53 + 2, true, [200], { code: 200 }]) }));
        case 'wrongTypes':
          return send(200, JSON.stringify({ ...(json ?? {}), data: mutateTypes(json?.data, rng) }));
        case 'dataType':
          return send(200, JSON.stringify({ ...(json ?? {}), data: randomJson(rng) }));
        case 'truncated': {
          res.writeHead(200, { ...headers, 'content-length': body.length + 10 });
          res.write(body.subarray(0, Math.floor(body.length / 2)));
          setTimeout(() => res.destroy(), 5);
          return;
        }
        case 'reset':
          res.destroy();
          return;
        case 'html5xx':
          return send(rng.pick([500, 502, 503, 504]), '<html><head><title>Error</title></head><body>upstream failed</body></html>', { 'content-type': 'text/html' });
        case 'deep':
          return send(200, `{"code":200,"data":${deepNesting(rng.int(1000, 20_000))}}`);
        case 'hugeList': {
          const data = json?.data;
          const list = Array.from({ length: rng.int(20_000, 60_000) }, (_v, i) => ({ eventId: `e-${i}`, planId: `p-${i}`, fileName: `f-${i}`, beginTime: i }));
          const keys = data && typeof data === 'object' && !Array.isArray(data) ? Object.keys(data).filter((k) => Array.isArray((data as Record<string, unknown>)[k])) : [];
          const replaced = keys.length > 0 ? { ...(data as object), [rng.pick(keys)]: list } : list;
          return send(200, JSON.stringify({ ...(json ?? { code: 200 }), data: replaced }));
        }
        case 'huge':
          return send(200, `{"code":200,"pad":"${'P'.repeat(17 * 1024 * 1024)}","data":null}`);
        case 'slow':
          setTimeout(() => (res.destroyed ? undefined : send(answer.statusCode ?? 200, body)), options.slowMs ?? 6000);
          return;
        case 'mediaTruncated':
          res.writeHead(answer.statusCode ?? 200, { ...headers, 'content-length': body.length });
          res.write(body.subarray(0, Math.floor(body.length / 3)));
          setTimeout(() => res.destroy(), 5);
          return;
        case 'mediaType':
          return send(answer.statusCode ?? 200, body, { 'content-type': rng.pick(['text/html', 'application/json', 'image/svg+xml; charset=utf-8', '']) });
        case 'mediaExpired':
          return send(rng.pick([403, 410, 404, 500]), 'expired');
      }
    };

    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const proxy = new MutatingProxy(server, `http://127.0.0.1:${port}`);
    self.proxy = proxy;
    server.on('close', () => agent.destroy());
    return proxy;
  }

  private note(mutation: Mutation, pathname: string): void {
    this.counts[mutation] = (this.counts[mutation] ?? 0) + 1;
    this.#recent.push(`${mutation} ${pathname}`);
    if (this.#recent.length > 8) this.#recent.shift();
  }

  /** The last few answers and what was done to them (for failure messages). */
  lastMutations(): string[] {
    return [...this.#recent];
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
