/**
 * Our download in its own process, so its RSS is its own: `downloadRecording` (lib/media/download.ts,
 * the engine of the `link-visual-download` node) to a file, on IPC request. Started with --expose-gc
 * by bench/download.ts; options as JSON in argv[2].
 */
import fs from 'node:fs';
import path from 'node:path';
import { LinkVisualClient } from '../lib/client/client';
import { downloadRecording } from '../lib/media/download';

interface Options {
  readonly url: string;
  readonly appKey: string;
  readonly appSecret: string;
  readonly identityId: string;
  readonly refreshToken: string;
  readonly directory: string;
}

interface Request {
  readonly seq: number;
  readonly cmd: 'download' | 'close';
  readonly iotId?: string;
  readonly fileName?: string;
}

const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const client = new LinkVisualClient({
  endpoint: options.url,
  appKey: options.appKey,
  appSecret: options.appSecret,
  auth: { mode: 'session', identityId: options.identityId, refreshToken: options.refreshToken },
});
const gc = (globalThis as { gc?: () => void }).gc;

// Measured, not changed: the time FileHandle.sync (the fsync before the rename) takes in each download.
let syncMs = 0;
async function watchFsync(): Promise<void> {
  const probe = await fs.promises.open(path.join(options.directory, '.probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as { sync: (this: unknown) => Promise<void> };
  await probe.close();
  fs.rmSync(path.join(options.directory, '.probe'), { force: true });
  const sync = proto.sync;
  proto.sync = async function timedSync(this: unknown): Promise<void> {
    const started = performance.now();
    try {
      await sync.call(this);
    } finally {
      syncMs += performance.now() - started;
    }
  };
}

async function download(request: Request): Promise<Record<string, unknown>> {
  gc?.();
  syncMs = 0;
  const rssBefore = process.memoryUsage.rss();
  let peak = rssBefore;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  const started = performance.now();
  try {
    const result = await downloadRecording(
      client,
      { iotId: String(request.iotId), fileName: String(request.fileName) },
      { kind: 'file', directory: options.directory, path: '{fileName}.mp4', overwrite: 'always' },
      { transcodeTimeoutMs: 60_000, maxPollMs: 50 },
    );
    const totalMs = performance.now() - started;
    peak = Math.max(peak, process.memoryUsage.rss());
    if (result.kind !== 'file') throw new Error('expected a file download');
    fs.rmSync(result.path, { force: true });
    // The URL lookup (vod/cloudfile/get) is not the download: the same URL is what curl gets.
    const transferMs = totalMs - result.waitMs;
    return { size: result.size, totalMs, waitMs: result.waitMs, transferMs, syncMs, rssGrowth: peak - rssBefore, attempts: result.transfer?.attempts };
  } finally {
    clearInterval(sampler);
  }
}

process.on('message', (request: Request) => {
  if (request.cmd === 'download') {
    download(request).then(
      (answer) => process.send?.({ seq: request.seq, ...answer }),
      (error: unknown) => process.send?.({ seq: request.seq, error: String(error) }),
    );
  } else {
    void client.close().finally(() => process.disconnect?.());
  }
});
watchFsync().then(
  () => process.send?.({ ready: true }),
  (error: unknown) => process.send?.({ ready: true, warning: String(error) }),
);
