// The extension's commands run end to end in plain Node against a stand-in `vscode` module
// (test/unit/helpers/fakeVscode.ts) and a scripted engine process that speaks the real protocol:
// activation, lazy engine start, progress, output next to the media (Keep both / Cancel), untitled
// fallback on read-only file systems, model-missing prompt, engine restart after a crash, model download
// through the catalogue from a local HTTPS server, and shutdown on deactivate.
import { readVoiceProfiles, writeVoiceProfiles } from '../../src/files/voiceStore';
import { test, describe, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as https from 'https';
import * as os from 'os';
import * as path from 'path';
import type { AddressInfo } from 'net';
import { createFakeVscode, FakeDocument, FakeEditor, installFakeVscode, Uri } from './helpers/fakeVscode';
import { localhostCert } from '../fixtures/tlsCert';
import { writeToyWhisperFolder } from '../fixtures/onnxGraphs';
import { formatBytes } from '../../src/models/catalog';
import { availableMemoryMB, recommendModel } from '../../src/models/machineFit';

const FAKE_ENGINE = `
const fs = require('fs');
const log = process.env.FAKE_ENGINE_LOG;
process.send({ type: 'ready', pid: process.pid, startupMs: 3 });
process.on('disconnect', () => process.exit(0));
process.on('message', (m) => {
  if (m.type !== 'request') return;
  if (log) fs.appendFileSync(log, JSON.stringify({ method: m.method, params: m.params }) + '\\n');
  const reply = (result) => process.send({ type: 'response', id: m.id, ok: true, result });
  if (m.method === 'shutdown') { reply({ ok: true }); setTimeout(() => process.exit(0), 10); return; }
  if (m.method === 'cancel') { reply({ cancelled: true }); return; }
  if (m.method === 'live.start') {
    reply({ sessionId: m.id, recording: '/tmp/fake-dictation.wav' });
    const ev = (event, ms) => setTimeout(() => process.send({ type: 'live', sessionId: m.id, event }), ms);
    ev({ kind: 'level', rms: 0.1, peak: 0.5, seconds: 0.5 }, 5);
    ev({ kind: 'partial', start: 0.2, text: 'And so my' }, 10);
    ev({ kind: 'final', segment: { start: 0.2, end: 2.3, text: 'And so my fellow Americans,' } }, 20);
    ev({ kind: 'final', segment: { start: 3.1, end: 7.6, text: 'Ask not what your country can do for you.' } }, 30);
    ev({ kind: 'final', segment: { start: 8.0, end: 11.0, text: 'ask what you can do for your country.' } }, 40);
    return;
  }
  if (m.method === 'live.stop') {
    reply({ sessionId: m.params.sessionId, mode: 'dictation', gaps: [], queuePeak: 1, transcript: { input: '/tmp/fake-dictation.wav', model: 'tiny', precision: 'int8', language: 'en', duration: 11, segments: [], timing: { load: 0, decode: 0, transcribe: 0, total: 11 }, rtf: 0 } });
    return;
  }
  if (m.method === 'transcribe') {
    if (fs.existsSync(process.env.FAKE_ENGINE_CRASH_FLAG || '/nonexistent')) { fs.rmSync(process.env.FAKE_ENGINE_CRASH_FLAG); process.exit(9); }
    const p = m.params;
    if (p.input.endsWith('bad.wav')) { process.send({ type: 'response', id: m.id, ok: false, error: { kind: 'internal', message: 'ffmpeg not found: install ffmpeg' } }); return; }
    const progress = (component, percent) => process.send({ type: 'progress', jobId: m.id, progress: { component, percent } });
    progress('load', 100); progress('decode', 100); progress('transcription', 42); progress('transcription', 100);
    process.send({ type: 'log', level: 'info', message: 'fake engine did the job' });
    // With word timings, the words (one unsure); talk.mp3's second phrase is a loop.
    const loop = p.input.endsWith('talk.mp3');
    const second = loop ? 'Tudo bem? Tudo bem? Tudo bem?' : 'Tudo bem?';
    const words = (list) => (p.wordTimings ? { words: list.map(([text, start, end, probability]) => ({ text, start, end, probability })) } : {});
    reply({
      input: p.input, model: 'tiny', precision: p.precision, language: p.language, duration: 4,
      segments: [
        { start: 0, end: 2, text: 'Olá mundo.', ...words([[' Olá', 0.1, 0.6, 0.95], [' mundo.', 0.7, 1.8, 0.31]]) },
        { start: 2, end: 4, text: second, ...words(second.split(' ').map((w, i) => [' ' + w, 2 + i * 0.3, 2.3 + i * 0.3, 0.9])) },
      ],
      timing: { load: 0.1, decode: 0.1, transcribe: 0.5, total: 0.7 }, rtf: 0.175,
    });
  }
});
`;

// What the stand-in hub serves: a Whisper-shaped toy model's float graphs (the download makes its int8 graphs here
// with the real quantizer) and the text files.
const TOY_FOLDER = writeToyWhisperFolder(fs.mkdtempSync(path.join(os.tmpdir(), 'transcrevai-toy-')));
const MODEL_FILES: Record<string, Buffer> = {
  'config.json': fs.readFileSync(path.join(TOY_FOLDER, 'config.json')),
  'generation_config.json': Buffer.from('{}'),
  'tokenizer.json': Buffer.from('{"t": 1}'),
  'onnx/encoder_model.onnx': fs.readFileSync(path.join(TOY_FOLDER, 'onnx', 'encoder_model.onnx')),
  'onnx/decoder_model_merged.onnx': fs.readFileSync(path.join(TOY_FOLDER, 'onnx', 'decoder_model_merged.onnx')),
};
const DOWNLOAD_LABEL = formatBytes(Object.values(MODEL_FILES).reduce((n, b) => n + b.length, 0));
/** An installed model as the tests find it: the text files and int8 graphs (their bytes are never run here). */
const INSTALLED_FILES: Record<string, string> = {
  'config.json': '{}',
  'generation_config.json': '{}',
  'tokenizer.json': '{"t": 1}',
  'onnx/encoder_model_int8.onnx': 'E'.repeat(5000),
  'onnx/decoder_model_merged_int8.onnx': 'D'.repeat(7000),
};

async function waitUntil(probe: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('extension commands (stand-in vscode, scripted engine)', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'transcrevai-ext-'));
  const extDir = path.join(root, 'ext');
  const modelsDir = path.join(root, 'models');
  const mediaDir = path.join(root, 'media');
  const engineLog = path.join(root, 'engine.log');
  const crashFlag = path.join(root, 'crash');
  let server: https.Server;
  let fake: ReturnType<typeof createFakeVscode>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let ext: any;
  const globalStorage = path.join(root, 'global-storage');
  const context = {
    extensionPath: extDir,
    extensionUri: Uri.file(extDir),
    globalStorageUri: Uri.file(globalStorage),
    subscriptions: [] as { dispose(): unknown }[],
    extension: { packageJSON: { version: '0.1.0' } },
  };

  const requests = () =>
    fs.existsSync(engineLog)
      ? fs
          .readFileSync(engineLog, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l))
          .filter((r) => r.method === 'transcribe')
      : [];

  before(async () => {
    // The hub over https with a certificate of its own, trusted the standard way (NODE_EXTRA_CA_CERTS).
    const tlsCert = localhostCert();
    fs.writeFileSync(path.join(root, 'ca.pem'), tlsCert.cert);
    process.env.NODE_EXTRA_CA_CERTS = path.join(root, 'ca.pem');
    server = https.createServer(tlsCert, (req, res) => {
      const rel = decodeURIComponent(new URL(req.url!, 'https://x').pathname.replace(/^\/m\//, ''));
      const body = MODEL_FILES[rel];
      if (!body) return res.writeHead(404).end();
      res.writeHead(200, { 'Content-Length': body.length }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const base = `https://127.0.0.1:${(server.address() as AddressInfo).port}/m/`;
    fs.mkdirSync(path.join(extDir, 'dist'), { recursive: true });
    fs.mkdirSync(path.join(extDir, 'models'), { recursive: true });
    fs.writeFileSync(path.join(extDir, 'dist', 'engine.js'), FAKE_ENGINE);
    const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
    const files = Object.entries(MODEL_FILES).map(([p, b]) => ({ path: p, bytes: b.length, sha256: sha256(b) }));
    // The hub's int8 graphs are listed (and would 404): a download must never ask for them.
    files.push(
      { path: 'onnx/encoder_model_int8.onnx', bytes: 99, sha256: 'e'.repeat(64) },
      { path: 'onnx/decoder_model_merged_int8.onnx', bytes: 99, sha256: 'd'.repeat(64) },
    );
    const layout = {
      int8: ['onnx/encoder_model_int8.onnx', 'onnx/decoder_model_merged_int8.onnx'],
      fp32: ['onnx/encoder_model.onnx', 'onnx/decoder_model_merged.onnx'],
    };
    fs.writeFileSync(
      path.join(extDir, 'models', 'catalog.json'),
      JSON.stringify({
        version: 1,
        layout,
        models: { tiny: { url_base: base, files }, base: { url_base: base, files }, 'tiny.en': { url_base: base, files, multilingual: false } },
      }),
    );
    // "tiny" installed, "base" not.
    for (const [p, b] of Object.entries(INSTALLED_FILES)) {
      fs.mkdirSync(path.dirname(path.join(modelsDir, 'tiny', p)), { recursive: true });
      fs.writeFileSync(path.join(modelsDir, 'tiny', p), b);
    }
    fs.mkdirSync(mediaDir);
    for (const f of ['talk.mp3', 'aula.wav', 'bad.wav', 'ro.ogg']) fs.writeFileSync(path.join(mediaDir, f), 'media');
    process.env.FAKE_ENGINE_LOG = engineLog;
    process.env.FAKE_ENGINE_CRASH_FLAG = crashFlag;

    // Diarization off: the scripted engine reports no diarization progress (its weights are checked in extension-helpers).
    fake = createFakeVscode({ 'transcrevai.model': 'tiny', 'transcrevai.modelsPath': modelsDir, 'transcrevai.language': 'pt', 'transcrevai.diarize': false });
    installFakeVscode(fake.vscode);
    ext = require('../../src/extension/activate');
    ext.activate(context);
  });

  after(async () => {
    await ext?.deactivate();
    server.closeAllConnections();
    server.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('activation registers the commands and starts no engine', () => {
    assert.deepEqual([...fake.commands.keys()].sort(), [
      'transcrevai.chooseLanguage',
      'transcrevai.downloadModel',
      'transcrevai.playAt',
      'transcrevai.rememberedVoices',
      'transcrevai.showLog',
      'transcrevai.showTranscript',
      'transcrevai.startMeeting',
      'transcrevai.stopMeeting',
      'transcrevai.toggleDictation',
      'transcrevai.transcribeFile',
      'transcrevai.transcribeFolder',
      'transcrevai.useModelFolder',
    ]);
    assert.equal(fs.existsSync(engineLog), false);
  });

  test('dictation: partial text as ghost text, each final phrase inserted at the cursor as one undo step, spaced and capitalised', async () => {
    const doc = new FakeDocument(Uri.from({ scheme: 'untitled', path: 'Untitled-1' }), 'Notes:');
    const editor = new FakeEditor(doc);
    fake.vscode.window.activeTextEditor = editor;
    fake.vscode.window.visibleTextEditors = [editor];
    fake.config['transcrevai.audio.device'] = 'vmic.monitor';
    try {
      await fake.vscode.commands.executeCommand('transcrevai.toggleDictation');
      const start = fs
        .readFileSync(engineLog, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .find((r) => r.method === 'live.start');
      assert.deepEqual(start.params, {
        mode: 'dictation',
        source: { kind: 'microphone', device: 'vmic.monitor' },
        model: 'tiny',
        language: 'pt',
        precision: 'int8',
        modelsPath: modelsDir,
        // The text before the cursor: each phrase is decoded after it (#28).
        context: 'Notes:',
      });
      const ok = await new Promise<boolean>((resolve) => {
        const t0 = Date.now();
        const poll = setInterval(() => {
          if (editor.undoSteps.length === 3 || Date.now() - t0 > 5000) {
            clearInterval(poll);
            resolve(editor.undoSteps.length === 3);
          }
        }, 10);
      });
      assert.ok(ok, `inserted: ${JSON.stringify(editor.undoSteps)}`);
      assert.equal(doc.text, 'Notes: And so my fellow Americans, ask not what your country can do for you. Ask what you can do for your country.');
      assert.deepEqual(editor.undoSteps, [
        ' And so my fellow Americans,',
        ' ask not what your country can do for you.',
        ' Ask what you can do for your country.',
      ]);
      assert.ok(editor.decorations.includes(' And so my'), `decorations: ${JSON.stringify(editor.decorations)}`);
      assert.match(fake.statusBar[0].text, /Dictating/);
      assert.match(fake.statusBar[0].tooltip ?? '', /TranscrevAI: dictating[\s\S]*model tiny \(int8\), language pt/);
      await fake.vscode.commands.executeCommand('transcrevai.toggleDictation');
      assert.equal(editor.decorations.at(-1), '');
      assert.match(fake.statusBar[0].text, /\$\(mic\) TranscrevAI/);
      assert.ok(fs.readFileSync(engineLog, 'utf8').includes('"live.stop"'));
    } finally {
      fake.vscode.window.activeTextEditor = undefined;
      fake.vscode.window.visibleTextEditors = [];
      delete fake.config['transcrevai.audio.device'];
    }
  });

  test('transcribe from the explorer: params from settings, progress, talk.md written and opened beside', async () => {
    const media = Uri.file(path.join(mediaDir, 'talk.mp3'));
    await fake.vscode.commands.executeCommand('transcrevai.transcribeFile', media);
    const [req] = requests();
    assert.deepEqual(req.params, { input: media.fsPath, model: 'tiny', language: 'pt', precision: 'int8', modelsPath: modelsDir, wordTimings: true });
    const out = path.join(mediaDir, 'talk.md');
    const md = fs.readFileSync(out, 'utf8');
    assert.match(md, /\[00:00:00\] Olá mundo\./);
    assert.match(md, /Tudo bem\?/);
    const prog = fake.progress.at(-1)!;
    assert.ok(prog.messages.includes('Transcribing 53 %'), prog.messages.join(' | ')); // 20 + 0.42 × 80
    assert.equal(prog.increments, 100);
    assert.deepEqual(fake.opened.at(-1), { uri: Uri.file(out), viewColumn: fake.vscode.ViewColumn.Beside });
    assert.ok(
      fake.logs.some((l) =>
        /model tiny, precision int8, language pt, threads auto, 0 remembered voices, no vocabulary, ffmpeg \/\S+ \((ffmpeg-static|path)\)/.test(l),
      ),
    );
    assert.ok(fake.logs.some((l) => /\[engine\] fake engine did the job/.test(l)));
  });

  test('"▶ play" lenses on the stamps of a transcript written by the command, naming its recording; none on other Markdown', async () => {
    const out = path.join(mediaDir, 'talk.md');
    const text = fs.readFileSync(out, 'utf8');
    const [provider] = fake.codeLensProviders;
    const lenses = provider.provideCodeLenses({ getText: () => text, uri: Uri.file(out) });
    assert.deepEqual(
      lenses.map((l) => [l.command?.title, l.command?.command, ...(l.command?.arguments ?? [])]),
      [
        ['▶ play 00:00:00', 'transcrevai.playAt', path.join(mediaDir, 'talk.mp3'), 0],
        ['▶ play 00:00:02', 'transcrevai.playAt', path.join(mediaDir, 'talk.mp3'), 2],
      ],
    );
    assert.deepEqual(provider.provideCodeLenses({ getText: () => '# Notes\n\n[00:00:04] mine\n', uri: Uri.file(path.join(mediaDir, 'x.md')) }), []);
  });

  test('Problems: the unsure word as Information, the loop as a Warning, each with "Play this span"; a corrected word loses its mark', async () => {
    const out = path.join(mediaDir, 'talk.md');
    const text = fs.readFileSync(out, 'utf8');
    const uri = Uri.file(out).toString();
    const marks = () =>
      (fake.diagnostics.get(uri) ?? []).map((d) => [
        d.severity,
        text.split('\n')[d.range.start.line].slice(d.range.start.character, d.range.end.character),
        d.source,
      ]);
    const { Information, Warning } = fake.vscode.DiagnosticSeverity;
    assert.deepEqual(marks(), [
      [Information, 'mundo.', 'TranscrevAI'],
      [Warning, 'Tudo bem? Tudo bem? Tudo bem?', 'TranscrevAI'],
    ]);
    assert.match(fake.diagnostics.get(uri)![0].message, /unsure of “mundo\.” \(probability 31 %\)/);
    assert.match(fake.diagnostics.get(uri)![1].message, /“tudo bem” 3 times in a row/);
    const [provider] = fake.codeActionProviders;
    const doc = { getText: () => text, uri: Uri.file(out) };
    const actions = provider.provideCodeActions(doc, fake.diagnostics.get(uri)![0].range, { diagnostics: fake.diagnostics.get(uri)! });
    assert.deepEqual(
      actions.map((a) => [a.title, a.command?.command, ...(a.command?.arguments ?? []).map((x) => (typeof x === 'number' ? Math.round(x * 10) / 10 : x))]),
      [
        ['Play this span (00:00:00)', 'transcrevai.playAt', path.join(mediaDir, 'talk.mp3'), 0.4, 2.1],
        ['Play this span (00:00:02)', 'transcrevai.playAt', path.join(mediaDir, 'talk.mp3'), 1.7, 4.3],
      ],
    );
    // The person corrects "mundo." (and the document is opened again, as after a restart): that mark goes, the loop's stays.
    const edited = text.replace('Olá mundo.', 'Olá, mundo!');
    fs.writeFileSync(out, edited);
    const { ConfidenceDiagnostics } = require('../../src/extension/confidenceDiagnostics');
    fake.vscode.workspace.textDocuments = [{ uri: Uri.file(out), getText: () => edited }];
    const fresh = new ConfidenceDiagnostics({ ...{ extension: context, log: { warn() {} } }, transcriptWritten: new fake.vscode.EventEmitter() });
    try {
      assert.deepEqual(
        (fake.diagnostics.get(uri) ?? []).map((d) => d.severity),
        [Warning],
        'read back from global storage, the corrected word unmarked',
      );
    } finally {
      fresh.dispose();
      fake.vscode.workspace.textDocuments = [];
      fs.writeFileSync(out, text);
    }
  });

  test('existing output: "Keep Both" writes "talk (2).md", the original stays', async () => {
    const before = fs.readFileSync(path.join(mediaDir, 'talk.md'), 'utf8');
    fs.writeFileSync(path.join(mediaDir, 'talk.md'), 'mine');
    fake.handlers.warning = () => 'Keep Both';
    await fake.vscode.commands.executeCommand('transcrevai.transcribeFile', Uri.file(path.join(mediaDir, 'talk.mp3')));
    assert.equal(fs.readFileSync(path.join(mediaDir, 'talk.md'), 'utf8'), 'mine');
    assert.equal(fs.readFileSync(path.join(mediaDir, 'talk (2).md'), 'utf8'), before);
    assert.match(fake.shown.at(-1)!.message, /"talk\.md" already exists/);
    assert.deepEqual(fake.shown.at(-1)!.items, ['Overwrite', 'Keep Both']);
  });

  test('existing output: Cancel writes nothing; Overwrite replaces', async () => {
    fake.handlers.warning = () => undefined;
    fake.handlers.info = () => undefined;
    await fake.vscode.commands.executeCommand('transcrevai.transcribeFile', Uri.file(path.join(mediaDir, 'talk.mp3')));
    assert.equal(fs.readFileSync(path.join(mediaDir, 'talk.md'), 'utf8'), 'mine');
    assert.equal(fs.existsSync(path.join(mediaDir, 'talk (3).md')), false);
    assert.equal(fake.shown.at(-1)!.message, 'Transcript not saved.');
    fake.handlers.warning = () => 'Overwrite';
    await fake.vscode.commands.executeCommand('transcrevai.transcribeFile', Uri.file(path.join(mediaDir, 'talk.mp3')));
    assert.match(fs.readFileSync(path.join(mediaDir, 'talk.md'), 'utf8'), /Olá mundo/);
    fake.handlers.warning = undefined;
  });

  test('palette: file picker, srt format from settings', async () => {
    fake.config['transcrevai.outputFormat'] = 'srt';
    fake.handlers.openDialog = () => [Uri.file(path.join(mediaDir, 'aula.wav'))];
    await fake.vscode.commands.executeCommand('transcrevai.transcribeFile');
    assert.match(fs.readFileSync(path.join(mediaDir, 'aula.srt'), 'utf8'), /^1\n00:00:00,000 --> 00:00:02,000\nOlá mundo\./);
    fake.config['transcrevai.outputFormat'] = 'md';
    fake.handlers.openDialog = undefined;
  });

  test('read-only file system: the transcript opens as an untitled markdown document', async () => {
    fake.writable.set('vscode-vfs', false);
    const media = Uri.from({ scheme: 'vscode-vfs', path: path.join(mediaDir, 'ro.ogg').replace(/\\/g, '/') });
    await fake.vscode.commands.executeCommand('transcrevai.transcribeFile', media);
    const last = fake.opened.at(-1)!;
    assert.equal(last.language, 'markdown');
    assert.match(last.content!, /Olá mundo/);
    assert.equal(last.viewColumn, fake.vscode.ViewColumn.Beside);
    assert.equal(fs.existsSync(path.join(mediaDir, 'ro.md')), false);
    // The engine got a local temporary copy, removed afterwards.
    const input = requests().at(-1).params.input as string;
    assert.notEqual(input, media.fsPath);
    assert.equal(fs.existsSync(input), false);
  });

  test('ffmpeg missing: one error with "Open Settings"', async () => {
    await fake.vscode.commands.executeCommand('transcrevai.transcribeFile', Uri.file(path.join(mediaDir, 'bad.wav')));
    const last = fake.shown.at(-1)!;
    assert.equal(last.kind, 'error');
    assert.match(last.message, /ffmpeg not found/);
    assert.deepEqual(last.items, ['Open Settings', 'Show Log']);
  });

  test('ffmpeg setting pointing nowhere: caught before the engine runs', async () => {
    const count = requests().length;
    fake.config['transcrevai.ffmpegPath'] = path.join(root, 'no-ffmpeg');
    await fake.vscode.commands.executeCommand('transcrevai.transcribeFile', Uri.file(path.join(mediaDir, 'aula.wav')));
    delete fake.config['transcrevai.ffmpegPath'];
    const last = fake.shown.at(-1)!;
    assert.match(last.message, /ffmpeg not found at .*no-ffmpeg \(from the ffmpeg path setting\)/);
    assert.deepEqual(last.items, ['Open Settings', 'Show Log']);
    assert.equal(requests().length, count);
  });

  test('engine crash: clear error, next command restarts the engine', async () => {
    fs.writeFileSync(crashFlag, '1');
    await fake.vscode.commands.executeCommand('transcrevai.transcribeFile', Uri.file(path.join(mediaDir, 'aula.wav')));
    const err = fake.shown.at(-1)!;
    assert.equal(err.kind, 'error');
    assert.match(err.message, /stopped unexpectedly.*exit code 9.*restart the engine/);
    fake.handlers.warning = () => 'Overwrite';
    await fake.vscode.commands.executeCommand('transcrevai.transcribeFile', Uri.file(path.join(mediaDir, 'aula.wav')));
    assert.equal(fake.shown.filter((s) => s.kind === 'error').length, 3, 'no new error after the restart');
    assert.ok(fake.logs.filter((l) => /Starting engine/.test(l)).length >= 2);
    fake.handlers.warning = undefined;
  });

  test('model not installed: modal offers download (with size), an installed model or a folder; declining runs nothing', async () => {
    fake.config['transcrevai.model'] = 'base';
    const count = requests().length;
    fake.handlers.warning = () => undefined;
    await fake.vscode.commands.executeCommand('transcrevai.transcribeFile', Uri.file(path.join(mediaDir, 'aula.wav')));
    const prompt = fake.shown.at(-1)!;
    assert.match(prompt.message, /"base" \(int8\) is not installed/);
    // tiny is installed and multilingual: offered instead of a download.
    assert.deepEqual(prompt.items, [`Download (${DOWNLOAD_LABEL})`, 'Use "tiny" (installed)', 'Choose Folder…']);
    assert.equal(requests().length, count);
    fake.handlers.warning = (m) => (/not installed/.test(m) ? 'Use "tiny" (installed)' : 'Overwrite');
    await fake.vscode.commands.executeCommand('transcrevai.transcribeFile', Uri.file(path.join(mediaDir, 'aula.wav')));
    assert.equal(fake.config['transcrevai.model'], 'tiny');
    assert.equal(requests().at(-1).params.model, 'tiny');
    assert.equal(fs.existsSync(path.join(modelsDir, 'base')), false, 'nothing downloaded');
    fake.config['transcrevai.model'] = 'base';
    fake.handlers.warning = undefined;
  });

  test('model not installed → Download: fetched from the catalogue, then the transcription runs', async () => {
    fake.handlers.warning = (m) => (/not installed/.test(m) ? `Download (${DOWNLOAD_LABEL})` : 'Overwrite');
    await fake.vscode.commands.executeCommand('transcrevai.transcribeFile', Uri.file(path.join(mediaDir, 'aula.wav')));
    for (const p of Object.keys(INSTALLED_FILES)) assert.ok(fs.existsSync(path.join(modelsDir, 'base', p)), p);
    assert.equal(fs.existsSync(path.join(modelsDir, 'base', 'onnx', 'encoder_model.onnx')), false, 'the float graphs are deleted once used');
    assert.equal(fs.existsSync(path.join(modelsDir, 'base.partial')), false);
    assert.equal(requests().at(-1).params.model, 'base');
    assert.ok(fake.progress.some((p) => p.title === 'Downloading Whisper "base"' && p.increments === 100));
    // The dialog said what base needs on this machine, as measured (issue #27).
    const dialog = fake.shown.find((m) => /not installed yet/.test(m.message));
    assert.match(dialog?.detail ?? '', /"base" needs ≈ \d+ MB, \d+ min per hour of audio on 2 cores/);
    fake.handlers.warning = undefined;
  });

  test('an English-only model for Portuguese: the multilingual default is offered instead, and becomes the setting', async () => {
    fs.rmSync(path.join(modelsDir, 'base'), { recursive: true, force: true });
    fake.config['transcrevai.model'] = 'tiny.en';
    const prompts: { message: string; items: string[] }[] = [];
    fake.handlers.warning = (message, ...items) => {
      prompts.push({ message, items: items as string[] });
      return /English-only/.test(message) ? `Download (${DOWNLOAD_LABEL})` : 'Overwrite';
    };
    await fake.vscode.commands.executeCommand('transcrevai.transcribeFile', Uri.file(path.join(mediaDir, 'aula.wav')));
    assert.match(prompts[0].message, /for Portuguese: "tiny.en" is English-only .*"base" is offered instead/);
    assert.deepEqual(prompts[0].items, [`Download (${DOWNLOAD_LABEL})`, 'Use "tiny" (installed)', 'Choose Folder…']);
    assert.ok(fs.existsSync(path.join(modelsDir, 'base', 'onnx', 'encoder_model_int8.onnx')));
    assert.equal(fs.existsSync(path.join(modelsDir, 'tiny.en')), false, 'the English-only model is not fetched');
    assert.equal(fake.config['transcrevai.model'], 'base');
    assert.equal(requests().at(-1).params.model, 'base');
    fake.handlers.warning = undefined;
  });

  test('Choose Language: languages by name, Portuguese first; the pick becomes transcrevai.language', async () => {
    const before = fake.config['transcrevai.language'];
    let labels: string[] = [];
    fake.handlers.quickPick = (items) => {
      const list = items as { label: string; code?: string }[];
      labels = list.map((i) => i.label);
      return list.find((i) => i.code === 'de');
    };
    await fake.vscode.commands.executeCommand('transcrevai.chooseLanguage');
    assert.deepEqual(labels.slice(0, 4), ['Portuguese', 'English', 'Spanish', 'Detect automatically']);
    assert.ok(labels.includes('German') && labels.includes('Cantonese') && labels.includes('Javanese'), 'every Whisper language by name');
    assert.equal(fake.config['transcrevai.language'], 'de');
    fake.handlers.quickPick = () => undefined;
    await fake.vscode.commands.executeCommand('transcrevai.chooseLanguage');
    assert.equal(fake.config['transcrevai.language'], 'de', 'dismissed: unchanged');
    fake.config['transcrevai.language'] = before;
    fake.handlers.quickPick = undefined;
  });

  test('Download Model command: quick pick shows sizes and state', async () => {
    let listed: { label: string; description: string; detail?: string }[] = [];
    fake.handlers.quickPick = (items) => {
      listed = items as typeof listed;
      return undefined;
    };
    await fake.vscode.commands.executeCommand('transcrevai.downloadModel');
    assert.deepEqual(
      listed.map((i) => i.label),
      ['tiny', 'base', 'tiny.en'],
    );
    assert.match(listed[1].description, new RegExp(`^${DOWNLOAD_LABEL} download · int8 made here, ≈ \\d+ KB on disk · current setting( · |$)`));
    assert.equal(listed[0].detail, '$(check) Installed');
    // The most accurate model for the language that fits the memory free now is marked, and only it (issue #27).
    const marked = listed.filter((i) => i.description.includes('recommended: the most accurate that fits this machine')).map((i) => i.label);
    const models = listed.map((i) => ({ name: i.label, multilingual: !i.label.endsWith('.en'), baseUrl: 'https://x/', files: [] }));
    const expected = recommendModel(models, fake.config['transcrevai.language'] as string, 'int8', availableMemoryMB())?.model.name;
    assert.ok(expected, 'this machine has the memory for base');
    assert.deepEqual(marked, [expected]);
    // A measured model that is not installed says what it needs and how long it takes (tiny.en was measured).
    assert.match(listed[2].detail ?? '', /needs ≈ \d+ MB, \d+ min per hour of audio on 2 cores/);
  });

  test('Use Model Folder: an incomplete folder is refused with what is missing; a good one is referenced', async () => {
    const bad = path.join(root, 'badmodel');
    fs.mkdirSync(bad);
    fs.writeFileSync(path.join(bad, 'config.json'), '{}');
    fake.handlers.error = () => undefined;
    const r1 = await fake.vscode.commands.executeCommand('transcrevai.useModelFolder', Uri.file(bad));
    assert.equal(r1, undefined);
    assert.match(fake.shown.at(-1)!.message, /missing generation_config\.json, tokenizer\.json, onnx\/encoder_model\*\.onnx/);
    const good = path.join(modelsDir, 'tiny');
    const r2 = await fake.vscode.commands.executeCommand('transcrevai.useModelFolder', Uri.file(good));
    assert.equal(r2, good);
    assert.equal(fake.config['transcrevai.model'], good);
    // A folder model is passed to the engine as its path.
    fake.handlers.warning = () => 'Overwrite';
    await fake.vscode.commands.executeCommand('transcrevai.transcribeFile', Uri.file(path.join(mediaDir, 'aula.wav')));
    assert.equal(requests().at(-1).params.model, good);
    fake.handlers.warning = undefined;
  });

  test('explorer multi-selection and folders go through the queue: one after another, existing transcripts skipped, a summary', async () => {
    const a = Uri.file(path.join(mediaDir, 'm1.flac'));
    const b = Uri.file(path.join(mediaDir, 'm2.webm'));
    const c = Uri.file(path.join(mediaDir, 'm3.wav'));
    for (const u of [a, b, c]) fs.writeFileSync(u.fsPath, 'x');
    fs.writeFileSync(path.join(mediaDir, 'm3.md'), 'a transcript someone kept');
    const count = requests().length;
    await fake.vscode.commands.executeCommand('transcrevai.transcribeFile', a, [a, b, c]);
    await waitUntil(() => fake.shown.some((s) => /queue finished/.test(s.message)), 10_000);
    assert.equal(requests().length, count + 2, 'm3 is not transcribed again');
    assert.ok(fs.existsSync(path.join(mediaDir, 'm1.md')) && fs.existsSync(path.join(mediaDir, 'm2.md')));
    assert.equal(fs.readFileSync(path.join(mediaDir, 'm3.md'), 'utf8'), 'a transcript someone kept');
    assert.ok(fake.shown.some((s) => s.message === 'TranscrevAI: queue finished: 2 done, 1 skipped (transcript exists), 0 failed.'));
    // The panel showed each file's state as it went, and the summary at the end.
    assert.ok(fake.panelStates.some((s) => s.queue?.items.some((i) => i.name === 'm2.webm' && i.status === 'running')));
    assert.equal(fake.panelStates.at(-1)!.queue?.summary, '2 done, 1 skipped (transcript exists), 0 failed');
    const saved = JSON.parse(fs.readFileSync(path.join(globalStorage, 'queue.json'), 'utf8'));
    assert.deepEqual(
      saved.items.map((i: { status: string }) => i.status),
      ['done', 'done', 'skipped'],
    );
    // A folder: the media inside, recursively; the broken one fails alone, with its reason.
    const folder = path.join(mediaDir, 'folder');
    fs.mkdirSync(path.join(folder, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'f1.mp3'), 'x');
    fs.writeFileSync(path.join(folder, 'sub', 'f2.wav'), 'x');
    fs.writeFileSync(path.join(folder, 'notes.txt'), 'not media');
    fake.shown.length = 0;
    await fake.vscode.commands.executeCommand('transcrevai.transcribeFolder', Uri.file(folder));
    await waitUntil(() => fake.shown.some((s) => /queue finished/.test(s.message)), 10_000);
    assert.ok(fs.existsSync(path.join(folder, 'f1.md')) && fs.existsSync(path.join(folder, 'sub', 'f2.md')));
    assert.ok(fake.shown.some((s) => s.message === 'TranscrevAI: queue finished: 2 done, 0 skipped (transcript exists), 0 failed.'));
    // Cancel one from the panel before it starts: it is never transcribed.
    fs.rmSync(path.join(folder, 'f1.md'));
    fs.rmSync(path.join(folder, 'sub', 'f2.md'));
    fake.shown.length = 0;
    const count2 = requests().length;
    await fake.vscode.commands.executeCommand('transcrevai.transcribeFolder', Uri.file(folder));
    fake.panelSend.message!({ type: 'cancelQueued', index: 1 });
    await waitUntil(() => fake.shown.some((s) => /queue finished/.test(s.message)), 10_000);
    assert.equal(requests().length, count2 + 1);
    assert.equal(fs.existsSync(path.join(folder, 'sub', 'f2.md')), false);
    assert.ok(fake.shown.some((s) => s.message === 'TranscrevAI: queue finished: 1 done, 0 skipped (transcript exists), 0 failed, 1 cancelled.'));
  });

  test('a queue goes on when the engine stops under a file (that file is tried again) and when a file fails (its reason shown)', async () => {
    const folder = path.join(mediaDir, 'crashing');
    fs.mkdirSync(folder);
    for (const f of ['c1.wav', 'bad.wav', 'c3.wav']) fs.writeFileSync(path.join(folder, f), 'x');
    fs.writeFileSync(crashFlag, '1'); // the engine exits during the first request
    fake.shown.length = 0;
    await fake.vscode.commands.executeCommand('transcrevai.transcribeFolder', Uri.file(folder));
    await waitUntil(() => fake.shown.some((s) => /queue finished/.test(s.message)), 15_000);
    assert.ok(
      fake.shown.some((s) => s.message === 'TranscrevAI: queue finished: 2 done, 0 skipped (transcript exists), 1 failed.'),
      JSON.stringify(fake.shown),
    );
    assert.ok(fs.existsSync(path.join(folder, 'c1.md')) && fs.existsSync(path.join(folder, 'c3.md')));
    assert.ok(
      fake.logs.some((l) => /queue: the engine stopped during .*bad\.wav; trying it again|queue: the engine stopped during .*c1\.wav; trying it again/.test(l)),
    );
    const failed = fake.panelStates.at(-1)!.queue!.items.find((i) => i.status === 'failed') as { name: string; reason?: string };
    assert.deepEqual([failed.name, failed.reason], ['bad.wav', 'ffmpeg not found: install ffmpeg']);
  });

  test('remembered voices go with diarized jobs only; Remembered Voices forgets the picked ones after a modal "Forget"', async () => {
    const voice = (name: string) => ({ name, space: 'abc', embedding: [0.6, 0.8], created: '2026-12-03T10:00:00.000Z', source: 'talk.wav' });
    writeVoiceProfiles(path.join(globalStorage, 'voices.json'), [voice('Ana Lima'), voice('Bruno Dias')]);
    const media = Uri.file(path.join(mediaDir, 'voices.wav'));
    fs.writeFileSync(media.fsPath, 'x');
    await fake.vscode.commands.executeCommand('transcrevai.transcribeFile', media);
    assert.equal('voices' in requests().at(-1)!.params, false, 'no speakers, no voices');
    fake.config['transcrevai.diarize'] = true;
    fs.rmSync(path.join(mediaDir, 'voices.md'));
    await fake.vscode.commands.executeCommand('transcrevai.transcribeFile', media);
    fake.config['transcrevai.diarize'] = false;
    assert.deepEqual(
      (requests().at(-1)!.params.voices as { name: string }[]).map((v) => v.name),
      ['Ana Lima', 'Bruno Dias'],
    );
    // Forget one: the pick, then the modal's answer.
    fake.handlers.quickPick = (items) => [(items as { label: string }[]).find((i) => i.label === 'Ana Lima')];
    fake.handlers.warning = undefined;
    await fake.vscode.commands.executeCommand('transcrevai.rememberedVoices');
    assert.equal(readVoiceProfiles(path.join(globalStorage, 'voices.json')).length, 2, 'nothing forgotten without the modal answer');
    fake.handlers.warning = (_m, ...buttons) => buttons[0];
    await fake.vscode.commands.executeCommand('transcrevai.rememberedVoices');
    assert.deepEqual(
      readVoiceProfiles(path.join(globalStorage, 'voices.json')).map((v) => v.name),
      ['Bruno Dias'],
    );
    fake.handlers.quickPick = undefined;
    fake.handlers.warning = undefined;
  });

  test('deactivate shuts the engine down', async () => {
    await ext.deactivate();
    assert.ok(fake.logs.some((l) => /Engine stopped/.test(l)));
  });

  test('a queue VS Code closed on goes on at the next start: the running file again, then the rest; nothing done is redone', async () => {
    const item = (name: string, status: string) => ({ input: path.join(mediaDir, `${name}.wav`), output: path.join(mediaDir, `${name}.md`), status });
    for (const n of ['r1', 'r2', 'r3']) fs.writeFileSync(path.join(mediaDir, `${n}.wav`), 'x');
    fs.writeFileSync(path.join(mediaDir, 'r1.md'), 'done before the restart');
    fs.writeFileSync(
      path.join(globalStorage, 'queue.json'),
      JSON.stringify({ version: 1, items: [item('r1', 'done'), item('r2', 'running'), item('r3', 'waiting')] }),
    );
    const count = requests().length;
    fake.shown.length = 0;
    for (const d of context.subscriptions.splice(0)) d.dispose(); // as VS Code does when it closes
    ext.activate(context);
    await waitUntil(() => fake.shown.some((s) => /queue finished/.test(s.message)), 10_000);
    assert.ok(fake.shown.some((s) => s.message === 'TranscrevAI: going on with the transcription queue (2 left).'));
    assert.deepEqual(
      requests()
        .slice(count)
        .map((r) => path.basename(r.params.input as string)),
      ['r2.wav', 'r3.wav'],
    );
    assert.equal(fs.readFileSync(path.join(mediaDir, 'r1.md'), 'utf8'), 'done before the restart');
    assert.ok(fs.existsSync(path.join(mediaDir, 'r3.md')));
    await ext.deactivate();
  });
});
