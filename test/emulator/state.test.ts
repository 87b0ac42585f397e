/** --state persistence: the world survives a restart; writes are atomic; a bad file is refused. */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { StateSaver, type EmulatorSnapshot } from '../../lib/emulator/state-file';
import { sleep, start, TestClient, type Json } from './helpers';

describe('emulator state file', () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'lv-state-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('keeps plans, bindings, devices, recordings, events, tokens and the clock across a restart', async () => {
    const state = path.join(directory, 'world.json');
    const first = await start({ state, cameras: 1 });
    const client = new TestClient(first);
    const token = await client.token();
    const { planId } = await client.ok<Json>('setEventPlan', { name: 'kept', allDay: 1, recordDuration: 20, eventTypeList: [1] });
    await client.ok('bindEventPlan', { planId, iotId: 'demo-camera-1' });
    await client.ok('setRecordDuration', { iotId: 'demo-camera-1', recordDuration: 900 });
    await client.controlOk('POST', 'devices', { iotId: 'porch', cloudStorage: false });
    const event = await client.controlOk<Json>('POST', 'events', { iotId: 'demo-camera-1', eventTime: Date.now() - 60_000 });
    await client.controlOk('POST', 'time', { advanceMs: 86_400_000 });
    const simulated = first.clock.now();
    await first.close();
    assert.ok(JSON.parse(readFileSync(state, 'utf8')).world);

    const second = await start({ state, cameras: 2 });
    try {
      const again = new TestClient(second);
      again.iotToken = token;
      assert.equal((await again.ok<Json>('getEventPlanByDevice', { iotId: 'demo-camera-1' })).planId, planId);
      assert.deepEqual(await again.ok('getRecordDuration', { iotId: 'demo-camera-1' }), { recordDuration: 900 });
      const byIds = await again.ok<Json>('queryEventsByIds', { iotId: 'demo-camera-1', eventIds: [event.eventId] });
      assert.equal((byIds.eventList as Json[])[0].eventFileName, (event.fileNames as string[])[0]);
      const { devices } = await again.controlOk<{ devices: Json[] }>('GET', 'devices');
      assert.deepEqual(devices.map((d) => d.iotId), ['demo-camera-1', 'porch', 'demo-camera-2']);
      assert.ok(second.clock.now() >= simulated, 'the simulated clock does not run backwards');
    } finally {
      await second.close();
    }
  });

  it('writes the file after changes (debounced), leaving no temporary files', async () => {
    const state = path.join(directory, 'world.json');
    const emulator = await start({ state, saveDebounceMs: 20 });
    try {
      const client = new TestClient(emulator);
      await client.ok('setRecordPlan', { name: 'soon', allDay: 1 });
      await sleep(200);
      const saved = JSON.parse(readFileSync(state, 'utf8')) as { world: { recordPlans: Json[] } };
      assert.deepEqual(saved.world.recordPlans.map((p) => p.name), ['soon']);
      assert.deepEqual(readdirSync(directory), ['world.json']);
    } finally {
      await emulator.close();
    }
  });

  it('serialises saves: concurrent flushes end with the latest snapshot and no temporary files', async () => {
    const file = path.join(directory, 'a.json');
    let version = 0;
    const saver = new StateSaver(file, () => ({ version: ++version }) as unknown as EmulatorSnapshot, 10, (error) => assert.fail(String(error)));
    await Promise.all([saver.flush(), saver.flush(), saver.flush()]);
    await saver.close();
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { version: 4 });
    assert.deepEqual(readdirSync(directory), ['a.json']);
  });

  it('refuses to start on a file that is not a state file, and leaves it alone', async () => {
    const state = path.join(directory, 'notes.json');
    writeFileSync(state, '{"hello": "world"}');
    await assert.rejects(start({ state }), /not a Link Visual emulator state file/);
    writeFileSync(state, '{broken');
    await assert.rejects(start({ state }), /not JSON/);
    assert.equal(readFileSync(state, 'utf8'), '{broken');
  });
});
