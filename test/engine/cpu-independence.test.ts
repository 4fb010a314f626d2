// The same words on any CPU. onnxruntime picks its kernels by CPUID: the AVX-512/VNNI kernels of this Intel
// machine and the AVX2 kernels of an AMD Zen 2/3 machine round differently, and with dynamically quantized
// INT8 graphs the AVX2 u8×s8 products saturate (measured: jfk lost "ask" and, with 10 ms of leading silence,
// its last clause; AMI excerpts lost a third of their words). Each check runs natively and, where the kernel
// allows it, as if on an AVX2-only CPU (tools/cpu/avx2-only.c), with the real base model.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { cpuPersonalities } from '../fixtures/cpuPersonality';
import { TESTDATA } from '../fixtures/shared';
import { wordErrorRate } from '../fixtures/whisper/helpers';
import { JFK, JFK_TEXT, MODELS_ROOT, modelDir, tmpDir, ffmpeg, transcribeMany, type ManyTranscribed } from './helpers';

const skip = modelDir('base') ? false : `the base model is absent (${path.join(MODELS_ROOT, 'base')}): run "npm run models"`;
const { personalities, why } = skip ? { personalities: [], why: '' } : cpuPersonalities();
const dir = tmpDir('cpu-independence');
const reference = fs.readFileSync(JFK_TEXT, 'utf8');

function transcribeBase(env: NodeJS.ProcessEnv, files: string[], precision: 'int8' | 'fp32', threads: number[]): ManyTranscribed[] {
  return transcribeMany(env, { files, model: 'base', precision, threads, language: 'en' });
}

test('CPU personalities available here', { skip }, () => {
  console.log(`# personalities: ${personalities.map((p) => p.name).join('; ')}${why ? ` (only native: ${why})` : ''}`);
  assert.ok(personalities.length >= 1);
});

test('jfk with 0/5/10/20 ms of leading silence, 1 and 2 threads, INT8: the reference text on every CPU (at most one word off)', { skip }, () => {
  const files = [0, 5, 10, 20].map((ms) => {
    if (!ms) return JFK;
    const out = path.join(dir, `jfk+${ms}ms.wav`);
    ffmpeg('-i', JFK, '-af', `adelay=${ms}:all=1`, '-ar', '16000', '-ac', '1', out);
    return out;
  });
  for (const p of personalities) {
    for (const r of transcribeBase(p.env, files, 'int8', [1, 2])) {
      const w = wordErrorRate(reference, r.text);
      console.log(`# ${p.name} ${path.basename(r.input)} ${r.threads}t: ${w.errors} word errors "${r.text}"`);
      assert.ok(w.errors <= 1, `${p.name}, ${path.basename(r.input)}, ${r.threads} threads: "${r.text}"`);
    }
  }
});

test('AMI meeting excerpts, INT8 keeps ≥ 95 % of the words FP32 keeps, none comes back empty, on every CPU', { skip }, () => {
  const amiDir = path.join(TESTDATA, 'diarization', 'ami');
  const files = fs
    .readdirSync(amiDir)
    .filter((f) => /^(dev|trn)\d+\.wav$/.test(f))
    .sort()
    .map((f) => path.join(amiDir, f));
  const count = (t: string) => t.split(/\s+/).filter(Boolean).length;
  for (const p of personalities) {
    const fp32 = transcribeBase(p.env, files, 'fp32', [2]);
    const int8 = transcribeBase(p.env, files, 'int8', [2]);
    let kept = 0;
    let full = 0;
    for (let i = 0; i < files.length; i++) {
      const [a, b] = [count(int8[i].text), count(fp32[i].text)];
      console.log(`# ${p.name} ${path.basename(files[i])}: int8 ${a} words, fp32 ${b}`);
      kept += a;
      full += b;
      if (b >= 5) assert.ok(a > 0, `${p.name}: ${path.basename(files[i])} empty with INT8, ${b} words with FP32`);
    }
    console.log(`# ${p.name}: INT8 keeps ${kept} of ${full} words (${((100 * kept) / full).toFixed(1)} %)`);
    assert.ok(kept >= 0.95 * full, `${p.name}: INT8 ${kept} words vs FP32 ${full}`);
  }
});
