/** vod/cloudfile/get answers in the forms the real cloud sends (docs/protocol.md §8.4), read and waited on. */
import assert from 'node:assert/strict';
import type { LinkVisualClient } from '../../lib/client/client';
import { LinkVisualError } from '../../lib/gateway/errors';
import { readTranscodeAnswer, waitForDownloadUrl } from '../../lib/media/transcode';

const CLIP_URL = 'https://oss.example.com/clip.mp4?Expires=1';

/** A client whose getDownloadUrl answers are `answers`, in turn (the last one repeats). */
function scripted(answers: unknown[]): { client: LinkVisualClient; calls: () => number } {
  let calls = 0;
  const client = {
    async call(name: string) {
      assert.equal(name, 'getDownloadUrl');
      calls += 1;
      return answers[Math.min(calls, answers.length) - 1];
    },
  } as unknown as LinkVisualClient;
  return { client, calls: () => calls };
}

describe('transcode answers (vod/cloudfile/get)', () => {
  describe('readTranscodeAnswer', () => {
    it('reads status and progress sent as numbers', () => {
      assert.deepEqual(readTranscodeAnswer({ url: '', status: 1, progress: 80 }), { state: 'working', progress: 80 });
      assert.deepEqual(readTranscodeAnswer({ url: CLIP_URL, status: 0, progress: 100 }), { state: 'ready', url: CLIP_URL });
    });

    it('reads status and progress sent as numeric text (the reference sample "status":"1","progress":"80")', () => {
      assert.deepEqual(readTranscodeAnswer({ url: '', status: '1', progress: '80' }), { state: 'working', progress: 80 });
      assert.deepEqual(readTranscodeAnswer({ url: CLIP_URL, status: '0', progress: '100' }), { state: 'ready', url: CLIP_URL });
      assert.deepEqual(readTranscodeAnswer({ url: '', status: ' 1 ', progress: '150' }), { state: 'working', progress: 100 }, 'blanks allowed, progress capped');
    });

    it('reads status 2 (Chinese reference) and -1 (English reference) as failed, as numbers or text', () => {
      for (const status of [2, '2', -1, '-1']) {
        assert.deepEqual(readTranscodeAnswer({ url: '', status, progress: 0 }), { state: 'failed', status: Number(status) }, JSON.stringify(status));
      }
    });

    it('reads any other numeric status as failed, naming it', () => {
      for (const status of [3, '7', 99, '1.5']) {
        assert.deepEqual(readTranscodeAnswer({ status, url: CLIP_URL, progress: 100 }), { state: 'failed', status: Number(status) }, JSON.stringify(status));
      }
    });

    it('reads data: null, a non-object and an answer without status as "not yet"', () => {
      for (const data of [null, undefined, 'text', [], { url: '', progress: '40' }]) {
        assert.equal(readTranscodeAnswer(data).state, 'working', JSON.stringify(data));
      }
      assert.deepEqual(readTranscodeAnswer({ progress: '40' }), { state: 'working', progress: 40 });
    });

    it('keeps "no status, progress 100 and a url" as ready, and status 0 without a url as almost done', () => {
      assert.deepEqual(readTranscodeAnswer({ url: CLIP_URL, progress: 100 }), { state: 'ready', url: CLIP_URL });
      assert.deepEqual(readTranscodeAnswer({ url: CLIP_URL, status: null, progress: '100' }), { state: 'ready', url: CLIP_URL });
      assert.deepEqual(readTranscodeAnswer({ url: '', status: '0', progress: '100' }), { state: 'working', progress: 100 });
    });

    it('reads a status that is no number at all as working, without crashing', () => {
      for (const status of ['done', '', true, {}, [], Number.NaN]) {
        assert.deepEqual(readTranscodeAnswer({ url: CLIP_URL, status, progress: 'x' }), { state: 'working', progress: 0 }, String(status));
      }
    });
  });

  describe('waitForDownloadUrl', () => {
    it('waits through data: null and text numbers to the CLIP_URL, reporting progress', async () => {
      const { client, calls } = scripted([null, { url: '', status: '1', progress: '40' }, { url: CLIP_URL, status: '0', progress: '100' }]);
      const seen: number[] = [];
      const url = await waitForDownloadUrl(client, 'cam', 'f', { deadline: Date.now() + 10_000, maxPollMs: 1, onProgress: (p) => seen.push(p) });
      assert.equal(url, CLIP_URL);
      assert.equal(calls(), 3);
      assert.deepEqual(seen, [0, 40, 100]);
    });

    for (const status of [2, '2', -1, '-1', '5']) {
      it(`reports status ${JSON.stringify(status)} at once as a retryable MEDIA error naming the status, long before the deadline`, async () => {
        const { client, calls } = scripted([null, { url: '', status: '1', progress: '10' }, { url: '', status, progress: '0' }]);
        const started = Date.now();
        await assert.rejects(waitForDownloadUrl(client, 'cam', 'clip-1', { deadline: Date.now() + 60_000, maxPollMs: 1 }), (error: unknown) => {
          assert.ok(error instanceof LinkVisualError);
          assert.equal(error.code, 'MEDIA');
          assert.equal(error.retryable, true);
          assert.match(error.message, new RegExp(`clip-1 .*status ${Number(status)}\\b`));
          return true;
        });
        assert.equal(calls(), 3);
        assert.ok(Date.now() - started < 5_000, 'not at the deadline');
      });
    }

    it('keeps waiting on a status it cannot read, until the deadline (NOT_READY)', async () => {
      const { client, calls } = scripted([{ url: '', status: 'busy', progress: '30' }]);
      const started = Date.now();
      await assert.rejects(waitForDownloadUrl(client, 'cam', 'f', { deadline: Date.now() + 300, maxPollMs: 20 }), (error: unknown) => {
        assert.ok(error instanceof LinkVisualError);
        assert.equal(error.code, 'NOT_READY');
        assert.match(error.message, /30%/);
        return true;
      });
      assert.ok(Date.now() - started >= 250, 'waited to the deadline');
      assert.ok(calls() > 2, 'polled more than once');
    });
  });
});
