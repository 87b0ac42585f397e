import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LinkVisualClient } from '../../lib';
import { ServerClock } from '../../lib/client/server-clock';

/** Two hand-driven clocks: the wall clock (can be set) and the monotonic one (only runs forward). */
function clocks(start = 1_800_000_000_000) {
  const state = { wall: start, mono: 1000 };
  return {
    state,
    clock: new ServerClock(
      () => state.wall,
      () => state.mono,
    ),
    /** Time passes on both clocks. */
    pass(ms: number) {
      state.wall += ms;
      state.mono += ms;
    },
  };
}

const header = (ms: number) => new Date(ms).toUTCString();

describe('server clock (Date headers)', () => {
  it('is the local clock until an answer was seen, and ignores missing or unreadable headers', () => {
    const { clock, state } = clocks();
    assert.equal(clock.now(), state.wall);
    clock.observe(undefined, clock.start());
    clock.observe('not a date', clock.start());
    assert.equal(clock.known, false);
    assert.equal(clock.now(), state.wall);
  });

  it('learns that the local clock runs ahead or behind, to within a second', () => {
    for (const skew of [-600_000, -90_000, -1500, 0, 2500, 120_000, 840_000]) {
      const { clock, state, pass } = clocks();
      const server = () => state.wall - skew; // the server's true time
      const sent = clock.start();
      pass(40);
      clock.observe(header(server() - 20), sent);
      assert.equal(clock.known, true);
      assert.ok(Math.abs(clock.now() - server()) <= 1000, `skew ${skew}: ${clock.now() - server()} ms off`);
    }
  });

  it('follows the local clock being set (NTP) at the next answer, and keeps a settled offset through header jitter', () => {
    const { clock, state, pass } = clocks();
    let skew = 0;
    const answer = () => {
      const sent = clock.start();
      pass(10);
      clock.observe(header(state.wall - skew), sent);
    };
    answer();
    const settled = clock.offsetMs;
    for (let i = 0; i < 20; i += 1) {
      pass(137); // answers land anywhere within the header's second
      answer();
    }
    assert.equal(clock.offsetMs, settled, 'no jitter from whole-second headers');
    state.wall += 600_000; // the local clock jumps ten minutes ahead
    skew = 600_000;
    answer();
    assert.ok(Math.abs(clock.now() - (state.wall - skew)) <= 1000);
    state.wall -= 600_000; // and is set right
    skew = 0;
    answer();
    assert.ok(Math.abs(clock.now() - state.wall) <= 1000);
  });

  it('ignores an answer during which the local clock was set, and a header beyond the gateway window', () => {
    const { clock, state, pass } = clocks();
    const sent = clock.start();
    pass(10);
    clock.observe(header(state.wall), sent);
    const before = clock.offsetMs;
    const during = clock.start();
    state.wall += 300_000; // set while the request was out: wall and monotonic clocks disagree
    pass(20);
    clock.observe(header(state.wall - 300_000), during);
    assert.equal(clock.offsetMs, before);
    clock.observe(header(state.wall + 3_600_000), clock.start()); // an hour off: a broken proxy, not the gateway
    assert.equal(clock.offsetMs, before);
  });

  it('a client learns the offset from the Date header of any answer (LinkVisualClient.serverNow)', async () => {
    const aheadMs = 7 * 60_000;
    const server = http.createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response.sendDate = false;
        response.setHeader('Date', new Date(Date.now() + aheadMs).toUTCString());
        response.setHeader('Content-Type', 'application/json');
        response.end(JSON.stringify({ code: 200, data: { ok: true } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = new LinkVisualClient({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, appKey: 'key', appSecret: 'secret', auth: { mode: 'iotToken', iotToken: 't' } });
    try {
      assert.equal(client.clockOffsetMs, 0);
      await client.call('/vision/customer/anything', {}, { apiVer: '1.0.0' });
      assert.ok(Math.abs(client.clockOffsetMs - aheadMs) <= 1000, String(client.clockOffsetMs));
      assert.ok(Math.abs(client.serverNow() - (Date.now() + aheadMs)) <= 1000);
    } finally {
      await client.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
