/**
 * The runtime routes through which a timeline's browser gets pictures and clips, under `httpNode`
 * (so Node-RED's httpNodeAuth / httpNodeMiddleware guard them like the dashboard):
 *
 *   GET <httpNodeRoot>/link-visual/events/<node id>/<event key>/picture
 *   GET <httpNodeRoot>/link-visual/events/<node id>/<event key>/clip            (?download=1: as a file)
 *   GET <httpNodeRoot>/link-visual/events/<node id>/<event key>/clip/<n>        (an HLS playlist's parts)
 *
 * The media is fetched on the server with the account's client; the browser never sees a signed URL.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { TimelineEntry } from '../../lib/events/event-timeline';
import { LinkVisualError } from '../../lib/gateway/errors';
import type { EventMediaRelay, RelayedClip } from '../../lib/media/event-media-relay';
import { fileNamePart } from '../../lib/media/path-template';
import { asLinkVisualError, messageError } from '../shared/node-error';

export const ROUTE_PREFIX = '/link-visual/events';

/** What a route needs of one deployed widget node. */
export interface TimelineMedia {
  entry(key: string): TimelineEntry | undefined;
  /** Undefined when the node has no account: only pictures that came with the messages can be shown. */
  readonly relay: EventMediaRelay | undefined;
}

interface RouteRequest extends IncomingMessage {
  params: Record<string, string>;
  query: Record<string, unknown>;
}
type RouteHandler = (req: RouteRequest, res: ServerResponse) => void;
/** The slice of Express that `RED.httpNode` is. */
export interface HttpApp {
  get(path: string, handler: RouteHandler): void;
}

const STATUS_OF: Partial<Record<string, number>> = {
  INVALID_PARAMS: 404,
  CONFIG: 503,
  NOT_READY: 404,
  TIMEOUT: 504,
  ABORTED: 499,
};

/** Answers with `{error: {code, message, retryable}}` and a status that fits the code. */
export function sendError(res: ServerResponse, error: LinkVisualError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: messageError(error) });
  res.writeHead(STATUS_OF[error.code] ?? 502, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

/** The first byte a `Range: bytes=<n>-…` header asks for (0 without one). */
export function rangeStart(header: string | undefined): number {
  const match = header ? /^bytes=(\d+)-/.exec(header.trim()) : null;
  return match ? Number(match[1]) : 0;
}

const PASSED_HEADERS = ['content-type', 'content-length', 'content-range', 'accept-ranges', 'etag', 'last-modified'];

/** Sends a relayed clip: a playlist as text, media with its status (200/206) and headers, streamed. */
export async function sendClip(res: ServerResponse, clip: RelayedClip, download: string | undefined): Promise<void> {
  if (clip.kind === 'playlist') {
    res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl', 'cache-control': 'no-store' });
    res.end(clip.text);
    return;
  }
  const headers: Record<string, string> = { 'cache-control': 'private, max-age=60' };
  for (const name of PASSED_HEADERS) {
    const value = clip.stream.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  headers['accept-ranges'] ??= 'bytes';
  if (download) headers['content-disposition'] = `attachment; filename="${download}"`;
  res.writeHead(clip.stream.statusCode, headers);
  await pipeline(clip.stream.body, res);
}

/** Installs the routes once per runtime; `lookup` finds the deployed node of an id (undefined once closed). */
export function installMediaRoutes(app: HttpApp, lookup: (nodeId: string) => TimelineMedia | undefined): void {
  const withEntry = (handler: (media: TimelineMedia, entry: TimelineEntry, req: RouteRequest, res: ServerResponse, signal: AbortSignal) => Promise<void>): RouteHandler => {
    return (req, res) => {
      const media = lookup(req.params.node);
      const entry = media?.entry(req.params.key);
      if (!media || !entry) {
        sendError(res, new LinkVisualError('INVALID_PARAMS', 'no such event in this timeline (it may have been dropped as newer events came)'));
        return;
      }
      const aborter = new AbortController();
      res.once('close', () => aborter.abort());
      handler(media, entry, req, res, aborter.signal).catch((error: unknown) => {
        if (!aborter.signal.aborted) sendError(res, asLinkVisualError(error));
      });
    };
  };

  app.get(`${ROUTE_PREFIX}/:node/:key/picture`, withEntry(async (media, entry, _req, res, signal) => {
    let image = entry.image;
    if (!image) {
      if (!media.relay) throw new LinkVisualError('CONFIG', 'this timeline has no account to fetch pictures with, and the message brought none (msg.image)');
      image = await media.relay.picture(entry.card.key, entry.event, signal);
    }
    // An event's picture never changes: the browser may keep it.
    res.writeHead(200, { 'content-type': image.contentType, 'content-length': String(image.buffer.length), 'cache-control': 'private, max-age=86400' });
    res.end(image.buffer);
  }));

  // Playlist URIs are relative to the playlist's own URL (…/<key>/clip): its parts are "clip/<n>".
  const clipPart = (index: number) => `clip/${index}`;
  app.get(`${ROUTE_PREFIX}/:node/:key/clip`, withEntry(async (media, entry, req, res, signal) => {
    if (!media.relay) throw new LinkVisualError('CONFIG', 'this timeline has no account to fetch clips with');
    if (req.query.download) {
      // A saved clip is one MP4 file, also when it plays as HLS (then the cloud transcodes its recording).
      const file = await media.relay.clipFile(entry.card.key, entry.event, signal);
      await sendClip(res, { kind: 'media', stream: file }, `${fileNamePart(entry.card.iotId)}-${fileNamePart(entry.card.eventId)}.mp4`);
      return;
    }
    await sendClip(res, await media.relay.clip(entry.card.key, entry.event, clipPart, { rangeStart: rangeStart(req.headers.range), signal }), undefined);
  }));

  app.get(`${ROUTE_PREFIX}/:node/:key/clip/:index`, withEntry(async (media, entry, req, res, signal) => {
    if (!media.relay) throw new LinkVisualError('CONFIG', 'this timeline has no account to fetch clips with');
    const index = /^\d{1,6}$/.test(req.params.index) ? Number(req.params.index) : -1;
    if (index < 0) throw new LinkVisualError('INVALID_PARAMS', `no playlist part ${req.params.index}`);
    // A part that is itself a playlist sits one level deeper (…/clip/<n>): its parts are siblings, "<m>".
    const clip = await media.relay.eventPart(entry.card.key, entry.event, index, (n) => String(n), { rangeStart: rangeStart(req.headers.range), signal });
    await sendClip(res, clip, undefined);
  }));
}
