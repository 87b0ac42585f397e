/**
 * The routes of the widget's recordings view (per camera: a month's days with recordings, a day's files,
 * one file played), under the same prefix and guard as media-routes.ts:
 *
 *   GET …/<node id>/cameras                                  → {cameras: [{iotId, name}]}
 *   GET …/<node id>/recordings/<iotId>/month/<yyyyMM>?tz=<h>   → {days: [day numbers]}
 *   GET …/<node id>/recordings/<iotId>/day?from=<ms>&to=<ms>   → {recordings: [{fileName, begin, end, recordType}]}
 *   GET …/<node id>/recordings/<iotId>/file/<fileName>        → the recording (MP4, or an HLS playlist) (?download=1)
 *   GET …/<node id>/recordings/<iotId>/file/<fileName>/<n>    → a part of that playlist
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LinkVisualClient } from '../../lib/client/client';
import { LinkVisualError } from '../../lib/gateway/errors';
import { recordingKey, type EventMediaRelay } from '../../lib/media/event-media-relay';
import { fileNamePart } from '../../lib/media/path-template';
import { recordingDays, recordingsBetween } from '../../lib/media/recording-calendar';
import { asLinkVisualError } from '../shared/node-error';
import { rangeStart, ROUTE_PREFIX, sendClip, sendError, type HttpApp } from './media-routes';

/** What the recordings routes need of one deployed widget node with an account. */
export interface RecordingsAccess {
  readonly client: () => Promise<LinkVisualClient>;
  readonly relay: EventMediaRelay;
  /** The cameras the widget shows (its Cameras setting, else every camera of the account), with names. */
  cameras(signal: AbortSignal): Promise<{ iotId: string; name: string }[]>;
}

interface RouteRequest extends IncomingMessage {
  params: Record<string, string>;
  query: Record<string, unknown>;
}

function sendJson(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function queryNumber(req: RouteRequest, name: string): number | undefined {
  const value = req.query[name];
  return typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : undefined;
}

/** Installs the routes once per runtime; `lookup` finds a deployed node's access (undefined: no such node, or no account). */
export function installRecordingRoutes(app: HttpApp, lookup: (nodeId: string) => RecordingsAccess | undefined): void {
  type Handler = (access: RecordingsAccess, req: RouteRequest, res: ServerResponse, signal: AbortSignal) => Promise<void>;
  const guarded = (handler: Handler, checkCamera: boolean) => (req: RouteRequest, res: ServerResponse) => {
    const access = lookup(req.params.node);
    const aborter = new AbortController();
    res.once('close', () => aborter.abort());
    (async () => {
      if (!access) throw new LinkVisualError('INVALID_PARAMS', 'no such timeline with an account (recordings need the widget to have an account)');
      // Only the cameras the widget shows: its Cameras setting limits what the page can ask for.
      if (checkCamera && !(await access.cameras(aborter.signal)).some((camera) => camera.iotId === req.params.iotId)) {
        throw new LinkVisualError('INVALID_PARAMS', `camera ${req.params.iotId} is not shown by this widget`);
      }
      await handler(access, req, res, aborter.signal);
    })().catch((error: unknown) => {
      if (!aborter.signal.aborted) sendError(res, asLinkVisualError(error));
    });
  };
  const base = `${ROUTE_PREFIX}/:node`;

  app.get(`${base}/cameras`, guarded(async (access, _req, res, signal) => sendJson(res, { cameras: await access.cameras(signal) }), false));

  app.get(`${base}/recordings/:iotId/month/:month`, guarded(async (access, req, res, signal) => {
    const tz = queryNumber(req, 'tz');
    const days = await recordingDays(await access.client(), req.params.iotId, req.params.month, tz !== undefined && tz >= -12 && tz <= 14 ? tz : undefined, signal);
    sendJson(res, { days });
  }, true));

  app.get(`${base}/recordings/:iotId/day`, guarded(async (access, req, res, signal) => {
    const from = queryNumber(req, 'from') ?? NaN;
    const to = queryNumber(req, 'to') ?? NaN;
    if (!(to - from <= 49 * 3600_000)) throw new LinkVisualError('INVALID_PARAMS', 'from and to (ms) must span at most a day');
    sendJson(res, { recordings: await recordingsBetween(await access.client(), req.params.iotId, from, to, signal) });
  }, true));

  const partHref = (index: number) => String(index);
  app.get(`${base}/recordings/:iotId/file/:fileName`, guarded(async (access, req, res, signal) => {
    // Playlist URIs are relative to …/file/<fileName>: its parts are …/file/<fileName>/<n>.
    const fileHref = (index: number) => `${encodeURIComponent(req.params.fileName)}/${index}`;
    if (req.query.download) {
      // A saved recording is one MP4 file, also when it plays as HLS (then the cloud transcodes it).
      const file = await access.relay.recordingFile(req.params.iotId, req.params.fileName, signal);
      await sendClip(res, { kind: 'media', stream: file }, `${fileNamePart(req.params.iotId)}-${fileNamePart(req.params.fileName.replace(/\.\w+$/, ''))}.mp4`);
      return;
    }
    await sendClip(res, await access.relay.recording(req.params.iotId, req.params.fileName, fileHref, { rangeStart: rangeStart(req.headers.range), signal }), undefined);
  }, true));

  app.get(`${base}/recordings/:iotId/file/:fileName/:index`, guarded(async (access, req, res, signal) => {
    const index = /^\d{1,6}$/.test(req.params.index) ? Number(req.params.index) : -1;
    if (index < 0) throw new LinkVisualError('INVALID_PARAMS', `no playlist part ${req.params.index}`);
    const key = recordingKey(req.params.iotId, req.params.fileName);
    const renew = async () => {
      const fresh = await access.relay.recording(req.params.iotId, req.params.fileName, partHref, { signal });
      if (fresh.kind === 'media') fresh.stream.body.destroy();
    };
    await sendClip(res, await access.relay.part(key, index, partHref, renew, { rangeStart: rangeStart(req.headers.range), signal }), undefined);
  }, true));
}
