/** Pure pieces of the emulator: plan time math, MP4 padding and ranges, options, the handler table. */
import assert from 'node:assert/strict';
import { operations } from '../../lib/catalog/operations';
import { handlers } from '../../lib/emulator/handlers';
import { bodySlices, CLIP_MP4, mp4Body, parseRange } from '../../lib/emulator/media';
import { resolveOptions } from '../../lib/emulator/options';
import { convertSections, isInSchedule, nextWindow, type Schedule } from '../../lib/emulator/schedule';
import { sleep, start, TestClient, type Json } from './helpers';

const HOUR = 3_600_000;
/** Monday 2025-11-24 00:00 UTC. */
const MONDAY_UTC = Date.UTC(2025, 10, 24);

describe('emulator units', () => {
  it('has a handler for every catalog operation (38 seed + extra)', () => {
    assert.ok(operations.filter((op) => !op.extra).length >= 38);
    assert.deepEqual(operations.filter((op) => !handlers.has(op.name)).map((op) => op.name), []);
  });

  describe('schedule', () => {
    const plan: Schedule = { allDay: 0, timeZone: 0, timeSectionList: [{ dayOfWeek: 1, begin: 3600, end: 7200 }, { dayOfWeek: 1, begin: 7200, end: 9000 }] };

    it('finds the window containing a time or the next one, merging touching sections', () => {
      assert.deepEqual(nextWindow(plan, MONDAY_UTC), { start: MONDAY_UTC + HOUR, end: MONDAY_UTC + 2.5 * HOUR });
      assert.deepEqual(nextWindow(plan, MONDAY_UTC + 2 * HOUR), { start: MONDAY_UTC + HOUR, end: MONDAY_UTC + 2.5 * HOUR });
      assert.deepEqual(nextWindow(plan, MONDAY_UTC + 3 * HOUR), { start: MONDAY_UTC + 7 * 24 * HOUR + HOUR, end: MONDAY_UTC + 7 * 24 * HOUR + 2.5 * HOUR });
      assert.equal(nextWindow({ allDay: 0, timeZone: 0, timeSectionList: [] }, MONDAY_UTC), null);
    });

    it('honours the plan time zone and treats end 86399 as midnight', () => {
      const evening: Schedule = { allDay: 0, timeZone: 8, timeSectionList: [{ dayOfWeek: 1, begin: 22 * 3600, end: 86399 }] };
      // Monday 22:00–24:00 at UTC+8 is Monday 14:00–16:00 UTC.
      assert.deepEqual(nextWindow(evening, MONDAY_UTC), { start: MONDAY_UTC + 14 * HOUR, end: MONDAY_UTC + 16 * HOUR });
      assert.ok(isInSchedule(evening, MONDAY_UTC + 15 * HOUR));
      assert.ok(!isInSchedule(evening, MONDAY_UTC + 16 * HOUR));
      assert.ok(isInSchedule({ allDay: 1, timeZone: 0, timeSectionList: [] }, MONDAY_UTC + 5 * HOUR));
    });

    it('converts sections between time zones, splitting at midnight and wrapping the week', () => {
      assert.deepEqual(convertSections([{ dayOfWeek: 6, begin: 20 * 3600, end: 86399 }], 0, 8), [{ dayOfWeek: 0, begin: 4 * 3600, end: 8 * 3600 }]);
      assert.deepEqual(convertSections([{ dayOfWeek: 1, begin: 3600, end: 3 * 3600 }], 8, 0), [
        { dayOfWeek: 0, begin: 17 * 3600, end: 19 * 3600 },
      ]);
      assert.deepEqual(convertSections([{ dayOfWeek: 1, begin: 22 * 3600, end: 86399 }], 0, 1), [
        { dayOfWeek: 1, begin: 23 * 3600, end: 86399 },
        { dayOfWeek: 2, begin: 0, end: 3600 },
      ]);
    });
  });

  describe('media bodies', () => {
    it('uses a 64-bit free box past 4 GiB and slices without building the body', () => {
      const size = 2 ** 32 + 100_000;
      const body = mp4Body(size);
      assert.equal(body.size, size);
      const header = body.parts[1].bytes ?? Buffer.alloc(0);
      assert.equal(header.readUInt32BE(0), 1);
      assert.equal(header.toString('latin1', 4, 8), 'free');
      assert.equal(Number(header.readBigUInt64BE(8)), size - CLIP_MP4.length);
      const tail = Buffer.concat([...bodySlices(body, size - 100, size - 1)]);
      assert.equal(tail.length, 100);
      const seam = Buffer.concat([...bodySlices(body, CLIP_MP4.length - 4, CLIP_MP4.length + 19)]);
      assert.deepEqual(seam.subarray(0, 4), CLIP_MP4.subarray(-4));
      assert.deepEqual(seam.subarray(4, 20), header);
    });

    it('gives the bare fixture when mp4Size leaves no room for a box', () => {
      assert.equal(mp4Body(0).size, CLIP_MP4.length);
      assert.equal(mp4Body(CLIP_MP4.length + 7).size, CLIP_MP4.length);
      assert.equal(mp4Body(CLIP_MP4.length + 8).size, CLIP_MP4.length + 8);
    });

    it('parses byte ranges', () => {
      assert.deepEqual(parseRange('bytes=0-0', 10), { start: 0, end: 0 });
      assert.deepEqual(parseRange('bytes=5-100', 10), { start: 5, end: 9 });
      assert.deepEqual(parseRange('bytes=-3', 10), { start: 7, end: 9 });
      assert.equal(parseRange('bytes=10-', 10), 'unsatisfiable');
      assert.equal(parseRange('bytes=-0', 10), 'unsatisfiable');
      assert.equal(parseRange('bytes=0-1,4-5', 10), null);
      assert.equal(parseRange('items=0-1', 10), null);
      assert.equal(parseRange(undefined, 10), null);
    });
  });

  it('resolves the demo defaults and refuses bad options', () => {
    const options = resolveOptions();
    assert.deepEqual(
      [options.port, options.host, options.appKey, options.appSecret, options.identityId, options.refreshToken, options.authCode, options.projectId],
      [0, '127.0.0.1', 'demo-app-key', 'demo-app-secret', 'demo-identity', 'demo-refresh-token', 'demo-auth-code', 'demo-project'],
    );
    assert.deepEqual(options.cameras, ['demo-camera-1', 'demo-camera-2']);
    assert.deepEqual(resolveOptions({ cameras: 3 }).cameras, ['demo-camera-1', 'demo-camera-2', 'demo-camera-3']);
    assert.deepEqual(resolveOptions({ cameras: ['a', 'b'] }).cameras, ['a', 'b']);
    assert.equal(options.iotTokenTtlSeconds, 72000);
    assert.equal(options.timeScale, 1);
    assert.throws(() => resolveOptions({ timeScale: 0 }), RangeError);
    assert.throws(() => resolveOptions({ port: 70000 }), RangeError);
    assert.throws(() => resolveOptions({ appKey: '' }), RangeError);
    // The cloud's answer variants: known values only; the defaults are the most cloud-like forms.
    assert.throws(() => resolveOptions({ eventOrder: 'random' as never }), RangeError);
    assert.throws(() => resolveOptions({ numberForm: 'hex' as never }), RangeError);
    assert.throws(() => resolveOptions({ eventTimeForm: 'iso' as never }), RangeError);
    assert.throws(() => resolveOptions({ tokenErrorCode: 403 as never }), RangeError);
    assert.throws(() => resolveOptions({ oneLogin: 'yes' as never }), RangeError);
    assert.throws(() => resolveOptions({ vodFormat: 'webm' as never }), /vodFormat must be one of mp4, hls/);
    const defaults = resolveOptions({});
    assert.deepEqual([defaults.eventOrder, defaults.numberForm, defaults.eventTimeForm, defaults.tokenErrorCode, defaults.oneLogin], ['newest', 'string', 'text', 401, false]);
    assert.equal(defaults.vodFormat, 'mp4', 'recordings play as MP4 unless told');
    assert.equal(resolveOptions({ vodFormat: 'hls' }).vodFormat, 'hls');
  });

  it('raises demo events on every online camera when demoEvents is set, and stops on close', async () => {
    const emulator = await start({ demoEvents: 50 });
    try {
      const client = new TestClient(emulator);
      await sleep(180);
      for (const iotId of ['demo-camera-1', 'demo-camera-2']) {
        const events = await client.ok<Json>('queryEvents', { iotId, beginTime: Date.now() - 60_000, endTime: Date.now() + 60_000, pageSize: 100 });
        assert.ok((events.eventList as Json[]).length >= 2, `${iotId} has demo events`);
      }
    } finally {
      await emulator.close();
    }
  });
});
