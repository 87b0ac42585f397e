/**
 * Media the emulator serves: real JPEGs and a real MP4 (fixtures.ts), the MP4 padded to any size with
 * a trailing `free` box and streamed (never held whole), behind expiring HMAC-signed URLs
 * (`/_media/<kind>/<iotId>/<id>.<ext>?expires=<ms>&sig=<b64url>`, 403 after expiry), with `Range`
 * (206, Content-Range, 416), `If-Range`, HEAD, Content-Length and Content-Type. A VOD recording may
 * also be asked for as an HLS playlist (`<id>.m3u8`, hls-vod.ts) whose segments are
 * `/_media/vod/<iotId>/<id>/<n>.ts`, each signed for its own path.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CLIP_MP4_BASE64, PICTURE_JPEG_BASE64, THUMB_JPEG_BASE64 } from './fixtures';

export const PICTURE_JPEG = Buffer.from(PICTURE_JPEG_BASE64, 'base64');
export const THUMB_JPEG = Buffer.from(THUMB_JPEG_BASE64, 'base64');
export const CLIP_MP4 = Buffer.from(CLIP_MP4_BASE64, 'base64');

export const MEDIA_PREFIX = '/_media/';
export type MediaKind = 'picture' | 'thumb' | 'snapshot' | 'vod' | 'download';
/** How a media path ends: a whole file, an HLS playlist, or one segment of it. */
export type MediaExt = 'jpg' | 'mp4' | 'm3u8' | 'ts';
/** The forms each kind is served in (a VOD recording as MP4 or as HLS, a download always as MP4). */
const EXTS_OF_KIND: Readonly<Record<MediaKind, readonly MediaExt[]>> = {
  picture: ['jpg'],
  thumb: ['jpg'],
  snapshot: ['jpg'],
  vod: ['mp4', 'm3u8', 'ts'],
  download: ['mp4'],
};

/** The path of one media object, `/_media/<kind>/<iotId>/<id>.<ext>`. */
export function mediaPath(kind: MediaKind, iotId: string, id: string, ext: MediaExt): string {
  return `${MEDIA_PREFIX}${kind}/${encodeURIComponent(iotId)}/${encodeURIComponent(id)}.${ext}`;
}

/** The path of segment `index` of a recording's HLS playlist; relative to the playlist it is `<id>/<index>.ts`. */
export function segmentPath(iotId: string, id: string, index: number): string {
  return `${MEDIA_PREFIX}vod/${encodeURIComponent(iotId)}/${encodeURIComponent(id)}/${index}.ts`;
}

/** A media request that passed the checks: what it names, and when its URL expires (real ms). */
export interface VerifiedMedia {
  readonly ok: true;
  readonly kind: MediaKind;
  readonly iotId: string;
  readonly id: string;
  readonly ext: MediaExt;
  /** The segment index of a `.ts` request. */
  readonly segment?: number;
  readonly expiresAt: number;
}

/** A body made of parts; a part without bytes is a run of zeros. Served in slices, never joined. */
export interface MediaBody {
  readonly contentType: string;
  readonly size: number;
  readonly etag: string;
  readonly parts: readonly { readonly length: number; readonly bytes?: Buffer }[];
}

function etagOf(kind: string, bytes: Buffer, size: number): string {
  return `"${kind}-${createHash('sha1').update(bytes).digest('hex').slice(0, 12)}-${size}"`;
}

/** A body of bytes held in memory, of the given content type. */
export function bufferBody(contentType: string, bytes: Buffer): MediaBody {
  const kind = contentType.replace(/^.*\//, '').replace(/[^\w.-]/g, '');
  return { contentType, size: bytes.length, etag: etagOf(kind, bytes, bytes.length), parts: [{ length: bytes.length, bytes }] };
}

/** A JPEG body. */
export function jpegBody(bytes: Buffer): MediaBody {
  return bufferBody('image/jpeg', bytes);
}

/**
 * The fixture MP4 padded to `size` bytes with a trailing `free` box (a 64-bit `largesize` box past
 * 4 GiB). Sizes too small for a box header give the bare fixture.
 */
export function mp4Body(size: number): MediaBody {
  const pad = Math.floor(size) - CLIP_MP4.length;
  if (!(pad >= 8)) {
    return { contentType: 'video/mp4', size: CLIP_MP4.length, etag: etagOf('mp4', CLIP_MP4, CLIP_MP4.length), parts: [{ length: CLIP_MP4.length, bytes: CLIP_MP4 }] };
  }
  let header: Buffer;
  if (pad <= 0xffffffff) {
    header = Buffer.alloc(8);
    header.writeUInt32BE(pad, 0);
    header.write('free', 4, 'latin1');
  } else {
    header = Buffer.alloc(16);
    header.writeUInt32BE(1, 0);
    header.write('free', 4, 'latin1');
    header.writeBigUInt64BE(BigInt(pad), 8);
  }
  const total = CLIP_MP4.length + pad;
  return {
    contentType: 'video/mp4',
    size: total,
    etag: etagOf('mp4', CLIP_MP4, total),
    parts: [
      { length: CLIP_MP4.length, bytes: CLIP_MP4 },
      { length: header.length, bytes: header },
      { length: pad - header.length },
    ],
  };
}

const ZEROS = Buffer.alloc(64 * 1024);

/** The bytes [start, end] (inclusive) of a body, as chunks of at most 64 KiB. */
export function* bodySlices(body: MediaBody, start: number, end: number): Generator<Buffer> {
  let offset = 0;
  for (const part of body.parts) {
    const partEnd = offset + part.length;
    let from = Math.max(start, offset);
    const to = Math.min(end + 1, partEnd);
    while (from < to) {
      const length = Math.min(to - from, ZEROS.length);
      yield part.bytes ? part.bytes.subarray(from - offset, from - offset + length) : ZEROS.subarray(0, length);
      from += length;
    }
    offset = partEnd;
    if (offset > end) return;
  }
}

/** Signs and checks media URLs with a server secret; URLs expire `ttlSeconds` after issue (real time). */
export class MediaSigner {
  constructor(
    private readonly secret: Buffer,
    private readonly ttlSeconds: number,
    private readonly realNow: () => number,
  ) {}

  private signature(pathname: string, expires: string): string {
    return createHmac('sha256', this.secret).update(`${pathname}|${expires}`).digest('base64url');
  }

  /** The query string that signs `pathname` until `expiresAt` (real ms): `expires=<ms>&sig=<b64url>`. */
  signedQuery(pathname: string, expiresAt: number): string {
    const expires = String(expiresAt);
    return `expires=${expires}&sig=${this.signature(pathname, expires)}`;
  }

  /** An absolute, expiring URL of one media object (a VOD recording as `mp4` or as an HLS playlist, `m3u8`). */
  url(baseUrl: string, kind: MediaKind, iotId: string, id: string, ext: MediaExt = EXTS_OF_KIND[kind][0]): { url: string; expiresAt: number } {
    const pathname = mediaPath(kind, iotId, id, ext);
    const expiresAt = this.realNow() + this.ttlSeconds * 1000;
    return { url: `${baseUrl}${pathname}?${this.signedQuery(pathname, expiresAt)}`, expiresAt };
  }

  /** Checks a media request's path and query: the object it names, or why it is refused. */
  verify(pathname: string, query: URLSearchParams): VerifiedMedia | { ok: false; status: number; reason: string } {
    const file = /^\/_media\/([a-z]+)\/([^/]+)\/([^/]+)\.(jpg|mp4|m3u8)$/.exec(pathname);
    const segment = file ? null : /^\/_media\/(vod)\/([^/]+)\/([^/]+)\/(\d{1,6})\.ts$/.exec(pathname);
    const match = file ?? segment;
    const kind = match?.[1] as MediaKind | undefined;
    const ext = (file ? file[4] : 'ts') as MediaExt;
    if (!match || !kind || !Object.hasOwn(EXTS_OF_KIND, kind) || !EXTS_OF_KIND[kind].includes(ext)) {
      return { ok: false, status: 404, reason: 'No such media' };
    }
    const expires = query.get('expires') ?? '';
    const given = Buffer.from(query.get('sig') ?? '');
    const expected = Buffer.from(this.signature(pathname, expires));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { ok: false, status: 403, reason: 'Invalid signature' };
    }
    const expiresAt = Number(expires);
    if (!(expiresAt > this.realNow())) return { ok: false, status: 403, reason: 'Request has expired' };
    try {
      const iotId = decodeURIComponent(match[2]);
      const id = decodeURIComponent(match[3]);
      return { ok: true, kind, iotId, id, ext, expiresAt, ...(segment ? { segment: Number(segment[4]) } : {}) };
    } catch {
      return { ok: false, status: 404, reason: 'No such media' };
    }
  }
}

/** Parses a single `bytes=` range against `size`: the inclusive span, 'unsatisfiable', or null (serve whole). */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null; // multi-range or malformed: whole body (RFC 9110 allows)
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

function waitForDrain(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Sends a body, whole or the requested range, with backpressure. `resetAfterBytes` (a fault) drops
 * the connection after that many body bytes.
 */
export async function sendMedia(req: IncomingMessage, res: ServerResponse, body: MediaBody, resetAfterBytes?: number): Promise<void> {
  const ifRange = req.headers['if-range'];
  const rangeHeader = ifRange === undefined || ifRange === body.etag ? req.headers.range : undefined;
  const range = parseRange(rangeHeader, body.size);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('ETag', body.etag);
  res.setHeader('Cache-Control', 'private, no-store');
  if (range === 'unsatisfiable') {
    res.writeHead(416, { 'Content-Range': `bytes */${body.size}`, 'Content-Length': '0' });
    res.end();
    return;
  }
  const start = range ? range.start : 0;
  const end = range ? range.end : body.size - 1;
  const headers: Record<string, string> = { 'Content-Type': body.contentType, 'Content-Length': String(end - start + 1) };
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${body.size}`;
  res.writeHead(range ? 206 : 200, headers);
  if (req.method === 'HEAD' || body.size === 0) {
    res.end();
    return;
  }
  let sent = 0;
  for (const chunk of bodySlices(body, start, end)) {
    if (res.destroyed) return;
    if (resetAfterBytes !== undefined && sent + chunk.length >= resetAfterBytes) {
      const part = chunk.subarray(0, Math.max(0, resetAfterBytes - sent));
      if (part.length > 0) res.write(part, () => res.socket?.destroy());
      else res.socket?.destroy();
      return;
    }
    sent += chunk.length;
    if (!res.write(chunk)) await waitForDrain(res);
  }
  res.end();
}
