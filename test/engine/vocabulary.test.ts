// The vocabulary end to end with the real base model: names Whisper gets wrong without it (FalaBrasil as "fala
// Brasil", Nestor as "Néstor") come out spelled as listed, with the recording as it is and started 10 ms later, and
// the rest of the sentence at most one word worse; a vocabulary too long for the prompt is cut with a warning.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { decodeAudio } from '../../src/audio/decode';
import { writeWav } from '../../src/audio/wav';
import { SAMPLE_RATE } from '../../src/vocabulary';
import { TESTDATA } from '../fixtures/shared';
import { normalizedWords } from '../fixtures/whisper/helpers';
import { splitErrors } from '../fixtures/wordAlignment';
import { MODELS_ROOT, modelDir, runCli, tmpDir } from './helpers';

const skip = modelDir('base') ? false : `the base model is absent (${path.join(MODELS_ROOT, 'base')}): run "npm run models"`;
const dir = tmpDir('vocabulary');
const words = path.join(dir, 'vocabulary.txt');
fs.writeFileSync(words, '# names of the project\nNestor Pestana\nFalaBrasil\n');

/** The clip as it is and started 10 ms later (a result that flips with the shift is no result). */
async function asIsAndShifted(clip: string): Promise<string[]> {
  const samples = (await decodeAudio(clip)).samples;
  const shifted = new Float32Array(samples.length + SAMPLE_RATE / 100);
  shifted.set(samples, SAMPLE_RATE / 100);
  const later = path.join(dir, path.basename(clip, '.wav') + '-10ms.wav');
  fs.writeFileSync(later, writeWav(shifted, SAMPLE_RATE, 'float32'));
  return [clip, later];
}

const CASES = [
  { clip: path.join(TESTDATA, 'ptbr', 'ufpalign', 'falabrasil.wav'), name: 'FalaBrasil' },
  { clip: path.join(TESTDATA, 'ptbr', 'lapsbm', 'LapsBM_0415.wav'), name: 'Nestor Pestana' },
];

for (const { clip, name } of CASES) {
  test(`--vocabulary @file: "${name}" spelled as listed in ${path.basename(clip)}, as it is and 10 ms later`, { skip }, async () => {
    const reference = fs.readFileSync(clip.replace(/\.wav$/, '.txt'), 'utf8');
    const named = new Set(normalizedWords(name));
    for (const input of await asIsAndShifted(clip)) {
      const args = ['transcribe', input, '--language', 'pt', '--format', 'txt', '--threads', '2'];
      const without = runCli(args);
      const r = runCli([...args, '--vocabulary', `@${words}`]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stdout.includes(name), `${path.basename(input)}: ${r.stdout}`);
      assert.equal(r.stderr.includes('vocabulary'), false, r.stderr);
      // The other words: at most one more error than without the vocabulary (docs/vocabulary.md: a prompt, any
      // prompt, can turn one borderline word of a short clip; on the joined recording the rest got better).
      const restWith = splitErrors(reference, r.stdout, (w) => named.has(w)).rest.errors;
      const restWithout = splitErrors(reference, without.stdout, (w) => named.has(w)).rest.errors;
      assert.ok(restWith <= restWithout + 1, `other words: ${restWith} errors with, ${restWithout} without: ${r.stdout} | ${without.stdout}`);
    }
  });
}

test('a vocabulary longer than the prompt has room for: transcribed, with a warning that its end was left out', { skip }, () => {
  const many = Array.from({ length: 120 }, (_, i) => `Pessoa${i} Sobrenome${i}`).join(', ');
  const r = runCli(['transcribe', CASES[1].clip, '--language', 'pt', '--format', 'txt', '--threads', '2', '--vocabulary', many]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /The vocabulary is \d+ tokens longer than the 111 the decoder's prompt has room for/);
  assert.ok(r.stdout.trim().length > 0);
});
