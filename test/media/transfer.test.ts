import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LinkVisualClient } from '../../lib/client/client';
import { bodySlices, mp4Body } from '../../lib/emulator/media';
import { LinkVisualError } from '../../lib/gateway/errors';
import { MemorySink } from '../../lib/media/memory-sink';
import { transferMedia } from '../../lib/media/transfer';

const FILE = Buffer.concat([...bodySlices(mp4Body(1_000_000), 0, 999_999)]);

/** How the test server answers the next requests (one behaviour per request, then plain). */
type Behaviour = { dropAfter?: number; stallAfter?: number; stallMs?: number; ignoreRange?: boolean; contentType?: string; chunked?: boolean; extra?: number; status?: number };

interface TestServer {
  url: string;
  requests: { range?: string; ifRange?: string }[];
  script: Behaviour[];
  close(): Promise<void>;
}

async function startServer(): Promise<TestServer> {
  const state: TestServer = { url: '', requests: [], script: [], close: async () => undefined };
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    state.requests.push({ range: req.headers.range, ifRange: req.headers['if-range'] as string | undefined });
    const behaviour = state.script.shift() ?? {};
    if (behaviour.status) {
      res.writeHead(behaviour.status, { 'content-type': 'text/plain' });
      res.end('no');
      return;
    }
    const match = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = match && !behaviour.ignoreRange && req.headers['if-range'] === '"v1"' ? Number(match[1]) : 0;
    let body = FILE.subarray(start);
    if (behaviour.extra) body = Buffer.concat([body, Buffer.alloc(behaviour.extra)]);
    const headers: Record<string, string> = { 'content-type': behaviour.contentType ?? 'video/mp4', etag: '"v1"', 'accept-ranges': 'bytes' };
    if (!behaviour.chunked) headers['content-length'] = String(behaviour.extra ? body.length - behaviour.extra : body.length);
    if (start > 0) headers['content-range'] = `bytes ${start}-${FILE.length - 1}/${FILE.length}`;
    res.writeHead(start > 0 ? 206 : 200, headers);
    const cut = behaviour.dropAfter ?? behaviour.stallAfter;
    if (cut === undefined) {
      res.end(body);
      return;
    }
    res.write(body.subarray(0, cut), () => {
      if (behaviour.dropAfter !== undefined) res.socket?.destroy();
      else setTimeout(() => res.end(body.subarray(cut)), behaviour.stallMs ?? 0);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/clip.mp4?sig=secret`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return state;
}

describe('media transfer: checks, resume, stall and expiry', function () {
  this.timeout(30_000);
  let server: TestServer;
  let client: LinkVisualClient;

  beforeEach(async () => {
    server = await startServer();
    client = new LinkVisualClient({ endpoint: 'http://127.0.0.1:1', appKey: 'k', appSecret: 's' });
  });
  afterEach(async () => {
    await client.close();
    await server.close();
  });

  it('downloads, checks and reports the MP4 duration, speed and progress', async () => {
    const sink = new MemorySink(10_000_000);
    const seen: number[] = [];
    const result = await transferMedia(client, server.url, sink, { onProgress: (p) => seen.push(p.received), progressMs: 0 });
    assert.ok(sink.contents().equals(FILE));
    assert.equal(result.size, FILE.length);
    assert.equal(result.durationMs, 2000);
    assert.equal(result.attempts, 1);
    assert.ok(result.bytesPerSecond > 0);
    assert.equal(seen.at(-1), FILE.length);
  });

  it('resumes with Range and If-Range after a dropped connection', async () => {
    server.script.push({ dropAfter: 300_000 });
    const sink = new MemorySink(10_000_000);
    const result = await transferMedia(client, server.url, sink, { retries: 1 });
    assert.ok(sink.contents().equals(FILE));
    assert.equal(result.resumed, 1);
    assert.equal(server.requests.length, 2);
    assert.match(server.requests[1].range ?? '', /^bytes=\d+-$/);
    assert.ok(Number(/\d+/.exec(server.requests[1].range ?? '')?.[0]) >= 1, 'resumed after the bytes already received');
    assert.equal(server.requests[1].ifRange, '"v1"');
  });

  it('starts over when the server ignores the range, and still ends with the right bytes', async () => {
    server.script.push({ dropAfter: 300_000 }, { ignoreRange: true });
    const sink = new MemorySink(10_000_000);
    const result = await transferMedia(client, server.url, sink, { retries: 1 });
    assert.ok(sink.contents().equals(FILE));
    assert.equal(result.resumed, 0);
    assert.equal(result.attempts, 2);
  });

  it('fails cleanly after the retries are spent', async () => {
    server.script.push({ dropAfter: 1000 }, { dropAfter: 1000 });
    await assert.rejects(transferMedia(client, server.url, new MemorySink(10_000_000), { retries: 1 }), (error: LinkVisualError) => error.code === 'NETWORK' && error.retryable);
    assert.equal(server.requests.length, 2);
  });

  it('treats a stalled body as TIMEOUT and resumes', async () => {
    server.script.push({ stallAfter: 200_000, stallMs: 3000 });
    const started = Date.now();
    const sink = new MemorySink(10_000_000);
    const result = await transferMedia(client, server.url, sink, { stallTimeoutMs: 500, retries: 1 });
    assert.ok(Date.now() - started < 2500, 'did not wait for the stalled server');
    assert.ok(sink.contents().equals(FILE));
    assert.equal(result.resumed, 1);
    server.script.push({ stallAfter: 200_000, stallMs: 3000 });
    await assert.rejects(transferMedia(client, server.url, new MemorySink(10_000_000), { stallTimeoutMs: 500, retries: 0 }), (error: LinkVisualError) => error.code === 'TIMEOUT' && /stalled/.test(error.message));
  });

  it('refuses error pages, trailing garbage and HTTP errors (without the URL signature in the message)', async () => {
    server.script.push({ contentType: 'text/html; charset=utf-8' });
    await assert.rejects(transferMedia(client, server.url, new MemorySink(10_000_000)), (error: LinkVisualError) => error.code === 'MEDIA' && /text\/html/.test(error.message));
    server.script.push({ chunked: true, extra: 10 });
    await assert.rejects(transferMedia(client, server.url, new MemorySink(10_000_000), { retries: 0 }), (error: LinkVisualError) => error.code === 'MEDIA' && /not an MP4/.test(error.message));
    server.script.push({ status: 404 });
    await assert.rejects(transferMedia(client, server.url, new MemorySink(10_000_000)), (error: LinkVisualError) => error.code === 'MEDIA' && error.httpStatus === 404 && !error.message.includes('secret'));
  });

  it('asks once for a fresh URL after 403 and resumes from where it was', async () => {
    server.script.push({ dropAfter: 100_000 }, { status: 403 });
    let renewed = 0;
    const sink = new MemorySink(10_000_000);
    const result = await transferMedia(client, server.url, sink, {
      retries: 1,
      renewUrl: async () => {
        renewed += 1;
        return server.url;
      },
    });
    assert.ok(sink.contents().equals(FILE));
    assert.equal(renewed, 1);
    assert.ok(result.renewedUrl);
    server.script.push({ status: 403 }, { status: 403 });
    await assert.rejects(transferMedia(client, server.url, new MemorySink(10_000_000), { renewUrl: async () => server.url }), (error: LinkVisualError) => error.code === 'URL_EXPIRED');
  });

  it('refuses a buffer over its limit from Content-Length, without reading the body', async () => {
    await assert.rejects(transferMedia(client, server.url, new MemorySink(500_000)), (error: LinkVisualError) => error.code === 'TOO_LARGE');
    server.script.push({ chunked: true });
    await assert.rejects(transferMedia(client, server.url, new MemorySink(500_000)), (error: LinkVisualError) => error.code === 'TOO_LARGE');
  });

  it('stops at once on abort and on client close', async () => {
    server.script.push({ stallAfter: 100_000, stallMs: 5000 });
    const controller = new AbortController();
    const pending = transferMedia(client, server.url, new MemorySink(10_000_000), { signal: controller.signal, stallTimeoutMs: 10_000 });
    setTimeout(() => controller.abort(new LinkVisualError('ABORTED', 'test abort')), 200);
    await assert.rejects(pending, (error: LinkVisualError) => error.code === 'ABORTED');
    server.script.push({ stallAfter: 100_000, stallMs: 5000 });
    const closing = transferMedia(client, server.url, new MemorySink(10_000_000), { stallTimeoutMs: 10_000 });
    setTimeout(() => void client.close(), 200);
    await assert.rejects(closing, (error: LinkVisualError) => error.code === 'CLOSED');
  });
});
