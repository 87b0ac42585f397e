/**
 * The cloud transcodes a recording to MP4 before it can be downloaded: `vod/cloudfile/get` starts the
 * job and reports `{url, status, progress}` (docs/protocol.md §8.4). `status` and `progress` come as numbers
 * or as numeric text (the reference's sample is `"status":"1","progress":"80"`). Status 0 is done,
 * 1 is working, and every other number is a failure (2 in the Chinese reference, -1 in the English
 * one), reported at once. `data: null` or no `status` while the file is being made
 * (docs/spec-notes.md) mean "wait". A `status` that is not a number at all is read as "wait" too:
 * the deadline still ends the wait, and failing a download on an answer we cannot read would be a
 * guess.
 */
import type { LinkVisualClient } from '../client/client';
import { isPlainObject } from '../util/plain-object';
import { LinkVisualError } from '../gateway/errors';
import { numberOf } from '../gateway/numbers';
import { pause } from '../util/abort';
import { pollDelay } from './poll-delay';

export interface TranscodeWaitOptions {
  readonly signal?: AbortSignal;
  /** Epoch ms after which waiting stops with NOT_READY. */
  readonly deadline: number;
  /** Longest pause between two polls. Default 1000 ms (what the apps do). */
  readonly maxPollMs?: number;
  /** Called with the transcode progress (0 to 100) after every poll. */
  readonly onProgress?: (percent: number) => void;
}

/** What one `vod/cloudfile/get` answer says. */
export type TranscodeAnswer = { state: 'ready'; url: string } | { state: 'working'; progress: number } | { state: 'failed'; status: number };

/** One `vod/cloudfile/get` answer, read: the URL when ready, the progress while working, or the failed status. */
export function readTranscodeAnswer(data: unknown): TranscodeAnswer {
  if (!isPlainObject(data)) return { state: 'working', progress: 0 }; // data: null is "still being made"
  const url = typeof data.url === 'string' ? data.url : '';
  const percent = numberOf(data.progress);
  const progress = percent === undefined ? 0 : Math.max(0, Math.min(100, percent));
  const absent = data.status === undefined || data.status === null;
  const status = numberOf(data.status);
  if (status !== undefined && status !== 0 && status !== 1) return { state: 'failed', status };
  if (url !== '' && (status === 0 || (absent && progress === 100))) return { state: 'ready', url };
  return { state: 'working', progress: status === 0 ? 100 : progress };
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
      throw new LinkVisualError('MEDIA', `the cloud could not transcode ${fileName} (vod/cloudfile/get status ${answer.status}); a new request starts a new transcode`, {
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
