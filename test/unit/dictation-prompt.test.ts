// The prompt a dictated phrase is decoded with, read from the decoder's own input (the real model and tokenizer): the
// workspace vocabulary first, then the newest tokens of the text before the cursor, as many as Whisper's prompt room
// holds, then the start-of-transcript sequence.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { phraseContext } from '../../src/engine/phraseContext';
import { loadWhisperModel, transcribeSamples } from '../../src/whisper';
import { MAX_VOCABULARY_TOKENS } from '../../src/whisper/decode';
import type { LoadedWhisperModel } from '../../src/whisper/model';
import { promptRoom } from '../../src/whisper/prompt';
import { modelDirOrSkip, readWav16k, TESTDATA } from '../fixtures/whisper/helpers';

const model = modelDirOrSkip('base');
/** jfk's "ask not" (3.2–4.5 s), a phrase as the live session cuts it. */
const ASK_NOT = { start: 3.196, end: 4.516 };
const SR = 16000;

/** Transcribes `samples` and returns the tokens of every decoding pass's first feed (its prompt), and the text. */
async function promptsOf(m: LoadedWhisperModel, samples: Float32Array, options: { initialPrompt?: string; vocabulary?: string }) {
  const prompts: number[][] = [];
  const startDecoding = m.inference.startDecoding.bind(m.inference);
  m.inference.startDecoding = (encoded) => {
    const pass = startDecoding(encoded);
    const feed = pass.feed.bind(pass);
    pass.feed = (tokens) => {
      prompts.push([...tokens]);
      return feed(tokens);
    };
    return pass;
  };
  try {
    const r = await transcribeSamples(m, samples, { language: 'en', ...options });
    return { prompts, text: r.segments.map((s) => s.text).join(' ') };
  } finally {
    m.inference.startDecoding = startDecoding;
  }
}

test('a phrase is decoded after the vocabulary and the end of the editor text, the prompt room filled exactly', { skip: model.skip }, async () => {
  const m = (await loadWhisperModel(model.dir, { precision: 'int8', threads: 2 })) as LoadedWhisperModel;
  try {
    const { tokenizer } = m;
    const special = tokenizer.special;
    const jfk = readWav16k(path.join(TESTDATA, 'en', 'jfk.wav'));
    const phrase = jfk.subarray(Math.round(ASK_NOT.start * SR), Math.round(ASK_NOT.end * SR));
    // An editor holding far more than a prompt: a speech's notes, line after line, then the phrase dictated before.
    const lines = Array.from({ length: 200 }, (_, i) => `Note ${i + 1}: the speech was given in Washington on a cold day.`);
    const editor = { before: `${lines.join('\n')}\n`, phrases: 0 };
    const context = phraseContext(editor, ['And so my fellow Americans,']);
    const vocabulary = 'Kennedy, Washington';
    const { prompts, text } = await promptsOf(m, phrase, { initialPrompt: context, vocabulary });
    const prompt = prompts[0];
    const vocabularyTokens = tokenizer.encode(' ' + vocabulary);
    const contextTokens = tokenizer.encode(' ' + context.trim());
    const room = promptRoom(m.config.max_target_positions);
    const sot = prompt.slice(prompt.lastIndexOf(special.sot));
    assert.equal(prompt[0], special.sotPrev);
    assert.deepEqual(prompt.slice(1, 1 + vocabularyTokens.length), vocabularyTokens, 'the vocabulary comes first');
    const kept = prompt.slice(1 + vocabularyTokens.length, prompt.length - sot.length);
    assert.equal(1 + vocabularyTokens.length + kept.length, 1 + room, 'vocabulary and editor text fill the prompt room exactly');
    assert.deepEqual(kept, contextTokens.slice(-kept.length), 'the newest tokens of the editor text');
    assert.ok(tokenizer.decode(kept).endsWith('And so my fellow Americans,'), 'the phrase before the cursor is the last thing in the prompt');
    assert.ok(contextTokens.length > kept.length, 'the editor text was longer than the prompt holds');
    assert.match(text, /ask not/i);

    // A vocabulary longer than its cap is cut to it, and the editor text still fills the rest of the room.
    const long = Array.from({ length: 80 }, (_, i) => `Term${i}`).join(', ');
    const cut = (await promptsOf(m, phrase, { initialPrompt: context, vocabulary: long })).prompts[0];
    assert.deepEqual(cut.slice(1, 1 + MAX_VOCABULARY_TOKENS), tokenizer.encode(' ' + long).slice(0, MAX_VOCABULARY_TOKENS));
    assert.equal(cut.length - sot.length, 1 + room);

    // No editor text and no earlier phrase: the phrase starts from the sot sequence alone.
    const alone = (await promptsOf(m, phrase, { initialPrompt: phraseContext({ before: '', phrases: 0 }, []) || undefined })).prompts[0];
    assert.deepEqual(alone, sot);
  } finally {
    await m.dispose();
  }
});

test('the editor text reaches the decoder as the user wrote it: a name spelled there is spelled so in the phrase', { skip: model.skip }, async () => {
  const m = (await loadWhisperModel(model.dir, { precision: 'int8', threads: 2 })) as LoadedWhisperModel;
  try {
    // LapsBM 0415 says "nestor pestana duzentos e sessenta e seis região central".
    const clip = path.join(TESTDATA, 'ptbr', 'lapsbm', 'LapsBM_0415.wav');
    assert.ok(fs.existsSync(clip));
    const samples = readWav16k(clip);
    // The name earlier in the text, not at its end: a prompt that ends in the words the audio starts with makes
    // Whisper take them as already written (it then skips them).
    const context = phraseContext({ before: 'O escritório fica na Rua Nestor Pestana, em São Paulo. Anote o endereço:', phrases: 0 }, []);
    const r = await transcribeSamples(m, samples, { language: 'pt', initialPrompt: context });
    assert.match(r.segments.map((s) => s.text).join(' '), /Nestor Pestana/);
  } finally {
    await m.dispose();
  }
});
