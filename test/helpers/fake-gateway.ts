import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fake gateway saw it. */
export interface SeenRequest {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly envelope: { request: Record<string, unknown>; params: Record<string, unknown> } | undefined;
}

/** What a handler answers: an envelope-ish body, a raw status, or a dropped connection. */
export type FakeAnswer =
  | { status?: number; headers?: Record<string, string>; body?: unknown; delayMs?: number }
  | 'reset';

export interface FakeGateway {
  readonly url: string;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

/** A local HTTP server that answers gateway calls with whatever the test's handler says. */
export async function startFakeGateway(handler: (request: SeenRequest) => FakeAnswer | Promise<FakeAnswer>): Promise<FakeGateway> {
  const requests: SeenRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let envelope: SeenRequest['envelope'];
      try {
        envelope = JSON.parse(body) as SeenRequest['envelope'];
      } catch {
        envelope = undefined;
      }
      const seen: SeenRequest = { path: req.url ?? '', headers: req.headers, body, envelope };
      requests.push(seen);
      void Promise.resolve(handler(seen)).then((answer) => {
        if (answer === 'reset') {
          req.socket.destroy();
          return;
        }
        const send = () => {
          const payload = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? { code: 200, data: null });
          res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
          res.end(payload);
        };
        if (answer.delayMs) {
          const timer = setTimeout(() => {
            timers.delete(timer);
            send();
          }, answer.delayMs);
          timers.add(timer);
        } else send();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A success envelope around `data`. */
export function ok(data: unknown): FakeAnswer {
  return { body: { code: 200, message: 'success', data } };
}
