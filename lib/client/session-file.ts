import { createHash } from 'node:crypto';
import { isPlainObject } from '../util/plain-object';
import { readJsonFile, removeStaleTempFiles, writeFileAtomic } from '../files/atomic-write';
import type { SessionSnapshot } from './session';

/** A hash naming the credentials a stored session came from; a changed credential voids the session. */
export function sessionFingerprint(parts: readonly (string | undefined)[]): string {
  return createHash('sha256').update(parts.map((p) => p ?? '').join('\u0000')).digest('hex');
}

/**
 * Persists the rotated session of one account (owner-only file, atomic writes), so a restart resumes
 * with the latest refresh token instead of a spent one. Writes are serialised; the last one wins.
 */
export class SessionFile {
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly fingerprint: string,
  ) {}

  /** The stored session when it belongs to the same credentials, else undefined. */
  async load(): Promise<SessionSnapshot | undefined> {
    removeStaleTempFiles(this.file);
    let stored: unknown;
    try {
      stored = await readJsonFile(this.file);
    } catch {
      return undefined; // a corrupt file is as good as none: the configured credentials still work
    }
    if (!isPlainObject(stored) || stored.fingerprint !== this.fingerprint || !isPlainObject(stored.session)) return undefined;
    return stored.session as unknown as SessionSnapshot;
  }

  /** Queues a write of `session`; resolves when it is on disk. */
  save(session: SessionSnapshot): Promise<void> {
    const contents = JSON.stringify({ fingerprint: this.fingerprint, savedAt: new Date().toISOString(), session });
    this.writing = this.writing.catch(() => undefined).then(() => writeFileAtomic(this.file, contents, { mode: 0o600 }));
    return this.writing;
  }

  /** Resolves when every queued write has finished (successfully or not). */
  async flush(): Promise<void> {
    await this.writing.catch(() => undefined);
  }
}
