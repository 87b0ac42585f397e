/**
 * Checks an MP4 as it streams past, holding only box headers (and the `moov` box, for the duration):
 * the first box is `ftyp`, box types are printable, and the top-level boxes end exactly at the end of
 * the file, so a truncated download or an HTML error page is caught.
 */
import { LinkVisualError } from '../gateway/errors';

/** What the check learned from a complete file. */
export interface Mp4Report {
  /** Top-level box types in order (at most the first 32). */
  readonly boxes: readonly string[];
  /** The play length from `mvhd`, when the file states one. */
  readonly durationMs?: number;
}

// moov of a long recording is a few MB; beyond this the duration is not read (the check still runs).
const MAX_MOOV_BYTES = 32 * 1024 * 1024;

function boxType(bytes: Buffer, at: number): string | undefined {
  for (let i = at; i < at + 4; i += 1) if (bytes[i] < 0x20 || bytes[i] > 0x7e) return undefined;
  return bytes.toString('latin1', at, at + 4);
}

/** The duration in `mvhd` inside a `moov` payload, in ms. */
export function mvhdDurationMs(moov: Buffer): number | undefined {
  let at = 0;
  while (at + 8 <= moov.length) {
    let size = moov.readUInt32BE(at);
    const type = moov.toString('latin1', at + 4, at + 8);
    let header = 8;
    if (size === 1 && at + 16 <= moov.length) {
      size = Number(moov.readBigUInt64BE(at + 8));
      header = 16;
    } else if (size === 0) size = moov.length - at;
    if (size < header || at + size > moov.length) return undefined;
    if (type === 'mvhd') {
      const body = at + header;
      const version = moov[body];
      const [scaleAt, durationAt, wide] = version === 1 ? [body + 20, body + 24, true] : [body + 12, body + 16, false];
      if (durationAt + (wide ? 8 : 4) > at + size) return undefined;
      const timescale = moov.readUInt32BE(scaleAt);
      const duration = wide ? Number(moov.readBigUInt64BE(durationAt)) : moov.readUInt32BE(durationAt);
      const unknown = wide ? duration >= Number.MAX_SAFE_INTEGER : duration === 0xffffffff;
      return timescale > 0 && duration > 0 && !unknown ? Math.round((duration / timescale) * 1000) : undefined;
    }
    at += size;
  }
  return undefined;
}

/** Feed it every byte in order with `push`; `finish` says whether the whole was a well-formed MP4. */
export class Mp4Inspector {
  #offset = 0;
  #nextBox = 0;
  #header: Buffer[] = [];
  #headerBytes = 0;
  #boxes: string[] = [];
  #moov: Buffer[] | undefined;
  #moovRemaining = 0;
  #durationMs: number | undefined;
  #problem: string | undefined;

  /** Why the bytes so far cannot be a good MP4 (checked after every push, so a bad file stops early). */
  get problem(): string | undefined {
    return this.#problem;
  }

  /** Bytes seen. */
  get offset(): number {
    return this.#offset;
  }

  /** Starts over (the download restarted from byte 0). */
  reset(): void {
    this.#offset = 0;
    this.#nextBox = 0;
    this.#header = [];
    this.#headerBytes = 0;
    this.#boxes = [];
    this.#moov = undefined;
    this.#moovRemaining = 0;
    this.#durationMs = undefined;
    this.#problem = undefined;
  }

  /** Takes the next bytes of the file. */
  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && this.#problem === undefined) {
      const position = this.#offset + at;
      if (position < this.#nextBox) {
        const take = Math.min(chunk.length - at, this.#nextBox - position);
        this.#capture(chunk.subarray(at, at + take));
        at += take;
        continue;
      }
      at += this.#readHeader(chunk, at);
    }
    this.#offset += chunk.length;
  }

  /** Confirms the file ended where its last box ends; throws MEDIA otherwise. */
  finish(): Mp4Report {
    const fail = (reason: string) => new LinkVisualError('MEDIA', `not a complete MP4: ${reason}`, { retryable: false });
    if (this.#problem !== undefined) throw fail(this.#problem);
    if (this.#boxes.length === 0) throw fail(this.#offset === 0 ? 'the file is empty' : 'no box header');
    if (this.#headerBytes > 0) throw fail(`the file ends inside a box header at byte ${this.#offset}`);
    if (Number.isFinite(this.#nextBox) && this.#nextBox !== this.#offset) {
      throw fail(`the last box ends at byte ${this.#nextBox} but the file has ${this.#offset} bytes (truncated)`);
    }
    return { boxes: this.#boxes.slice(0, 32), ...(this.#durationMs === undefined ? {} : { durationMs: this.#durationMs }) };
  }

  #capture(bytes: Buffer): void {
    if (!this.#moov) return;
    this.#moov.push(Buffer.from(bytes)); // a copy: the caller's chunk buffer may be reused
    this.#moovRemaining -= bytes.length;
    if (this.#moovRemaining === 0) {
      this.#durationMs = mvhdDurationMs(Buffer.concat(this.#moov));
      this.#moov = undefined;
    }
  }

  /** Reads (part of) a box header at `at`; returns how many bytes it used. */
  #readHeader(chunk: Buffer, at: number): number {
    const boxStart = this.#offset + at - this.#headerBytes;
    const have = this.#headerBytes;
    const first = this.#header.length > 0 ? Buffer.concat([...this.#header, chunk.subarray(at, at + 16)]) : chunk.subarray(at, at + 16);
    if (first.length < 8 || (first.readUInt32BE(0) === 1 && first.length < 16)) {
      const used = chunk.length - at;
      this.#header.push(Buffer.from(chunk.subarray(at)));
      this.#headerBytes += used;
      return used;
    }
    let size = first.readUInt32BE(0);
    let headerLength = 8;
    if (size === 1) {
      size = Number(first.readBigUInt64BE(8));
      headerLength = 16;
    }
    const type = boxType(first, 4);
    this.#header = [];
    this.#headerBytes = 0;
    if (type === undefined) {
      this.#problem = `a box at byte ${boxStart} has no readable type`;
      return headerLength - have;
    }
    if (this.#boxes.length === 0 && type !== 'ftyp') {
      this.#problem = `it starts with ${JSON.stringify(type)}, not an ftyp box`;
      return headerLength - have;
    }
    if (size !== 0 && size < headerLength) {
      this.#problem = `the ${type} box at byte ${boxStart} has an impossible size ${size}`;
      return headerLength - have;
    }
    this.#boxes.push(type);
    this.#nextBox = size === 0 ? Infinity : boxStart + size; // size 0: the box runs to the end of the file
    if (type === 'moov' && this.#durationMs === undefined && size !== 0 && size - headerLength <= MAX_MOOV_BYTES) {
      this.#moov = [];
      this.#moovRemaining = size - headerLength;
      if (this.#moovRemaining === 0) this.#moov = undefined;
    }
    return headerLength - have;
  }
}
