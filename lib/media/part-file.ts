/**
 * A download in progress on disk: `<target>.part`, written in order, fsynced, then moved to its name by
 * the overwrite policy. Until `commit` the target is untouched; `discard` leaves nothing behind.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LinkVisualError } from '../gateway/errors';
import { AppendWriter } from './append-writer';
import type { MediaSink } from './media-sink';

import type { OverwritePolicy } from './overwrite-policy';

export { OVERWRITE_POLICIES, type OverwritePolicy } from './overwrite-policy';

/** Where a committed download ended up. */
export interface Placed {
  readonly path: string;
  /** True when policy `never` found the file already there (the download was dropped). */
  readonly skipped: boolean;
}

const MAX_RENAME_TRIES = 1000;
// link() is how a name is claimed without clobbering; these say the filesystem cannot hard-link.
const NO_LINK = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK', 'EACCES']);

/** `clip.mp4` → `clip (2).mp4`. */
export function numberedName(file: string, n: number): string {
  const ext = path.extname(file);
  return `${file.slice(0, file.length - ext.length)} (${n})${ext}`;
}

async function exists(file: string): Promise<boolean> {
  return fs.lstat(file).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    },
  );
}

/** Moves `from` to `to` unless `to` exists; false when it does. */
async function placeNoClobber(from: string, to: string): Promise<boolean> {
  try {
    await fs.link(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') return false;
    if (!NO_LINK.has(code)) throw error;
    // No hard links here (some network shares): check, then rename; a tiny race, no worse than others.
    if (await exists(to)) return false;
    await fs.rename(from, to);
    return true;
  }
  await fs.rm(from, { force: true });
  return true;
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r').catch(() => undefined);
  await handle?.sync().catch(() => undefined); // some filesystems refuse to fsync a directory: harmless
  await handle?.close().catch(() => undefined);
}

/** The `.part` file of one download. */
export class PartFile implements MediaSink {
  readonly partPath: string;
  #handle: fs.FileHandle | undefined;
  readonly #writer: AppendWriter;
  #size = 0;
  #done = false;

  private constructor(
    readonly target: string,
    handle: fs.FileHandle,
  ) {
    this.partPath = `${target}.part`;
    this.#handle = handle;
    this.#writer = new AppendWriter(handle, this.partPath);
  }

  /** Creates `<target>.part` (a stale one from a crash is replaced; a symlink there is never followed). */
  static async create(target: string): Promise<PartFile> {
    const part = `${target}.part`;
    await fs.rm(part, { force: true });
    const handle = await fs.open(part, 'wx', 0o666);
    return new PartFile(target, handle);
  }

  get size(): number {
    return this.#size;
  }

  expect(): void {
    // A file takes any length.
  }

  /** Appends bytes; they reach the disk while the transfer goes on (see AppendWriter). */
  async write(chunk: Buffer): Promise<void> {
    this.#size += chunk.length;
    await this.#writer.append(chunk);
  }

  async clear(): Promise<void> {
    await this.#writer.restart();
    await this.#open().truncate(0);
    this.#size = 0;
  }

  /** Flushes, fsyncs and moves the file to its name by `policy`. */
  async commit(policy: OverwritePolicy): Promise<Placed> {
    const handle = this.#open();
    await this.#writer.settle();
    await handle.sync();
    await handle.close();
    this.#handle = undefined;
    let placed: Placed | undefined;
    if (policy === 'always') {
      await fs.rename(this.partPath, this.target);
      placed = { path: this.target, skipped: false };
    } else if (policy === 'never') {
      placed = (await placeNoClobber(this.partPath, this.target)) ? { path: this.target, skipped: false } : { path: this.target, skipped: true };
    } else {
      for (let n = 0; n < MAX_RENAME_TRIES && !placed; n += 1) {
        const candidate = n === 0 ? this.target : numberedName(this.target, n);
        if (await placeNoClobber(this.partPath, candidate)) placed = { path: candidate, skipped: false };
      }
      if (!placed) throw new LinkVisualError('INVALID_PARAMS', `${this.target}: ${MAX_RENAME_TRIES} numbered names are taken already`);
    }
    await fs.rm(this.partPath, { force: true }); // left only when `never` kept the existing file
    await syncDirectory(path.dirname(placed.path));
    this.#done = true;
    return placed;
  }

  /** Closes and removes the `.part` file; safe to call more than once. */
  async discard(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.#writer.abandon();
    await this.#handle?.close().catch(() => undefined);
    this.#handle = undefined;
    await fs.rm(this.partPath, { force: true });
  }

  #open(): fs.FileHandle {
    if (!this.#handle) throw new LinkVisualError('MEDIA', `${this.partPath} is closed`);
    return this.#handle;
  }
}
