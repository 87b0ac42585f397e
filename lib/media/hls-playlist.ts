/** HLS playlists relayed through a server route: every URI in them replaced by a route of the relay. */

/** True when a media URL or its content type says HLS playlist (`.m3u8`, `application/vnd.apple.mpegurl`, `audio/mpegurl`). */
export function isPlaylist(url: string, contentType?: string): boolean {
  if (contentType && /mpegurl/i.test(contentType)) return true;
  try {
    return /\.m3u8$/i.test(new URL(url).pathname);
  } catch {
    return false;
  }
}

/**
 * Rewrites a playlist so that the browser asks the relay for every segment, key, init section and
 * nested playlist: each URI, resolved against `playlistUrl`, becomes `hrefFor(absoluteUrl)`. The signed
 * cloud URLs stay on the server. Throws on a text without the #EXTM3U header.
 */
export function rewritePlaylist(text: string, playlistUrl: string, hrefFor: (target: string) => string): string {
  if (!/^\uFEFF?#EXTM3U/.test(text)) throw new Error('not an HLS playlist (no #EXTM3U header)');
  const relay = (uri: string): string => hrefFor(new URL(uri, playlistUrl).toString());
  const lines = text.split(/\r?\n/).map((line) => {
    const trimmed = line.trim();
    if (trimmed === '') return line;
    // Tags with a URI attribute: EXT-X-KEY, EXT-X-MAP, EXT-X-MEDIA, EXT-X-I-FRAME-STREAM-INF, EXT-X-SESSION-KEY …
    if (trimmed.startsWith('#')) return line.replace(/URI="([^"]*)"/g, (_match, uri: string) => `URI="${relay(uri)}"`);
    return relay(trimmed);
  });
  return lines.join('\n');
}
