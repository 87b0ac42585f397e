import assert from 'node:assert/strict';
import { CLIP_MP4, bodySlices, mp4Body } from '../../lib/emulator/media';
import { LinkVisualError } from '../../lib/gateway/errors';
import { Mp4Inspector } from '../../lib/media/mp4-check';

function inspect(bytes: Buffer, chunk: number) {
  const inspector = new Mp4Inspector();
  for (let at = 0; at < bytes.length; at += chunk) inspector.push(bytes.subarray(at, at + chunk));
  return inspector;
}

function box(type: string, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(payload.length + 8, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, payload]);
}

describe('MP4 check while streaming', () => {
  it('accepts the fixture fed in any chunk size and reads its duration from mvhd', () => {
    for (const size of [1, 3, 7, 8, 9, 16, 100, 4096, CLIP_MP4.length]) {
      const report = inspect(CLIP_MP4, size).finish();
      assert.deepEqual(report.boxes, ['ftyp', 'moov', 'free', 'mdat'], `chunks of ${size}`);
      assert.equal(report.durationMs, 2000);
    }
  });

  it('accepts a padded file (a large trailing free box) and a 64-bit box past 4 GiB, holding no more than the moov', () => {
    const body = mp4Body(5_000_000);
    const inspector = new Mp4Inspector();
    for (const slice of bodySlices(body, 0, body.size - 1)) inspector.push(slice);
    assert.equal(inspector.finish().durationMs, 2000);

    const big = mp4Body(5 * 1024 ** 3); // streamed past the check, not allocated
    const header = Buffer.concat([...bodySlices(big, 0, CLIP_MP4.length + 15)]);
    const huge = new Mp4Inspector();
    huge.push(header);
    assert.equal(huge.problem, undefined);
    assert.throws(() => huge.finish(), /truncated/);
  });

  it('refuses truncated files, HTML error pages, garbage and empty bodies', () => {
    const fail = (inspector: Mp4Inspector, pattern: RegExp) =>
      assert.throws(() => inspector.finish(), (error: unknown) => error instanceof LinkVisualError && error.code === 'MEDIA' && pattern.test(error.message));
    fail(inspect(CLIP_MP4.subarray(0, CLIP_MP4.length - 1), 64), /truncated/);
    fail(inspect(CLIP_MP4.subarray(0, 884), 64), /inside a box header|truncated/);
    const html = inspect(Buffer.from('<!DOCTYPE html><html><body>Not found</body></html>'), 5);
    assert.match(html.problem ?? '', /not an ftyp box/);
    fail(html, /ftyp/);
    fail(inspect(Buffer.alloc(0), 1), /empty/);
    fail(inspect(Buffer.concat([box('ftyp', Buffer.from('isom')), Buffer.from([0, 0, 0, 4, 0x6d, 0x6f, 0x6f, 0x76])]), 3), /impossible size/);
    fail(inspect(Buffer.concat([box('ftyp', Buffer.from('isom')), Buffer.from([0, 0, 0, 16, 0, 1, 2, 3])]), 3), /no readable type/);
  });

  it('starts over on reset (a download restarted from byte 0)', () => {
    const inspector = inspect(CLIP_MP4.subarray(0, 500), 50);
    inspector.reset();
    inspector.push(CLIP_MP4);
    assert.equal(inspector.finish().durationMs, 2000);
  });
});
