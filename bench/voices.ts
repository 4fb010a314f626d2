// The voice-profile thresholds, one per speaker embedder (GE2E, the older model in speaker/; CAM++, the overlap-aware
// method's in speaker-campplus/), from the shared speakers/ clips (5 speakers, Mandarin and English): every
// enrolment clip is a profile (as one recording's speaker is in the product), every test clip a later recording,
// also started 10 ms later. Prints the similarity of every trial and the false accept / false reject rates at each
// threshold, per embedder; then, for CAM++, the live labels' threshold: each clip as a phrase against a speaker's
// running mean. Writes docs/voices.md. Not a test. Never tuned on the AMI diarization files.
//   node --import tsx bench/voices.ts
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { decodeAudio } from '../src/audio/decode';
import { loadSpeakerModel } from '../src/diarization/embed';
import { embedRange, embedRangeFbank } from '../src/diarization/embedRange';
import { ONLINE_SAME_SPEAKER_CAMPPLUS } from '../src/diarization/online';
import { loadFbankEmbedder } from '../src/diarization/overlap/fbankEmbedder';
import { cosineSimilarity, l2normalize, mean } from '../src/diarization/vectors';
import { voiceMatchThreshold } from '../src/diarization/voiceProfiles';
import { auxiliaryModelDir } from '../src/models/paths';
import { SAMPLE_RATE, type SpeakerEmbedderKind } from '../src/vocabulary';
import { TESTDATA } from '../test/fixtures/shared';

const ROOT = path.resolve(__dirname, '..');
const DIR = path.join(TESTDATA, 'speakers');
const THRESHOLDS: Record<SpeakerEmbedderKind, number[]> = {
  ge2e: [0.6, 0.65, 0.7, 0.72, 0.75, 0.8, 0.85, 0.9],
  campplus: [0.5, 0.55, 0.6, 0.62, 0.65, 0.7, 0.75, 0.8, 0.85],
};
const ONLINE_THRESHOLDS = [0.4, 0.5, 0.55, 0.6, 0.62, 0.65, 0.66, 0.67, 0.68, 0.69, 0.7, 0.75];
const SHIFTS_MS = [0, 10];

interface Clip {
  speaker: string;
  file: string;
  /** 'cn' or 'en': 3d-speaker's clips say; sherpa-onnx's are Mandarin. */
  language: string;
}

/** Enrolment and test clips: sherpa-onnx's folders, and 3d-speaker's recordings "a" enrol and "b" test (speaker2 has only "a": cn enrols, en tests). */
function clips(): { enroll: Clip[]; test: Clip[] } {
  const who = (f: string) => f.replace(/-(test-)?sr-\d\.wav$/, '');
  const enroll = fs
    .readdirSync(path.join(DIR, 'enroll'))
    .filter((f) => f.endsWith('.wav'))
    .sort()
    .map((f) => ({ speaker: who(f), file: path.join(DIR, 'enroll', f), language: 'cn' }));
  const test = fs
    .readdirSync(path.join(DIR, 'test'))
    .filter((f) => f.endsWith('.wav'))
    .sort()
    .map((f) => ({ speaker: who(f), file: path.join(DIR, 'test', f), language: 'cn' }));
  const d3 = path.join(DIR, 'test', '3d-speaker');
  for (const f of fs
    .readdirSync(d3)
    .filter((n) => n.endsWith('.wav'))
    .sort()) {
    const speaker = `3d-${f.split('_')[0]}`;
    const isEnroll = f.includes('_a_') && !(speaker === '3d-speaker2' && f.includes('_en_'));
    (isEnroll ? enroll : test).push({ speaker, file: path.join(d3, f), language: f.includes('_en_') ? 'en' : 'cn' });
  }
  return { enroll, test };
}

interface Embedder {
  kind: SpeakerEmbedderKind;
  title: string;
  description: string;
  embed(samples: Float32Array): Promise<Float32Array>;
  dispose(): Promise<void>;
}

async function embedders(): Promise<Embedder[]> {
  const ge2e = await loadSpeakerModel(auxiliaryModelDir('speaker'), { threads: 2 });
  const campplus = await loadFbankEmbedder(auxiliaryModelDir('speaker-campplus'), { threads: 2 });
  return [
    {
      kind: 'ge2e',
      title: 'GE2E (the GE2E method, when the overlap-aware one falls back)',
      description: `the GE2E d-vector encoder (Resemblyzer, 256 dimensions, speaker/). A voice is the normalised mean of its 1.6 s window embeddings (embedRange), as a recording's speaker is.`,
      embed: async (s) => (await embedRange(ge2e, s))!,
      dispose: () => ge2e.dispose(),
    },
    {
      kind: 'campplus',
      title: 'CAM++ (the overlap-aware method)',
      description: `CAM++ from 3D-Speaker (${campplus.dim} dimensions, speaker-campplus/). A voice is one pass over the clip's filterbank (embedRangeFbank); a recording's speaker is the normalised mean of such embeddings over its 10 s chunks, so a clip of up to 10 s is one of them.`,
      embed: async (s) => (await embedRangeFbank(campplus, s))!,
      dispose: () => campplus.dispose(),
    },
  ];
}

const shifted = (samples: Float32Array, shiftMs: number): Float32Array => {
  const out = new Float32Array(samples.length + (shiftMs * SAMPLE_RATE) / 1000);
  out.set(samples, out.length - samples.length);
  return out;
};
const rate = (n: number, of: number) => `${((100 * n) / of).toFixed(1)} % (${n}/${of})`;
/** 0.70, 0.675: two decimals unless a third is needed. */
const fmt = (th: number) => th.toFixed(Math.abs(th * 100 - Math.round(th * 100)) > 1e-9 ? 3 : 2);
const range = (xs: number[]) => `${Math.min(...xs).toFixed(3)} to ${Math.max(...xs).toFixed(3)}`;

interface Trial {
  target: boolean;
  score: number;
  shiftMs: number;
  profile: string;
  test: string;
  crossLanguage: boolean;
}

/** The profile trials of one embedder, and its section of the report. */
function profileSection(e: Embedder, trials: Trial[], enroll: Clip[], test: Clip[]): string[] {
  const chosen = voiceMatchThreshold(e.kind);
  const targets = trials.filter((t) => t.target);
  const others = trials.filter((t) => !t.target);
  const sameLanguage = targets.filter((t) => !t.crossLanguage);
  const flips = trials.filter(
    (t) => t.shiftMs === 0 && t.score >= chosen !== trials.find((u) => u.shiftMs === 10 && u.profile === t.profile && u.test === t.test)!.score >= chosen,
  ).length;
  return [
    `## ${e.title}`,
    '',
    `Speaker model: ${e.description} Each of the ${enroll.length} enrolment clips is one profile; each of the ${test.length} test clips is a later recording, as it is and started 10 ms later.` +
      ` ${targets.length} same-speaker trials (${targets.length - sameLanguage.length} of them across languages), ${others.length} different-speaker trials.`,
    '',
    `Same speaker: similarity ${range(targets.map((t) => t.score))} (same language ${range(sameLanguage.map((t) => t.score))}); different speakers: ${range(others.map((t) => t.score))}.`,
    '',
    '| threshold | false accepts (a wrong name) | false rejects (no name) |',
    '|---|---|---|',
    ...[...new Set([...THRESHOLDS[e.kind], chosen])]
      .sort((a, b) => a - b)
      .map(
        (th) =>
          `| ${fmt(th)}${th === chosen ? ' (chosen)' : ''} | ${rate(others.filter((t) => t.score >= th).length, others.length)} | ${rate(targets.filter((t) => t.score < th).length, targets.length)} |`,
      ),
    '',
    `Misses at ${fmt(chosen)} across languages: ${targets.filter((t) => t.score < chosen && t.crossLanguage).length} of ${targets.filter((t) => t.score < chosen).length}. Decisions that flip when the test clip starts 10 ms later, at the chosen threshold: ${flips}.`,
    '',
    `### ${e.kind === 'ge2e' ? 'GE2E' : 'CAM++'}: same-speaker trials`,
    '',
    '| profile from | later recording | +10 ms | similarity |',
    '|---|---|---|---|',
    ...targets.map((t) => `| ${t.profile} | ${t.test} | ${t.shiftMs ? 'yes' : 'no'} | ${t.score.toFixed(3)} |`),
    '',
    `### ${e.kind === 'ge2e' ? 'GE2E' : 'CAM++'}: the most similar different-speaker trials`,
    '',
    '| profile from | recording | +10 ms | similarity |',
    '|---|---|---|---|',
    ...[...others]
      .sort((a, b) => b.score - a.score)
      .slice(0, 8)
      .map((t) => `| ${t.profile} | ${t.test} | ${t.shiftMs ? 'yes' : 'no'} | ${t.score.toFixed(3)} |`),
    '',
  ];
}

/** Every non-empty subset of `xs` (a speaker has at most 5 clips here). */
function subsets<T>(xs: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let m = 1; m < 1 << xs.length; m++) out.push(xs.filter((_, i) => m & (1 << i)));
  return out;
}

/**
 * The live labels: every clip is a phrase, compared with a speaker's running mean, i.e. the mean of any non-empty
 * set of that speaker's other clips (whatever order they came in), as OnlineSpeakers keeps it. Same speaker: the
 * phrase's own speaker's other clips; different: every set of another speaker's clips.
 */
function onlineSection(all: (Clip & { v: Float32Array[] })[]): string[] {
  const same: { score: number; crossLanguage: boolean; otherLanguage: boolean; shiftMs: number; phrase: string; of: number }[] = [];
  const diff: { score: number; shiftMs: number; phrase: string; speaker: string; of: number }[] = [];
  for (const [si, shiftMs] of SHIFTS_MS.entries()) {
    for (const p of all) {
      for (const speaker of new Set(all.map((c) => c.speaker))) {
        const rest = all.filter((c) => c.speaker === speaker && c !== p);
        for (const set of subsets(rest)) {
          // The running mean is of phrases heard as they are; the new phrase is the one shifted.
          const centroid = l2normalize(mean(set.map((c) => c.v[0])));
          const score = cosineSimilarity(centroid, p.v[si]);
          if (speaker === p.speaker) {
            same.push({
              score,
              crossLanguage: set.some((c) => c.language !== p.language),
              otherLanguage: set.every((c) => c.language !== p.language),
              shiftMs,
              phrase: path.basename(p.file),
              of: set.length,
            });
          } else diff.push({ score, shiftMs, phrase: path.basename(p.file), speaker, of: set.length });
        }
      }
    }
  }
  const sameLanguage = same.filter((t) => !t.crossLanguage);
  const single = (xs: { of: number; score: number }[]) => xs.filter((t) => t.of === 1).map((t) => t.score);
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const chosen = ONLINE_SAME_SPEAKER_CAMPPLUS;
  return [
    "## CAM++ live labels: a phrase against a speaker's running mean",
    '',
    `Each of the ${all.length} clips is a phrase (embedRangeFbank), as it is and started 10 ms later, compared with a speaker's running mean: the mean of any non-empty set of that speaker's other clips (every order the phrases could have come in), as OnlineSpeakers keeps it.` +
      ` ${same.length} same-speaker comparisons (${sameLanguage.length} within one language), ${diff.length} different-speaker ones.`,
    '',
    `Single phrases (a running mean of one): same speaker ${range(single(same))}, median ${median(single(same)).toFixed(3)}; same speaker and language ${range(single(sameLanguage))}, median ${median(single(sameLanguage)).toFixed(3)}; different speakers ${range(single(diff))}.` +
      ` Running means of any size: same speaker and language ${range(sameLanguage.map((t) => t.score))}; same speaker, the mean of clips in the other language only ${range(same.filter((t) => t.otherLanguage).map((t) => t.score))}; different speakers ${range(diff.map((t) => t.score))}.`,
    '',
    '| threshold | different speaker joined | same speaker, same language, apart | same speaker, a mean with the other language, apart |',
    '|---|---|---|---|',
    ...[...new Set([...ONLINE_THRESHOLDS, chosen])]
      .sort((a, b) => a - b)
      .map((th) => {
        const cross = same.filter((t) => t.crossLanguage);
        return `| ${fmt(th)}${th === chosen ? ' (chosen)' : ''} | ${rate(diff.filter((t) => t.score >= th).length, diff.length)} | ${rate(sameLanguage.filter((t) => t.score < th).length, sameLanguage.length)} | ${rate(cross.filter((t) => t.score < th).length, cross.length)} |`;
      }),
    '',
    `Chosen as for the profiles: no different speaker joined, then the fewest same-language splits; ${fmt(chosen)} sits between the highest different-speaker similarity (${Math.max(...diff.map((t) => t.score)).toFixed(3)}) and the lowest same-speaker, same-language one (${Math.min(...sameLanguage.map((t) => t.score)).toFixed(3)}).` +
      ' A person whose earlier phrases were all in another language is split off at any threshold that keeps different speakers apart.',
    '',
    'The most similar different-speaker comparisons:',
    '',
    '| phrase | +10 ms | running mean of | clips | similarity |',
    '|---|---|---|---|---|',
    ...[...diff]
      .sort((a, b) => b.score - a.score)
      .slice(0, 6)
      .map((t) => `| ${t.phrase} | ${t.shiftMs ? 'yes' : 'no'} | ${t.speaker} | ${t.of} | ${t.score.toFixed(3)} |`),
    '',
    'The least similar same-speaker, same-language comparisons:',
    '',
    '| phrase | +10 ms | clips in the mean | similarity |',
    '|---|---|---|---|',
    ...[...sameLanguage]
      .sort((a, b) => a.score - b.score)
      .slice(0, 6)
      .map((t) => `| ${t.phrase} | ${t.shiftMs ? 'yes' : 'no'} | ${t.of} | ${t.score.toFixed(3)} |`),
    '',
  ];
}

async function main(): Promise<void> {
  const { enroll, test } = clips();
  const decoded = new Map<string, Float32Array>();
  for (const c of [...enroll, ...test]) decoded.set(c.file, (await decodeAudio(c.file)).samples);
  const sections: string[] = [];
  const summary: string[] = [];
  let online: string[] = [];
  for (const e of await embedders()) {
    const embedded = await Promise.all(
      [...enroll, ...test].map(async (c) => ({ ...c, v: await Promise.all(SHIFTS_MS.map((ms) => e.embed(shifted(decoded.get(c.file)!, ms)))) })),
    );
    const byFile = new Map(embedded.map((c) => [c.file, c]));
    const trials: Trial[] = [];
    for (const [si, shiftMs] of SHIFTS_MS.entries()) {
      for (const t of test) {
        for (const p of enroll) {
          trials.push({
            target: p.speaker === t.speaker,
            score: cosineSimilarity(byFile.get(p.file)!.v[0], byFile.get(t.file)!.v[si]),
            shiftMs,
            profile: path.basename(p.file),
            test: path.basename(t.file),
            crossLanguage: p.language !== t.language,
          });
        }
      }
    }
    const section = profileSection(e, trials, enroll, test);
    sections.push(...section);
    summary.push(`${e.kind}:`, ...section.slice(4, 6 + 2 + THRESHOLDS[e.kind].length + 2));
    if (e.kind === 'campplus') online = onlineSection(embedded);
    await e.dispose();
  }
  const lines = [
    '# Voice profiles: the match thresholds',
    '',
    `Generated by \`node --import tsx bench/voices.ts\` on ${new Date().toISOString().slice(0, 10)}. CPU: ${os.cpus()[0]?.model ?? 'unknown'}, ${os.availableParallelism()} cores.`,
    '',
    `Data: ../shared/testdata/speakers, ${new Set(enroll.map((c) => c.speaker)).size} speakers, Mandarin and English. A profile keeps the embedder's space (the model file's hash) and only voices of the same space are compared, so each embedder has its own threshold,` +
      ' chosen the same way: no false accept on these trials (a wrong name on someone is worse than a "Speaker 2" the person renames), then the fewest misses, with a margin on both sides. Not tuned on the AMI diarization files.',
    '',
    ...sections,
    ...online,
  ];
  fs.writeFileSync(path.join(ROOT, 'docs', 'voices.md'), lines.join('\n'));
  console.log(summary.join('\n'));
  console.log(online.slice(0, 16).join('\n'));
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
