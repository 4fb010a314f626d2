// What a vocabulary does to a transcript: the shared PT-BR clips transcribed with and without the names in them,
// by our engine and by faster-whisper (`hotwords`, the same mechanism) on the same checkpoint. Writes
// docs/vocabulary.md. Not a test.
//   npm run bench:vocabulary [-- --model base --threads 2 --no-peer]
// Measures, on each clip and on the 8 joined (0.7 s pauses), each also started 10 ms later:
//  - errors on the vocabulary's own words (substituted or deleted), with and without it;
//  - WER on every other word (insertions counted there), which must not get worse;
//  - on the English clips with the same (Portuguese) vocabulary: words of it that appear, and WER.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'node:util';
import { Engine } from '../src/engine/engine';
import { vocabularyPrompt, vocabularyTerms } from '../src/options/vocabularyList';
import { SAMPLE_RATE } from '../src/vocabulary';
import { englishClips, ptbrClips, type ReferenceClip } from '../test/fixtures/clips';
import { normalizedWords } from '../test/fixtures/whisper/helpers';
import { splitErrors } from '../test/fixtures/wordAlignment';
import { decodeWithPauses, writeJoined } from './joinAudio';
import { fwPython, fwVersion, runPeerJobs } from './peer';

const ROOT = path.resolve(__dirname, '..');
const { values } = parseArgs({ options: { model: { type: 'string' }, threads: { type: 'string' }, 'no-peer': { type: 'boolean' }, out: { type: 'string' } } });
const MODEL = values.model ?? 'base';
const THREADS = Number(values.threads ?? 2);
const OUT = values.out ?? path.join(ROOT, 'docs', 'vocabulary.md');
const SHIFTS_MS = [0, 10];

/** The names and titles the PT-BR references hold, as a user would list them. */
const VOCABULARY = 'Nestor Pestana, FalaBrasil, A Arte de Amar, A Metamorfose, Roma';
/** The words the vocabulary is for: its terms' words, without the articles and prepositions every sentence has. */
/** A control: terms that are in none of the clips, to tell what the names do from what any prompt does. */
const UNRELATED = 'Kubernetes, PostgreSQL, Grafana';
const FUNCTION_WORDS = new Set(['a', 'de']);
const NAMED = new Set(vocabularyTerms(VOCABULARY).flatMap((t) => normalizedWords(t).filter((w) => !FUNCTION_WORDS.has(w))));

interface Input {
  id: string;
  file: string;
  language: string;
  reference: string;
  shiftMs: number;
}

async function inputs(dir: string): Promise<Input[]> {
  const out: Input[] = [];
  const add = async (id: string, clips: ReferenceClip[], pause: number) => {
    const audio = await decodeWithPauses(
      clips.map((c) => c.wav),
      pause,
    );
    for (const shiftMs of SHIFTS_MS) {
      const file = path.join(dir, `${id.replace(/\W+/g, '_')}-${shiftMs}.wav`);
      writeJoined(file, [new Float32Array((shiftMs * SAMPLE_RATE) / 1000), ...audio], 'float32');
      out.push({ id, file, language: clips[0].language, reference: clips.map((c) => c.text).join(' '), shiftMs });
    }
  };
  const pt = ptbrClips();
  for (const c of pt) await add(c.id, [c], 0);
  await add(`pt: ${pt.length} clips joined`, pt, 0.7);
  for (const c of englishClips()) await add(c.id, [c], 0);
  return out;
}

type Who = 'ours' | 'fw';
type Key = `${Who}|${'none' | 'vocabulary' | 'unrelated'}`;

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'transcrevai-vocabulary-'));
  const engine = new Engine();
  const texts = new Map<string, string>(); // `${key}|${input.file}`
  try {
    const list = await inputs(tmp);
    const vocabulary = vocabularyPrompt(VOCABULARY)!;
    for (const input of list) {
      for (const [kind, words] of [
        ['none', undefined],
        ['vocabulary', vocabulary],
        ['unrelated', UNRELATED],
      ] as const) {
        if (kind === 'unrelated' && input.language !== 'pt') continue;
        const t = await engine.transcribe({
          input: input.file,
          model: MODEL,
          language: input.language,
          precision: 'int8',
          threads: THREADS,
          ...(words && { vocabulary: words }),
        });
        texts.set(`ours|${kind}|${input.file}`, t.segments.map((s) => s.text).join(' '));
      }
      console.error(`vocabulary: ours ${input.id} +${input.shiftMs} ms`);
    }
    const py = values['no-peer'] ? undefined : fwPython();
    if (py) {
      const jobs = list.flatMap((c) => [
        { id: `fw|none|${c.file}`, file: c.file, language: c.language, beam: 1 },
        { id: `fw|vocabulary|${c.file}`, file: c.file, language: c.language, beam: 1, hotwords: vocabulary },
      ]);
      for (const [id, run] of runPeerJobs(py, MODEL, THREADS, jobs)) texts.set(id, run.text);
    }
    const keys: Key[] = ['ours|none', 'ours|vocabulary', ...(py ? (['fw|none', 'fw|vocabulary'] as const) : [])];
    const label = (k: Key) =>
      `${k.startsWith('ours') ? 'ours' : 'faster-whisper'}, ${k.endsWith('none') ? 'no vocabulary' : k.endsWith('unrelated') ? `unrelated terms (\`${UNRELATED}\`)` : 'vocabulary'}`;
    const isNamed = (w: string) => NAMED.has(w);
    const sum = (k: Key, pick: (i: Input) => boolean) => {
      const total = { named: { errors: 0, words: 0 }, rest: { errors: 0, words: 0 } };
      for (const i of list.filter(pick)) {
        const e = splitErrors(i.reference, texts.get(`${k}|${i.file}`) ?? '', isNamed);
        total.named.errors += e.chosen.errors;
        total.named.words += e.chosen.words;
        total.rest.errors += e.rest.errors;
        total.rest.words += e.rest.words;
      }
      return total;
    };
    const pct = (e: { errors: number; words: number }) => `${((100 * e.errors) / Math.max(1, e.words)).toFixed(1)} % (${e.errors}/${e.words})`;

    const lines: string[] = [
      '# Vocabulary: names spelled right',
      '',
      `Generated by \`npm run bench:vocabulary\` (bench/vocabulary.ts) on ${new Date().toISOString().slice(0, 10)}. CPU: ${os.cpus()[0]?.model ?? 'unknown'}, ${os.availableParallelism()} cores, Node ${process.version}.`,
      '',
      `Whisper \`${MODEL}\` int8, ${THREADS} threads, greedy, language forced. Ours: the engine in-process with \`vocabulary\`. Peer: faster-whisper` +
        ` ${py ? fwVersion(py) : '(not run)'} on the CTranslate2 copy of the same checkpoint with \`hotwords\` (the same mechanism: the terms lead every window's prompt, before the previous text).`,
      '',
      `Vocabulary: \`${VOCABULARY}\`, the names and titles in the 8 PT-BR references. Its words are ${[...NAMED].map((w) => `"${w}"`).join(', ')};` +
        ' "errors on them" counts those reference words substituted or deleted, "WER of the rest" every other word (insertions included).' +
        ` Every input is run as it is and started ${SHIFTS_MS[1]} ms later; the figures add both.`,
      '',
      '## Portuguese (8 clips one by one, and joined into one recording)',
      '',
      "| run | errors on the vocabulary's words, clips | WER of the rest, clips | errors on its words, joined | WER of the rest, joined |",
      '|---|---|---|---|---|',
    ];
    const isClip = (i: Input) => i.language === 'pt' && !i.id.includes('joined');
    const isJoined = (i: Input) => i.id.includes('joined');
    for (const k of [...keys, 'ours|unrelated' as const]) {
      const c = sum(k, isClip);
      const j = sum(k, isJoined);
      lines.push(`| ${label(k)} | ${pct(c.named)} | ${pct(c.rest)} | ${pct(j.named)} | ${pct(j.rest)} |`);
    }
    lines.push(
      '',
      'How to read it: the first rows with and without the vocabulary are the effect of the names; the last row (terms said in none of the clips) is the effect of having a prompt at all.' +
        ' On a short clip decoded alone, any prompt can turn a borderline word (for example "a duração" → "adoração"); in a longer recording every window after the first has the previous text as prompt anyway, which is the joined column.',
    );
    lines.push(
      '',
      '## English clips with the same Portuguese vocabulary (terms that are never said)',
      '',
      '| run | WER | vocabulary words that appear |',
      '|---|---|---|',
    );
    const isEnglish = (i: Input) => i.language === 'en';
    for (const k of keys) {
      const e = sum(k, isEnglish);
      const appeared = list
        .filter(isEnglish)
        .flatMap((i) => normalizedWords(texts.get(`${k}|${i.file}`) ?? '').filter(isNamed))
        .filter((w) => !list.some((i) => isEnglish(i) && normalizedWords(i.reference).includes(w)));
      lines.push(
        `| ${label(k)} | ${pct({ errors: e.rest.errors + e.named.errors, words: e.rest.words + e.named.words })} | ${appeared.length ? appeared.join(', ') : 'none'} |`,
      );
    }
    lines.push('', '## Every Portuguese transcript', '', '| input | start | run | text |', '|---|---|---|---|');
    for (const i of list.filter((x) => x.language === 'pt' && !isJoined(x))) {
      for (const k of keys) lines.push(`| ${i.id} | +${i.shiftMs} ms | ${label(k)} | ${(texts.get(`${k}|${i.file}`) ?? '').trim()} |`);
    }
    fs.writeFileSync(OUT, lines.join('\n') + '\n');
    console.error(`vocabulary: wrote ${OUT}`);
  } finally {
    await engine.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
