/**
 * Appends bytes to an open file in order, off the caller's path: chunks are gathered into runs, runs
 * are written one after another while the caller goes on receiving, and written bytes are flushed to
 * the disk (fdatasync) in the background as the file grows. The network and the disk then work at the
 * same time, and the fsync that makes a download durable finds little left to do.
 */
import type { promises as fs } from 'node:fs';
import { LinkVisualError } from '../gateway/errors';

// Chunks are gathered into runs of this size: fewer system calls.
const RUN_BYTES = 4 * 1024 * 1024;
// Runs queued for the disk at most; beyond it `append` waits (a flat footprint when the disk is slower).
const MAX_QUEUED_RUNS = 4;
// Written bytes are flushed in the background every this many.
const SYNC_EVERY_BYTES = 32 * 1024 * 1024;

export class AppendWriter {
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Where the next run starts (bytes handed to the disk queue so far). */
  #queuedEnd = 0;
  #written = 0;
  /** Runs in flight, oldest first; each chained to the one before, so a failure stops the rest. */
  #runs: Promise<void>[] = [];
  #syncing: Promise<void> | undefined;
  #unsynced = 0;
  #failure: unknown;

  constructor(
    private readonly handle: fs.FileHandle,
    /** Names the file in errors. */
    private readonly label: string,
  ) {}

  /** Bytes on disk (written, not necessarily flushed). */
  get written(): number {
    return this.#written;
  }

  /** Appends a chunk; waits only while the disk is `MAX_QUEUED_RUNS` runs behind. Throws an earlier write's error. */
  async append(chunk: Buffer): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    if (this.#pendingBytes < RUN_BYTES) return;
    this.#queueRun();
    if (this.#runs.length > MAX_QUEUED_RUNS) await this.#runs[0];
  }

  /** Writes everything appended; throws the first write or background flush error. */
  async flush(): Promise<void> {
    this.#queueRun();
    await Promise.all(this.#runs);
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Flushes, then waits for the background flush in flight (the caller's fsync then covers the rest). */
  async settle(): Promise<void> {
    await this.flush();
    await this.#syncing;
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Starts over at offset 0 (the caller truncated the file); waits for everything in flight first. */
  async restart(): Promise<void> {
    await this.settle();
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#queuedEnd = 0;
    this.#written = 0;
    this.#unsynced = 0;
  }

  /** Drops what is not written and waits for the disk to be idle, ignoring errors (the file is going away). */
  async abandon(): Promise<void> {
    this.#pending = [];
    this.#pendingBytes = 0;
    await Promise.allSettled([...this.#runs, this.#syncing]);
  }

  #queueRun(): void {
    const buffers = this.#pending;
    if (buffers.length === 0) return;
    const position = this.#queuedEnd;
    this.#queuedEnd += this.#pendingBytes;
    this.#pending = [];
    this.#pendingBytes = 0;
    const before = this.#runs[this.#runs.length - 1] ?? Promise.resolve();
    const run: Promise<void> = before
      .then(() => this.#writeRun(buffers, position))
      .finally(() => {
        if (this.#runs[0] === run) this.#runs.shift();
      });
    run.catch((error: unknown) => {
      this.#failure ??= error;
    });
    this.#runs.push(run);
  }

  async #writeRun(buffers: Buffer[], start: number): Promise<void> {
    let position = start;
    let queue = buffers;
    while (queue.length > 0) {
      const { bytesWritten } = await this.handle.writev(queue, position);
      if (bytesWritten <= 0) throw new LinkVisualError('MEDIA', `${this.label}: the disk took no bytes`);
      position += bytesWritten;
      let skip = bytesWritten;
      const rest: Buffer[] = [];
      for (const buffer of queue) {
        if (skip >= buffer.length) skip -= buffer.length;
        else {
          rest.push(skip > 0 ? buffer.subarray(skip) : buffer);
          skip = 0;
        }
      }
      queue = rest;
    }
    this.#unsynced += position - this.#written;
    this.#written = position;
    this.#syncInBackground();
  }

  // One fdatasync at a time; its error stops the transfer at the next append.
  #syncInBackground(): void {
    if (this.#unsynced < SYNC_EVERY_BYTES || this.#syncing) return;
    this.#unsynced = 0;
    const syncing: Promise<void> = this.handle.datasync().then(
      () => {
        if (this.#syncing === syncing) this.#syncing = undefined;
      },
      (error: unknown) => {
        this.#failure ??= error;
        if (this.#syncing === syncing) this.#syncing = undefined;
      },
    );
    this.#syncing = syncing;
  }
}
