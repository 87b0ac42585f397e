import type { LinkVisualClient } from '../client/client';
import { apiVersionOf, type ApiVersions } from '../catalog/api-versions';
import { isPlainObject } from '../util/plain-object';
import { LinkVisualError } from '../gateway/errors';
import { pause } from '../util/abort';
import { PICTURE_URL_FALLBACK_MS, expiresAtFor } from './url-expiry';

/** A captured picture, fetched. */
export interface Snapshot {
  readonly pictureId: string;
  readonly iotId: string;
  /** The picture's record from picture/querybyids (times, URLs). */
  readonly picture: Record<string, unknown>;
  readonly image: Buffer;
  readonly contentType: string;
  /** When the picture URL stops working (ms since epoch). */
  readonly expiresAt: number;
}

export interface SnapshotOptions {
  readonly signal?: AbortSignal;
  /** How long to wait for the camera to upload the picture. Default 20 s. */
  readonly timeoutMs?: number;
  /** Pause between lookups. Default 1 s. */
  readonly pollMs?: number;
  /** Largest image accepted. Default: the client's media limit (20 MiB). */
  readonly maxBytes?: number;
  readonly onProgress?: (text: string) => void;
  /** Versions to send instead of the catalog's, by operation name (`triggerPicture`, `queryPicturesByIds`). */
  readonly apiVersions?: ApiVersions;
}

/**
 * Triggers a picture on a camera, waits until the cloud lists it (the upload takes a moment), and
 * fetches the JPEG. The trigger is sent once; only the lookups repeat.
 */
export async function takeSnapshot(client: LinkVisualClient, iotId: string, options: SnapshotOptions = {}): Promise<Snapshot> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const pollMs = options.pollMs ?? 1000;
  const triggered = await client.call('triggerPicture', { iotId }, { signal: options.signal, apiVer: apiVersionOf(options.apiVersions, 'triggerPicture') });
  const pictureId = isPlainObject(triggered) ? triggered.pictureId : undefined;
  if (typeof pictureId !== 'string' || pictureId === '') {
    throw new LinkVisualError('INVALID_RESPONSE', 'picture/trigger: the answer has no pictureId', { path: '/vision/customer/picture/trigger' });
  }
  const deadline = Date.now() + timeoutMs;
  options.onProgress?.('waiting for picture');
  for (;;) {
    const found = await client.call(
      'queryPicturesByIds',
      { iotId, pictureIdList: [pictureId] },
      { signal: options.signal, apiVer: apiVersionOf(options.apiVersions, 'queryPicturesByIds') },
    );
    const list = isPlainObject(found) && Array.isArray(found.pictureList) ? found.pictureList : [];
    const picture = list.find((p): p is Record<string, unknown> => isPlainObject(p) && p.pictureId === pictureId && typeof p.pictureUrl === 'string' && p.pictureUrl !== '');
    if (picture) {
      options.onProgress?.('fetching picture');
      const url = picture.pictureUrl as string;
      const media = await client.fetchMedia(url, { signal: options.signal, maxBytes: options.maxBytes, accept: ['image/'] });
      return { pictureId, iotId, picture, image: media.buffer, contentType: media.contentType, expiresAt: expiresAtFor(url, PICTURE_URL_FALLBACK_MS) };
    }
    if (Date.now() + pollMs > deadline) {
      throw new LinkVisualError('NOT_READY', `picture ${pictureId} was not uploaded within ${Math.round(timeoutMs / 1000)} s`, { retryable: true });
    }
    await pause(pollMs, options.signal);
  }
}
