import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CursorStore, TIME_RESOLUTION_MS, cursorFilePath } from '../../lib/events/cursor-store';

describe('on-event cursor store', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lv-cursor-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps the file under <userDir>/link-visual with a safe name', () => {
    assert.equal(cursorFilePath('/u', 'a1.b/c'), path.join('/u', 'link-visual', 'on-event-a1.b_c.json'));
  });

  it('saves positions, recent ids and the cooldown atomically and loads them back', async () => {
    const file = cursorFilePath(dir, 'n1');
    const store = await CursorStore.open(file, { overlapMs: 60_000 });
    const cursor = store.ensure('cam', 1_000_000);
    store.record(cursor, 'e1', 1_010_000, { suppressed: false, coolUntil: 1_020_000 });
    store.record(cursor, 'e2', 1_015_000, { suppressed: true, coolUntil: 1_020_000 });
    store.advance(cursor, 1_030_000);
    await store.close();
    const names = fs.readdirSync(path.dirname(file));
    assert.deepEqual(names, ['on-event-n1.json'], 'no temp file left behind');
    const again = await CursorStore.open(file, { overlapMs: 60_000 });
    const loaded = again.get('cam');
    assert.ok(loaded);
    assert.equal(loaded.position, 1_030_000);
    assert.equal(loaded.floor, 1_000_000);
    assert.equal(loaded.coolUntil, 1_020_000);
    assert.equal(loaded.delivered, 1);
    assert.equal(loaded.suppressed, 1);
    assert.equal(loaded.suppressedRun, 1);
    assert.deepEqual([...loaded.recent.keys()].sort(), ['e1', 'e2']);
    assert.equal(again.isNew(loaded, 'e1', 1_010_000), false);
    assert.equal(again.isNew(loaded, 'e3', 1_010_000), true);
    await again.close();
  });

  it('forgets ids no query can return again, and refuses events from before the window', async () => {
    const store = await CursorStore.open(undefined, { overlapMs: 10_000 });
    const cursor = store.ensure('cam', 0);
    store.record(cursor, 'old', 5_000, { suppressed: false });
    store.record(cursor, 'new', 95_000, { suppressed: false });
    store.advance(cursor, 100_000);
    assert.equal(store.coveredFrom(cursor), 90_000);
    assert.deepEqual([...cursor.recent.keys()], ['new']);
    // The API's times are whole seconds: an event listed 1 s before the window may still be in it.
    assert.equal(store.isNew(cursor, 'edge', 90_000 - TIME_RESOLUTION_MS), true);
    assert.equal(store.isNew(cursor, 'gone', 90_000 - TIME_RESOLUTION_MS - 1), false);
  });

  it('bounds the recent ids and never looks behind the ids it dropped', async () => {
    const store = await CursorStore.open(undefined, { overlapMs: 3_600_000, maxRecent: 50 });
    const cursor = store.ensure('cam', 0);
    // Newest first, as the cloud may list them: within a scan nothing is forgotten, however many.
    for (let i = 119; i >= 0; i -= 1) store.record(cursor, `e${i}`, i * 1000, { suppressed: false });
    assert.equal(cursor.recent.size, 120, 'every id of an unfinished scan is kept');
    for (let i = 0; i < 120; i += 1) assert.equal(store.isNew(cursor, `e${i}`, i * 1000), false);
    store.advance(cursor, 120_000); // the scan is complete: now the oldest ids go
    assert.ok(cursor.recent.size <= 50, `${cursor.recent.size} ids kept`);
    const oldestKept = Math.min(...cursor.recent.values());
    // Every dropped id is now before the covered window: a query can neither return nor re-accept it.
    for (let i = 0; i < 120; i += 1) {
      if (!cursor.recent.has(`e${i}`)) assert.equal(store.isNew(cursor, `e${i}`, i * 1000), false, `e${i} stays delivered`);
    }
    assert.ok(store.coveredFrom(cursor) - TIME_RESOLUTION_MS <= oldestKept);
  });

  it('moves an unreadable file aside and starts afresh', async () => {
    const file = cursorFilePath(dir, 'n2');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{not json');
    const warnings: string[] = [];
    const store = await CursorStore.open(file, { overlapMs: 1000, warn: (m) => warnings.push(m) });
    assert.equal(store.devices().length, 0);
    assert.equal(warnings.length, 1);
    assert.ok(fs.readdirSync(path.dirname(file)).some((name) => name.startsWith('on-event-n2.json.corrupt-')));
  });

  it('does not widen the window past what a shorter overlap kept when the overlap grows', async () => {
    const file = cursorFilePath(dir, 'n3');
    const store = await CursorStore.open(file, { overlapMs: 10_000 });
    const cursor = store.ensure('cam', 0);
    store.advance(cursor, 1_000_000);
    await store.close();
    const wider = await CursorStore.open(file, { overlapMs: 600_000 });
    const loaded = wider.get('cam');
    assert.ok(loaded);
    assert.equal(wider.coveredFrom(loaded), 990_000);
  });

  it('saves exactly the cursors in memory after changes to a few of many devices (entries re-written only when changed)', async () => {
    const file = cursorFilePath(dir, 'many');
    const store = await CursorStore.open(file, { overlapMs: 60_000, lazySaveMs: 60_000 });
    for (let i = 0; i < 500; i += 1) store.advance(store.ensure(`cam-${i}`, 1_000_000), 1_000_000 + i);
    await store.flush();
    const withoutTime = (value: unknown) => {
      const { savedAt: _savedAt, ...rest } = value as Record<string, unknown>;
      return rest;
    };
    for (let round = 0; round < 5; round += 1) {
      const cursor = store.get(`cam-${round * 97}`);
      assert.ok(cursor);
      store.record(cursor, `e${round}`, 1_100_000 + round, { suppressed: round % 2 === 1, coolUntil: 1_200_000 });
      store.advance(store.get(`cam-${round * 31 + 1}`) ?? cursor, 1_300_000 + round);
      await store.flush();
      assert.deepEqual(withoutTime(JSON.parse(fs.readFileSync(file, 'utf8'))), withoutTime(store.toJSON()), `round ${round}`);
    }
    await store.close();
    const again = await CursorStore.open(file, { overlapMs: 60_000 });
    for (let i = 0; i < 500; i += 1) {
      const before = store.get(`cam-${i}`);
      const after = again.get(`cam-${i}`);
      assert.ok(before && after);
      assert.equal(after.position, before.position, `cam-${i}`);
      assert.deepEqual([...after.recent], [...before.recent], `cam-${i}`);
      assert.equal(after.delivered + after.suppressed, before.delivered + before.suppressed, `cam-${i}`);
    }
    await again.close();
  });

  it('saves moving positions after the lazy delay, not back to back, and a delivered event at once', async () => {
    const file = cursorFilePath(dir, 'busy');
    const store = await CursorStore.open(file, { overlapMs: 60_000, lazySaveMs: 2000 });
    const cursors = Array.from({ length: 200 }, (_, i) => store.ensure(`cam-${i}`, 1_000_000));
    await store.flush();
    const savedAt = () => (JSON.parse(fs.readFileSync(file, 'utf8')) as { savedAt: number }).savedAt;
    const saves = new Set<number>([savedAt()]);
    // An event starts a save; then a busy account moves a position with every poll, for 1.5 s.
    store.record(cursors[3], 'delivered-0', 1_000_100, { suppressed: false });
    const until = Date.now() + 1500;
    for (let step = 1; Date.now() < until; step += 1) {
      store.advance(cursors[step % cursors.length], 1_000_000 + step);
      await new Promise((resolve) => setTimeout(resolve, 2));
      saves.add(savedAt());
    }
    assert.ok(saves.size <= 3, `${saves.size - 1} saves while positions moved for 1.5 s with a 2 s lazy delay`);
    store.record(cursors[7], 'delivered-1', 1_000_500, { suppressed: false });
    const started = Date.now();
    while (!fs.readFileSync(file, 'utf8').includes('delivered-1') && Date.now() - started < 1500) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok(fs.readFileSync(file, 'utf8').includes('delivered-1'), 'a delivered event is saved at once');
    await store.close();
  });

  it('coalesces saves: a burst of records ends in one consistent file', async () => {
    const file = cursorFilePath(dir, 'n4');
    const store = await CursorStore.open(file, { overlapMs: 600_000 });
    const cursor = store.ensure('cam', 0);
    for (let i = 0; i < 500; i += 1) store.record(cursor, `e${i}`, 1000 + i, { suppressed: false });
    await store.flush();
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { devices: { cam: { recent: unknown[]; delivered: number } } };
    assert.equal(saved.devices.cam.delivered, 500);
    assert.equal(saved.devices.cam.recent.length, 500);
    await store.close();
  });
});
