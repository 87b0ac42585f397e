/**
 * The `.part` file of a download: bytes flushed to the disk in the background while the transfer goes
 * on (so the last fsync has little left), and a disk that refuses that flush stops the download with
 * nothing left behind.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sinon from 'sinon';
import { PartFile } from '../../lib/media/part-file';

const MIB = 1024 * 1024;
const realOpen = fs.promises.open.bind(fs.promises);

/** Wraps the handles opened for `file` to count (or fail) their datasync calls. */
function watchDatasync(file: string, fail: boolean): { calls: () => number; restore: () => void } {
  let calls = 0;
  const sandbox = sinon.createSandbox();
  sandbox.stub(fs.promises, 'open').callsFake(async (name: fs.PathLike | fs.promises.FileHandle, flags?: string | number, mode?: fs.Mode) => {
    const handle = await realOpen(name as fs.PathLike, flags, mode);
    if (String(name) !== file) return handle;
    return new Proxy(handle, {
      get(target, property) {
        if (property === 'datasync') {
          return async () => {
            calls += 1;
            if (fail) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
            return target.datasync();
          };
        }
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  });
  return { calls: () => calls, restore: () => sandbox.restore() };
}

describe('PartFile (a download on disk)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-part-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('flushes written bytes in the background during a long transfer and commits them whole', async () => {
    const target = path.join(dir, 'clip.mp4');
    const watch = watchDatasync(`${target}.part`, false);
    const hash = crypto.createHash('sha256');
    try {
      const part = await PartFile.create(target);
      for (let i = 0; i < 80; i += 1) {
        const chunk = crypto.randomBytes(MIB);
        hash.update(chunk);
        await part.write(chunk);
      }
      const placed = await part.commit('always');
      assert.equal(placed.path, target);
    } finally {
      watch.restore();
    }
    assert.ok(watch.calls() >= 2, `background flushes during 80 MiB: ${watch.calls()}`);
    assert.equal(crypto.createHash('sha256').update(fs.readFileSync(target)).digest('hex'), hash.digest('hex'));
    assert.deepEqual(fs.readdirSync(dir), ['clip.mp4']);
  });

  it('stops the transfer when the disk refuses a background flush, and discard leaves nothing', async () => {
    const target = path.join(dir, 'clip.mp4');
    fs.writeFileSync(target, 'the previous download');
    const watch = watchDatasync(`${target}.part`, true);
    try {
      const part = await PartFile.create(target);
      let failure: unknown;
      try {
        for (let i = 0; i < 80; i += 1) await part.write(Buffer.alloc(MIB, i));
        await part.commit('always');
      } catch (error) {
        failure = error;
      } finally {
        await part.discard();
      }
      assert.equal((failure as NodeJS.ErrnoException | undefined)?.code, 'EIO', 'the refused flush is the error');
    } finally {
      watch.restore();
    }
    assert.equal(fs.readFileSync(target, 'utf8'), 'the previous download');
    assert.deepEqual(fs.readdirSync(dir), ['clip.mp4']);
  });
});
