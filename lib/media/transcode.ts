/**
 * The cloud transcodes a recording to MP4 before it can be downloaded: `vod/cloudfile/get` starts the
 * job and reports `{url, status (0 done, 1 working, -1 failed), progress}`. Some answers carry
 * `data: null` or no `status` while the file is being made (docs/spec-notes.md); both mean "wait".
 */
import type { LinkVisualClient } from '../client/client';
import { isPlainObject } from '../catalog/validate';
import { LinkVisualError } from '../gateway/errors';
import { pause, pollDelay } from './pause';

export interface TranscodeWaitOptions {
  readonly signal?: AbortSignal;
  /** Epoch ms after which waiting stops with NOT_READY. */
  readonly deadline: number;
  /** Longest pause between two polls. Default 1000 ms (what the apps do). */
  readonly maxPollMs?: number;
  /** Called with the transcode progress (0 to 100) after every poll. */
  readonly onProgress?: (percent: number) => void;
}

/** One `vod/cloudfile/get` answer, read: the URL when ready, or the progress. */
export function readTranscodeAnswer(data: unknown): { state: 'ready'; url: string } | { state: 'working'; progress: number } | { state: 'failed' } {
  if (!isPlainObject(data)) return { state: 'working', progress: 0 };
  const url = typeof data.url === 'string' ? data.url : '';
  const progress = typeof data.progress === 'number' && Number.isFinite(data.progress) ? Math.max(0, Math.min(100, data.progress)) : 0;
  if (data.status === -1) return { state: 'failed' };
  if (url !== '' && (data.status === 0 || (data.status === undefined && progress === 100))) return { state: 'ready', url };
  return { state: 'working', progress: data.status === 0 ? 100 : progress };
}

/** Starts (or finds) the transcode of a recording and waits for its download URL. */
export async function waitForDownloadUrl(client: LinkVisualClient, iotId: string, fileName: string, options: TranscodeWaitOptions): Promise<string> {
  let progress = 0;
  for (let attempt = 0; ; attempt += 1) {
    const data = await client.call('getDownloadUrl', { iotId, fileName }, { signal: options.signal });
    const answer = readTranscodeAnswer(data);
    if (answer.state === 'ready') {
      options.onProgress?.(100);
      return answer.url;
    }
    if (answer.state === 'failed') {
      throw new LinkVisualError('MEDIA', `the cloud could not transcode ${fileName} (vod/cloudfile/get status -1); a new request starts a new transcode`, {
        path: '/vision/customer/vod/cloudfile/get',
        retryable: true,
      });
    }
    progress = answer.progress;
    options.onProgress?.(progress);
    const left = options.deadline - Date.now();
    if (left <= 0) {
      throw new LinkVisualError('NOT_READY', `${fileName} is still being transcoded (${progress}%) at the transcode timeout`, {
        path: '/vision/customer/vod/cloudfile/get',
        retryable: true,
      });
    }
    await pause(Math.min(pollDelay(attempt, options.maxPollMs ?? 1000), left), options.signal); // the last poll falls on the deadline
  }
}
