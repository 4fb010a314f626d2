// The batch plan (src/batch/plan.ts): which files a batch takes from its inputs, how --shard K/N splits
// them, where each transcript goes.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'path';
import { expandInputs, parseShard, planOutputs, shardOf } from '../../src/batch/plan';
import { summary } from '../../src/cli/batch';
import { tmpDir, tmpTree } from '../fixtures/tmp';

const tree = (files: string[]) => tmpTree('batch', files);

describe('batch plan', () => {
  test('--shard K/N: 1 ≤ K ≤ N, anything else is a usage error', () => {
    assert.deepEqual(parseShard('2/4'), { index: 2, count: 4 });
    assert.deepEqual(parseShard(' 1 / 1 '), { index: 1, count: 1 });
    for (const bad of ['0/2', '3/2', '1/0', '1', 'a/b', '-1/2', '']) assert.throws(() => parseShard(bad), /--shard: expected K\/N/, bad);
  });

  test('a folder stands for the media below it (sorted, hidden and non-media skipped); a file given twice counts once', () => {
    const root = tree(['b.mp3', 'a/intro.wav', 'a/notes.txt', 'a/.hidden.wav', '.cache/x.wav', 'c/d/e.MKV', 'z.flac']);
    const found = expandInputs([path.join(root, 'z.flac'), root, path.join(root, 'b.mp3')]);
    assert.deepEqual(
      found.map((f) => path.relative(root, f.file)),
      ['a/intro.wav', 'b.mp3', 'c/d/e.MKV', 'z.flac'],
    );
    // A file named on its own keeps its own folder as its root (z.flac was named before the folder).
    assert.equal(found.find((f) => f.file.endsWith('z.flac'))!.root, root);
    assert.throws(() => expandInputs([path.join(root, 'missing.mp3')]), /no such file or folder/);
  });

  test('--shard 1/N … N/N together cover every input exactly once, for any N and list length', () => {
    for (let length = 0; length <= 13; length++) {
      const list = Array.from({ length }, (_, i) => `f${String(i).padStart(2, '0')}`);
      for (let count = 1; count <= 5; count++) {
        const shards = Array.from({ length: count }, (_, k) => shardOf(list, { index: k + 1, count }));
        assert.deepEqual(shards.flat().sort(), list, `${length} inputs, ${count} shards`);
        // Balanced: shard sizes differ by at most one.
        const sizes = shards.map((s) => s.length);
        assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `${sizes}`);
      }
    }
    assert.deepEqual(shardOf(['a', 'b'], undefined), ['a', 'b']);
  });

  test('transcripts beside their inputs, or under --out-dir with the folders kept; two recordings never share one', () => {
    const root = tree(['talk.mp3', 'talk.wav', 'x/intro.mp3', 'y/intro.mp3', 'notes.json']);
    const found = expandInputs([root]);
    assert.deepEqual(
      planOutputs(found, 'md').map((i) => path.relative(root, i.output)),
      ['talk.md', 'talk.wav.md', 'x/intro.md', 'y/intro.md'],
    );
    const out = tmpDir('batch-out');
    assert.deepEqual(
      planOutputs(found, 'srt', out).map((i) => path.relative(out, i.output)),
      ['talk.srt', 'talk.wav.srt', 'x/intro.srt', 'y/intro.srt'],
    );
  });

  test('the summary counts each outcome and says why a file failed', () => {
    const line = summary([
      { input: '/a/one.mp3', output: '/a/one.md', status: 'done' },
      { input: '/a/two.mp3', output: '/a/two.md', status: 'skipped', reason: 'transcript exists' },
      { input: '/a/bad.mp3', output: '/a/bad.md', status: 'failed', reason: 'not a media file' },
      { input: '/a/four.mp3', output: '/a/four.md', status: 'pending' },
    ]);
    assert.equal(line, 'transcrevai: batch: 1 done, 1 skipped (transcript exists), 1 failed, 1 not started: bad.mp3 (not a media file)\n');
  });
});
