// Word timings and word confidence, against faster-whisper's word_timestamps=True on the same checkpoint. Writes
// docs/words.md. Not a test.
//   npm run bench:words [-- --model base --threads 2 --no-peer]
// Measures:
//  - timing: on jfk, the Harvard sentences and each shared PT-BR clip (as it is and started 10 ms later) and on the
//    PT-BR clips joined,
//    |our word start − faster-whisper's| over the words both transcripts share (matched by a minimum-edit alignment
//    of the normalised words): median, 90th percentile, share within 100 ms;
//  - stability: our word starts on the input started 10 ms later, minus 10 ms, against the input as it is;
//  - confidence: on the PT-BR clips, the words below a probability ("unsure") against the words that are wrong
//    (substituted or inserted against the reference): precision and recall at several thresholds, ours and the peer's;
//    the English clips are a second set the threshold was not chosen on;
//  - cost: the joined AMI excerpts transcribed with and without word timings, ours (the CLI, a fresh process each
//    time, as a user runs it) and the peer's, each twice in alternation (the faster run of each kept).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'node:util';
import { Engine } from '../src/engine/engine';
import { isUnsure, UNSURE_PROBABILITY } from '../src/output/confidence';
import type { Word } from '../src/transcript';
import { SAMPLE_RATE } from '../src/vocabulary';
import { englishClips, ptbrClips, type ReferenceClip } from '../test/fixtures/clips';
import { TESTDATA } from '../test/fixtures/shared';
import { matchTimedWords, wrongHypothesisWords } from '../test/fixtures/wordAlignment';
import { decodeWithPauses, writeJoined } from './joinAudio';
import { runTree } from './processTree';
import { median } from './stats';
import { ct2Dir, fwPython, fwVersion, runPeerJobs, type PeerWord } from './peer';

const ROOT = path.resolve(__dirname, '..');
const { values } = parseArgs({ options: { model: { type: 'string' }, threads: { type: 'string' }, 'no-peer': { type: 'boolean' }, out: { type: 'string' } } });
const MODEL = values.model ?? 'base';
const THREADS = Number(values.threads ?? 2);
const OUT = values.out ?? path.join(ROOT, 'docs', 'words.md');
const SHIFT_MS = 10;
const THRESHOLDS = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7];

interface Input {
  id: string;
  file: string;
  language: string;
  reference?: string;
  shiftMs: number;
  /** Timing is compared on it (clips and the joined clips); cost only on the long recordings. */
  timing: boolean;
}

type TimedWord = Pick<Word, 'start' | 'end' | 'text' | 'probability'>;

async function inputs(dir: string): Promise<Input[]> {
  const out: Input[] = [];
  const add = async (id: string, files: string[], language: string, pause: number, reference: string | undefined, shifts: number[], timing: boolean) => {
    const audio = await decodeWithPauses(files, pause);
    for (const shiftMs of shifts) {
      const file = path.join(dir, `${id.replace(/\W+/g, '_')}-${shiftMs}.wav`);
      writeJoined(file, [new Float32Array((shiftMs * SAMPLE_RATE) / 1000), ...audio], 'float32');
      out.push({ id, file, language, reference, shiftMs, timing });
    }
  };
  const pt = ptbrClips();
  for (const c of [...englishClips(), ...pt] as ReferenceClip[]) await add(c.id, [c.wav], c.language, 0, c.text, [0, SHIFT_MS], true);
  await add(
    `pt: ${pt.length} clips joined`,
    pt.map((c) => c.wav),
    'pt',
    0.7,
    pt.map((c) => c.text).join(' '),
    [0],
    true,
  );
  const ami = path.join(TESTDATA, 'diarization', 'ami');
  const excerpts = fs
    .readdirSync(ami)
    .filter((f) => /^(dev|trn)\d+\.wav$/.test(f))
    .sort()
    .map((f) => path.join(ami, f));
  await add(`ami: ${excerpts.length} excerpts joined`, excerpts, 'en', 0, undefined, [0], false);
  return out;
}

const quantile = (xs: number[], q: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const msText = (s: number) => `${Math.round(s * 1000)} ms`;

/** |start difference| of the words a and b share, in seconds. */
function startDifferences(a: readonly TimedWord[], b: readonly TimedWord[], shift = 0): number[] {
  return matchTimedWords(a, b).map(([i, j]) => Math.abs(a[i].start - shift - b[j].start));
}

function timingRow(label: string, diffs: number[]): string {
  const within = diffs.filter((d) => d <= 0.1).length;
  return `| ${label} | ${diffs.length} | ${msText(median(diffs))} | ${msText(quantile(diffs, 0.9))} | ${((100 * within) / Math.max(1, diffs.length)).toFixed(1)} % |`;
}

interface Confusion {
  unsure: number;
  wrong: number;
  both: number;
  words: number;
}

function confusion(runs: { words: readonly TimedWord[]; reference: string }[], threshold: number): Confusion {
  const c: Confusion = { unsure: 0, wrong: 0, both: 0, words: 0 };
  for (const run of runs) {
    const wrong = wrongHypothesisWords(run.reference, run.words);
    run.words.forEach((w, k) => {
      if (wrong[k] === null) return;
      const unsure = isUnsure(w, threshold);
      c.words++;
      if (unsure) c.unsure++;
      if (wrong[k]) c.wrong++;
      if (unsure && wrong[k]) c.both++;
    });
  }
  return c;
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'transcrevai-words-'));
  const engine = new Engine();
  const ours = new Map<string, TimedWord[]>();
  const seconds = new Map<string, number>(); // `${who}|${words}|${file}`
  try {
    const list = await inputs(tmp);
    const keepFaster = (key: string, s: number) => seconds.set(key, Math.min(s, seconds.get(key) ?? Infinity));
    const peaks = new Map<string, number>();
    const keepLower = (key: string, mb: number) => peaks.set(key, Math.min(mb, peaks.get(key) ?? Infinity));
    for (const input of list) {
      if (!input.timing) {
        // Cost: each side in a fresh process per run: its own figure without the model load, and the whole process
        // tree's resident memory sampled while it runs.
        const py = values['no-peer'] ? undefined : fwPython();
        for (let round = 0; round < 2; round++) {
          for (const words of [false, true]) {
            const args = [
              path.join(ROOT, 'dist', 'cli.js'),
              'transcribe',
              input.file,
              '-m',
              MODEL,
              '-l',
              input.language,
              '--threads',
              String(THREADS),
              '-f',
              'json',
            ];
            const our = await runTree(process.execPath, words ? [...args, '--words'] : args);
            if (our.code !== 0) throw new Error(`ours failed: ${our.stderr.slice(-1500)}`);
            const ourJson = JSON.parse(our.stdout) as { timing: { load: number; total: number } };
            keepFaster(`ours|${words}|${input.file}`, ourJson.timing.total - ourJson.timing.load);
            keepLower(`ours|${words}|${input.file}`, our.peakMB);
            if (!py) continue;
            const fwArgs = [path.join(ROOT, 'bench', 'fw_runner.py'), ct2Dir(MODEL), input.file, String(THREADS), input.language, ...(words ? ['words'] : [])];
            const fw = await runTree(py, fwArgs);
            if (fw.code !== 0) throw new Error(`faster-whisper failed: ${fw.stderr.slice(-1500)}`);
            keepFaster(`fw|${words}|${input.file}`, (JSON.parse(fw.stdout.trim().split('\n').pop()!) as { transcribe: number }).transcribe);
            keepLower(`fw|${words}|${input.file}`, fw.peakMB);
          }
        }
        console.error(`words: ${input.id} (cost)`);
        continue;
      }
      const t = await engine.transcribe({ input: input.file, model: MODEL, language: input.language, precision: 'int8', threads: THREADS, wordTimings: true });
      ours.set(
        input.file,
        t.segments.flatMap((s) => s.words ?? []),
      );
      console.error(`words: ours ${input.id} +${input.shiftMs} ms`);
    }
    const py = values['no-peer'] ? undefined : fwPython();
    const peer = new Map<string, PeerWord[]>();
    if (py) {
      const jobs = list.filter((c) => c.timing).map((c) => ({ id: c.file, file: c.file, language: c.language, beam: 1, words: true }));
      for (const [file, run] of runPeerJobs(py, MODEL, THREADS, jobs)) if (run.words) peer.set(file, run.words);
    }

    const timed = list.filter((i) => i.timing);
    const atZero = timed.filter((i) => i.shiftMs === 0);
    const lines: string[] = [
      '# Word timings and confidence',
      '',
      `Generated by \`npm run bench:words\` (bench/words.ts) on ${new Date().toISOString().slice(0, 10)}. CPU: ${os.cpus()[0]?.model ?? 'unknown'}, ${os.availableParallelism()} cores, Node ${process.version}.`,
      '',
      `Whisper \`${MODEL}\` int8, ${THREADS} threads, greedy, language forced, VAD on. Ours: the engine in-process with \`wordTimings\` (the decoder's cross-attention through the checkpoint's alignment heads, then dynamic time warping, as openai/whisper's timing.py). Peer: faster-whisper ${py ? fwVersion(py) : '(not run)'} with \`word_timestamps=True\` on the CTranslate2 copy of the same checkpoint.`,
      '',
      '## Timing: our word starts against faster-whisper’s',
      '',
      `Words both transcripts share (a minimum-edit alignment of the normalised words). Each clip is also run started ${SHIFT_MS} ms later (both tools on the same shifted file).`,
      '',
      '| input | words compared | median abs(start difference) | 90th percentile | within 100 ms |',
      '|---|---|---|---|---|',
    ];
    if (py) {
      const groups: [string, (i: Input) => boolean][] = [
        ['jfk', (i) => i.id === 'en/jfk'],
        ['Harvard sentences (English clips)', (i) => i.id.startsWith('en/') && i.id !== 'en/jfk'],
        ['PT-BR clips one by one', (i) => i.id.startsWith('pt/')],
        ['PT-BR clips joined', (i) => i.id.includes('joined') && i.language === 'pt'],
      ];
      for (const [label, pick] of groups) {
        for (const shift of [0, SHIFT_MS]) {
          const chosen = timed.filter((i) => pick(i) && i.shiftMs === shift);
          if (!chosen.length) continue;
          const diffs = chosen.flatMap((i) => startDifferences(ours.get(i.file) ?? [], peer.get(i.file) ?? []));
          lines.push(timingRow(`${label}${shift ? `, started ${shift} ms later` : ''}`, diffs));
        }
      }
      const all = timed.flatMap((i) => startDifferences(ours.get(i.file) ?? [], peer.get(i.file) ?? []));
      lines.push(timingRow('**all of the above**', all));
    } else lines.push('| (faster-whisper not run) | | | | |');

    lines.push(
      '',
      `## Stability: the same clip started ${SHIFT_MS} ms later`,
      '',
      `Our word starts on the shifted input minus ${SHIFT_MS} ms, against the input as it is (the same words).`,
      '',
      '| input | words compared | median abs(start difference) | 90th percentile | within 100 ms |',
      '|---|---|---|---|---|',
    );
    const shiftDiffs = atZero
      .filter((i) => !i.id.includes('joined'))
      .flatMap((i) => {
        const later = timed.find((x) => x.id === i.id && x.shiftMs === SHIFT_MS);
        return later ? startDifferences(ours.get(later.file) ?? [], ours.get(i.file) ?? [], SHIFT_MS / 1000) : [];
      });
    lines.push(timingRow('English and PT-BR clips', shiftDiffs));

    const runsOf = (prefix: string, words: Map<string, readonly TimedWord[]>) =>
      timed.filter((i) => i.id.startsWith(prefix)).map((i) => ({ words: words.get(i.file) ?? [], reference: i.reference! }));
    lines.push(
      '',
      '## Confidence: do the unsure words hold the errors?',
      '',
      'PT-BR clips (the threshold was chosen on them) and English clips (a second set), as they are and started 10 ms later. "Wrong": a word substituted or inserted against the reference (normalised, a word of several normalised words is wrong if any is). "Unsure": its probability (the mean of its tokens’) is below the threshold.' +
        ` Precision: of the unsure words, the share that are wrong; recall: of the wrong words, the share marked unsure. The extension underlines and lists the words below ${UNSURE_PROBABILITY}.`,
      '',
      '| threshold | run | words | wrong | unsure | unsure and wrong | precision | recall |',
      '|---|---|---|---|---|---|---|---|',
    );
    for (const threshold of THRESHOLDS) {
      for (const [label, runs] of [
        ['ours, PT-BR', runsOf('pt/', ours)],
        ...(py ? ([['faster-whisper, PT-BR', runsOf('pt/', peer)]] as const) : []),
        ['ours, English', runsOf('en/', ours)],
        ...(py ? ([['faster-whisper, English', runsOf('en/', peer)]] as const) : []),
      ] as const) {
        const c = confusion(runs, threshold);
        const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)} %` : '–');
        const mark = threshold === UNSURE_PROBABILITY ? '**' : '';
        lines.push(
          `| ${mark}${threshold}${mark} | ${label} | ${c.words} | ${c.wrong} | ${c.unsure} | ${c.both} | ${pct(c.both, c.unsure)} | ${pct(c.both, c.wrong)} |`,
        );
      }
    }

    lines.push(
      '',
      '## Cost',
      '',
      'Seconds for the whole job without the model load, and the peak resident memory of the whole process tree (sampled every 50 ms), the lower of two runs each; ours is the CLI (`--words`), the peer bench/fw_runner.py (`word_timestamps`), each a fresh process, the four kinds of run in alternation. Both include their VAD.',
      '',
    );
    lines.push('| input | | ours | ours with words | faster-whisper | faster-whisper with words |', '|---|---|---:|---:|---:|---:|');
    for (const i of list.filter((x) => !x.timing)) {
      const cell = (m: Map<string, number>, k: string, digits: number) => (m.has(k) ? m.get(k)!.toFixed(digits) : '–');
      const row = (m: Map<string, number>, digits: number) =>
        (['ours|false', 'ours|true', 'fw|false', 'fw|true'] as const).map((k) => cell(m, `${k}|${i.file}`, digits)).join(' | ');
      lines.push(`| ${i.id} | time (s) | ${row(seconds, 1)} |`, `| | peak memory, whole tree (MB) | ${row(peaks, 0)} |`);
    }

    lines.push('', '## Every word of jfk', '', '| word | ours start–end (p) | faster-whisper start–end (p) |', '|---|---|---|');
    const jfk = atZero.find((i) => i.id === 'en/jfk')!;
    const a = ours.get(jfk.file) ?? [];
    const b = peer.get(jfk.file) ?? [];
    const pairs = new Map(matchTimedWords(a, b));
    a.forEach((w, k) => {
      const p = pairs.has(k) ? b[pairs.get(k)!] : undefined;
      const show = (x?: TimedWord) => (x ? `${x.start.toFixed(2)}–${x.end.toFixed(2)} (${(x.probability ?? 0).toFixed(2)})` : '–');
      lines.push(`| ${w.text.trim()} | ${show(w)} | ${show(p)} |`);
    });
    fs.writeFileSync(OUT, lines.join('\n') + '\n');
    console.error(`words: wrote ${OUT}`);
  } finally {
    await engine.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
