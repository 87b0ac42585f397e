import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { removeStaleTempFiles, writeFileAtomic } from '../../lib/files/atomic-write';

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid as number;
}

describe('atomic writes: temp files left by a writer that died', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-atomic-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("removes a dead writer's temp file and an earlier run's with this pid (containers), keeps a living writer's and others' files", async () => {
    const file = path.join(dir, 'state.json');
    await writeFileAtomic(file, '{"ok":true}');
    const dead = `.state.json.${await deadPid()}.00aa11bb22cc.tmp`;
    const ownEarlierRun = `.state.json.${process.pid}.33dd44ee55ff.tmp`;
    const living = `.state.json.${process.ppid}.66aa77bb88cc.tmp`;
    const otherFile = `.other.json.${await deadPid()}.99aa00bb11cc.tmp`;
    for (const name of [dead, ownEarlierRun, living, otherFile]) fs.writeFileSync(path.join(dir, name), '{"half');
    assert.equal(removeStaleTempFiles(file), 2);
    assert.deepEqual(fs.readdirSync(dir).sort(), [living, otherFile, 'state.json'].sort());
    assert.equal(fs.readFileSync(file, 'utf8'), '{"ok":true}');
  });

  it('leaves the temp file of a write in progress in this process alone', async () => {
    const file = path.join(dir, 'cursor.json');
    const big = Buffer.alloc(32 * 1024 * 1024, 'x');
    const write = writeFileAtomic(file, big);
    let removedDuring = 0;
    for (let i = 0; i < 50 && !fs.existsSync(file); i += 1) {
      removedDuring += removeStaleTempFiles(file);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await write;
    assert.equal(removedDuring, 0);
    assert.equal(fs.statSync(file).size, big.length);
  });
});
