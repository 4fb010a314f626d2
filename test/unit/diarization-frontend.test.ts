// Front-ends: the speaker model's power mel (vs a numpy reference of tools/models/speaker_common.py, and the
// model helper's own fixture when present), the Kaldi fbank used by the MFCC fallback, the FFT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { melSpectrogram, RESEMBLYZER_MELSPEC, slaneyFilterbank } from '../../src/diarization/melspec';
import { fbank, KALDI_FBANK_DEFAULTS, numFrames, melBanks } from '../../src/diarization/fbank';
import { FftPlan, powerSpectrum } from '../../src/dsp/fft';
import { parseFrontend, volumeGain } from '../../src/diarization/frontend';
import { mfcc } from '../../src/diarization/mfcc';
import { readWav, DIAR_DIR, SHARED } from '../fixtures/diarization/harness';

const REF = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/diarization/melspec_ref.json'), 'utf8'));
const RESEMBLYZER_FRONTEND = parseFrontend({
  sample_rate: 16000,
  preprocessing: { volume_normalisation: { target_dbfs: -30, increase_only: true } },
  features: { type: 'power mel spectrogram', n_fft: 400, hop_length: 160, num_mel_bins: 40, fmin_hz: 0, fmax_hz: 8000 },
});

function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < want.length; i++) {
    num += (got[i] - want[i]) ** 2;
    den += want[i] ** 2;
  }
  return Math.sqrt(num / den);
}

test('power mel matches the numpy reference (volume normalisation + librosa mel)', () => {
  const audio = readWav(path.join(DIAR_DIR, 'pyannote_sample.wav')).subarray(REF.offset, REF.offset + REF.length);
  const g = volumeGain(audio, RESEMBLYZER_FRONTEND);
  assert.ok(Math.abs(g - REF.gain) / REF.gain < 1e-4, `gain ${g} vs ${REF.gain}`);
  const scaled = Float32Array.from(audio, (x) => x * g);
  const m = melSpectrogram(scaled, RESEMBLYZER_MELSPEC);
  assert.equal(m.frames, REF.frames); // 1 + floor(8000 / 160) = 51
  assert.equal(m.bins, 40);
  const err = relErr(m.data, REF.mel);
  assert.ok(err < 1e-5, `relative error ${err}`);
  const row = slaneyFilterbank(RESEMBLYZER_MELSPEC)[10];
  assert.ok(relErr(row, REF.filterbank_row10) < 1e-6);
});

test("model helper's fixture (tools/models/fixtures/speaker_frontend_ref.json) when present", (t) => {
  const file = path.resolve(__dirname, '../../tools/models/fixtures/speaker_frontend_ref.json');
  if (!fs.existsSync(file)) return t.skip('fixture not generated');
  const fx = JSON.parse(fs.readFileSync(file, 'utf8'));
  checkHelperFixture(fx as HelperFixture);
});

/** Format of tools/models/fixtures/speaker_frontend_ref.json (written by the models helper). */
interface HelperFixture {
  clip: string;
  segment: { start_sample: number; n_samples: number };
  volume_gain: number;
  mel_of_normalised_segment: { shape: [number, number]; data: number[] };
  tolerance: { mel_relative: number };
}

function checkHelperFixture(fx: HelperFixture): void {
  const audio = readWav(path.join(SHARED, fx.clip)).subarray(fx.segment.start_sample, fx.segment.start_sample + fx.segment.n_samples);
  const g = volumeGain(audio, RESEMBLYZER_FRONTEND);
  assert.ok(Math.abs(g - fx.volume_gain) / fx.volume_gain < 1e-5, `gain ${g} vs ${fx.volume_gain}`);
  const m = melSpectrogram(
    Float32Array.from(audio, (x) => x * g),
    RESEMBLYZER_MELSPEC,
  );
  assert.deepEqual([m.frames, m.bins], fx.mel_of_normalised_segment.shape);
  const err = relErr(m.data, fx.mel_of_normalised_segment.data);
  assert.ok(err < fx.tolerance.mel_relative, `mel relative error ${err}`);
}

test('Kaldi fbank: frame count, filter shape, tone lands in the right bin', () => {
  assert.equal(numFrames(16000, KALDI_FBANK_DEFAULTS), 98); // 1 + floor((16000 − 400) / 160)
  const banks = melBanks(KALDI_FBANK_DEFAULTS, 512);
  assert.equal(banks.length, 80);
  for (const row of banks) assert.ok(Math.max(...row) <= 1 && Math.max(...row) > 0); // narrow low filters peak < 1
  const tone = Float32Array.from({ length: 16000 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 16000));
  const f = fbank(tone, { ...KALDI_FBANK_DEFAULTS, cmn: false });
  const row = Array.from(f.data.subarray(50 * 80, 51 * 80));
  const peak = row.indexOf(Math.max(...row));
  // Kaldi mel of 1000 Hz: 1127 ln(1 + 1000/700) = 1000.0; mel(20) = 31.75, mel(8000) = 2840.4; centres are
  // (2840.4 − 31.75) / 81 = 34.67 apart, centre m = 31.75 + (m + 1)·34.67 → m = (1000 − 31.75) / 34.67 − 1 = 26.9
  assert.equal(peak, 27);
  // CMN zeroes the per-bin mean
  const g = fbank(tone);
  let s = 0;
  for (let fr = 0; fr < g.frames; fr++) s += g.data[fr * 80 + 10];
  assert.ok(Math.abs(s / g.frames) < 1e-4);
  const c = mfcc(tone);
  assert.equal(c.ceps, 20);
  assert.equal(c.frames, 98);
});

test('fft: impulse and cosine', () => {
  const re = new Float64Array(8);
  const im = new Float64Array(8);
  re[0] = 1;
  new FftPlan(8).forward(re, im);
  assert.deepEqual(Array.from(re), [1, 1, 1, 1, 1, 1, 1, 1]);
  const re2 = Float64Array.from({ length: 16 }, (_, i) => Math.cos((2 * Math.PI * 3 * i) / 16));
  const im2 = new Float64Array(16);
  new FftPlan(16).forward(re2, im2);
  assert.ok(Math.abs(re2[3] - 8) < 1e-9 && Math.abs(re2[13] - 8) < 1e-9 && Math.abs(re2[2]) < 1e-9);
});

test('volume normalisation is increase-only', () => {
  const loud = Float32Array.from({ length: 1000 }, (_, i) => 0.5 * Math.sin(i));
  assert.equal(volumeGain(loud, RESEMBLYZER_FRONTEND), 1);
  const quiet = Float32Array.from(loud, (x) => x / 100);
  // rms of 0.005·sin ≈ 0.00354 → −49.0 dBFS (re 32767/32767) → gain 10^(19.0/20) ≈ 8.9
  const g = volumeGain(quiet, RESEMBLYZER_FRONTEND);
  assert.ok(g > 8 && g < 10, `gain ${g}`);
});

test('the power spectrum of a real frame (n = 400, 512, 12) equals the direct DFT', () => {
  for (const n of [400, 512, 12]) {
    const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) + 0.1 * ((i * 7919) % 13));
    const got = new Float64Array(Math.floor(n / 2) + 1);
    powerSpectrum(x, n, got);
    for (let k = 0; k <= n / 2; k++) {
      let re = 0;
      let im = 0;
      for (let i = 0; i < n; i++) {
        re += x[i] * Math.cos((2 * Math.PI * k * i) / n);
        im -= x[i] * Math.sin((2 * Math.PI * k * i) / n);
      }
      assert.ok(Math.abs(got[k] - (re * re + im * im)) < 1e-8 * (1 + re * re + im * im), `n ${n} k ${k}`);
    }
  }
});
