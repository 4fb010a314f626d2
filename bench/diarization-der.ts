// DER table on the shared diarization files (pyannote sample + AMI excerpts), for the neural method chosen
// automatically, the MFCC fallback, and the "everyone is one speaker" baseline. Collar 0.25 s per side, overlap
// scored. Usage: node --import tsx bench/diarization-der.ts [--threads N] [--energy-vad] [--fallback-only]
import { aggregateDer, diarizationErrorRate, mergeRegions, type DerResult } from '../src/diarization/der';
import { diarize } from '../src/diarization/index';
import type { Turn } from '../src/diarization/types';
import { amiCases, pyannoteCase, readWav, speechSource, type Case } from '../test/fixtures/diarization/harness';

export interface Row {
  id: string;
  refSpeakers: number;
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
      const r = await diarize(samples, speech, { threads });
      if (r.method === 'fallback-mfcc') throw new Error(`speaker model not used: ${r.warnings.join(' ')}`);
      row.neural = { der: diarizationErrorRate(c.reference, r.turns, opts), speakers: r.speakers.length, method: r.method };
      const oracleSpeech = mergeRegions(c.reference).map((t) => ({ start: Math.round(t.start * 16000), end: Math.round(t.end * 16000) }));
      row.oracle = diarizationErrorRate(c.reference, (await diarize(samples, oracleSpeech, { threads })).turns, opts);
    }
    const f = await diarize(samples, speech, { threads, method: 'fallback-mfcc' });
    row.fallback = { der: diarizationErrorRate(c.reference, f.turns, opts), speakers: f.speakers.length };
    rows.push(row);
  }
  return { rows, vad: vad.name };
}

const pct = (x: number) => (100 * x).toFixed(1);

export function table(rows: Row[]): string {
  const lines = [
    '| file | ref spk | neural DER % (miss/FA/conf) | spk found | method | neural, oracle VAD DER % | fallback DER % | spk | one-speaker baseline DER % |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const n = r.neural;
    lines.push(
      `| ${r.id} | ${r.refSpeakers} | ${n ? `${pct(n.der.der)} (${pct(n.der.missed / n.der.total)}/${pct(n.der.falseAlarm / n.der.total)}/${pct(n.der.confusion / n.der.total)})` : '–'} | ${n?.speakers ?? '–'} | ${n?.method ?? '–'} | ${r.oracle ? pct(r.oracle.der) : '–'} | ${pct(r.fallback.der.der)} | ${r.fallback.speakers} | ${pct(r.baseline.der)} |`,
    );
  }
  const agg = (xs: DerResult[]) => aggregateDer(xs);
  const nAll = rows.every((r) => r.neural) ? agg(rows.map((r) => r.neural!.der)) : undefined;
  const oAll = rows.every((r) => r.oracle) ? agg(rows.map((r) => r.oracle!)) : undefined;
  const fAll = agg(rows.map((r) => r.fallback.der));
  const bAll = agg(rows.map((r) => r.baseline));
  lines.push(
    `| **overall** | | ${nAll ? `**${pct(nAll.der)}** (${pct(nAll.missed / nAll.total)}/${pct(nAll.falseAlarm / nAll.total)}/${pct(nAll.confusion / nAll.total)})` : '–'} | | | ${oAll ? `**${pct(oAll.der)}**` : '–'} | **${pct(fAll.der)}** | | **${pct(bAll.der)}** |`,
  );
  return lines.join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const threads = Number(args[args.indexOf('--threads') + 1]) || 2;
  if (args.includes('--energy-vad')) process.env.TRANSCREVAI_DIAR_VAD = 'energy';
  const neural = !args.includes('--fallback-only');
  (async () => {
    for (const [name, cases] of [['pyannote sample', [pyannoteCase()]], ['AMI excerpts', amiCases()]] as const) {
      const { rows, vad } = await evaluate([...cases], threads, neural);
      console.log(`\n### ${name} (VAD: ${vad}, collar 0.25 s, overlap scored)\n`);
      console.log(table(rows));
    }
  })().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
