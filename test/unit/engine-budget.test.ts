// The supervisor's numbers: core budget split between transcription and diarization, restart limits and
// their override from the extension's setting.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { threadSplit, threadsWarning } from '../../src/engine/budget';
import { RESTART_LIMITS, restartLimitsFrom } from '../../src/engine/supervisor';

test('threads = the cores a job may use: Whisper takes them all, diarization shares them with half as many threads', () => {
  assert.deepEqual(threadSplit(undefined, 6, 8), { cores: 6, transcription: 6, diarization: 3 });
  assert.deepEqual(threadSplit(undefined, 1, 8), { cores: 1, transcription: 1, diarization: 1 }); // never 0
  assert.deepEqual(threadSplit(undefined, 5, 8), { cores: 5, transcription: 5, diarization: 2 });
  assert.deepEqual(threadSplit(4, 1, 8), { cores: 4, transcription: 4, diarization: 2 }); // --threads replaces the budget
});

test('threads never exceed the cores the process may use, and the user is told', () => {
  assert.deepEqual(threadSplit(256, 1, 2), { cores: 2, transcription: 2, diarization: 1 });
  assert.deepEqual(threadSplit(undefined, 6, 4), { cores: 4, transcription: 4, diarization: 2 });
  assert.equal(threadsWarning(256, 2), '256 threads asked for, but this process may use 2 cores: using 2.');
  assert.equal(threadsWarning(2, 2), undefined);
  assert.equal(threadsWarning(undefined, 1), undefined);
});

test('restart limits: capture 5, others 3; the setting overrides valid entries only', () => {
  assert.deepEqual(RESTART_LIMITS, { capture: 5, transcription: 3, diarization: 3 });
  assert.deepEqual(restartLimitsFrom(undefined), {});
  assert.deepEqual(restartLimitsFrom('{"capture":2,"transcription":0}'), { capture: 2, transcription: 0 });
  assert.deepEqual(restartLimitsFrom('{"capture":-1,"transcription":1.5,"diarization":"3"}'), {});
  assert.deepEqual(restartLimitsFrom('not json'), {});
  assert.deepEqual(restartLimitsFrom('null'), {});
});

test('CPU affinity plan: inference on the core budget, capture on the cores outside it', async () => {
  const { affinityPlan, coreList, parseCoreList } = await import('../../src/engine/affinity');
  assert.deepEqual(affinityPlan([0, 1, 2, 3, 4, 5, 6, 7], 6), { transcription: [0, 1, 2, 3, 4, 5], diarization: [0, 1, 2, 3, 4, 5], capture: [6, 7] });
  // 2 cores: a budget of 1; capture gets the other core.
  assert.deepEqual(affinityPlan([0, 1], 1), { transcription: [0], diarization: [0], capture: [1] });
  // 1 core: everything shares it.
  assert.deepEqual(affinityPlan([3], 1), { transcription: [3], diarization: [3], capture: [3] });
  // A process already limited to some cores plans within them.
  assert.deepEqual(affinityPlan([2, 5, 7, 9], 2).capture, [7, 9]);
  assert.equal(coreList([0, 1, 2, 3, 6, 8, 9]), '0-3,6,8-9');
  assert.deepEqual(parseCoreList('0-3,6,8-9'), [0, 1, 2, 3, 6, 8, 9]);
});
