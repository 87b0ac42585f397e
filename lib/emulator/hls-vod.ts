/**
 * VOD recordings as HLS (vodFormat 'hls'), the streaming form the cloud may answer vod/getbyeventid and
 * vod/getbyfilename with: a VOD playlist of the fixture's MPEG-TS segments. Its segment URIs are
 * relative (`<id>/<n>.ts?expires=…&sig=…`), each signed for its own path, and expire with the playlist
 * URL that named them, as a CDN's signed playlists do.
 */
import { CLIP_HLS_SEGMENTS } from './fixtures';
import { bufferBody, segmentPath, type MediaBody, type MediaSigner } from './media';

export const PLAYLIST_CONTENT_TYPE = 'application/vnd.apple.mpegurl';
export const SEGMENT_CONTENT_TYPE = 'video/mp2t';

const SEGMENTS: readonly { readonly seconds: number; readonly body: MediaBody }[] = CLIP_HLS_SEGMENTS.map(({ seconds, base64 }) => ({
  seconds,
  body: bufferBody(SEGMENT_CONTENT_TYPE, Buffer.from(base64, 'base64')),
}));

/** The body of segment `index` of every recording's playlist, or undefined past the last one. */
export function segmentBody(index: number): MediaBody | undefined {
  return SEGMENTS[index]?.body;
}

/** The playlist text of a recording, its segments signed until `expiresAt` (the playlist URL's own expiry). */
export function playlistText(signer: MediaSigner, iotId: string, id: string, expiresAt: number): string {
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    `#EXT-X-TARGETDURATION:${Math.ceil(Math.max(...SEGMENTS.map((segment) => segment.seconds)))}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
  ];
  SEGMENTS.forEach((segment, index) => {
    // Relative to the playlist (…/<id>.m3u8): the segment sits one level down, under the id.
    lines.push(`#EXTINF:${segment.seconds.toFixed(6)},`, `${encodeURIComponent(id)}/${index}.ts?${signer.signedQuery(segmentPath(iotId, id, index), expiresAt)}`);
  });
  lines.push('#EXT-X-ENDLIST', '');
  return lines.join('\n');
}

/** The playlist of a recording as a body to serve. */
export function playlistBody(signer: MediaSigner, iotId: string, id: string, expiresAt: number): MediaBody {
  return bufferBody(PLAYLIST_CONTENT_TYPE, Buffer.from(playlistText(signer, iotId, id, expiresAt), 'utf8'));
}
