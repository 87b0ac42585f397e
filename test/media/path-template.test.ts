import assert from 'node:assert/strict';
import path from 'node:path';
import { LinkVisualError } from '../../lib/gateway/errors';
import { checkPathId, checkPathTemplate, dateParts, expandPathTemplate, isInside, resolveInside } from '../../lib/media/path-template';

function refused(run: () => unknown, pattern?: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof LinkVisualError);
    assert.equal(error.code, 'INVALID_PARAMS');
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}

describe('path templates', () => {
  const time = new Date(2026, 10, 25, 7, 5, 9); // local time: 2026-11-25 07:05:09
  const values = { iotId: 'cam-1', fileName: 's0_t1_20261125T070509Z', eventId: 'ev123', time };

  it('expands every placeholder; {date} and {time} in local time; a trailing .mp4 of the file name is dropped', () => {
    assert.deepEqual(dateParts(time), { date: '2026-11-25', time: '07-05-09' });
    assert.equal(expandPathTemplate('{iotId}/{date}/{fileName}.mp4', values), 'cam-1/2026-11-25/s0_t1_20261125T070509Z.mp4');
    assert.equal(expandPathTemplate('clips/{date} {time} {eventId}.mp4', values), 'clips/2026-11-25 07-05-09 ev123.mp4');
    assert.equal(expandPathTemplate('{fileName}.mp4', { ...values, fileName: 'clip.MP4' }), 'clip.mp4');
  });

  it('refuses unknown placeholders, absolute and dot-dot templates and odd characters', () => {
    refused(() => checkPathTemplate('{camera}/{fileName}.mp4'), /unknown placeholder \{camera\}/);
    refused(() => checkPathTemplate('/etc/{fileName}'), /relative/);
    refused(() => checkPathTemplate('../{fileName}.mp4'), /"\.\."/);
    refused(() => checkPathTemplate('a/./{fileName}'), /"\."/);
    refused(() => checkPathTemplate('a//{fileName}'));
    refused(() => checkPathTemplate('a/'));
    refused(() => checkPathTemplate('C:/{fileName}'));
    refused(() => checkPathTemplate('a\\..\\{fileName}'));
    refused(() => checkPathTemplate('a/{fileName'), /unbalanced/);
    refused(() => checkPathTemplate('a\u0000b'));
    refused(() => checkPathTemplate(''));
    refused(() => expandPathTemplate('{eventId}.mp4', { ...values, eventId: undefined }), /\{eventId\}/);
  });

  it('refuses ids that could steer the path: .., slashes, absolute, odd characters', () => {
    for (const bad of ['..', '../x', 'a/b', '/etc/passwd', 'a\\b', 'x..y', '.hidden', 'a b', 'a:b', 'a%2e', 'ä', '', 'a\nb']) {
      refused(() => checkPathId('fileName', bad));
      refused(() => expandPathTemplate('{iotId}/{fileName}', { ...values, fileName: bad }));
    }
    assert.equal(checkPathId('iotId', 'Xa1bcD2_e-F3.g+h=i@j~k'), 'Xa1bcD2_e-F3.g+h=i@j~k');
    refused(() => checkPathId('iotId', 42));
  });

  it('resolves under the base directory and refuses anything outside it', () => {
    const base = path.resolve('/data/clips');
    assert.equal(resolveInside(base, 'cam/a.mp4'), path.join(base, 'cam', 'a.mp4'));
    refused(() => resolveInside(base, '../outside.mp4'), /outside/);
    refused(() => resolveInside(base, ''), /outside/);
    assert.ok(isInside(base, path.join(base, '..foo')), '"..foo" is a name, not a step up');
    assert.ok(!isInside(base, path.resolve(base, '..', 'elsewhere')));
  });
});
