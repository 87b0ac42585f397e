/**
 * The `--state` file: the whole emulated world as JSON, loaded at start and written atomically
 * (lib/files/atomic-write: temporary file beside it, fsync, rename, folder fsync), debounced after
 * changes, one write at a time, and once more on close.
 */
import { readFileSync } from 'node:fs';
import { isPlainObject } from '../util/plain-object';
import { writeFileAtomic } from '../files/atomic-write';
import type { SessionsSnapshot } from './sessions';
import type { WorldSnapshot } from './records';

export const STATE_FORMAT = 'link-visual-emulator-state';
export const STATE_VERSION = 1;

export interface EmulatorSnapshot {
  format: typeof STATE_FORMAT;
  version: number;
  savedAt: number;
  /** Simulated epoch ms when saved: a restarted emulator never runs its clock backwards. */
  simulatedNow: number;
  world: WorldSnapshot;
  sessions: SessionsSnapshot;
}

/** Reads a state file; undefined when it does not exist, an Error when it is not a state file. */
export function readStateFile(file: string): EmulatorSnapshot | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`state file ${file} is not JSON`);
  }
  if (!isPlainObject(parsed) || parsed.format !== STATE_FORMAT) throw new Error(`${file} is not a Link Visual emulator state file`);
  if (parsed.version !== STATE_VERSION) throw new Error(`state file ${file} has version ${String(parsed.version)}, expected ${STATE_VERSION}`);
  if (typeof parsed.simulatedNow !== 'number' || !isPlainObject(parsed.world) || !isPlainObject(parsed.sessions)) {
    throw new Error(`state file ${file} is incomplete`);
  }
  return parsed as unknown as EmulatorSnapshot;
}

/** Saves the state a little after each change (one write at a time) and once more on close. */
export class StateSaver {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly snapshot: () => EmulatorSnapshot,
    private readonly debounceMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Asks for a save soon (debounced). */
  schedule(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush().catch(this.onError);
    }, this.debounceMs);
    this.timer.unref();
  }

  /** Saves now, after any write in progress. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const next = this.writing.catch(() => undefined).then(() => writeFileAtomic(this.file, JSON.stringify(this.snapshot())));
    this.writing = next;
    return next;
  }

  /** Final save; no more saves afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }
}
