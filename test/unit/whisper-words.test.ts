// Word timings and word probabilities: the alignment arithmetic on synthetic inputs (DTW, the median filter, word
// splitting, punctuation), the ONNX edit that exposes the cross-attention, and the real model on jfk against
// faster-whisper's word starts (within 100 ms), also with the input started 10 ms later and through VAD.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { withCrossAttentionOutputs } from '../../src/whisper/crossAttentionGraph';
import { concat as concatBytes, readFields, rewrite } from '../../src/onnx/protobuf';
import { detectSpeech, loadVad, loadWhisperModel, transcribeSamples, type WhisperModel } from '../../src/whisper/index';
import {
  alignmentScores,
  dtw,
  limitLongWords,
  medianFilterRow,
  mergePunctuations,
  splitWordTokens,
  timeWords,
  type TimedWord,
} from '../../src/whisper/wordTimings';
import type { Word } from '../../src/transcript';
import { JFK_PEER_WORD_STARTS } from '../fixtures/jfkWordStarts';
import { matchTimedWords } from '../fixtures/wordAlignment';
import { concat, modelDirOrSkip, MODELS_ROOT, readWav16k, TESTDATA } from '../fixtures/whisper/helpers';

const word = (text: string, start: number, end: number, tokens = [1]): TimedWord => ({ text, start, end, probability: 1, tokens });

test('medianFilterRow: the median of 7 with reflected ends, as a sort would give', () => {
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 10;
  for (let trial = 0; trial < 300; trial++) {
    const n = 4 + (trial % 25);
    const row = Float32Array.from({ length: n }, () => Math.round(random()));
    const got = medianFilterRow(row);
    for (let i = 0; i < n; i++) {
      const around = [-3, -2, -1, 0, 1, 2, 3].map((k) => row[i + k < 0 ? -(i + k) : i + k >= n ? 2 * (n - 1) - (i + k) : i + k]);
      assert.equal(got[i], around.sort((a, b) => a - b)[3], `row ${Array.from(row)} at ${i}`);
    }
  }
});

test('dtw: the path follows the cheap cells, monotonic in both axes, from the first cell to the last', () => {
  // 3 rows × 9 columns; row r is cheap on columns 3r…3r+2.
  const rows = 3;
  const cols = 9;
  const cost = new Float32Array(rows * cols).fill(1);
  for (let r = 0; r < rows; r++) for (let c = 3 * r; c < 3 * r + 3; c++) cost[r * cols + c] = -1;
  const path = dtw(cost, rows, cols);
  assert.equal(path.rows[0], 0);
  assert.equal(path.cols[0], 0);
  assert.equal(path.rows.at(-1), rows - 1);
  assert.equal(path.cols.at(-1), cols - 1);
  for (let k = 1; k < path.rows.length; k++) {
    assert.ok(path.rows[k] >= path.rows[k - 1] && path.cols[k] >= path.cols[k - 1]);
    assert.ok(path.rows[k] - path.rows[k - 1] + path.cols[k] - path.cols[k - 1] >= 1);
  }
  // Each row is entered at its cheap block's first column.
  const entered = [0, 1, 2].map((r) => path.cols[path.rows.indexOf(r)]);
  assert.deepEqual(entered, [0, 3, 6]);
});

test('timeWords: a word starts where the path reaches its first token (the row before it predicts it)', () => {
  // Rows: notimestamps, then 3 text tokens; frames 0…39. Row r attends to frames 10r…10r+9.
  const rows = 4;
  const frames = 40;
  const attention = new Float32Array(rows * frames);
  for (let r = 0; r < rows; r++) for (let f = 10 * r; f < 10 * r + 10; f++) attention[r * frames + f] = 1;
  const scores = alignmentScores([attention], rows, frames, frames);
  const words = timeWords(
    scores,
    frames,
    [
      { text: ' one', tokens: [11] },
      { text: ' two', tokens: [12, 13] },
    ],
    [0.9, 0.5, 0.7],
  );
  assert.deepEqual(
    words.map((w) => [w.text, w.start, w.end]),
    [
      [' one', 0, 0.2],
      [' two', 0.2, 0.6],
    ],
  );
  assert.ok(Math.abs(words[1].probability - 0.6) < 1e-9, 'a word’s probability is the mean of its tokens’');
});

test('splitWordTokens: a new word at a leading space or punctuation; bytes of one character stay together', () => {
  // Token 5 and 6 are the two bytes of "ç": alone each decodes to the replacement character.
  const pieces: Record<number, string> = { 1: ' Ol', 2: 'á', 3: ',', 4: ' ma', 5: '\ufffd', 6: '\ufffd', 7: 'ã', 8: ' sim' };
  const decode = (ids: number[]) => {
    const s = ids.map((t) => pieces[t]).join('');
    return s.replace('\ufffd\ufffd', 'ç');
  };
  const words = splitWordTokens([1, 2, 3, 4, 5, 6, 7, 8], decode, 'pt');
  assert.deepEqual(
    words.map((w) => [w.text, w.tokens]),
    [
      [' Olá', [1, 2]],
      [',', [3]],
      [' maçã', [4, 5, 6, 7]],
      [' sim', [8]],
    ],
  );
  // Languages without spaces: every whole character is a word.
  assert.deepEqual(
    splitWordTokens([1, 2], (ids) => ids.map((t) => ['', '你', '好'][t]).join(''), 'zh').map((w) => w.text),
    ['你', '好'],
  );
});

test('mergePunctuations: closing marks join the word before, opening marks the word after', () => {
  const merged = mergePunctuations([
    word(' "', 0, 0.1, [1]),
    word(' Olá', 0.1, 0.5, [2]),
    word(',', 0.5, 0.6, [3]),
    word(' sim', 0.6, 1, [4]),
    word('.', 1, 1.1, [5]),
  ]);
  assert.deepEqual(
    merged.map((w) => [w.text, w.start, w.end, w.tokens]),
    [
      [' " Olá,', 0.1, 0.5, [1, 2, 3]],
      [' sim.', 0.6, 1, [4, 5]],
    ],
  );
});

test('limitLongWords: a word after a sentence end that lasts far longer than the median is cut to twice the median', () => {
  const words = [word(' a', 0, 0.2), word(' b', 0.2, 0.4), word('.', 0.4, 0.5), word(' c', 0.5, 3), word(' d', 3, 3.2)];
  const { words: out, medianDuration } = limitLongWords(words);
  assert.equal(medianDuration, 0.2);
  assert.deepEqual([out[3].start, out[3].end], [2.6, 3]);
});

test('protobuf: a message split into fields and written back is the same bytes', () => {
  const file = path.join(MODELS_ROOT, 'base', 'onnx', 'encoder_model_int8.onnx');
  if (!fs.existsSync(file)) return;
  const bytes = new Uint8Array(fs.readFileSync(file));
  assert.deepEqual(
    rewrite(bytes, (f) => f.raw),
    bytes,
  );
  assert.deepEqual(concatBytes(readFields(bytes).map((f) => f.raw)), bytes);
});

const base = modelDirOrSkip('base');

test(
  'withCrossAttentionOutputs: the decoder gains cross_attentions.<layer> holding just the wanted heads, the logits stay the same; a graph without them is refused',
  { skip: base.skip },
  async () => {
    const dir = path.join(base.dir, 'onnx');
    const original = fs.readFileSync(path.join(dir, 'decoder_model_merged_int8.onnx'));
    const edited = withCrossAttentionOutputs(original, [
      [5, 4],
      [3, 1],
      [5, 2],
    ]);
    assert.ok(edited);
    const allOfLayer5 = withCrossAttentionOutputs(
      original,
      [0, 1, 2, 3, 4, 5, 6, 7].map((h) => [5, h]),
    )!;
    assert.equal(withCrossAttentionOutputs(fs.readFileSync(path.join(dir, 'encoder_model_int8.onnx')), [[3, 0]]), null);
    assert.equal(
      withCrossAttentionOutputs(original, [
        [3, 0],
        [17, 0],
      ]),
      null,
      'a layer the decoder does not have',
    );
    const options = { executionProviders: ['cpu'], intraOpNumThreads: 1 };
    const plain = await ort.InferenceSession.create(path.join(dir, 'decoder_model_merged_int8.onnx'), options);
    const withWeights = { ...options, extra: { session: { model_external_initializers_file_folder_path: dir } } };
    const exposed = await ort.InferenceSession.create(edited, withWeights);
    const full = await ort.InferenceSession.create(allOfLayer5, withWeights);
    try {
      assert.deepEqual(
        exposed.outputNames.filter((n) => n.startsWith('cross_attentions.')),
        ['cross_attentions.3', 'cross_attentions.5'],
      );
      const ids = [50258n, 50259n, 50359n, 50363n, 440n, 1168n];
      const feeds: Record<string, ort.Tensor> = {
        input_ids: new ort.Tensor('int64', BigInt64Array.from(ids), [1, ids.length]),
        encoder_hidden_states: new ort.Tensor(
          'float32',
          Float32Array.from({ length: 1500 * 512 }, (_, i) => Math.sin(i * 0.37)),
          [1, 1500, 512],
        ),
        use_cache_branch: new ort.Tensor('bool', [false], [1]),
      };
      for (const n of plain.inputNames.filter((x) => x.startsWith('past_key_values.')))
        feeds[n] = new ort.Tensor('float32', new Float32Array(0), [1, 8, 0, 64]);
      const a = await plain.run(feeds);
      const b = await exposed.run(feeds);
      assert.deepEqual(b.logits.data, a.logits.data);
      assert.deepEqual((b['cross_attentions.3'] as ort.Tensor).dims, [1, 1, ids.length, 1500]);
      const attention = b['cross_attentions.5'] as ort.Tensor;
      assert.deepEqual(attention.dims, [1, 2, ids.length, 1500]);
      const row = (attention.data as Float32Array).subarray(0, 1500);
      assert.ok(Math.abs(row.reduce((x, y) => x + y, 0) - 1) < 1e-3, 'each row is a softmax over the 1500 positions');
      // Heads 2 and 4 of layer 5, in that order: the same numbers as those heads among all eight.
      const all = (await full.run(feeds))['cross_attentions.5'] as ort.Tensor;
      assert.deepEqual(all.dims, [1, 8, ids.length, 1500]);
      const block = ids.length * 1500;
      const data = all.data as Float32Array;
      assert.deepEqual(attention.data, Float32Array.from([...data.subarray(2 * block, 3 * block), ...data.subarray(4 * block, 5 * block)]));
    } finally {
      await Promise.all([plain.release(), exposed.release(), full.release()]);
    }
  },
);

let model: WhisperModel | undefined;
test.after(async () => model?.dispose());

const wordsOf = (segments: { words?: Word[] }[]) => segments.flatMap((s) => s.words ?? []);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const peer = JFK_PEER_WORD_STARTS.map(([text, start]) => ({ text, start }));

test(
  'jfk: word timings within 100 ms of faster-whisper’s (median), also started 10 ms later; the text is the same with and without them',
  { skip: base.skip },
  async () => {
    model ??= await loadWhisperModel(base.dir, { precision: 'int8', threads: 2 });
    const audio = readWav16k(path.join(TESTDATA, 'en/jfk.wav'));
    const without = await transcribeSamples(model, audio, { language: 'en' });
    assert.equal(wordsOf(without.segments).length, 0, 'words only when asked');
    for (const shiftMs of [0, 10]) {
      const shifted = concat(new Float32Array((shiftMs * 16000) / 1000), audio);
      const r = await transcribeSamples(model, shifted, { language: 'en', wordTimestamps: true });
      if (shiftMs === 0)
        assert.deepEqual(
          r.segments.map((s) => s.text),
          without.segments.map((s) => s.text),
        );
      const words = wordsOf(r.segments);
      for (const s of r.segments)
        assert.equal(
          (s.words ?? [])
            .map((w) => w.text)
            .join('')
            .trim(),
          s.text,
          'the words spell the segment',
        );
      for (let k = 1; k < words.length; k++) assert.ok(words[k].start >= words[k - 1].start && words[k].end >= words[k].start);
      for (const w of words) assert.ok(w.probability! > 0 && w.probability! <= 1);
      const pairs = matchTimedWords(words, peer);
      assert.ok(pairs.length >= peer.length - 1, `${pairs.length} of ${peer.length} words shared`);
      const diffs = pairs.map(([i, j]) => Math.abs(words[i].start - shiftMs / 1000 - peer[j].start));
      console.log(
        `# jfk +${shiftMs} ms: median |start − faster-whisper| ${(median(diffs) * 1000).toFixed(0)} ms, max ${(Math.max(...diffs) * 1000).toFixed(0)} ms`,
      );
      assert.ok(median(diffs) <= 0.1, `median ${median(diffs)}`);
    }
  },
);

test('word timings through VAD are times of the original recording (5 s of silence first)', { skip: base.skip }, async () => {
  model ??= await loadWhisperModel(base.dir, { precision: 'int8', threads: 2 });
  const vad = await loadVad(path.join(MODELS_ROOT, 'vad'));
  try {
    const audio = concat(new Float32Array(5 * 16000), readWav16k(path.join(TESTDATA, 'en/jfk.wav')));
    const speech = await detectSpeech(vad, audio);
    const words = wordsOf((await transcribeSamples(model, audio, { language: 'en', speech, wordTimestamps: true })).segments);
    const pairs = matchTimedWords(words, peer);
    const diffs = pairs.map(([i, j]) => Math.abs(words[i].start - 5 - peer[j].start));
    assert.ok(median(diffs) <= 0.1, `median ${median(diffs)}: ${words.map((w) => `${w.text}@${w.start}`).join(' ')}`);
  } finally {
    await vad.dispose();
  }
});

test(
  'a model folder of links gets word timings; a decoder whose cross-attention cannot be found transcribes without them and says so',
  { skip: base.skip },
  async () => {
    const jfk = readWav16k(path.join(TESTDATA, 'en/jfk.wav'));
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'transcrevai-words-'));
    try {
      const folder = (name: string, decoder?: Buffer) => {
        const dir = path.join(tmp, name);
        fs.mkdirSync(path.join(dir, 'onnx'), { recursive: true });
        for (const f of fs.readdirSync(base.dir)) if (f !== 'onnx') fs.symlinkSync(path.join(base.dir, f), path.join(dir, f));
        for (const f of fs.readdirSync(path.join(base.dir, 'onnx'))) {
          if (decoder && f === 'decoder_model_merged_int8.onnx') fs.writeFileSync(path.join(dir, 'onnx', f), decoder);
          // ORT refuses weights that a link takes out of the graph's own folder: a graph of our own gets a copy.
          else if (decoder && f === 'decoder_model_merged_int8.onnx_data') fs.copyFileSync(path.join(base.dir, 'onnx', f), path.join(dir, 'onnx', f));
          else fs.symlinkSync(path.join(base.dir, 'onnx', f), path.join(dir, 'onnx', f));
        }
        return dir;
      };
      const linked = await loadWhisperModel(folder('linked'), { precision: 'int8', threads: 2 });
      try {
        const r = await transcribeSamples(linked, jfk, { language: 'en', wordTimestamps: true });
        assert.ok(wordsOf(r.segments).length >= 20);
        assert.equal(r.stats?.wordTimingsUnavailable, undefined);
      } finally {
        await linked.dispose();
      }
      // Another exporter's names: the Softmax nodes renamed (same length, so the file stays valid).
      const original = fs.readFileSync(path.join(base.dir, 'onnx', 'decoder_model_merged_int8.onnx'));
      const renamed = Buffer.from(original.toString('latin1').replaceAll('encoder_attn/Softmax', 'encoder_attn/SoftMax'), 'latin1');
      const other = await loadWhisperModel(folder('other', renamed), { precision: 'int8', threads: 2 });
      try {
        const r = await transcribeSamples(other, jfk, { language: 'en', wordTimestamps: true });
        assert.equal(other.precision, 'int8', 'the decoder still loads as it is');
        assert.equal(wordsOf(r.segments).length, 0);
        assert.equal(r.stats?.wordTimingsUnavailable, true);
        assert.match(r.segments.map((s) => s.text).join(' '), /ask not what your country can do for you/);
      } finally {
        await other.dispose();
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  },
);
