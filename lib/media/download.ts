/**
 * A cloud recording downloaded as one job that cannot half-fail: find the event's recording, wait for
 * the cloud's MP4 transcode, stream it (to `<name>.part`, or into memory), check it, then rename it
 * to its name under the base directory. On any failure or cancellation no `.part` file is left.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { LinkVisualClient } from '../client/client';
import { abortError } from '../util/abort';
import { LinkVisualError } from '../gateway/errors';
import { findEventRecording } from './event-recording';
import { MemorySink } from './memory-sink';
import { OVERWRITE_POLICIES, PartFile, type OverwritePolicy } from './part-file';
import { withPathLock } from './path-lock';
import { DEFAULT_PATH_TEMPLATE, checkPathId, checkPathTemplate, expandPathTemplate, isInside, resolveInside } from './path-template';
import type { RecordingRequest } from './recording-request';
import { waitForDownloadUrl } from './transcode';
import { transferMedia, type TransferResult } from './transfer';

/** Where the bytes go: a file under `directory` named by the `path` template, or a Buffer. */
export type DownloadTarget =
  | { readonly kind: 'file'; readonly directory: string; readonly path?: string; readonly overwrite?: OverwritePolicy }
  | { readonly kind: 'buffer'; readonly maxBytes: number };

/** The step a job is at: finding an event's recording, waiting for the transcode, downloading. */
export type DownloadPhase = 'waiting' | 'transcode' | 'download';

export interface DownloadProgress {
  readonly phase: DownloadPhase;
  /** Transcode or download progress, 0 to 100, when known. */
  readonly percent?: number;
  readonly received?: number;
  readonly total?: number;
  readonly bytesPerSecond?: number;
  /** What is awaited, in words (phase `waiting`). */
  readonly detail?: string;
}

export interface DownloadOptions {
  readonly signal?: AbortSignal;
  /** Longest wait for an event's recording plus its transcode. Default 300 s. */
  readonly transcodeTimeoutMs?: number;
  /** Longest silence of the media server before the transfer counts as stalled. Default 30 s. */
  readonly stallTimeoutMs?: number;
  /** Further attempts after a broken, stalled or short transfer (resumed with Range). Default 3. */
  readonly retries?: number;
  /** Longest pause between two transcode polls. Default 1000 ms. */
  readonly maxPollMs?: number;
  readonly onProgress?: (progress: DownloadProgress) => void;
}

interface DownloadFacts {
  readonly iotId: string;
  readonly fileName: string;
  readonly eventId?: string;
  readonly size: number;
  readonly contentType: string;
  /** The clip's play length from its MP4 header, when stated. */
  readonly durationMs?: number;
  /** Milliseconds the whole job took (lookup, transcode wait and transfer). */
  readonly elapsedMs: number;
  /** Milliseconds spent waiting for the recording and its transcode. */
  readonly waitMs: number;
  readonly transfer?: Omit<TransferResult, 'size' | 'contentType' | 'durationMs'>;
}

/** A recording saved to a file. */
export interface FileDownload extends DownloadFacts {
  readonly kind: 'file';
  readonly path: string;
  /** True when policy `never` found the file there already (nothing was downloaded). */
  readonly skipped: boolean;
}

/** A recording held in memory. */
export interface BufferDownload extends DownloadFacts {
  readonly kind: 'buffer';
  readonly buffer: Buffer;
  /** A file name for it: `<fileName>.mp4`. */
  readonly filename: string;
}

export type DownloadResult = FileDownload | BufferDownload;

function storageError(action: string, error: unknown): LinkVisualError {
  if (error instanceof LinkVisualError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  return new LinkVisualError('CONFIG', `cannot ${action}: ${code ? `${code}: ` : ''}${(error as Error).message}`, { cause: error });
}

/** Checks a target's settings before anything reaches the network. */
export function checkDownloadTarget(target: DownloadTarget, request: RecordingRequest): void {
  if (target.kind === 'buffer') {
    if (!(target.maxBytes > 0)) throw new LinkVisualError('INVALID_PARAMS', 'maxBufferMB must be more than 0', { problems: [{ path: 'maxBufferMB', message: 'must be > 0' }] });
    return;
  }
  if (typeof target.directory !== 'string' || target.directory.trim() === '') {
    throw new LinkVisualError('INVALID_PARAMS', 'directory: set the base directory downloads are saved under', { problems: [{ path: 'directory', message: 'is required in file mode' }] });
  }
  const template = checkPathTemplate(target.path ?? DEFAULT_PATH_TEMPLATE);
  if (template.includes('{eventId}') && request.eventId === undefined) {
    throw new LinkVisualError('INVALID_PARAMS', 'path: uses {eventId}, but this recording was not asked for by an event', { problems: [{ path: 'path', message: '{eventId} needs an event' }] });
  }
  if (!OVERWRITE_POLICIES.includes(target.overwrite ?? 'rename')) {
    throw new LinkVisualError('INVALID_PARAMS', `overwrite must be one of ${OVERWRITE_POLICIES.join(', ')}`, { problems: [{ path: 'overwrite', message: 'unknown policy' }] });
  }
}

/** Creates the target's directory and makes sure it is inside the base directory, symbolic links followed. */
async function prepareDirectory(base: string, file: string): Promise<void> {
  const dir = path.dirname(file);
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (error) {
    throw storageError(`create the directory ${dir}`, error);
  }
  const [realBase, realDir] = await Promise.all([fs.realpath(base), fs.realpath(dir)]).catch((error: unknown) => {
    throw storageError(`resolve ${dir}`, error);
  });
  if (!isInside(realBase, realDir)) {
    throw new LinkVisualError('INVALID_PARAMS', `path: ${dir} leads outside the directory ${base} (a symbolic link)`, { problems: [{ path: 'path', message: 'leaves the directory' }] });
  }
}

/** Downloads one recording to a file or a Buffer, as one job: complete and checked, or nothing. */
export async function downloadRecording(client: LinkVisualClient, request: RecordingRequest, target: DownloadTarget, options: DownloadOptions = {}): Promise<DownloadResult> {
  const started = Date.now();
  const { signal } = options;
  const transcodeTimeoutMs = options.transcodeTimeoutMs ?? 300_000;
  const iotId = checkPathId('iotId', request.iotId);
  if (request.fileName === undefined && request.eventId === undefined) {
    throw new LinkVisualError('INVALID_PARAMS', 'give fileName (a recording) or eventId (an event)', { problems: [{ path: 'fileName', message: 'fileName or eventId is required' }] });
  }
  if (request.fileName !== undefined) checkPathId('fileName', request.fileName);
  if (request.eventId !== undefined) checkPathId('eventId', request.eventId);
  checkDownloadTarget(target, request);
  const deadline = started + transcodeTimeoutMs;
  const progress = options.onProgress ?? (() => undefined);

  let fileName = request.fileName;
  let time = request.time;
  if (fileName === undefined) {
    const eventId = request.eventId as string;
    progress({ phase: 'waiting', detail: `event ${eventId}` });
    const found = await findEventRecording(client, iotId, eventId, { signal, deadline, onWait: (detail) => progress({ phase: 'waiting', detail }) });
    fileName = checkPathId('eventFileName', found.fileName);
    time ??= found.eventTime;
  }
  const name = fileName;

  const fetchUrl = (until: number) => {
    progress({ phase: 'transcode', percent: 0 });
    return waitForDownloadUrl(client, iotId, name, { signal, deadline: until, maxPollMs: options.maxPollMs, onProgress: (percent) => progress({ phase: 'transcode', percent }) });
  };
  const transfer = (url: string, sink: PartFile | MemorySink) =>
    transferMedia(client, url, sink, {
      signal,
      stallTimeoutMs: options.stallTimeoutMs,
      retries: options.retries,
      // The URL expired between transcode and fetch: ask once more (the transcode is done, so it answers at once).
      renewUrl: () => fetchUrl(Date.now() + transcodeTimeoutMs),
      onProgress: (p) => progress({ phase: 'download', received: p.received, total: p.total, bytesPerSecond: p.bytesPerSecond, ...(p.total ? { percent: Math.floor((p.received / p.total) * 100) } : {}) }),
    });
  const facts = (result: TransferResult, waitMs: number) => {
    const { size, contentType, durationMs, ...rest } = result;
    return {
      iotId,
      fileName: name,
      ...(request.eventId === undefined ? {} : { eventId: request.eventId }),
      size,
      contentType,
      ...(durationMs === undefined ? {} : { durationMs }),
      elapsedMs: Date.now() - started,
      waitMs,
      transfer: rest,
    };
  };

  if (target.kind === 'buffer') {
    const url = await fetchUrl(deadline);
    const waitMs = Date.now() - started;
    progress({ phase: 'download', percent: 0, received: 0 });
    const sink = new MemorySink(target.maxBytes);
    const result = await transfer(url, sink);
    return { kind: 'buffer', ...facts(result, waitMs), buffer: sink.contents(), contentType: 'video/mp4', filename: `${name.replace(/\.mp4$/i, '')}.mp4` };
  }

  const base = path.resolve(target.directory);
  const policy = target.overwrite ?? 'rename';
  const relative = expandPathTemplate(target.path ?? DEFAULT_PATH_TEMPLATE, { iotId, fileName: name, eventId: request.eventId, time: new Date(time ?? Date.now()) });
  const file = resolveInside(base, relative);
  return withPathLock(
    file,
    async (): Promise<FileDownload> => {
      await prepareDirectory(base, file);
      if (policy === 'never') {
        const existing = await fs.stat(file).catch(() => undefined);
        if (existing) {
          return { kind: 'file', iotId, fileName: name, ...(request.eventId === undefined ? {} : { eventId: request.eventId }), path: file, skipped: true, size: existing.size, contentType: 'video/mp4', elapsedMs: Date.now() - started, waitMs: 0 };
        }
      }
      const url = await fetchUrl(deadline);
      const waitMs = Date.now() - started;
      progress({ phase: 'download', percent: 0, received: 0 });
      let part: PartFile;
      try {
        part = await PartFile.create(file);
      } catch (error) {
        throw storageError(`create ${file}.part`, error);
      }
      try {
        const result = await transfer(url, part);
        const placed = await part.commit(policy).catch((error: unknown) => {
          throw storageError(`save ${file}`, error);
        });
        return { kind: 'file', ...facts(result, waitMs), path: placed.path, skipped: placed.skipped };
      } finally {
        await part.discard(); // a no-op after a commit
      }
    },
    signal,
  ).catch((error: unknown) => {
    if (signal?.aborted) throw abortError(signal);
    throw error;
  });
}
