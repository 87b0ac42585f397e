import { LinkVisualError } from '../gateway/errors';
import { formatBytes } from './bytes';
import type { MediaSink } from './media-sink';

/** A sink that keeps the file in one Buffer, refusing anything over `maxBytes`. */
export class MemorySink implements MediaSink {
  #buffer: Buffer | undefined;
  #chunks: Buffer[] = [];
  #size = 0;

  constructor(private readonly maxBytes: number) {}

  get size(): number {
    return this.#size;
  }

  /** Allocates the whole file at once when its length is known (no copies, no doubling). */
  expect(total: number | undefined): void {
    if (total !== undefined && total > this.maxBytes) throw this.#tooLarge(total);
    if (total !== undefined && this.#size === 0 && this.#chunks.length === 0) this.#buffer = Buffer.allocUnsafe(total);
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.#size + chunk.length > this.maxBytes) throw this.#tooLarge();
    if (this.#buffer && this.#size + chunk.length <= this.#buffer.length) chunk.copy(this.#buffer, this.#size);
    else {
      if (this.#buffer) {
        this.#chunks = [this.#buffer.subarray(0, this.#size)];
        this.#buffer = undefined;
      }
      this.#chunks.push(Buffer.from(chunk));
    }
    this.#size += chunk.length;
  }

  async clear(): Promise<void> {
    this.#chunks = [];
    this.#size = 0;
  }

  /** The bytes received. */
  contents(): Buffer {
    if (this.#buffer) return this.#size === this.#buffer.length ? this.#buffer : this.#buffer.subarray(0, this.#size);
    return Buffer.concat(this.#chunks, this.#size);
  }

  #tooLarge(total?: number): LinkVisualError {
    const size = total === undefined ? 'larger than' : `${formatBytes(total)}, more than`;
    return new LinkVisualError('TOO_LARGE', `the recording is ${size} the ${formatBytes(this.maxBytes)} allowed in buffer mode (maxBufferMB); use file mode`, {
      retryable: false,
    });
  }
}
