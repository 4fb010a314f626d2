// DER table on the shared diarization files (pyannote sample + AMI excerpts), for the shipped overlap-aware method
// (speaker segmentation + CAM++), the GE2E method it falls back to (chosen automatically over the VAD's speech), the
// MFCC fallback, and the "everyone is one speaker" baseline. Collar 0.25 s per side, overlap
// scored. Then the same neural DER under small perturbations (leading silence × onnxruntime threads, see
// test/fixtures/diarization/perturb.ts) and its worst case per file: a result that sits on a near-tie shows up
// there, not in the single-run table.
// Usage: node --import tsx bench/diarization-der.ts [--threads N] [--energy-vad] [--fallback-only]
//          [--perturb-only | --no-perturb] [--shifts 0,10,20,30] [--thread-counts 1,2] [--ge2e]
//   --ge2e: the perturbation grid for the GE2E method instead of the overlap-aware one.
import { aggregateDer, diarizationErrorRate, mergeRegions, type DerResult } from '../src/diarization/der';
import { diarize, loadSpeakerModel } from '../src/diarization/index';
import type { Turn } from '../src/diarization/types';
import { auxiliaryModelDir } from '../src/models/paths';
import { amiCases, pyannoteCase, readWav, speechSource, type Case } from '../test/fixtures/diarization/harness';
import { SHIFTS_MS, shiftTurns, THREAD_COUNTS, withLeadingSilence } from '../test/fixtures/diarization/perturb';

export interface Row {
  id: string;
  refSpeakers: number;
  /** The shipped method: speaker segmentation + CAM++ (it finds speech itself, no VAD). */
  overlap?: { der: DerResult; speakers: number; seconds: number };
  /** The GE2E method over the VAD's speech (the fallback when the overlap-aware models are missing). */
  neural?: { der: DerResult; speakers: number; method: string };
  /** Neural diarization on the reference speech regions (oracle VAD): isolates clustering from VAD errors. */
  oracle?: DerResult;
  fallback: { der: DerResult; speakers: number };
  /** Everyone is one speaker, over the same VAD speech regions. */
  baseline: DerResult;
}

export async function evaluate(cases: Case[], threads: number, withNeural = true): Promise<{ rows: Row[]; vad: string }> {
  const vad = await speechSource(threads);
  const rows: Row[] = [];
  for (const c of cases) {
    const samples = readWav(c.wav);
    const speech = await vad.detect(samples);
    const opts = { collar: 0.25, uem: c.uem };
    // Baseline: one speaker over the VAD speech regions (same missed/false-alarm time as the system).
    const baselineHyp: Turn[] = speech.map((r) => ({ start: r.start / 16000, end: r.end / 16000, speaker: 'one' }));
    const row: Row = {
      id: c.id,
      refSpeakers: new Set(c.reference.map((t) => t.speaker)).size,
      baseline: diarizationErrorRate(c.reference, baselineHyp, opts),
      fallback: { der: undefined as unknown as DerResult, speakers: 0 },
    };
    if (withNeural) {
      const t0 = performance.now();
      const ov = await diarize(samples, speech, { threads });
      if (ov.method !== 'overlap-aware') throw new Error(`overlap-aware models not used: ${ov.warnings.join(' ')}`);
      row.overlap = { der: diarizationErrorRate(c.reference, ov.turns, opts), speakers: ov.speakers.length, seconds: (performance.now() - t0) / 1000 };
      const r = await diarize(samples, speech, { threads, overlap: false });
      if (r.method === 'fallback-mfcc') throw new Error(`speaker model not used: ${r.warnings.join(' ')}`);
      row.neural = { der: diarizationErrorRate(c.reference, r.turns, opts), speakers: r.speakers.length, method: r.method };
      const oracleSpeech = mergeRegions(c.reference).map((t) => ({ start: Math.round(t.start * 16000), end: Math.round(t.end * 16000) }));
      row.oracle = diarizationErrorRate(c.reference, (await diarize(samples, oracleSpeech, { threads, overlap: false })).turns, opts);
    }
    const f = await diarize(samples, speech, { threads, method: 'fallback-mfcc' });
    row.fallback = { der: diarizationErrorRate(c.reference, f.turns, opts), speakers: f.speakers.length };
    rows.push(row);
  }
  return { rows, vad: vad.name };
}

const pct = (x: number) => (100 * x).toFixed(1);
const parts = (d: Omit<DerResult, 'mapping'>) => `${pct(d.der)} (${pct(d.missed / d.total)}/${pct(d.falseAlarm / d.total)}/${pct(d.confusion / d.total)})`;

export function table(rows: Row[]): string {
  const lines = [
    '| file | ref spk | overlap-aware DER % (miss/FA/conf) | spk | GE2E DER % (miss/FA/conf) | spk | GE2E method | GE2E, oracle VAD DER % | MFCC fallback DER % | spk | one-speaker baseline DER % |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const n = r.neural;
    const o = r.overlap;
    lines.push(
      `| ${r.id} | ${r.refSpeakers} | ${o ? parts(o.der) : '–'} | ${o?.speakers ?? '–'} | ${n ? parts(n.der) : '–'} | ${n?.speakers ?? '–'} | ${n?.method ?? '–'} | ${r.oracle ? pct(r.oracle.der) : '–'} | ${pct(r.fallback.der.der)} | ${r.fallback.speakers} | ${pct(r.baseline.der)} |`,
    );
  }
  const agg = (xs: DerResult[]) => aggregateDer(xs);
  const ovAll = rows.every((r) => r.overlap) ? agg(rows.map((r) => r.overlap!.der)) : undefined;
  const nAll = rows.every((r) => r.neural) ? agg(rows.map((r) => r.neural!.der)) : undefined;
  const oAll = rows.every((r) => r.oracle) ? agg(rows.map((r) => r.oracle!)) : undefined;
  const fAll = agg(rows.map((r) => r.fallback.der));
  const bAll = agg(rows.map((r) => r.baseline));
  lines.push(
    `| **overall** | | ${ovAll ? `**${parts(ovAll)}**` : '–'} | | ${nAll ? `**${parts(nAll)}**` : '–'} | | | ${oAll ? `**${pct(oAll.der)}**` : '–'} | **${pct(fAll.der)}** | | **${pct(bAll.der)}** |`,
  );
  if (rows.length > 1 && ovAll) {
    const mean = (xs: number[]) => pct(xs.reduce((s, x) => s + x, 0) / xs.length);
    lines.push(
      `| mean of the files | | ${mean(rows.map((r) => r.overlap!.der.der))} | | ${nAll ? mean(rows.map((r) => r.neural!.der.der)) : '–'} | | | | | | |`,
    );
  }
  return lines.join('\n');
}

export interface PerturbedCell {
  shiftMs: number;
  threads: number;
  der: DerResult;
  speakers: number;
  method: string;
}

export interface PerturbedRow {
  id: string;
  refSpeakers: number;
  /** One per shift × thread count, shifts outer. */
  cells: PerturbedCell[];
  worst: PerturbedCell;
}

export interface PerturbOptions {
  shiftsMs?: number[];
  threadCounts?: number[];
  /** 'overlap-aware' (the shipped method, default) or 'ge2e' (the fallback over the VAD's speech). */
  method?: 'overlap-aware' | 'ge2e';
}

/**
 * Neural DER of every case at every perturbation: `shiftMs` of leading silence (the hypothesis is moved back
 * by the same amount before scoring) × onnxruntime intra-op threads of both the VAD and the speaker model.
 */
export async function evaluatePerturbed(cases: Case[], options: PerturbOptions = {}): Promise<{ rows: PerturbedRow[]; vad: string }> {
  const shifts = options.shiftsMs ?? SHIFTS_MS;
  const threadCounts = options.threadCounts ?? THREAD_COUNTS;
  const cells = new Map<string, PerturbedCell[]>(cases.map((c) => [c.id, []]));
  let vadName = '';
  for (const threads of threadCounts) {
    const ge2e = options.method === 'ge2e';
    // The overlap-aware method finds speech itself: no VAD, and no GE2E model to load.
    const vad = ge2e ? await speechSource(threads) : undefined;
    vadName = vad?.name ?? 'none (speaker segmentation)';
    const model = ge2e ? await loadSpeakerModel(auxiliaryModelDir('speaker'), { threads }) : undefined;
    try {
      for (const c of cases) {
        const original = readWav(c.wav);
        for (const shiftMs of shifts) {
          const samples = withLeadingSilence(original, shiftMs);
          const r = vad ? await diarize(samples, await vad.detect(samples), { threads, model, overlap: false }) : await diarize(samples, [], { threads });
          const expected = ge2e ? r.method !== 'fallback-mfcc' && r.method !== 'overlap-aware' : r.method === 'overlap-aware';
          if (!expected) throw new Error(`${options.method ?? 'overlap-aware'} models not used: ${r.warnings.join(' ')}`);
          const der = diarizationErrorRate(c.reference, shiftTurns(r.turns, shiftMs / 1000), { collar: 0.25, uem: c.uem });
          cells.get(c.id)!.push({ shiftMs, threads, der, speakers: r.speakers.length, method: r.method });
        }
      }
    } finally {
      await model?.dispose();
    }
  }
  const order = (a: PerturbedCell, b: PerturbedCell) => a.shiftMs - b.shiftMs || a.threads - b.threads;
  const rows = cases.map((c) => {
    const cs = cells.get(c.id)!.sort(order);
    return {
      id: c.id,
      refSpeakers: new Set(c.reference.map((t) => t.speaker)).size,
      cells: cs,
      worst: cs.reduce((w, x) => (x.der.der > w.der.der ? x : w)),
    };
  });
  return { rows, vad: vadName };
}

/** Corpus-level DER of the per-file worst cases (each file at its own worst perturbation). */
export function worstCaseOverall(rows: PerturbedRow[]): number {
  return aggregateDer(rows.map((r) => r.worst.der)).der;
}

const distinct = (xs: (string | number)[]) => [...new Set(xs)].join('/');

export function perturbationTable(rows: PerturbedRow[]): string {
  const heads = rows[0]?.cells.map((c) => `${c.shiftMs} ms ×${c.threads}`) ?? [];
  const lines = [`| file | ref spk | ${heads.join(' | ')} | **worst** | spk found | method |`, `|---|---|${heads.map(() => '---|').join('')}---|---|---|`];
  for (const r of rows) {
    lines.push(
      `| ${r.id} | ${r.refSpeakers} | ${r.cells.map((c) => pct(c.der.der)).join(' | ')} | **${pct(r.worst.der.der)}** | ${distinct(r.cells.map((c) => c.speakers))} | ${distinct(r.cells.map((c) => c.method))} |`,
    );
  }
  if (rows.length > 1) {
    const perCell = heads.map((_, i) => pct(aggregateDer(rows.map((r) => r.cells[i].der)).der));
    lines.push(`| **overall** | | ${perCell.join(' | ')} | **${pct(worstCaseOverall(rows))}** | | |`);
  }
  return lines.join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const list = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1].split(',').map(Number) : undefined);
  const threads = Number(args[args.indexOf('--threads') + 1]) || 2;
  if (args.includes('--energy-vad')) process.env.TRANSCREVAI_DIAR_VAD = 'energy';
  const neural = !args.includes('--fallback-only');
  const perturb = neural && !args.includes('--no-perturb');
  const single = !args.includes('--perturb-only');
  const suites = [
    ['pyannote sample', [pyannoteCase()]],
    ['AMI excerpts', amiCases()],
  ] as const;
  (async () => {
    if (single) {
      for (const [name, cases] of suites) {
        const { rows, vad } = await evaluate([...cases], threads, neural);
        console.log(`\n### ${name} (VAD: ${vad}, collar 0.25 s, overlap scored)\n`);
        console.log(table(rows));
      }
    }
    if (perturb) {
      for (const [name, cases] of suites) {
        const method = args.includes('--ge2e') ? 'ge2e' : 'overlap-aware';
        const { rows, vad } = await evaluatePerturbed([...cases], { shiftsMs: list('--shifts'), threadCounts: list('--thread-counts'), method });
        console.log(`\n### ${name}, ${method} DER % under perturbations: leading silence × onnxruntime threads (VAD: ${vad})\n`);
        console.log(perturbationTable(rows));
      }
    }
  })().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
