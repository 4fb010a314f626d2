// Pure helpers of the extension (no vscode): settings → TranscribeParams, output file naming,
// overall progress, error actions, and the manifest's contributions agreeing with the code.
import { test, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_SETTINGS, isModelPath, readSettings, settingKey, toLiveStartParams, toTranscribeParams, type Settings } from '../../src/extension/settings';
import { isMediaFile, MEDIA_EXTENSIONS, transcriptName } from '../../src/output/mediaNames';
import { keepBothName, keepBothNameAsync, languageIdFor } from '../../src/extension/outputPath';
import { OverallProgress } from '../../src/extension/progressMath';
import { actionsFor } from '../../src/extension/errorActions';
import { documentColumn, panelColumn } from '../../src/extension/columnChoice';
import { RESTART_LIMITS } from '../../src/engine/supervisor';
import { EXPORT_FORMATS } from '../../src/output/formats';

const config = (values: Record<string, unknown>) => ({ get: <T>(k: string) => values[k] as T | undefined });

describe('settings', () => {
  test('defaults: base, pt, int8, auto threads, md', () => {
    const { settings, problems } = readSettings(config({}));
    assert.deepEqual(settings, DEFAULT_SETTINGS);
    assert.deepEqual(problems, []);
    assert.equal(settings.model, 'base');
    assert.equal(settings.language, 'pt');
    assert.equal(settings.precision, 'int8');
    assert.equal(settings.threads, 0);
    assert.equal(settings.outputFormat, 'md');
  });

  test('valid values are kept (trimmed, language lower-cased)', () => {
    const { settings, problems } = readSettings(
      config({
        model: ' small ',
        language: 'EN',
        precision: 'fp32',
        threads: 3,
        ffmpegPath: '/usr/bin/ffmpeg',
        modelsPath: '~/m',
        outputFormat: 'srt',
        diarize: false,
        speakers: 3,
        'audio.device': 'vmic.monitor',
        'audio.recorder': 'arecord',
        'dictation.model': 'tiny',
        'dictation.keepRecording': true,
        'dictation.stopOnFocusLoss': true,
        'meetings.folder': 'notes/meetings',
      }),
    );
    assert.deepEqual(settings, {
      ...DEFAULT_SETTINGS,
      model: 'small',
      language: 'en',
      precision: 'fp32',
      threads: 3,
      ffmpegPath: '/usr/bin/ffmpeg',
      modelsPath: '~/m',
      outputFormat: 'srt',
      diarize: false,
      speakers: 3,
      audioDevice: 'vmic.monitor',
      audioRecorder: 'arecord',
      dictationModel: 'tiny',
      dictationKeepRecording: true,
      dictationStopOnFocusLoss: true,
      meetingsFolder: 'notes/meetings',
    });
    assert.deepEqual(problems, []);
  });

  test('invalid values fall back to defaults and are reported', () => {
    const { settings, problems } = readSettings(
      config({
        model: '',
        language: 'portuguese!',
        precision: 'int4',
        threads: -2,
        outputFormat: 'docx',
        ffmpegPath: 42,
        diarize: 'yes',
        speakers: 1.5,
        'audio.recorder': 'parecord',
        'dictation.keepRecording': 'no',
      }),
    );
    assert.deepEqual(settings, DEFAULT_SETTINGS);
    assert.equal(problems.length, 10);
    assert.match(problems.join('\n'), /transcrevai\.audio\.recorder: ignored invalid value "parecord"/);
    assert.match(problems.join('\n'), /transcrevai\.diarize: ignored invalid value "yes"/);
    assert.match(problems.join('\n'), /transcrevai\.speakers: ignored invalid value 1\.5/);
    assert.match(problems.join('\n'), /transcrevai\.precision: ignored invalid value "int4"/);
    assert.match(problems.join('\n'), /transcrevai\.threads: ignored invalid value -2/);
  });

  test('toLiveStartParams: microphone from the settings; speakers for meetings; recordings kept when asked', () => {
    assert.deepEqual(toLiveStartParams(DEFAULT_SETTINGS, 'dictation', 'tiny'), {
      mode: 'dictation',
      source: { kind: 'microphone' },
      model: 'tiny',
      language: 'pt',
      precision: 'int8',
    });
    const s = { ...DEFAULT_SETTINGS, audioDevice: 'hw:1', audioRecorder: 'arecord' as const, speakers: 3, threads: 2, dictationKeepRecording: true };
    assert.deepEqual(toLiveStartParams(s, 'meeting', 'base', '/w/meetings/m.wav'), {
      mode: 'meeting',
      source: { kind: 'microphone', recorder: 'arecord', device: 'hw:1' },
      model: 'base',
      language: 'pt',
      precision: 'int8',
      threads: 2,
      speakers: 3,
      wordTimings: true,
      recording: '/w/meetings/m.wav',
    });
    assert.equal(toLiveStartParams(s, 'dictation', 'base').keepRecording, true);
    // Word timings: meetings (the notes' unsure words), never dictation; off when the setting is.
    assert.equal(toLiveStartParams(s, 'dictation', 'base').wordTimings, undefined);
    assert.equal(toLiveStartParams({ ...s, wordTimings: false }, 'meeting', 'base').wordTimings, undefined);
  });

  test('toTranscribeParams: 0 threads and empty paths are left to the engine', () => {
    assert.deepEqual(toTranscribeParams(DEFAULT_SETTINGS, '/m/a.mp3'), {
      input: '/m/a.mp3',
      model: 'base',
      language: 'pt',
      precision: 'int8',
      wordTimings: true,
      diarize: true,
    });
    assert.equal(toTranscribeParams({ ...DEFAULT_SETTINGS, wordTimings: false }, '/m/a.mp3').wordTimings, undefined);
    assert.equal(toTranscribeParams({ ...DEFAULT_SETTINGS, wordTimings: false, wordCues: true }, '/m/a.mp3').wordTimings, true, 'word cues need the words');
  });

  test('toTranscribeParams: the beam size setting reaches the engine; greedy is its default', () => {
    assert.equal(toTranscribeParams({ ...DEFAULT_SETTINGS, beamSize: 5 }, '/m/a.mp3').beamSize, 5);
    assert.equal(toTranscribeParams(DEFAULT_SETTINGS, '/m/a.mp3').beamSize, undefined);
  });

  test('toTranscribeParams: speakers labelled by default, an exact count when set, none when off', () => {
    assert.equal(toTranscribeParams({ ...DEFAULT_SETTINGS, speakers: 2 }, '/m/a.mp3').speakers, 2);
    const off = toTranscribeParams({ ...DEFAULT_SETTINGS, diarize: false, speakers: 2 }, '/m/a.mp3');
    assert.equal(off.diarize, undefined);
    assert.equal(off.speakers, undefined);
  });

  test('toTranscribeParams: explicit values and a model override (a folder)', () => {
    const s: Settings = {
      ...DEFAULT_SETTINGS,
      threads: 2,
      ffmpegPath: '/opt/ffmpeg',
      modelsPath: '/models',
      language: 'auto',
      precision: 'fp32',
      diarize: false,
      wordTimings: false,
    };
    assert.deepEqual(toTranscribeParams(s, '/m/a.wav', '/models/custom'), {
      input: '/m/a.wav',
      model: '/models/custom',
      language: 'auto',
      precision: 'fp32',
      threads: 2,
      modelsPath: '/models',
      ffmpegPath: '/opt/ffmpeg',
    });
  });

  test('isModelPath', () => {
    assert.equal(isModelPath('base'), false);
    assert.equal(isModelPath('large-v3-turbo'), false);
    assert.equal(isModelPath('/home/u/whisper'), true);
    assert.equal(isModelPath('C:\\models\\w'), true);
    assert.equal(isModelPath('~/w'), true);
    assert.equal(isModelPath('./w'), true);
  });
});

describe('output path', () => {
  test('<name>.<format> next to the media', () => {
    assert.equal(transcriptName('/data/meeting.mp3', 'md'), 'meeting.md');
    assert.equal(transcriptName('/data/aula 1.final.m4a', 'srt'), 'aula 1.final.srt');
    assert.equal(transcriptName('C:\\x\\talk.WAV', 'vtt'), 'talk.vtt');
    assert.equal(transcriptName('/data/noext', 'txt'), 'noext.txt');
    assert.equal(transcriptName('/data/.hidden.ogg', 'json'), '.hidden.json');
  });

  test('keep both: first free "<name> (n).ext"', () => {
    assert.equal(
      keepBothName('talk.md', () => false),
      'talk (2).md',
    );
    const taken = new Set(['talk (2).md', 'talk (3).md']);
    assert.equal(
      keepBothName('talk.md', (c) => taken.has(c)),
      'talk (4).md',
    );
    assert.equal(
      keepBothName('a.b.srt', () => false),
      'a.b (2).srt',
    );
  });

  test('keep both (async, as used with workspace.fs)', async () => {
    const taken = new Set(['x (2).json']);
    assert.equal(await keepBothNameAsync('x.json', async (c) => taken.has(c)), 'x (3).json');
  });

  test('media extensions and untitled document languages', () => {
    assert.deepEqual([...MEDIA_EXTENSIONS], ['wav', 'mp3', 'mp4', 'm4a', 'ogg', 'webm', 'flac', 'mkv']);
    assert.equal(isMediaFile('/a/B.MKV'), true);
    assert.equal(isMediaFile('/a/b.txt'), false);
    assert.equal(languageIdFor('md'), 'markdown');
    assert.equal(languageIdFor('json'), 'json');
    assert.equal(languageIdFor('srt'), 'plaintext');
  });
});

describe('overall progress', () => {
  test('weights components, never goes backwards, increments sum to 100', () => {
    const p = new OverallProgress(false);
    let sum = 0;
    const steps = [
      p.update({ component: 'load', percent: 0 }),
      p.update({ component: 'decode', percent: 50 }),
      p.update({ component: 'load', percent: 100 }),
      p.update({ component: 'decode', percent: 100 }),
      p.update({ component: 'decode', percent: 40 }), // late, lower: ignored
      p.update({ component: 'transcription', percent: 42 }),
      p.update({ component: 'transcription', percent: 100 }),
    ];
    for (const s of steps) {
      assert.ok(s.increment >= 0);
      sum += s.increment;
    }
    assert.equal(steps[1].percent, 5); // decode 50 % of 10
    assert.equal(steps[3].percent, 15);
    assert.equal(steps[4].increment, 0);
    assert.equal(steps[5].percent, 20 + Math.floor(0.42 * 80)); // vad implied done
    assert.equal(sum, 100);
    assert.equal(p.percent, 100);
  });

  test('with diarization, transcription alone does not reach 100', () => {
    const p = new OverallProgress(true);
    assert.equal(p.update({ component: 'transcription', percent: 100 }).percent, 85);
    assert.equal(p.update({ component: 'diarization', percent: 100 }).percent, 100);
  });

  test('out-of-range percents are clamped', () => {
    const p = new OverallProgress();
    assert.equal(p.update({ component: 'transcription', percent: 250 }).percent, 100);
  });
});

describe('error actions', () => {
  test('ffmpeg missing → settings; model missing → download then folder; broken folder → folder first', () => {
    assert.deepEqual(actionsFor('internal', 'ffmpeg not found: install ffmpeg'), ['ffmpegSettings', 'log']);
    assert.deepEqual(actionsFor('model', 'Model "base" is not installed (looked in /x/base). Download it ... or pass --model <dir>.'), ['download', 'folder']);
    assert.deepEqual(actionsFor('model', 'Whisper model folder /x is incomplete: missing tokenizer.json'), ['folder', 'download']);
    assert.deepEqual(actionsFor('internal', 'boom'), ['log']);
    assert.deepEqual(actionsFor(undefined, 'boom'), ['log']);
  });
});

describe('package.json contributions agree with the code', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
  const activate = fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'extension', 'activate.ts'), 'utf8');

  test('every contributed command is registered, with category TranscrevAI, and vice versa', () => {
    const contributed = pkg.contributes.commands.map((c: { command: string }) => c.command).sort();
    const registered = [...activate.matchAll(/registerCommand\('([^']+)'/g)].map((m) => m[1]).sort();
    assert.deepEqual(contributed, registered);
    for (const c of pkg.contributes.commands) assert.equal(c.category, 'TranscrevAI');
  });

  test('settings defaults and enums match settings.ts', () => {
    const props = pkg.contributes.configuration.properties;
    for (const [key, value] of Object.entries(DEFAULT_SETTINGS)) {
      const name = `transcrevai.${settingKey(key as keyof Settings)}`;
      assert.ok(props[name], `${name} contributed`);
      assert.deepEqual(props[name].default, value, `default of ${name}`);
    }
    assert.deepEqual(props['transcrevai.audio.recorder'].enum, ['auto', 'sox', 'rec', 'arecord']);
    // The engine's own settings, read when the engine starts (context.ts), default to the supervisor's values.
    assert.deepEqual(props['transcrevai.engine.restartLimits'].default, RESTART_LIMITS);
    assert.equal(props['transcrevai.engine.cpuAffinity'].default, true);
    assert.equal(Object.keys(props).length, Object.keys(DEFAULT_SETTINGS).length);
    // The exportable formats of the registry; RTTM (speaker turns for scoring tools) is for the CLI only.
    assert.deepEqual(props['transcrevai.outputFormat'].enum, EXPORT_FORMATS);
    assert.ok(!props['transcrevai.outputFormat'].enum.includes('rttm'));
    assert.deepEqual(props['transcrevai.precision'].enum, ['int8', 'q4', 'fp32']);
  });

  test('explorer menu matches exactly the 8 media extensions', () => {
    const entry = pkg.contributes.menus['explorer/context'].find((m: { command: string }) => m.command === 'transcrevai.transcribeFile');
    const m = /resourceExtname =~ \/(.+)\/i/.exec(entry.when);
    assert.ok(m);
    const re = new RegExp(m[1], 'i');
    for (const ext of MEDIA_EXTENSIONS) {
      assert.ok(re.test(`.${ext}`), ext);
      assert.ok(re.test(`.${ext.toUpperCase()}`), ext);
    }
    for (const other of ['.md', '.mp', '.wave', '.txt', 'mp3', '.mp3.bak']) assert.ok(!re.test(other), other);
  });

  test('main points at dist/extension.js and activationEvents stays minimal', () => {
    assert.equal(pkg.main, './dist/extension.js');
    assert.deepEqual(pkg.activationEvents, []);
  });
});

test('dictated phrases join the text at the cursor: spaces, capitals after sentence ends, small letters after commas', async () => {
  const { joinDictation } = await import('../../src/extension/dictationText');
  assert.equal(joinDictation('hello there.', ''), 'Hello there.');
  assert.equal(joinDictation('and more', 'Done.'), ' And more');
  assert.equal(joinDictation('Ask not.', 'Americans,'), ' ask not.');
  assert.equal(joinDictation('I think so.', 'well,'), ' I think so.');
  assert.equal(joinDictation('NASA said so.', 'and then,'), ' NASA said so.');
  assert.equal(joinDictation('Olá.', 'linha\n'), 'Olá.');
  assert.equal(joinDictation('palavra', 'texto ('), 'palavra');
  assert.equal(joinDictation('  text  with   spaces ', 'a '), 'text with spaces');
  assert.equal(joinDictation(', then', 'first'), ', then');
  assert.equal(joinDictation('inserted', 'before', 'after'), ' inserted ');
  assert.equal(joinDictation('   ', 'x'), '');
});

test('our documents in one group, the panel beside them: found again, never a third group, no empty one left', () => {
  const g = (viewColumn: number, tabs: number, o: { documents?: boolean; panel?: boolean; active?: boolean } = {}) => ({
    viewColumn,
    tabs,
    documents: !!o.documents,
    panel: !!o.panel,
    active: !!o.active,
  });
  // A window with the person's file open: the transcript goes there, the panel beside it.
  assert.equal(documentColumn([g(1, 1, { active: true })]), 1);
  assert.equal(panelColumn([g(1, 2, { documents: true, active: true })]), 'beside');
  // Both found again, whatever is active.
  const two = [g(1, 3, { documents: true }), g(2, 1, { panel: true, active: true })];
  assert.equal(documentColumn(two), 1, 'the transcript reuses its group, not the active panel group');
  assert.equal(panelColumn(two), 2);
  // An empty window (Close All Editors leaves one empty group): it is used, not left empty beside a new one.
  assert.equal(documentColumn([g(1, 0, { active: true })]), 1);
  assert.equal(panelColumn([g(1, 0, { active: true })]), 1);
  // The panel alone in the only group: the documents open beside it.
  assert.equal(documentColumn([g(1, 1, { panel: true, active: true })]), 'beside');
  // The person's two groups: the panel takes the one without our documents, never a third.
  assert.equal(panelColumn([g(1, 2, { documents: true }), g(2, 2)]), 2);
  assert.equal(panelColumn([g(1, 2), g(2, 2, { documents: true })]), 1);
  assert.equal(documentColumn([g(1, 2), g(2, 2, { active: true })]), 2);
  assert.equal(documentColumn([]), 'beside');
  assert.equal(panelColumn([]), 'beside');
});
