// Where the time and the memory of one transcription go, in this process: model load (each graph's resident
// size), Silero VAD, log-mel, encoder runs, decoder runs (prompt steps and token steps by context length), the
// rest (JS); and the resident size after each phase. Prints Markdown for docs/benchmarks.md. Not a test.
//   node --expose-gc --single-threaded-gc --import tsx bench/profile.ts [--model base] [--precision int8] [--threads 2]
// (the flags the engine's children run with: src/engine/workerProcess.ts).
import * as path from 'path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { arraySource } from '../src/audio/source';
import { whisperOnnxFiles } from '../src/models/layout';
import { detectSpeech, loadVad, loadWhisperModel, transcribeSamples } from '../src/whisper';
import type { Precision } from '../src/vocabulary';
import { amiExcerpts } from '../test/fixtures/clips';
import { concat, MODELS_ROOT } from '../test/fixtures/whisper/helpers';
import { decodeWithPauses } from './joinAudio';

const { values } = parseArgs({ options: { model: { type: 'string' }, precision: { type: 'string' }, threads: { type: 'string' } } });
const MODEL = values.model ?? 'base';
const PRECISION = (values.precision ?? 'int8') as Precision;
const THREADS = Number(values.threads ?? 2);
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
const rss = () => process.memoryUsage().rss;

async function graphResident(file: string): Promise<number> {
  const before = rss();
  const s = await ort.InferenceSession.create(file, {
    intraOpNumThreads: THREADS,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    enableCpuMemArena: false,
  });
  const grown = rss() - before;
  await s.release();
  return grown;
}

async function main(): Promise<void> {
  const dir = path.join(MODELS_ROOT, MODEL);
  const files = whisperOnnxFiles(PRECISION);
  // In a fresh process the first load's growth is what each graph costs resident (malloc keeps what was freed).
  const encoderMB = mb(await graphResident(path.join(dir, files.encoder)));
  const decoderMB = mb(await graphResident(path.join(dir, files.decoder)));
  const audio = concat(...(await decodeWithPauses(amiExcerpts(), 0)));
  const r0 = rss();
  const l0 = performance.now();
  const model = await loadWhisperModel(dir, { precision: PRECISION, threads: THREADS });
  const vad = await loadVad(path.join(MODELS_ROOT, 'vad'));
  const loadMs = performance.now() - l0;
  const afterLoad = rss();
  const v0 = performance.now();
  const speech = await detectSpeech(vad, arraySource(audio));
  const vadMs = performance.now() - v0;
  let peak = rss();
  const sampler = setInterval(() => (peak = Math.max(peak, rss())), 20);
  const t0 = performance.now();
  const r = await transcribeSamples(model, arraySource(audio), { language: 'en', speech });
  const totalMs = performance.now() - t0;
  clearInterval(sampler);
  const s = r.stats!;
  const other = totalMs - s.melMs - s.encoderMs - s.decoderMs;
  const lines = [
    `Profile of \`${MODEL}\` ${PRECISION}, ${THREADS} threads, in one process, on the 330 s AMI meeting (${(audio.length / 16000).toFixed(0)} s; ${s.vadSpeechSeconds?.toFixed(0)} s of speech, ${s.decodedSeconds.toFixed(0)} s decoded in ${s.windows} windows):`,
    '',
    '| where | time (s) | share |',
    '|---|---:|---:|',
    `| load (both graphs, tokenizer, smoke test; VAD) | ${(loadMs / 1000).toFixed(2)} | |`,
    `| Silero VAD over the whole input | ${(vadMs / 1000).toFixed(2)} | |`,
    `| log-mel (one pass for the maximum, then each window) | ${(s.melMs / 1000).toFixed(2)} | ${((100 * s.melMs) / totalMs).toFixed(0)} % |`,
    `| encoder, ${s.encoderRuns} runs | ${(s.encoderMs / 1000).toFixed(2)} | ${((100 * s.encoderMs) / totalMs).toFixed(0)} % |`,
    `| decoder, ${s.decoderSteps} runs (${(s.decoderMs / s.decoderSteps).toFixed(1)} ms each) | ${(s.decoderMs / 1000).toFixed(2)} | ${((100 * s.decoderMs) / totalMs).toFixed(0)} % |`,
    `| the rest (token choice, timestamps, segments: JS) | ${(other / 1000).toFixed(2)} | ${((100 * other) / totalMs).toFixed(0)} % |`,
    '',
    '| memory | MB |',
    '|---|---:|',
    `| encoder graph, resident once loaded (${files.encoder}) | ${encoderMB} |`,
    `| decoder graph, resident once loaded (${files.decoder}) | ${decoderMB} |`,
    `| process growth over the load (graphs, tokenizer, smoke test) | ${mb(afterLoad - r0)} |`,
    `| peak during transcription over the loaded process | ${mb(peak - afterLoad)} |`,
    `| process peak (kernel maxrss) | ${Math.round(process.resourceUsage().maxRSS / 1024)} |`,
  ];
  console.log(lines.join('\n'));
  await model.dispose();
  await vad.dispose();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
