// Accuracy against the peer: our engine and faster-whisper on the same Whisper checkpoint (the CTranslate2 copy
// `npm run models` keeps), the same threads, INT8 on both sides. Writes docs/accuracy.md. Not a test.
//   npm run bench:accuracy [-- --model base --precision int8 --threads 2 --beams 1,5 --cpu avx2 --no-peer --skip-der]
// Measures:
//  - words kept on each shared AMI excerpt and on the 11 joined into one 330 s meeting (no reference text exists
//    for them: a transcript that keeps fewer words than the peer has dropped speech);
//  - WER on the PT-BR and EN clips one by one, and joined into one long recording (0.7 s pauses);
//  - jfk with 0/5/10/20 ms of leading silence on 1 and 2 threads (reference text expected every time);
//  - DER of the transcript's speaker turns, worst case over shifts of 0/10/20/30 ms and 1/2 threads.
// --cpu avx2 re-runs the whole bench as if on an AVX2-only CPU (AMD Zen 2/3): test/fixtures/cpuPersonality.ts.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'node:util';
import { decodeAudio } from '../src/audio/decode';
import { diarizationErrorRate, parseRttm, parseUem, type Turn } from '../src/diarization';
import { Engine } from '../src/engine/engine';
import { transcriptTurns } from '../src/output/rttm';
import { SAMPLE_RATE, type Precision } from '../src/vocabulary';
import type { Transcript } from '../src/transcript';
import { amiExcerpts, englishClips, ptbrClips, type ReferenceClip } from '../test/fixtures/clips';
import { cpuPersonalities } from '../test/fixtures/cpuPersonality';
import { TESTDATA } from '../test/fixtures/shared';
import { normalizedWords, wordErrorRate } from '../test/fixtures/whisper/helpers';
import { decodeWithPauses, writeJoined } from './joinAudio';
import { fwPython, fwVersion, runPeerJobs } from './peer';
import { median } from './stats';

const ROOT = path.resolve(__dirname, '..');
const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    precision: { type: 'string' },
    threads: { type: 'string' },
    beams: { type: 'string' },
    cpu: { type: 'string' },
    'no-peer': { type: 'boolean' },
    'skip-der': { type: 'boolean' },
    out: { type: 'string' },
  },
});
const MODEL = values.model ?? 'base';
const PRECISION = (values.precision ?? 'int8') as Precision;
const THREADS = Number(values.threads ?? 2);
const BEAMS = (values.beams ?? '1,5').split(',').map(Number);
const OUT = values.out ?? path.join(ROOT, 'docs', 'accuracy.md');
const PAUSE_SECONDS = 0.7;
const SHIFTS_MS = [0, 10, 20, 30];
const PAD_MS = [0, 5, 10, 20];

interface Clip {
  id: string;
  file: string;
  language: string;
  reference?: string;
  group: 'ami' | 'pt' | 'en';
  joined?: boolean;
}

const words = normalizedWords;

async function samplesOf(file: string): Promise<Float32Array> {
  return (await decodeAudio(file)).samples;
}

function writeClip(dir: string, name: string, parts: Float32Array[]): string {
  const file = path.join(dir, name);
  writeJoined(file, parts, 'float32');
  return file;
}

async function inputs(dir: string): Promise<Clip[]> {
  const clips: Clip[] = [];
  const ami = amiExcerpts();
  for (const f of ami) clips.push({ id: `ami/${path.basename(f, '.wav')}`, file: f, language: 'en', group: 'ami' });
  clips.push({
    id: 'ami: 11 excerpts joined (330 s)',
    language: 'en',
    group: 'ami',
    joined: true,
    file: writeClip(dir, 'ami-joined.wav', await decodeWithPauses(ami, 0)),
  });
  const asClip =
    (group: 'pt' | 'en') =>
    (c: ReferenceClip): Clip => ({ id: c.id, file: c.wav, language: c.language, group, reference: c.text });
  const pt = ptbrClips().map(asClip('pt'));
  const en = englishClips().map(asClip('en'));
  for (const [group, list, name] of [
    ['pt', pt, 'ptbr-joined.wav'],
    ['en', en, 'en-joined.wav'],
  ] as const) {
    clips.push(...list);
    const audio = await decodeWithPauses(
      list.map((c) => c.file),
      PAUSE_SECONDS,
    );
    const seconds = audio.reduce((n, a) => n + a.length, 0) / SAMPLE_RATE;
    clips.push({
      id: `${group}: ${list.length} clips joined (${seconds.toFixed(0)} s)`,
      group,
      language: list[0].language,
      joined: true,
      reference: list.map((c) => c.reference).join(' '),
      file: writeClip(dir, name, audio),
    });
  }
  return clips;
}

interface Run {
  text: string;
  seconds: number;
}

async function ours(engine: Engine, clip: { file: string; language: string }, beamSize: number, threads = THREADS, diarize = false): Promise<Transcript> {
  return engine.transcribe({
    input: clip.file,
    model: MODEL,
    language: clip.language,
    precision: PRECISION,
    threads,
    beamSize,
    ...(diarize && { diarize: true }),
  });
}

function peer(py: string | undefined, clips: Clip[], beams: number[]): Map<string, Run> {
  const out = new Map<string, Run>();
  if (!py) return out;
  const jobs = beams.flatMap((beam) => clips.map((c) => ({ id: `${beam}|${c.id}`, file: c.file, language: c.language, beam })));
  for (const [id, run] of runPeerJobs(py, MODEL, THREADS, jobs)) out.set(id, run);
  return out;
}

function shifted(dir: string, file: string, ms: number, samples: Float32Array): string {
  return writeClip(dir, `${path.basename(file, '.wav')}+${ms}ms.wav`, [new Float32Array(Math.round((ms * SAMPLE_RATE) / 1000)), samples]);
}

function shiftTurns(turns: Turn[], seconds: number): Turn[] {
  return turns.map((t) => ({ ...t, start: t.start + seconds, end: t.end + seconds }));
}

async function main(): Promise<void> {
  if (values.cpu && values.cpu !== 'native') {
    if (values.cpu !== 'avx2') throw new Error('--cpu must be native or avx2');
    const { personalities, why } = cpuPersonalities();
    const avx2 = personalities[1];
    if (!avx2) throw new Error(`cannot emulate an AVX2-only CPU here: ${why}`);
    const args = process.argv.slice(1).filter((a, i, all) => a !== '--cpu' && all[i - 1] !== '--cpu');
    const r = spawnSync(process.execPath, [...process.execArgv, ...args, '--cpu', 'native', '--out', values.out ?? OUT.replace(/\.md$/, '-avx2.md')], {
      stdio: 'inherit',
      env: { ...avx2.env, TRANSCREVAI_BENCH_CPU: avx2.name },
    });
    process.exit(r.status ?? 1);
  }
  const cpuName = process.env.TRANSCREVAI_BENCH_CPU ?? cpuPersonalities().personalities[0].name;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'transcrevai-accuracy-'));
  const engine = new Engine();
  try {
    const clips = await inputs(tmp);
    const results = new Map<string, Run>(); // `${who}|${beam}|${clip}`
    for (const beam of BEAMS) {
      for (const clip of clips) {
        const t = await ours(engine, clip, beam);
        results.set(`ours|${beam}|${clip.id}`, { text: t.segments.map((s) => s.text).join(' '), seconds: t.timing.transcribe });
        console.error(`accuracy: ours beam ${beam} ${clip.id}: ${words(results.get(`ours|${beam}|${clip.id}`)!.text).length} words`);
      }
    }
    const py = values['no-peer'] ? undefined : fwPython();
    const fw = peer(py, clips, BEAMS);
    for (const [k, v] of fw) results.set(`fw|${k}`, v);
    const configs = BEAMS.flatMap((b) => [`ours|${b}`, ...(fw.size ? [`fw|${b}`] : [])]);
    const label = (c: string) => `${c.startsWith('ours') ? 'ours' : 'faster-whisper'} ${c.endsWith('|1') ? 'greedy' : `beam ${c.split('|')[1]}`}`;
    const get = (c: string, clip: Clip) => results.get(`${c}|${clip.id}`);

    const lines: string[] = [];
    const push = (...l: string[]) => lines.push(...l);
    push(
      '# Accuracy against faster-whisper',
      '',
      `Generated by \`npm run bench:accuracy\` (bench/accuracy.ts) on ${new Date().toISOString().slice(0, 10)}. CPU: ${os.cpus()[0]?.model ?? 'unknown'}, seen as ${cpuName}; ${os.availableParallelism()} cores, Node ${process.version}.`,
      '',
      `Ours: the engine in-process (ffmpeg → Silero VAD → Whisper \`${MODEL}\` ${PRECISION}, ${THREADS} threads). Peer: faster-whisper` +
        ` ${py && fw.size ? fwVersion(py) : '(not run)'} on the CTranslate2 copy of the same checkpoint (\`compute_type="int8"\`, ${THREADS} threads, \`vad_filter=True\` with its default VadOptions).` +
        ' Both: temperature fallback, previous text as prompt, language forced.',
      '',
    );

    push(
      '## Words kept on the AMI meeting excerpts',
      '',
      'No reference text exists for these excerpts; fewer words than the peer means speech was dropped.',
      '',
    );
    push(`| excerpt | ${configs.map(label).join(' | ')} |`, `|---|${configs.map(() => '---:').join('|')}|`);
    const amiClips = clips.filter((c) => c.group === 'ami');
    const totals = new Map<string, number>();
    for (const clip of amiClips) {
      const row = configs.map((c) => words(get(c, clip)?.text ?? '').length);
      if (!clip.joined) configs.forEach((c, i) => totals.set(c, (totals.get(c) ?? 0) + row[i]));
      if (clip.joined) push(`| **total of the excerpts** | ${configs.map((c) => `**${totals.get(c)}**`).join(' | ')} |`);
      push(`| ${clip.id} | ${row.join(' | ')} |`);
    }
    if (fw.size) {
      push(
        '',
        ...BEAMS.map(
          (b) =>
            `- ${label(`ours|${b}`)} keeps ${((100 * totals.get(`ours|${b}`)!) / totals.get(`fw|${b}`)!).toFixed(1)} % of the words ${label(`fw|${b}`)} keeps on the excerpts.`,
        ),
      );
      const empty = amiClips.filter(
        (clip) =>
          !clip.joined &&
          configs.some((c) => c.startsWith('fw') && words(get(c, clip)!.text).length > 0) &&
          BEAMS.some((b) => words(get(`ours|${b}`, clip)!.text).length === 0),
      );
      push(`- Excerpts where the peer finds speech and ours returns nothing: ${empty.length ? empty.map((c) => c.id).join(', ') : 'none'}.`);
    }

    for (const group of ['pt', 'en'] as const) {
      push(
        '',
        `## WER, ${group === 'pt' ? 'Brazilian Portuguese (LapsBM, FalaBrasil)' : 'English (jfk, Harvard sentences)'}`,
        '',
        'Lower-cased, punctuation removed, word-level Levenshtein.',
        '',
      );
      push(`| clip | ${configs.map(label).join(' | ')} |`, `|---|${configs.map(() => '---:').join('|')}|`);
      const sums = new Map<string, { e: number; n: number }>();
      for (const clip of clips.filter((c) => c.group === group)) {
        const row = configs.map((c) => {
          const w = wordErrorRate(clip.reference!, get(c, clip)?.text ?? '');
          if (!clip.joined) sums.set(c, { e: (sums.get(c)?.e ?? 0) + w.errors, n: (sums.get(c)?.n ?? 0) + w.words });
          return `${(100 * w.wer).toFixed(1)} %`;
        });
        if (clip.joined)
          push(`| **clips one by one (pooled)** | ${configs.map((c) => `**${((100 * sums.get(c)!.e) / sums.get(c)!.n).toFixed(1)} %**`).join(' | ')} |`);
        push(`| ${clip.joined ? `**${clip.id}**` : clip.id} | ${row.join(' | ')} |`);
      }
    }

    push('', '## Time spent transcribing (all the clips above)', '', `| | ${configs.map(label).join(' | ')} |`, `|---|${configs.map(() => '---:').join('|')}|`);
    push(
      `| seconds (transcription only, model loaded) | ${configs.map((c) => clips.reduce((n, clip) => n + (get(c, clip)?.seconds ?? 0), 0).toFixed(1)).join(' | ')} |`,
    );

    push('', '## jfk with leading silence', '', `Ours (${PRECISION}, greedy): the reference text after normalisation, or the words that differ.`, '');
    push('| leading silence | 1 thread | 2 threads |', '|---|---|---|');
    const jfk = clips.find((c) => c.id === 'en/jfk')!;
    const jfkSamples = await samplesOf(jfk.file);
    for (const ms of PAD_MS) {
      const file = ms ? shifted(tmp, jfk.file, ms, jfkSamples) : jfk.file;
      const cells: string[] = [];
      for (const threads of [1, 2]) {
        const t = await ours(engine, { file, language: 'en' }, 1, threads);
        const text = t.segments.map((s) => s.text).join(' ');
        const w = wordErrorRate(jfk.reference!, text);
        cells.push(w.errors === 0 ? 'reference' : `${w.errors} word errors: "${text.trim()}"`);
      }
      push(`| ${ms} ms | ${cells.join(' | ')} |`);
    }

    // One greedy run of a far-field meeting says little: a few milliseconds of shift change which words survive,
    // on both sides. The spread over shifts is the figure to compare.
    const meeting = clips.find((c) => c.group === 'ami' && c.joined)!;
    const meetingSamples = await samplesOf(meeting.file);
    const shiftedMeetings = PAD_MS.map((ms) => ({ ...meeting, id: `${ms} ms`, file: ms ? shifted(tmp, meeting.file, ms, meetingSamples) : meeting.file }));
    const oursShifted: number[] = [];
    for (const c of shiftedMeetings) oursShifted.push(words((await ours(engine, c, 1)).segments.map((s) => s.text).join(' ')).length);
    const fwShifted = [...peer(py, shiftedMeetings, [1]).values()].map((r) => words(r.text).length);
    push('', `## ${meeting.id} shifted by a few milliseconds (greedy)`, '', 'Words kept when the meeting starts later by the given silence.', '');
    push('| shift | ours | faster-whisper |', '|---|---:|---:|');
    shiftedMeetings.forEach((c, i) => push(`| ${c.id} | ${oursShifted[i]} | ${fwShifted[i] ?? ''} |`));
    const spread = (n: number[]) => (n.length ? `${median(n)} (${Math.min(...n)}–${Math.max(...n)})` : '');
    push(`| **median (range)** | **${spread(oursShifted)}** | **${spread(fwShifted)}** |`);

    if (!values['skip-der']) {
      push('', '## Speaker turns of the transcript: DER, worst case over perturbations', '');
      push(
        `The transcript's speaker turns (\`--format rttm\`) against the reference RTTM, collar 0.25 s, overlap scored; each file with ${SHIFTS_MS.join('/')} ms of leading silence × 1 and 2 threads.`,
        '',
      );
      push(
        `| file | ${SHIFTS_MS.flatMap((ms) => [1, 2].map((t) => `${ms} ms/${t}t`)).join(' | ')} | worst |`,
        `|---|${SHIFTS_MS.flatMap(() => ['---:', '---:']).join('|')}|---:|`,
      );
      const derFiles = [
        {
          id: 'pyannote_sample',
          file: path.join(TESTDATA, 'diarization', 'pyannote_sample.wav'),
          rttm: path.join(TESTDATA, 'diarization', 'pyannote_sample.rttm'),
          uem: undefined as string | undefined,
        },
        ...amiClips
          .filter((c) => !c.joined)
          .map((c) => ({
            id: c.id,
            file: c.file,
            rttm: path.join(TESTDATA, 'diarization', 'ami', c.id.includes('dev') ? 'debug.development.rttm' : 'debug.train.rttm'),
            uem: path.join(TESTDATA, 'diarization', 'ami', c.id.includes('dev') ? 'debug.development.uem' : 'debug.train.uem'),
          })),
      ];
      for (const f of derFiles) {
        const base = path.basename(f.file, '.wav');
        const all = parseRttm(fs.readFileSync(f.rttm, 'utf8'));
        // A one-recording RTTM may name it differently from the file (pyannote_sample.rttm says "sample").
        const reference = new Set(all.map((t) => t.file)).size === 1 ? all : all.filter((t) => t.file === base);
        const uem = f.uem ? parseUem(fs.readFileSync(f.uem, 'utf8')).get(base) : undefined;
        if (!reference.length) continue;
        const samples = await samplesOf(f.file);
        const cells: number[] = [];
        for (const ms of SHIFTS_MS) {
          const file = ms ? shifted(tmp, f.file, ms, samples) : f.file;
          for (const threads of [1, 2]) {
            const t = await ours(engine, { file, language: 'en' }, 1, threads, true);
            const hyp = shiftTurns(transcriptTurns(t), -ms / 1000);
            cells.push(diarizationErrorRate(reference, hyp, { collar: 0.25, ...(uem && { uem }) }).der);
          }
        }
        push(`| ${f.id} | ${cells.map((d) => (100 * d).toFixed(1)).join(' | ')} | **${(100 * Math.max(...cells)).toFixed(1)}** |`);
        console.error(`accuracy: DER ${f.id}: worst ${(100 * Math.max(...cells)).toFixed(1)} %`);
      }
    }

    push('', '<details><summary>transcripts</summary>', '');
    for (const clip of clips) {
      push(`### ${clip.id}`, '');
      if (clip.reference) push(`- reference: ${clip.reference}`);
      for (const c of configs) push(`- ${label(c)}: ${get(c, clip)?.text.trim() ?? ''}`);
      push('');
    }
    push('</details>', '');
    fs.writeFileSync(OUT, lines.join('\n'));
    console.error(`accuracy: wrote ${OUT}`);
  } finally {
    await engine.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
