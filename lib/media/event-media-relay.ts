/**
 * Pictures and clips of events, fetched on the server with the account's client for a browser that
 * must never see the account's credentials or the cloud's signed URLs. Expiring URLs are renewed here.
 */
import type { LinkVisualClient, MediaStream } from '../client/client';
import { fetchAlertImage, type AlertImage } from '../events/alert-image';
import type { CameraEvent } from '../events/camera-event';
import { fetchEventClip, type EventClip } from '../events/event-clip';
import { isPlainObject } from '../util/plain-object';
import { LinkVisualError } from '../gateway/errors';
import { isPlaylist, rewritePlaylist } from './hls-playlist';
import { waitForDownloadUrl } from './transcode';

export interface EventMediaRelayOptions {
  /** The account's client (created on first use). */
  readonly client: () => Promise<LinkVisualClient>;
  /** A URL this close to its expiry is renewed before use. Default 30 s. */
  readonly renewMarginMs?: number;
  /** How long a clip request waits for the recording to exist. Default 20 s. */
  readonly clipWaitMs?: number;
  /** Events whose URLs are remembered (oldest forgotten first). Default 200. */
  readonly maxEntries?: number;
  /** How long a download waits for the cloud's MP4 transcode of a recording that plays as HLS. Default 120 s. */
  readonly transcodeWaitMs?: number;
  readonly now?: () => number;
}

/** A clip as the browser gets it: a media stream, or a playlist whose URIs point back at `hrefFor`. */
export type RelayedClip = { readonly kind: 'media'; readonly stream: MediaStream } | { readonly kind: 'playlist'; readonly text: string };

interface Remembered {
  picture?: { url: string; expiresAt: number };
  clip?: EventClip;
  /** Absolute URLs named by the clip's playlists, by index (HLS only). */
  parts: string[];
}

export class EventMediaRelay {
  readonly #client: () => Promise<LinkVisualClient>;
  readonly #renewMarginMs: number;
  readonly #clipWaitMs: number;
  readonly #maxEntries: number;
  readonly #transcodeWaitMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Remembered>();

  constructor(options: EventMediaRelayOptions) {
    this.#client = options.client;
    this.#renewMarginMs = options.renewMarginMs ?? 30_000;
    this.#clipWaitMs = options.clipWaitMs ?? 20_000;
    this.#maxEntries = options.maxEntries ?? 200;
    this.#transcodeWaitMs = options.transcodeWaitMs ?? 120_000;
    this.#now = options.now ?? Date.now;
  }

  #entry(key: string): Remembered {
    let entry = this.#entries.get(key);
    if (entry) {
      this.#entries.delete(key); // re-inserted last: the map's order is least recently used first
    } else {
      entry = { parts: [] };
    }
    this.#entries.set(key, entry);
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries) break;
      this.#entries.delete(oldest);
    }
    return entry;
  }

  #fresh(expiresAt: number): boolean {
    return expiresAt - this.#renewMarginMs > this.#now();
  }

  /** The event's alert picture; a remembered URL is used while fresh, and an expired one is looked up again. */
  async picture(key: string, event: CameraEvent, signal?: AbortSignal): Promise<AlertImage> {
    const entry = this.#entry(key);
    const known = entry.picture && this.#fresh(entry.picture.expiresAt) ? entry.picture.url : undefined;
    const given = typeof event.fields.eventPicUrl === 'string' ? event.fields.eventPicUrl : undefined;
    const url = known ?? given;
    const withUrl: CameraEvent = url ? { ...event, fields: { ...event.fields, eventPicUrl: url } } : event;
    const image = await fetchAlertImage(await this.#client(), withUrl, { signal, attempts: 2, retryDelayMs: 500 });
    entry.picture = { url: image.url, expiresAt: image.expiresAt };
    return image;
  }

  /** The event's clip URL (`vod/getbyeventid`), renewed when it is about to expire. */
  async clipUrl(key: string, event: CameraEvent, signal?: AbortSignal): Promise<EventClip> {
    const entry = this.#entry(key);
    if (entry.clip && this.#fresh(entry.clip.expiresAt)) return entry.clip;
    const clip = await fetchEventClip(await this.#client(), event, { signal, waitMs: this.#clipWaitMs, pollMs: 1000, maxPollMs: 4000, now: this.#now });
    entry.clip = clip;
    entry.parts = [];
    return clip;
  }

  /**
   * Opens the event's clip: the media itself (from `rangeStart`), or its playlist rewritten so that
   * each URI is `hrefFor(index)`, to be asked for with `part`. An expired URL is renewed once.
   */
  async clip(key: string, event: CameraEvent, hrefFor: (index: number) => string, options: { rangeStart?: number; signal?: AbortSignal } = {}): Promise<RelayedClip> {
    for (let attempt = 0; ; attempt += 1) {
      const clip = await this.clipUrl(key, event, options.signal);
      try {
        return await this.#open(key, clip.url, hrefFor, options);
      } catch (error) {
        if (attempt > 0 || !(error instanceof LinkVisualError) || error.code !== 'URL_EXPIRED') throw error;
        this.#entry(key).clip = undefined;
      }
    }
  }

  /**
   * One URI a relayed playlist named (segment, key, nested playlist); INVALID_PARAMS for an index never
   * handed out. An expired part is retried once after `renew` fetched the playlist again.
   */
  async part(key: string, index: number, hrefFor: (index: number) => string, renew: () => Promise<unknown>, options: { rangeStart?: number; signal?: AbortSignal } = {}): Promise<RelayedClip> {
    for (let attempt = 0; ; attempt += 1) {
      const entry = this.#entry(key);
      const url = entry.parts[index];
      if (url === undefined) throw new LinkVisualError('INVALID_PARAMS', `no playlist part ${index} for this clip (the playlist was renewed: load it again)`);
      try {
        return await this.#open(key, url, hrefFor, options);
      } catch (error) {
        if (attempt > 0 || !(error instanceof LinkVisualError) || error.code !== 'URL_EXPIRED') throw error;
        // The signed part URLs expired with their playlist: fetch the playlist again, its indices stay the same.
        entry.clip = undefined;
        await renew();
      }
    }
  }

  /** The part of an event clip's playlist (see `part`). */
  eventPart(key: string, event: CameraEvent, index: number, hrefFor: (index: number) => string, options: { rangeStart?: number; signal?: AbortSignal } = {}): Promise<RelayedClip> {
    return this.part(key, index, hrefFor, () => this.clip(key, event, hrefFor, { signal: options.signal }), options);
  }

  /**
   * Opens a cloud recording by file name (`vod/getbyfilename`). Its URL works once, so every request
   * asks for a new one; a playlist's parts are then asked for with `part(recordingKey(...))`.
   */
  async recording(iotId: string, fileName: string, hrefFor: (index: number) => string, options: { rangeStart?: number; signal?: AbortSignal } = {}): Promise<RelayedClip> {
    const url = await this.#playbackUrl(iotId, fileName, options.signal);
    if (!url) throw new LinkVisualError('NOT_READY', `recording ${fileName} has no playback URL yet`, { retryable: true });
    return this.#open(recordingKey(iotId, fileName), url, hrefFor, options);
  }

  /** A new playback URL of a recording (`vod/getbyfilename`; such a URL works once), or undefined when the cloud has none yet. */
  async #playbackUrl(iotId: string, fileName: string, signal?: AbortSignal): Promise<string | undefined> {
    const data = await (await this.#client()).call('getVodUrlByFileName', { iotId, fileName }, { signal });
    return isPlainObject(data) && typeof data.vodUrl === 'string' && data.vodUrl !== '' ? data.vodUrl : undefined;
  }

  /**
   * The event's clip as one MP4 file to save: the playback URL itself when it is a file, else the cloud's
   * MP4 transcode of the clip's recording (`vod/cloudfile/get`): a playlist cannot be saved as one file.
   */
  async clipFile(key: string, event: CameraEvent, signal?: AbortSignal): Promise<MediaStream> {
    for (let attempt = 0; ; attempt += 1) {
      const clip = await this.clipUrl(key, event, signal);
      try {
        const file = await this.#fileAt(clip.url, signal);
        if (file) return file;
        if (!clip.fileName) throw new LinkVisualError('MEDIA', `the clip of event ${event.eventId} plays as a playlist and the cloud named no recording file to transcode for a download`, { retryable: false });
        return await this.#transcoded(event.iotId, clip.fileName, signal);
      } catch (error) {
        if (attempt > 0 || !(error instanceof LinkVisualError) || error.code !== 'URL_EXPIRED') throw error;
        this.#entry(key).clip = undefined;
      }
    }
  }

  /** A recording as one MP4 file to save: its playback URL when that is a file, else the cloud's MP4 transcode. */
  async recordingFile(iotId: string, fileName: string, signal?: AbortSignal): Promise<MediaStream> {
    const url = await this.#playbackUrl(iotId, fileName, signal);
    const file = url ? await this.#fileAt(url, signal) : undefined;
    return file ?? this.#transcoded(iotId, fileName, signal);
  }

  /** The media at `url` when it is a file; undefined for a playlist. */
  async #fileAt(url: string, signal?: AbortSignal): Promise<MediaStream | undefined> {
    if (isPlaylist(url)) return undefined;
    const stream = await (await this.#client()).openMedia(url, { signal });
    if (!isPlaylist(url, stream.headers['content-type'])) return stream;
    stream.body.destroy();
    return undefined;
  }

  async #transcoded(iotId: string, fileName: string, signal?: AbortSignal): Promise<MediaStream> {
    const client = await this.#client();
    const url = await waitForDownloadUrl(client, iotId, fileName, { signal, deadline: this.#now() + this.#transcodeWaitMs });
    return client.openMedia(url, { signal });
  }

  async #open(key: string, url: string, hrefFor: (index: number) => string, options: { rangeStart?: number; signal?: AbortSignal }): Promise<RelayedClip> {
    const client = await this.#client();
    if (isPlaylist(url)) return this.#playlist(key, client, url, hrefFor, options.signal);
    const stream = await client.openMedia(url, { rangeStart: options.rangeStart, signal: options.signal });
    if (isPlaylist(url, stream.headers['content-type'])) {
      stream.body.destroy();
      return this.#playlist(key, client, url, hrefFor, options.signal);
    }
    return { kind: 'media', stream };
  }

  async #playlist(key: string, client: LinkVisualClient, url: string, hrefFor: (index: number) => string, signal?: AbortSignal): Promise<RelayedClip> {
    const media = await client.fetchMedia(url, { maxBytes: 2 * 1024 * 1024, signal });
    const entry = this.#entry(key);
    // A playlist fetched again names the same URIs (new signatures) in the same order: they keep their indices.
    const text = rewritePlaylist(media.buffer.toString('utf8'), url, (target) => {
      let index = entry.parts.findIndex((part) => stripQuery(part) === stripQuery(target));
      if (index < 0) index = entry.parts.push(target) - 1;
      else entry.parts[index] = target;
      return hrefFor(index);
    });
    return { kind: 'playlist', text };
  }

  /** Forgets the URLs of events no longer shown. */
  retain(keys: Iterable<string>): void {
    const keep = new Set(keys);
    for (const key of [...this.#entries.keys()]) if (!keep.has(key)) this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** The relay's key of a recording file (its playlist parts are remembered under it). */
export function recordingKey(iotId: string, fileName: string): string {
  return `file:${iotId}/${fileName}`;
}

function stripQuery(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? url : url.slice(0, at);
}
