import { formatBytes } from '../../lib/media/bytes';
import type { DownloadProgress } from '../../lib/media/download';

/** Status text for a job's progress: `transcode 45%`, then `download 37% 12.3 MB/s`. */
export function progressText(progress: DownloadProgress): string {
  switch (progress.phase) {
    case 'waiting':
      return progress.detail?.startsWith('event ') ? 'waiting for the event' : 'waiting for the recording';
    case 'transcode':
      return `transcode ${Math.round(progress.percent ?? 0)}%`;
    case 'download': {
      const speed = progress.bytesPerSecond ? ` ${formatBytes(progress.bytesPerSecond)}/s` : '';
      const amount = progress.percent !== undefined ? `${progress.percent}%` : formatBytes(progress.received ?? 0);
      return `download ${amount}${speed}`;
    }
  }
}
