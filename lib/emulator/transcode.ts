/**
 * vod/cloudfile/get transcode jobs (real time): the call that starts a job answers `data: null` (the
 * cloud's "still being made", docs/protocol.md §8.4), unless `transcodeMs` is 0 and the file is ready at
 * once; later calls see status 1 while progress advances over `transcodeMs`, then status 0 with
 * progress 100 (the caller adds the URL). A job armed to fail (control API
 * `POST /_emulator/transcode-failures`) ends with status 2 (the Chinese reference's "failed"; the
 * English one says -1) once; the next call starts a fresh job.
 */
import { isPlainObject } from '../util/plain-object';
import { InputError } from './http';

export interface TranscodeState {
  /** 0 done, 1 transcoding, 2 failed. */
  readonly status: 0 | 1 | 2;
  readonly progress: number;
}

interface Job {
  readonly startedAt: number;
  readonly fail: boolean;
}

interface ArmedFailure {
  readonly iotId?: string;
  readonly fileName?: string;
  remaining: number;
}

/** Transcode jobs by device and file. */
export class Transcodes {
  private readonly jobs = new Map<string, Job>();
  private failures: ArmedFailure[] = [];

  constructor(
    private readonly transcodeMs: number,
    private readonly realNow: () => number,
  ) {}

  /** Starts or polls the job of a file; null from the call that starts a job still to be made. */
  poll(iotId: string, fileName: string): TranscodeState | null {
    const key = `${iotId}|${fileName}`;
    const now = this.realNow();
    let job = this.jobs.get(key);
    if (!job) {
      job = { startedAt: now, fail: this.takeFailure(iotId, fileName) };
      this.jobs.set(key, job);
      if (this.transcodeMs > 0) return null;
    }
    const elapsed = now - job.startedAt;
    if (elapsed < this.transcodeMs) {
      return { status: 1, progress: Math.min(99, Math.floor((elapsed / this.transcodeMs) * 100)) };
    }
    if (job.fail) {
      this.jobs.delete(key);
      return { status: 2, progress: 0 };
    }
    return { status: 0, progress: 100 };
  }

  private takeFailure(iotId: string, fileName: string): boolean {
    const failure = this.failures.find(
      (f) => f.remaining > 0 && (f.iotId === undefined || f.iotId === iotId) && (f.fileName === undefined || f.fileName === fileName),
    );
    if (!failure) return false;
    failure.remaining -= 1;
    this.failures = this.failures.filter((f) => f.remaining > 0);
    return true;
  }

  /** Control input `{iotId?, fileName?, times?: 1}`: the next matching jobs fail. */
  armFailure(input: unknown): { iotId?: string; fileName?: string; times: number } {
    if (!isPlainObject(input)) throw new InputError('body must be a JSON object');
    const unknown = Object.keys(input).filter((key) => !['iotId', 'fileName', 'times'].includes(key));
    if (unknown.length > 0) throw new InputError(`unknown field(s): ${unknown.join(', ')}; allowed: iotId, fileName, times`);
    const { iotId, fileName, times = 1 } = input;
    if (iotId !== undefined && typeof iotId !== 'string') throw new InputError('iotId must be a string');
    if (fileName !== undefined && typeof fileName !== 'string') throw new InputError('fileName must be a string');
    if (typeof times !== 'number' || !Number.isInteger(times) || times < 1 || times > 1_000_000) {
      throw new InputError('times must be an integer from 1 to 1000000');
    }
    const failure: ArmedFailure = { remaining: times, ...(iotId === undefined ? {} : { iotId }), ...(fileName === undefined ? {} : { fileName }) };
    this.failures.push(failure);
    return { iotId, fileName, times };
  }

  /** Drops the jobs of deleted files. */
  forget(iotId: string, fileNames: readonly string[]): void {
    for (const name of fileNames) this.jobs.delete(`${iotId}|${name}`);
  }

  /** Drops every job and armed failure. */
  reset(): void {
    this.jobs.clear();
    this.failures = [];
  }
}
