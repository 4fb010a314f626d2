// The queue's state: what joins (no input twice while it waits or runs; an existing transcript is a skip), cancel one
// or all, what a restart resumes, the summary; its file; and the panel's queue messages.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'node:test';
import { cancel, EMPTY_QUEUE, enqueue, isFinished, nextWaiting, readQueue, resumable, summaryLine, update, writeQueue } from '../../src/batch/queue';
import { parsePanelMessage } from '../../src/protocol/panel';
import { tmpDir } from '../fixtures/tmp';

const item = (n: string) => ({ input: `/r/${n}.wav`, output: `/r/${n}.md` });

test('enqueue: in order; an input already waiting is not added twice; an existing transcript is a skip with its reason', () => {
  let q = enqueue(EMPTY_QUEUE, [item('a'), item('b'), item('c')], (f) => f === '/r/b.md');
  q = enqueue(q, [item('a'), item('d')], () => false);
  assert.deepEqual(
    q.items.map((i) => [path.basename(i.input), i.status, i.reason]),
    [
      ['a.wav', 'waiting', undefined],
      ['b.wav', 'skipped', 'its transcript exists'],
      ['c.wav', 'waiting', undefined],
      ['d.wav', 'waiting', undefined],
    ],
  );
  assert.equal(nextWaiting(q), 0);
});

test('cancel one or all; a restart makes the running item wait again; finished and summary', () => {
  let q = enqueue(EMPTY_QUEUE, [item('a'), item('b'), item('c'), item('d')], () => false);
  q = update(q, 0, { status: 'done', percent: 100 });
  q = update(q, 1, { status: 'running', percent: 40 });
  q = cancel(q, 2);
  assert.equal(q.items[2].status, 'cancelled');
  assert.equal(summaryLine(q), '1 done, 0 skipped (transcript exists), 0 failed, 1 cancelled, 2 left');
  const after = resumable(q);
  assert.deepEqual(
    after.items.map((i) => i.status),
    ['done', 'waiting', 'cancelled', 'waiting'],
  );
  assert.equal(after.items[1].percent, undefined);
  assert.equal(isFinished(after), false);
  const all = cancel(after);
  assert.deepEqual(
    all.items.map((i) => i.status),
    ['done', 'cancelled', 'cancelled', 'cancelled'],
  );
  assert.equal(isFinished(all), true);
  assert.equal(isFinished(EMPTY_QUEUE), false);
});

test('the queue file: written whole and read back; a damaged or absent file is an empty queue', () => {
  const file = path.join(tmpDir('queue'), 'store', 'queue.json');
  assert.deepEqual(readQueue(file), EMPTY_QUEUE);
  const q = enqueue(EMPTY_QUEUE, [item('a')], () => false);
  writeQueue(file, q);
  assert.deepEqual(readQueue(file), q);
  fs.writeFileSync(file, '{"version": 1, "items": [');
  assert.deepEqual(readQueue(file), EMPTY_QUEUE);
});

test("the panel's queue messages are checked", () => {
  assert.deepEqual(parsePanelMessage({ type: 'cancelQueued', index: 2 }), { type: 'cancelQueued', index: 2 });
  assert.deepEqual(parsePanelMessage({ type: 'cancelQueue' }), { type: 'cancelQueue' });
  for (const index of [-1, 1.5, '2', undefined]) assert.equal(parsePanelMessage({ type: 'cancelQueued', index }), undefined);
});
