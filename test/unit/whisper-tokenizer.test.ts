// The tokenizer (tokenizer.json through @huggingface/tokenizers) against ids computed by the Rust
// `tokenizers` library (tools/reference/tokenizer_reference.py → test/fixtures/whisper/tokenizer-base.json).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { WhisperTokenizer, type GenerationConfig } from '../../src/whisper/tokenizer';
import { modelDirOrSkip } from '../fixtures/whisper/helpers';

const fixtureFile = path.join(__dirname, '../fixtures/whisper/tokenizer-base.json');
const fixture = JSON.parse(fs.readFileSync(fixtureFile, 'utf8')) as {
  cases: { text: string; ids: number[]; decoded: string }[];
  special: Record<string, number | null>;
};
const model = modelDirOrSkip(process.env.TRANSCREVAI_TEST_MODEL ?? 'base');

function load(): WhisperTokenizer {
  const generation = JSON.parse(fs.readFileSync(path.join(model.dir, 'generation_config.json'), 'utf8')) as GenerationConfig;
  return WhisperTokenizer.load(model.dir, generation);
}

test('encode equals Rust tokenizers ids; decode round-trips', { skip: model.skip }, () => {
  const tok = load();
  for (const c of fixture.cases) {
    assert.deepEqual(tok.encode(c.text), c.ids, JSON.stringify(c.text));
    assert.equal(tok.decode(c.ids), c.decoded, JSON.stringify(c.text));
  }
});

test('special tokens: sot, languages, tasks, notimestamps, timestamp begin, eot, sot_prev', { skip: model.skip }, () => {
  const tok = load();
  const s = fixture.special;
  assert.equal(tok.special.eot, s['<|endoftext|>']);
  assert.equal(tok.special.sot, s['<|startoftranscript|>']);
  assert.equal(tok.special.transcribe, s['<|transcribe|>']);
  assert.equal(tok.special.translate, s['<|translate|>']);
  assert.equal(tok.special.sotPrev, s['<|startofprev|>']);
  assert.equal(tok.special.noTimestamps, s['<|notimestamps|>']);
  assert.equal(tok.special.noSpeech, s['<|nospeech|>'] ?? s['<|nocaptions|>']);
  assert.equal(tok.special.timestampBegin, s['<|notimestamps|>']! + 1);
  if (s['<|0.00|>'] !== null) assert.equal(tok.special.timestampBegin, s['<|0.00|>']);
  assert.equal(tok.languageToken('pt'), s['<|pt|>']);
  assert.equal(tok.languageToken('EN'), s['<|en|>']);
  assert.equal(tok.languageToken('pt-BR'), s['<|pt|>']);
  assert.equal(tok.normalizeLanguage('pt_BR'), 'pt');
  assert.equal(tok.tokenLanguages.get(s['<|pt|>']!), 'pt');
  assert.ok(tok.languageTokens.size >= 99);
  assert.deepEqual(tok.sotSequence(true, 'pt', 'transcribe'), [s['<|startoftranscript|>'], s['<|pt|>'], s['<|transcribe|>']]);
  assert.throws(() => tok.languageToken('xx'), /Unknown language "xx"/);
  // timestamps and special tokens never reach the text
  const ids = [tok.special.sot, tok.special.timestampBegin, ...tok.encode(' olá'), tok.special.timestampBegin + 50, tok.special.eot];
  assert.equal(tok.decode(ids), ' olá');
});
