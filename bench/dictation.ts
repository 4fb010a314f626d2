// Dictation latency: end of phrase → final text, through a real virtual microphone (PulseAudio null sink) and
// the real CLI (`transcrevai dictate --events`, base INT8, 2 threads). The peer is faster-whisper transcribing
// the same phrases (cut from our recording) with its model loaded: what Whisper itself costs per phrase on this
// machine, so the ratio shows our overhead. Writes docs/dictation.md. Not part of the tests.
//   node --import tsx bench/dictation.ts [-- --model base --threads 2]
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'node:util';
import { readWav, toMono, writeWav } from '../src/audio/wav';
import type { LiveEvent, LiveResult, LiveSegment } from '../src/protocol/client';
import { TESTDATA } from '../test/fixtures/shared';
import { startVirtualMic } from '../test/fixtures/virtualMic';
import { ct2Dir, fwPython } from './peer';
import { median } from './stats';

const ROOT = path.resolve(__dirname, '..');
const { values } = parseArgs({ options: { model: { type: 'string' }, threads: { type: 'string' } } });
const MODEL = values.model ?? 'base';
const THREADS = Number(values.threads ?? 2);
const CLIPS = ['en/jfk.wav', ...[1, 2, 3].map((i) => `en/speechbrain/spk1_snt${i}.wav`), ...[1, 2, 3].map((i) => `en/speechbrain/spk2_snt${i}.wav`)].map((f) =>
  path.join(TESTDATA, f),
);

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function main(): Promise<void> {
  const mic = startVirtualMic();
  if (typeof mic === 'string') throw new Error(mic);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'transcrevai-bench-dictation-'));
  const recording = path.join(dir, 'dictation.wav');
  // Each clip, then 1.5 s of silence: phrases end the way they do when someone pauses.
  const seconds = CLIPS.reduce((s, f) => s + toMono(readWav(fs.readFileSync(f))).length / 16000 + 1.5, 0) + 4;
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, 'dist', 'cli.js'),
      'dictate',
      '--model',
      MODEL,
      '--language',
      'en',
      '--threads',
      String(THREADS),
      '--events',
      '--recording',
      recording,
      '--seconds',
      String(Math.ceil(seconds)),
    ],
    { env: mic.env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  while (!/listening/.test(stderr)) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 500));
  for (const clip of CLIPS) {
    await mic.play(clip);
    await new Promise((r) => setTimeout(r, 1500));
  }
  await new Promise<void>((resolve) => child.on('exit', () => resolve()));
  mic.stop();
  const lines = stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { event?: LiveEvent; result?: LiveResult });
  const finals = lines.flatMap((l) => (l.event?.kind === 'final' ? [l.event.segment] : [])) as LiveSegment[];
  if (!finals.length) throw new Error(`no phrases: ${stderr}`);

  // The peer transcribes the very same phrases.
  const rec = toMono(readWav(fs.readFileSync(recording)));
  const files = finals.map((s, i) => {
    const f = path.join(dir, `phrase-${i}.wav`);
    fs.writeFileSync(f, writeWav(rec.subarray(Math.round(s.start * 16000), Math.round(s.end * 16000)), 16000));
    return f;
  });
  const py = fwPython();
  let peer: { seconds: number; text: string }[] = [];
  if (py)
    peer = JSON.parse(
      execFileSync(py, [path.join(ROOT, 'bench', 'fw_phrases.py'), ct2Dir(MODEL), String(THREADS), 'en', ...files], { encoding: 'utf8', maxBuffer: 1 << 24 })
        .trim()
        .split('\n')
        .pop()!,
    );

  const ours = finals.map((s) => s.latencyMs ?? NaN);
  const audio = finals.map((s) => s.audioLatencyMs ?? NaN);
  const fw = peer.map((p) => p.seconds * 1000);
  const rows = finals.map(
    (s, i) =>
      `| ${i + 1} | ${(s.end - s.start).toFixed(2)} | ${s.latencyMs} | ${s.audioLatencyMs ?? '–'} | ${fw[i] !== undefined ? Math.round(fw[i]) : '–'} | ${s.text.replace(/\|/g, '\\|')} |`,
  );
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const md = `# Dictation latency

\`node --import tsx bench/dictation.ts\` — ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} × ${cpu}, model ${MODEL} INT8, ${THREADS} threads.
${CLIPS.length} clips (jfk and six SpeechBrain sentences) played into a PulseAudio virtual microphone, each followed by 1.5 s of
silence, while \`transcrevai dictate --events\` records with SoX. A phrase ends when the VAD has heard 400 ms of
silence; "end of phrase → text" runs from that moment to the final-text event (what the editor waits for).
"Last sample → text" adds the 400 ms of silence the VAD must hear, less its 100 ms padding. The peer is
faster-whisper ${MODEL} INT8 on the same threads, transcribing the very same phrase audio with its model already loaded.

| measure | ours | faster-whisper (Whisper alone) | ratio |
|---|---|---|---|
| end of phrase → text, median | ${Math.round(median(ours))} ms | ${fw.length ? Math.round(median(fw)) + ' ms' : '–'} | ${fw.length ? (median(ours) / median(fw)).toFixed(2) : '–'} |
| end of phrase → text, 90th percentile | ${Math.round(pct(ours, 90))} ms | ${fw.length ? Math.round(pct(fw, 90)) + ' ms' : '–'} | |
| last sample → text, median | ${Math.round(median(audio))} ms | | |

Target: end of phrase → text < 700 ms with base INT8 on 2 cores — ${median(ours) < 700 ? 'met' : 'missed'} at the median.

| phrase | seconds | end of phrase → text (ms) | last sample → text (ms) | faster-whisper (ms) | text |
|---|---|---|---|---|---|
${rows.join('\n')}
`;
  fs.writeFileSync(path.join(ROOT, 'docs', 'dictation.md'), md);
  console.log(md);
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
