// Speed and memory against the peer, on natural recordings: our CLI and faster-whisper on the same checkpoint (the
// CTranslate2 copy `npm run models` keeps), the same threads, greedy, their own VADs. Writes docs/benchmarks.md.
// Not a test.
//   npm run bench [-- --threads 2 --runs 3 --model base --no-peer --skip-long]
// Per run: wall time (spawn → exit), start-up (spawn → "model loaded" on stderr), and the peak of the whole
// process tree's resident memory, summed over every process alive at once and sampled every 50 ms from /proc
// (bench/processTree.ts). Ours and the peer alternate, one discarded warm-up run each; medians are reported with
// the ratio ours / faster-whisper. Inputs: the 11 shared AMI excerpts joined (330 s, a far-field meeting), the
// shared PT-BR clips joined with 0.7 s pauses; the meeting with --diarize; the meeting followed by 54.5 minutes of
// quiet room noise (one hour) for the memory-growth check; base at int8, q4 and fp32.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'node:util';
import { SAMPLE_RATE } from '../src/vocabulary';
import { amiExcerpts, englishClips, ptbrClips } from '../test/fixtures/clips';
import { cpuPersonalities } from '../test/fixtures/cpuPersonality';
import { normalizedWords, wordErrorRate } from '../test/fixtures/whisper/helpers';
import { decodeWithPauses, writeJoined } from './joinAudio';
import { ct2Dir, fwPython, fwVersion } from './peer';
import { runTree, type TreeRun } from './processTree';
import { median } from './stats';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const { values } = parseArgs({
  options: {
    threads: { type: 'string' },
    runs: { type: 'string' },
    model: { type: 'string' },
    'no-peer': { type: 'boolean' },
    'skip-long': { type: 'boolean' },
    out: { type: 'string' },
  },
});
const THREADS = Number(values.threads ?? 2);
const RUNS = Number(values.runs ?? 3);
const MODEL = values.model ?? 'base';
const OUT = values.out ?? path.join(ROOT, 'docs', 'benchmarks.md');

interface Input {
  name: string;
  file: string;
  language: string;
  seconds: number;
  reference?: string;
}

async function join(dir: string, name: string, files: string[], pauseSeconds: number, tail?: Float32Array): Promise<{ file: string; seconds: number }> {
  const parts = await decodeWithPauses(files, pauseSeconds);
  if (tail) parts.push(tail);
  const file = path.join(dir, name);
  return { file, seconds: writeJoined(file, parts, 'int16') };
}

/** Quiet room noise (pink, about −60 dBFS RMS), deterministic: what an hour-long meeting recording is mostly made of. */
function roomNoise(seconds: number): Float32Array {
  const out = new Float32Array(Math.round(seconds * SAMPLE_RATE));
  let seed = 12345;
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  for (let i = 0; i < out.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const white = seed / 2 ** 32 - 0.5;
    b0 = 0.99765 * b0 + white * 0.099046;
    b1 = 0.963 * b1 + white * 0.2965164;
    b2 = 0.57 * b2 + white * 1.0526913;
    out[i] = 0.004 * (b0 + b1 + b2 + white * 0.1848);
  }
  return out;
}

function oursArgs(input: Input, extra: string[] = []): string[] {
  return [
    CLI,
    'transcribe',
    input.file,
    '--model',
    MODEL,
    '--language',
    input.language,
    '--format',
    'json',
    '--threads',
    String(THREADS),
    '--progress',
    ...extra,
  ];
}

async function ours(input: Input, extra: string[] = []): Promise<TreeRun & { text: string }> {
  const r = await runTree(process.execPath, oursArgs(input, extra), { readyMarker: /loading model 100%/ });
  if (r.code !== 0) throw new Error(`ours failed on ${input.name}: ${r.stderr.slice(-1500)}`);
  const j = JSON.parse(r.stdout) as { segments: { text: string }[] };
  return { ...r, text: j.segments.map((s) => s.text).join(' ') };
}

async function peer(py: string, input: Input): Promise<TreeRun & { text: string }> {
  const r = await runTree(py, [path.join(ROOT, 'bench', 'fw_runner.py'), ct2Dir(MODEL), input.file, String(THREADS), input.language], {
    readyMarker: /transcrevai-bench: loaded/,
  });
  if (r.code !== 0) throw new Error(`faster-whisper failed on ${input.name}: ${r.stderr.slice(-1500)}`);
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as { text: string };
  return { ...r, text: j.text };
}

interface Summary {
  wall: number;
  startup: number;
  peakMB: number;
  words: number;
  text: string;
  runs: { wall: number; peakMB: number; peaksByProcess: Record<string, number> }[];
}

function summarize(runs: (TreeRun & { text: string })[]): Summary {
  return {
    wall: median(runs.map((r) => r.wall)),
    startup: median(runs.map((r) => r.startup)),
    peakMB: median(runs.map((r) => r.peakMB)),
    words: normalizedWords(runs[0].text).length,
    text: runs[0].text,
    runs: runs.map((r) => ({ wall: +r.wall.toFixed(2), peakMB: r.peakMB, peaksByProcess: r.peaksByProcess })),
  };
}

async function compare(input: Input, py: string | undefined, extra: string[] = []): Promise<{ ours: Summary; peer?: Summary }> {
  const o: (TreeRun & { text: string })[] = [];
  const p: (TreeRun & { text: string })[] = [];
  for (let i = 0; i <= RUNS; i++) {
    // Alternating runs share the machine's state fairly; run 0 warms the file cache for both and is dropped.
    const a = await ours(input, extra);
    const b = py ? await peer(py, input) : undefined;
    if (i === 0) continue;
    o.push(a);
    if (b) p.push(b);
    console.error(
      `bench: ${input.name}${extra.length ? ` ${extra.join(' ')}` : ''} run ${i}: ours ${a.wall.toFixed(2)} s ${a.peakMB} MB${b ? `, faster-whisper ${b.wall.toFixed(2)} s ${b.peakMB} MB` : ''}`,
    );
  }
  return { ours: summarize(o), ...(p.length && { peer: summarize(p) }) };
}

async function main(): Promise<void> {
  if (!fs.existsSync(CLI)) throw new Error('dist/cli.js missing: npm run build');
  const loadBefore = os.loadavg()[0];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'transcrevai-bench-'));
  const py = values['no-peer'] ? undefined : fs.existsSync(path.join(ct2Dir(MODEL), 'model.bin')) ? fwPython() : undefined;
  try {
    const meeting = await join(tmp, 'ami-joined.wav', amiExcerpts(), 0);
    const pt = ptbrClips();
    const ptJoined = await join(
      tmp,
      'ptbr-joined.wav',
      pt.map((c) => c.wav),
      0.7,
    );
    const en = englishClips();
    const enJoined = await join(
      tmp,
      'en-joined.wav',
      en.map((c) => c.wav),
      0.7,
    );
    const inputs: Input[] = [
      { name: `AMI meeting, 11 excerpts joined (${meeting.seconds.toFixed(0)} s)`, file: meeting.file, language: 'en', seconds: meeting.seconds },
      {
        name: `PT-BR read speech, ${pt.length} clips joined (${ptJoined.seconds.toFixed(0)} s)`,
        file: ptJoined.file,
        language: 'pt',
        seconds: ptJoined.seconds,
        reference: pt.map((c) => c.text).join(' '),
      },
    ];
    const lines: string[] = [];
    const push = (...l: string[]) => lines.push(...l);
    const cpu = cpuPersonalities().personalities[0].name;
    const peerVersion = py ? fwVersion(py) : '(not run)';
    push(
      '# Benchmarks: speed and memory',
      '',
      `Generated by \`npm run bench\` (bench/run.ts) on ${new Date().toISOString().slice(0, 10)}: ${os.availableParallelism()} cores (${os.cpus()[0]?.model}, seen as ${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GB, Node ${process.version}.`,
      `Load average (1 min) at start ${loadBefore.toFixed(2)}.`,
      '',
      `Ours: \`transcrevai transcribe … --model ${MODEL} --threads ${THREADS}\` (supervised children, int8 unless stated, greedy, Silero VAD).`,
      `Peer: faster-whisper ${peerVersion} on the CTranslate2 copy of the same checkpoint (\`compute_type="int8"\`, \`cpu_threads=${THREADS}\`, beam 1, \`vad_filter=True\`).`,
      `Each figure is the median of ${RUNS} runs after a discarded warm-up; ours and the peer alternate. **Peak** = the whole process tree's resident memory, summed over the processes alive at once, sampled every 50 ms.`,
      '',
      '| input | | TranscrevAI | faster-whisper | ratio |',
      '|---|---|---:|---:|---:|',
    );
    const raw: Record<string, unknown> = {};
    let meetingPeak = 0;
    for (const input of inputs) {
      const r = await compare(input, py);
      raw[input.name] = r;
      if (input === inputs[0]) meetingPeak = r.ours.peakMB;
      const ratio = (a: number, b?: number) => (b ? (a / b).toFixed(2) : 'n/a');
      push(
        `| ${input.name} | time (s) | ${r.ours.wall.toFixed(2)} | ${r.peer ? r.peer.wall.toFixed(2) : 'n/a'} | **${ratio(r.ours.wall, r.peer?.wall)}** |`,
        `| | start-up to model loaded (s) | ${r.ours.startup.toFixed(2)} | ${r.peer ? r.peer.startup.toFixed(2) : 'n/a'} | ${ratio(r.ours.startup, r.peer?.startup)} |`,
        `| | peak memory, whole tree (MB) | ${r.ours.peakMB} | ${r.peer ? r.peer.peakMB : 'n/a'} | **${ratio(r.ours.peakMB, r.peer?.peakMB)}** |`,
        input.reference
          ? `| | WER | ${(100 * wordErrorRate(input.reference, r.ours.text).wer).toFixed(1)} % | ${r.peer ? (100 * wordErrorRate(input.reference, r.peer.text).wer).toFixed(1) + ' %' : 'n/a'} | |`
          : `| | words | ${r.ours.words} | ${r.peer ? r.peer.words : 'n/a'} | ${ratio(r.ours.words, r.peer?.words)} |`,
      );
    }
    const meetingInput = inputs[0];
    const diarized = await compare(meetingInput, undefined, ['--diarize']);
    raw['meeting --diarize'] = diarized;
    push(
      '',
      `With speaker labels (\`--diarize\`), the meeting: **${diarized.ours.wall.toFixed(2)} s, peak ${diarized.ours.peakMB} MB** for the whole tree (the design's bound: 750 MB).`,
    );

    if (!values['skip-long']) {
      const hour = await join(tmp, 'meeting-hour.wav', [meetingInput.file], 0, roomNoise(3600 - meeting.seconds));
      const hourInput: Input = { name: 'the meeting + 54.5 min of quiet room noise (60 min)', file: hour.file, language: 'en', seconds: hour.seconds };
      const plain = summarize([await ours(hourInput)]);
      const withSpeakers = summarize([await ours(hourInput, ['--diarize'])]);
      raw['hour'] = { plain, withSpeakers };
      push(
        '',
        '### Memory over length',
        '',
        "| input | time (s) | peak (MB) | peak / the 330 s meeting's |",
        '|---|---:|---:|---:|',
        `| ${hourInput.name} | ${plain.wall.toFixed(1)} | ${plain.peakMB} | ${(plain.peakMB / meetingPeak).toFixed(2)} |`,
        `| same, \`--diarize\` | ${withSpeakers.wall.toFixed(1)} | ${withSpeakers.peakMB} | ${(withSpeakers.peakMB / diarized.ours.peakMB).toFixed(2)} (against the meeting with \`--diarize\`) |`,
      );
    }

    push('', '### Precisions of base', '', 'The meeting (words kept, time, peak) and WER on the joined PT-BR and English recordings, one run each.', '');
    push('| precision | meeting: words | time (s) | peak (MB) | PT-BR WER | English WER |', '|---|---:|---:|---:|---:|---:|');
    const enInput: Input = { name: 'en', file: enJoined.file, language: 'en', seconds: enJoined.seconds, reference: en.map((c) => c.text).join(' ') };
    for (const precision of ['int8', 'q4', 'fp32']) {
      const m = summarize([await ours(meetingInput, ['--precision', precision])]);
      const p = summarize([await ours(inputs[1], ['--precision', precision])]);
      const e = summarize([await ours(enInput, ['--precision', precision])]);
      raw[`precision ${precision}`] = { meeting: m, pt: p, en: e };
      push(
        `| ${precision} | ${m.words} | ${m.wall.toFixed(2)} | ${m.peakMB} | ${(100 * wordErrorRate(inputs[1].reference!, p.text).wer).toFixed(1)} % | ${(100 * wordErrorRate(enInput.reference!, e.text).wer).toFixed(1)} % |`,
      );
    }
    push('', '<details><summary>raw runs</summary>', '', '```json', JSON.stringify(raw, null, 1), '```', '</details>', '');
    const generated = lines.join('\n');
    // The hand-written analysis below the generated part (profile, memory breakdown, larger models) is kept.
    const previous = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : '';
    const marker = '<!-- analysis -->';
    const analysis = previous.includes(marker) ? previous.slice(previous.indexOf(marker)) : '';
    fs.writeFileSync(OUT, generated + (analysis ? '\n' + analysis : ''));
    console.error(`bench: wrote ${OUT}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
