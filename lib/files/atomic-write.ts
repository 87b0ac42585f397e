import { randomBytes } from 'node:crypto';
import { promises as fs, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

/** Temp files this process is writing now (the only ones with its pid that are not stale). */
const writing = new Set<string>();

/**
 * Writes `contents` to `file` so a reader sees the old file or the new one, never half of either:
 * a temp file beside it, fsync, rename, then fsync the directory. The temp file is removed on failure.
 */
export async function writeFileAtomic(file: string, contents: string | Buffer, options: { mode?: number } = {}): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`); // see removeStaleTempFiles
  let handle: fs.FileHandle | undefined;
  writing.add(temp);
  try {
    handle = await fs.open(temp, 'wx', options.mode ?? 0o600);
    await handle.writeFile(contents);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(temp, file);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  } finally {
    writing.delete(temp);
  }
  // Make the rename itself durable; some filesystems refuse to fsync a directory, which is harmless.
  const dirHandle = await fs.open(dir, 'r').catch(() => undefined);
  await dirHandle?.sync().catch(() => undefined);
  await dirHandle?.close().catch(() => undefined);
}

/** Reads and parses a JSON file; `undefined` when it does not exist. A corrupt file is an error. */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return JSON.parse(text) as unknown;
}

function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'; // EPERM: alive, someone else's
  }
}

/**
 * Removes the temp files `writeFileAtomic` left beside `file` in a process that died mid-write (their
 * names carry the writer's pid); those being written now, here or by a living process, are left alone.
 * Returns how many went.
 */
export function removeStaleTempFiles(file: string): number {
  const dir = path.dirname(file);
  const prefix = `.${path.basename(file)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const match = /^(\d+)\.[0-9a-f]+\.tmp$/.exec(name.slice(prefix.length));
    // Our own pid: stale unless being written now (in a container every start may have the same pid).
    const pid = Number(match?.[1]);
    if (!match || (pid === process.pid ? writing.has(path.join(dir, name)) : !processIsGone(pid))) continue;
    try {
      rmSync(path.join(dir, name), { force: true });
      removed += 1;
    } catch {
      // not ours to remove after all (permissions): harmless, it only takes space
    }
  }
  return removed;
}
