// One pipeline, two runners: supervised child processes and --in-process run the same stage handlers on the same
// thread split, so their transcripts are identical (timings aside) on the shared clips, speakers included.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'path';
import { TESTDATA } from '../fixtures/shared';
import { MODELS_ROOT, modelDir, runCli } from './helpers';

const skip = modelDir('base') ? false : `the base model is absent (${path.join(MODELS_ROOT, 'base')}): run "npm run models"`;
const CLIPS: [string, string[]][] = [
  ['en/jfk.wav', ['--language', 'en']],
  ['ptbr/lapsbm/LapsBM_0475.wav', ['--language', 'pt']],
  ['ptbr/ufpalign/falabrasil.wav', ['--language', 'pt']],
  ['diarization/pyannote_sample.wav', ['--language', 'en', '--diarize']],
];

function withoutTimes(json: string): unknown {
  const j = JSON.parse(json);
  delete j.timing;
  delete j.rtf;
  return j;
}

for (const [clip, args] of CLIPS) {
  test(`${clip}: supervised and in-process runners give the same JSON`, { skip }, () => {
    const common = ['transcribe', path.join(TESTDATA, clip), '--format', 'json', '--threads', '2', ...args];
    const supervised = runCli(common);
    const inProcess = runCli([...common, '--in-process']);
    assert.equal(supervised.code, 0, supervised.stderr);
    assert.equal(inProcess.code, 0, inProcess.stderr);
    const a = withoutTimes(supervised.stdout) as { segments: unknown[] };
    assert.ok(a.segments.length > 0);
    assert.deepEqual(withoutTimes(inProcess.stdout), a);
  });
}
