// Dictation through the engine the extension uses (EngineClient → dist/engine.js, as VS Code starts it), base INT8.
// Writes docs/dictation.md. Not part of the tests.
//   npm run bench:dictation [-- --rounds 2 --threads 2 --model base]
//
// Latency: jfk and six Harvard sentences played into a PulseAudio virtual microphone, each followed by 1.5 s of
// silence. "End of phrase → text" runs from the moment the VAD closes a phrase (400 ms of silence heard) to its
// final-text event (what the editor waits for); "last sample → text" adds the silence the VAD must hear. Idle: the
// engine does nothing else. Busy: the same dictation while a long file is being transcribed in the same engine (its
// Whisper windows, after its decode and VAD); the file is every shared recording that is not dictated, joined, no
// clip twice. Each round runs idle, the file alone, then the file with the dictation, so a noisy neighbour on the
// machine weighs on all three; the file's transcript with the dictation is compared with the one alone.
//
// Context: jfk with eight Harvard sentences, and the PT-BR clips, joined with 1.5 s pauses, dictated through the engine
// (as fast as decoded: the same phrases as paced); then the very same phrases decoded in this process with and without
// context (the earlier phrases as Whisper's prompt, casing fitted), alternating: WER, words in capitals, decode time;
// beside the file transcription of the same audio.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { parseArgs } from 'node:util';
import { isDeepStrictEqual } from 'node:util';
import { EngineClient } from '../src/engine/client';
import { fitCasing } from '../src/engine/phraseCasing';
import { phraseContext } from '../src/engine/phraseContext';
import type { LiveSegment, LiveStartParams, TranscribeParams } from '../src/protocol/client';
import type { Transcript } from '../src/transcript';
import { readWav, toMono } from '../src/audio/wav';
import { SAMPLE_RATE } from '../src/vocabulary';
import { loadWhisperModel, transcribeSamples } from '../src/whisper';
import { amiExcerpts, englishClips, ptbrClips, type ReferenceClip } from '../test/fixtures/clips';
import { TESTDATA } from '../test/fixtures/shared';
import { startVirtualMic, type VirtualMic } from '../test/fixtures/virtualMic';
import { wordErrorRate } from '../test/fixtures/whisper/helpers';
import { decodeWithPauses, writeJoined } from './joinAudio';
import { median } from './stats';

const ROOT = path.resolve(__dirname, '..');
const ENGINE = path.join(ROOT, 'dist', 'engine.js');
const { values } = parseArgs({ options: { model: { type: 'string' }, threads: { type: 'string' }, rounds: { type: 'string' } } });
const MODEL = values.model ?? 'base';
const THREADS = Number(values.threads ?? 2);
const ROUNDS = Number(values.rounds ?? 2);
const PAUSE_SECONDS = 1.5;
const DICTATED = ['en/jfk.wav', ...[1, 2, 3].map((i) => `en/speechbrain/spk1_snt${i}.wav`), ...[1, 2, 3].map((i) => `en/speechbrain/spk2_snt${i}.wav`)].map(
  (f) => path.join(TESTDATA, f),
);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const ms = (x: number) => `${Math.round(x)} ms`;
const capitalWords = (text: string) => text.match(/\b\p{Lu}{2,}\b/gu) ?? [];
const liveParams = (source: LiveStartParams['source'], language: string): LiveStartParams => ({
  mode: 'dictation',
  source,
  model: MODEL,
  language,
  precision: 'int8',
  threads: THREADS,
});

interface Phrase extends LiveSegment {
  /** The file job was transcribing when this phrase's text arrived. */
  busy?: boolean;
}

/** Every shared recording but the dictated clips, once each: the long file of the busy runs. */
function longFileSources(): string[] {
  const walk = (d: string): string[] =>
    fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
  const media = /\.(wav|mp3|flac)$/;
  const sources = [
    ...amiExcerpts(),
    path.join(TESTDATA, 'diarization', 'pyannote_sample.wav'),
    ...fs.readdirSync(path.join(TESTDATA, 'en', 'formats')).map((f) => path.join(TESTDATA, 'en', 'formats', f)),
    ...walk(path.join(TESTDATA, 'speakers')),
    ...ptbrClips().map((c) => c.wav),
    ...fs.readdirSync(path.join(TESTDATA, 'en', 'speechbrain')).map((f) => path.join(TESTDATA, 'en', 'speechbrain', f)),
  ];
  return [...new Set(sources)].filter((f) => media.test(f) && !DICTATED.includes(f)).sort();
}

/** One dictation into the virtual microphone; `during` is polled for whether the engine is busy as each text arrives. */
async function dictate(client: EngineClient, mic: VirtualMic, busyNow: () => boolean = () => false): Promise<Phrase[]> {
  const finals: Phrase[] = [];
  const handle = await client.startLive(liveParams({ kind: 'microphone' }, 'en'), (e) => {
    if (e.kind === 'final') finals.push({ ...e.segment, busy: busyNow() });
  });
  await sleep(500);
  for (const clip of DICTATED) {
    await mic.play(clip);
    await sleep(PAUSE_SECONDS * 1000);
  }
  await handle.stop();
  return finals;
}

interface FileRun {
  ms: number;
  transcript: Transcript;
}

/** The long file transcribed; `whileTranscribing` runs once its Whisper windows have started. */
async function transcribeLong<T>(client: EngineClient, input: string, whileTranscribing?: (busyNow: () => boolean) => Promise<T>) {
  const params: TranscribeParams = { input, model: MODEL, language: 'en', precision: 'int8', threads: THREADS };
  let windows!: () => void;
  const windowsStarted = new Promise<void>((resolve) => (windows = resolve));
  let done = false;
  const t0 = Date.now();
  const job = client
    .transcribe(params, {
      onProgress: (p) => {
        if (p.component === 'transcription') windows();
      },
    })
    .then((transcript) => {
      done = true;
      return { ms: Date.now() - t0, transcript } as FileRun;
    });
  let during: T | undefined;
  if (whileTranscribing) {
    await windowsStarted;
    during = await whileTranscribing(() => !done);
  }
  return { file: await job, during };
}

interface ContextSet {
  name: string;
  language: string;
  clips: ReferenceClip[];
}

interface ContextFigures {
  set: ContextSet;
  seconds: number;
  phrases: number;
  file: { wer: number; capitals: number };
  engine: { wer: number; capitals: number };
  alone: { wer: number; capitals: string[]; ms: number[] };
  context: { wer: number; capitals: string[]; ms: number[] };
}

/** The context comparison: the engine's phrases of the joined clips, decoded again here alone and after their context. */
async function contextFigures(dir: string, sets: ContextSet[]): Promise<ContextFigures[]> {
  const runs: { set: ContextSet; file: string; seconds: number; phrases: LiveSegment[]; fileText: string }[] = [];
  const client = await EngineClient.start({ enginePath: ENGINE });
  try {
    for (const set of sets) {
      const file = path.join(dir, `${set.name}.wav`);
      const seconds = writeJoined(
        file,
        await decodeWithPauses(
          set.clips.map((c) => c.wav),
          PAUSE_SECONDS,
        ),
        'int16',
      );
      const phrases: LiveSegment[] = [];
      let ended!: () => void;
      const sourceEnded = new Promise<void>((resolve) => (ended = resolve));
      const handle = await client.startLive(liveParams({ kind: 'file', input: file }, set.language), (e) => {
        if (e.kind === 'final') phrases.push(e.segment);
        if (e.kind === 'ended') ended();
      });
      await sourceEnded;
      await handle.stop();
      const transcript = await client.transcribe({ input: file, model: MODEL, language: set.language, precision: 'int8', threads: THREADS });
      runs.push({ set, file, seconds, phrases, fileText: transcript.segments.map((s) => s.text).join(' ') });
    }
  } finally {
    await client.dispose();
  }
  const modelDir = path.join(process.env.TRANSCREVAI_MODELS || path.join(os.homedir(), '.cache', 'transcrevai', 'models'), MODEL);
  const model = await loadWhisperModel(modelDir, { precision: 'int8', threads: THREADS });
  const out: ContextFigures[] = [];
  try {
    for (const run of runs) {
      const audio = toMono(readWav(fs.readFileSync(run.file)));
      const reference = run.set.clips.map((c) => c.text).join(' ');
      const alone: string[] = [];
      const followed: string[] = [];
      const times = { alone: [] as number[], context: [] as number[] };
      for (const [i, p] of run.phrases.entries()) {
        const samples = audio.subarray(Math.round(p.start * SAMPLE_RATE), Math.round(p.end * SAMPLE_RATE));
        const context = phraseContext(undefined, followed);
        // Alternating which goes first, so a warmer cache or a busier neighbour favours neither.
        for (const variant of i % 2 ? (['alone', 'context'] as const) : (['context', 'alone'] as const)) {
          const t0 = performance.now();
          const r = await transcribeSamples(model, samples, {
            language: run.set.language,
            initialPrompt: variant === 'context' ? context || undefined : undefined,
          });
          times[variant].push(performance.now() - t0);
          const text = r.segments
            .map((s) => s.text.trim())
            .filter(Boolean)
            .join(' ');
          if (variant === 'alone') alone.push(text);
          else followed.push(fitCasing(text, context));
        }
      }
      const engineText = run.phrases.map((p) => p.text).join(' ');
      out.push({
        set: run.set,
        seconds: run.seconds,
        phrases: run.phrases.length,
        file: { wer: wordErrorRate(reference, run.fileText).wer, capitals: capitalWords(run.fileText).length },
        engine: { wer: wordErrorRate(reference, engineText).wer, capitals: capitalWords(engineText).length },
        alone: { wer: wordErrorRate(reference, alone.join(' ')).wer, capitals: capitalWords(alone.join(' ')), ms: times.alone },
        context: { wer: wordErrorRate(reference, followed.join(' ')).wer, capitals: capitalWords(followed.join(' ')), ms: times.context },
      });
    }
  } finally {
    await model.dispose();
  }
  return out;
}

function cpuName(): string {
  try {
    return /Model name:\s*(.+)/.exec(execFileSync('lscpu', { encoding: 'utf8' }))?.[1].trim() ?? os.cpus()[0].model;
  } catch {
    return os.cpus()[0]?.model ?? 'unknown CPU';
  }
}

async function main(): Promise<void> {
  const mic = startVirtualMic();
  if (typeof mic === 'string') throw new Error(mic);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'transcrevai-bench-dictation-'));
  const loadBefore = os.loadavg()[0];
  const sources = longFileSources();
  const long = path.join(dir, 'long.wav');
  const longSeconds = writeJoined(long, await decodeWithPauses(sources, 1), 'int16');
  console.log(`long file: ${sources.length} recordings, ${(longSeconds / 60).toFixed(1)} min`);

  const idle: Phrase[][] = [];
  const busy: Phrase[][] = [];
  const alone: FileRun[] = [];
  const withDictation: FileRun[] = [];
  const client = await EngineClient.start({ enginePath: ENGINE, env: mic.env });
  try {
    await dictate(client, mic); // warm-up: models loaded, children started
    for (let round = 1; round <= ROUNDS; round++) {
      idle.push(await dictate(client, mic));
      alone.push((await transcribeLong(client, long)).file);
      const r = await transcribeLong(client, long, (busyNow) => dictate(client, mic, busyNow));
      withDictation.push(r.file);
      busy.push(r.during!);
      const m = (xs: Phrase[]) => ms(median(xs.map((p) => p.latencyMs!)));
      console.log(
        `round ${round}: idle ${m(idle.at(-1)!)}, busy ${m(busy.at(-1)!.filter((p) => p.busy))}; file ${(alone.at(-1)!.ms / 1000).toFixed(1)} s alone, ${(r.file.ms / 1000).toFixed(1)} s with dictation`,
      );
    }
  } finally {
    await client.dispose();
    mic.stop();
  }
  const en = englishClips().filter((c) => /jfk$|spk1_snt[1-4]$|spk2_snt[1-4]$/.test(c.id));
  const context = await contextFigures(dir, [
    { name: 'jfk + Harvard sentences', language: 'en', clips: en },
    { name: 'PT-BR clips', language: 'pt', clips: ptbrClips() },
  ]);
  const loadAfter = os.loadavg()[0];

  const idleMs = idle.flat().map((p) => p.latencyMs!);
  const busyPhrases = busy.flat().filter((p) => p.busy);
  const busyMs = busyPhrases.map((p) => p.latencyMs!);
  const idleAudio = idle.flat().map((p) => p.audioLatencyMs!);
  const busyAudio = busyPhrases.map((p) => p.audioLatencyMs!);
  const identical = withDictation.every((r) => isDeepStrictEqual(r.transcript.segments, alone[0].transcript.segments));
  const sameAlone = alone.every((r) => isDeepStrictEqual(r.transcript.segments, alone[0].transcript.segments));
  const roundMedians = (runs: Phrase[][], onlyBusy: boolean) =>
    runs.map((r) => ms(median(r.filter((p) => !onlyBusy || p.busy).map((p) => p.latencyMs!)))).join(', ');
  const ratio = median(busyMs) / median(idleMs);
  const pctText = (x: number) => `${(100 * x).toFixed(1)} %`;
  const contextRows = context.flatMap((c) => [
    `| ${c.set.name} | alone | ${pctText(c.alone.wer)} | ${c.alone.capitals.length ? c.alone.capitals.join(' ') : 'none'} | ${ms(median(c.alone.ms))} | ${ms(pct(c.alone.ms, 90))} |`,
    `| ${c.set.name} | after its context | ${pctText(c.context.wer)} | ${c.context.capitals.length ? c.context.capitals.join(' ') : 'none'} | ${ms(median(c.context.ms))} | ${ms(pct(c.context.ms, 90))} |`,
  ]);
  const phraseRows = idle[0].map(
    (p, i) =>
      `| ${i + 1} | ${(p.end - p.start).toFixed(2)} | ${idle.map((r) => r[i]?.latencyMs ?? '–').join(' / ')} | ${busy.map((r) => (r[i]?.busy ? r[i].latencyMs : '–')).join(' / ')} | ${p.text.replace(/\|/g, '\\|')} |`,
  );
  const md = `# Dictation

\`npm run bench:dictation\` (bench/dictation.ts) — ${new Date().toISOString().slice(0, 10)}, ${os.availableParallelism()} × ${cpuName()} (\`lscpu\`), model ${MODEL} INT8,
${THREADS} threads, through the engine the extension uses (\`EngineClient\` → \`dist/engine.js\`). The machine was shared
with other work: load average ${loadBefore.toFixed(1)} at the start, ${loadAfter.toFixed(1)} at the end; compare the figures
of one run with each other, not with another machine's.

## What a phrase follows

Each phrase is decoded after the text it joins: in VS Code the text before the cursor (the editor's own, up to the
223 tokens of Whisper's prompt, after the workspace vocabulary), sent by the extension when dictation starts and
whenever it changes, with the phrases the editor does not show yet; in a meeting or from the CLI the phrases before
it. A phrase that Whisper writes all in capitals after text that is not ("ASK NOT!") is written in ordinary case,
keeping the spellings the text around and the vocabulary vouch for (src/engine/phraseCasing.ts): the prompt alone does
not stop those capitals. A phrase starts 400 ms before its first speech (it was 100 ms): Whisper missed the first short
word of two PT-BR phrases without that lead-in.

Same phrases (as the engine cut them), decoded in one process alone and after their context, alternating:

| clips | phrase decoded | WER | words in capitals | decode time, median | 90th percentile |
|---|---|---|---|---|---|
${contextRows.join('\n')}

| clips | seconds | phrases | dictation through the engine: WER | capitals | file transcription of the same audio: WER | capitals |
|---|---|---|---|---|---|---|
${context.map((c) => `| ${c.set.name} | ${c.seconds.toFixed(0)} | ${c.phrases} | ${pctText(c.engine.wer)} | ${c.engine.capitals} | ${pctText(c.file.wer)} | ${c.file.capitals} |`).join('\n')}

Target: no word in capitals nobody shouted, and WER at most the file transcription's + 2 points —
${context.every((c) => c.engine.capitals === 0 && c.engine.wer <= c.file.wer + 0.02) ? 'met on both' : 'missed'}.

## Latency, idle and while a file is transcribed

${DICTATED.length} clips (jfk and six SpeechBrain Harvard sentences) played into a PulseAudio virtual microphone, each
followed by ${PAUSE_SECONDS} s of silence. A phrase ends when the VAD has heard 400 ms of silence; "end of phrase → text" runs
from that moment to the final-text event (what the editor waits for); "last sample → text" adds that silence, less
the 100 ms kept after the last word. Busy: the same dictation while the engine transcribes a ${(longSeconds / 60).toFixed(1)}-minute
file, the ${sources.length} other shared recordings joined with 1 s pauses, none twice (all the distinct speech the shared data holds;
not the 60 minutes the issue names), started once the file's Whisper windows run. ${ROUNDS} rounds, each idle → file alone → file with dictation.

Live phrases go ahead of file windows in the transcription process (src/engine/stages/liveFirst.ts): a file job's
onnxruntime runs pass a gate one by one, and a live phrase holds the gate for its whole decoding; it waits only for the
file run already in flight.

| end of phrase → text | idle | busy | busy / idle |
|---|---|---|---|
| median | ${ms(median(idleMs))} | ${ms(median(busyMs))} | ${ratio.toFixed(2)} |
| 90th percentile | ${ms(pct(idleMs, 90))} | ${ms(pct(busyMs, 90))} | ${(pct(busyMs, 90) / pct(idleMs, 90)).toFixed(2)} |
| median of each round | ${roundMedians(idle, false)} | ${roundMedians(busy, true)} | |
| last sample → text, median | ${ms(median(idleAudio))} | ${ms(median(busyAudio))} | |
| phrases | ${idleMs.length} | ${busyMs.length}${busy.flat().length > busyMs.length ? ` (${busy.flat().length - busyMs.length} more arrived after the file job ended: left out)` : ''} | |

Target: busy median ≤ 1.5 × idle median — ${ratio <= 1.5 ? 'met' : 'missed'}.

| file job (${(longSeconds / 60).toFixed(1)} min of audio) | each round |
|---|---|
| alone | ${alone.map((r) => `${(r.ms / 1000).toFixed(1)} s`).join(', ')} |
| with the dictation | ${withDictation.map((r) => `${(r.ms / 1000).toFixed(1)} s`).join(', ')} |
| transcript with the dictation identical to the one alone (every segment's text and times) | ${identical ? 'yes' : 'NO'}${sameAlone ? '' : ' (the runs alone differ among themselves too)'} |

| phrase | seconds | idle, end of phrase → text (ms), each round | busy (ms), each round | text |
|---|---|---|---|---|
${phraseRows.join('\n')}
`;
  fs.writeFileSync(path.join(ROOT, 'docs', 'dictation.md'), md);
  console.log(md);
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
