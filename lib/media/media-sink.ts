/** Where the bytes of a transfer go: a `.part` file or memory. The transfer writes in order and may start over. */
export interface MediaSink {
  /** Bytes held so far (where a resumed transfer continues). */
  readonly size: number;
  /** Told the full length once the server states it (before any byte); may refuse it (TOO_LARGE). */
  expect(total: number | undefined): void;
  /** Appends bytes. */
  write(chunk: Buffer): Promise<void>;
  /** Drops everything (the server sent the whole file again). */
  clear(): Promise<void>;
}
