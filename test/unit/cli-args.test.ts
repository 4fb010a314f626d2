// CLI argument parsing: defaults, every flag, usage errors (exit code 2), error line format.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseCli } from '../../src/cli/arguments';
import { errorLine, exitCodeOf } from '../../src/cli/reports';
import { OUTPUT_FORMATS } from '../../src/output/formats';
import { TranscrevError } from '../../src/errors';

const usageError = (argv: string[], pattern: RegExp) =>
  assert.throws(
    () => parseCli(argv, '/work'),
    (e: unknown) => {
      assert.ok(e instanceof TranscrevError, String(e));
      assert.equal(e.kind, 'usage');
      assert.equal(exitCodeOf(e), 2);
      assert.match(e.message, pattern);
      return true;
    },
  );

test('defaults: model base, language pt, format md, precision int8, input resolved against cwd', () => {
  assert.deepEqual(parseCli(['transcribe', 'a.wav'], '/work'), {
    kind: 'transcribe',
    params: { input: '/work/a.wav', model: 'base', language: 'pt', precision: 'int8' },
    format: 'md',
    out: undefined,
    progress: false,
  });
});

test('every flag', () => {
  const c = parseCli(
    [
      'transcribe',
      '/m/x.mp3',
      '--model',
      'small',
      '--language',
      'EN',
      '--format',
      'json',
      '--out',
      'o.json',
      '--threads',
      '3',
      '--precision',
      'fp32',
      '--progress',
      '--ffmpeg',
      '/usr/bin/ffmpeg',
    ],
    '/work',
  );
  assert.deepEqual(c, {
    kind: 'transcribe',
    params: { input: '/m/x.mp3', model: 'small', language: 'en', precision: 'fp32', threads: 3, ffmpegPath: '/usr/bin/ffmpeg' },
    format: 'json',
    out: '/work/o.json',
    progress: true,
  });
  const d = parseCli(['transcribe', 'x.wav', '--diarize', '--min-speakers', '2', '--max-speakers', '4', '--model', './models/base'], '/w');
  assert.equal(d.kind, 'transcribe');
  if (d.kind === 'transcribe') {
    assert.equal(d.params.model, '/w/models/base');
    assert.equal(d.params.diarize, true);
    assert.equal(d.params.minSpeakers, 2);
    assert.equal(d.params.maxSpeakers, 4);
  }
  assert.equal(parseCli(['transcribe', 'x', '--language', 'auto'], '/').kind, 'transcribe');
  assert.equal(parseCli(['transcribe', 'x', '--diarize', '--speakers', '2'], '/').kind, 'transcribe');
});

test('a speaker count or --format rttm implies --diarize; plain transcription does not diarize', () => {
  const diarizes = (args: string[]) => {
    const c = parseCli(['transcribe', 'x.wav', ...args], '/');
    assert.equal(c.kind, 'transcribe');
    return c.kind === 'transcribe' && c.params.diarize === true;
  };
  assert.equal(diarizes(['--speakers', '2']), true);
  assert.equal(diarizes(['--max-speakers', '3']), true);
  assert.equal(diarizes(['--format', 'rttm']), true);
  assert.equal(diarizes([]), false);
  assert.equal(diarizes(['--format', 'json']), false);
});

test('help, version, status', () => {
  assert.deepEqual(parseCli(['--help']), { kind: 'help' });
  assert.deepEqual(parseCli(['-h']), { kind: 'help' });
  assert.deepEqual(parseCli(['transcribe', '--help']), { kind: 'help' });
  assert.deepEqual(parseCli(['--version']), { kind: 'version' });
  assert.deepEqual(parseCli(['status']), { kind: 'status', ffmpegPath: undefined });
});

test('--beam-size reaches the request above 1; greedy (1, the default) is left to the engine', () => {
  const beam = (argv: string[]) => {
    const c = parseCli(['transcribe', 'a.wav', ...argv], '/work');
    return c.kind === 'transcribe' ? c.params.beamSize : 'not a transcribe command';
  };
  assert.equal(beam(['--beam-size', '5']), 5);
  assert.equal(beam(['--beam-size', '1']), undefined);
  assert.equal(beam([]), undefined);
  usageError(['transcribe', 'a', '--beam-size', '0'], /--beam-size must be a whole number from 1 to 10/);
});

test('several inputs, a folder, --out-dir or --shard make a batch; one file alone stays a transcribe', () => {
  const b = parseCli(['transcribe', 'a.mp3', 'dir', '--out-dir', 'out', '--shard', '2/3', '--format', 'srt', '--overwrite', '--language', 'en'], '/w');
  assert.equal(b.kind, 'batch');
  if (b.kind !== 'batch') return;
  assert.deepEqual(b.inputs, ['/w/a.mp3', '/w/dir']);
  assert.equal(b.outDir, '/w/out');
  assert.deepEqual(b.shard, { index: 2, count: 3 });
  assert.equal(b.format, 'srt');
  assert.equal(b.overwrite, true);
  assert.equal(b.params.language, 'en');
  assert.equal('input' in b.params, false);
  assert.equal(parseCli(['transcribe', 'a.mp3', '--shard', '1/1'], '/w').kind, 'batch');
  assert.equal(parseCli(['transcribe', 'a.mp3'], '/w').kind, 'transcribe');
  // A folder alone is a batch (written beside each file).
  assert.equal(parseCli(['transcribe', '.'], process.cwd()).kind, 'batch');
});

test('usage errors', () => {
  usageError([], /no command/);
  usageError(['transcribe'], /no input file/);
  usageError(['transcribe', 'a', 'b', '--out', 'x.md'], /--out names one file: with several inputs or a folder, use --out-dir/);
  usageError(['transcribe', 'a', 'b', '--shard', '3/2'], /--shard: expected K\/N/);
  usageError(['transcribe', 'a', '--shard', '1'], /K\/N, for example 1\/4/);
  usageError(['transcrib', 'a'], /unknown command "transcrib"/);
  usageError(['transcribe', 'a', '--bogus'], /Unknown option '--bogus'/);
  usageError(['transcribe', 'a', '--format', 'docx'], new RegExp(`--format must be one of ${OUTPUT_FORMATS.join(', ')} \\(got "docx"\\)`));
  usageError(['transcribe', 'a', '--precision', 'int4'], /--precision must be one of int8, q4, fp32/);
  usageError(['transcribe', 'a', '--threads', '0'], /--threads must be a whole number/);
  usageError(['transcribe', 'a', '--threads', '1.5'], /--threads/);
  usageError(['transcribe', 'a', '--threads', 'abc'], /--threads/);
  usageError(['transcribe', 'a', '--language', 'portuguese'], /--language must be auto or/);
  usageError(['transcribe', 'a', '--speakers', '0'], /--speakers must be a whole number/);
  usageError(['transcribe', 'a', '--diarize', '--speakers', '2', '--min-speakers', '1'], /either --speakers/);
  usageError(['transcribe', 'a', '--diarize', '--min-speakers', '3', '--max-speakers', '2'], /greater than/);
  usageError(['transcribe', 'a', '--model'], /argument missing|--model/);
  usageError(['status', 'x'], /takes no arguments/);
});

test('errors are one line, prefixed, with a help hint for usage errors', () => {
  assert.equal(errorLine(new TranscrevError('usage', 'bad\nflag')), 'transcrevai: error: bad flag (see transcrevai --help)');
  assert.equal(errorLine(new TranscrevError('bad-input', 'Input file not found: /x')), 'transcrevai: error: Input file not found: /x');
  assert.equal(exitCodeOf(new TranscrevError('model', 'x')), 4);
  assert.equal(exitCodeOf(new Error('boom')), 1);
});

test('dictate and meeting: microphone or file source, recording, queue, seconds; usage errors for what does not fit', () => {
  const d = parseCli(['dictate', '--language', 'en', '--device', 'vmic.monitor', '--recorder', 'arecord', '--seconds', '2.5', '--events'], '/w');
  assert.equal(d.kind, 'live');
  if (d.kind !== 'live') return;
  assert.deepEqual(d.params.source, { kind: 'microphone', recorder: 'arecord', device: 'vmic.monitor' });
  assert.equal(d.params.mode, 'dictation');
  assert.equal(d.seconds, 2.5);
  assert.ok(d.events);
  const m = parseCli(['meeting', '--input', 'talk.mp3', '--realtime', '--recording', 'r.wav', '--speakers', '2', '--queue', '7', '--format', 'json'], '/w');
  assert.ok(m.kind === 'live');
  if (m.kind !== 'live') return;
  assert.equal(m.params.mode, 'meeting');
  assert.deepEqual(m.params.source, { kind: 'file', input: '/w/talk.mp3', realtime: true });
  assert.equal(m.params.recording, '/w/r.wav');
  assert.equal(m.params.keepRecording, true);
  assert.equal(m.params.speakers, 2);
  assert.equal(m.params.queueCapacity, 7);
  assert.equal(m.format, 'json');
  assert.throws(() => parseCli(['dictate', 'a.wav']), /takes no file argument .*--input/);
  assert.throws(() => parseCli(['dictate', '--realtime']), /--realtime paces an --input file/);
  assert.throws(() => parseCli(['dictate', '--recorder', 'ffmpeg']), /--recorder must be one of sox, rec, arecord/);
  assert.throws(() => parseCli(['meeting', '--seconds', '0']), /--seconds must be a positive number/);
  assert.throws(() => parseCli(['meeting', '--min-speakers', '2']), /meetings take --speakers N/);
  assert.throws(() => parseCli(['dictate', '--queue', '0']), /--queue must be a whole number/);
});

test('word timings: --words asks for them, --word-cues implies them and renders a cue per word; meetings take --words, dictation does not', () => {
  const words = parseCli(['transcribe', 'a.wav', '--words'], '/work');
  assert.equal(words.kind === 'transcribe' && words.params.wordTimings, true);
  assert.equal(words.kind === 'transcribe' && words.wordCues, undefined);
  const cues = parseCli(['transcribe', 'a.wav', '--word-cues', '-f', 'srt'], '/work');
  assert.ok(cues.kind === 'transcribe' && cues.params.wordTimings && cues.wordCues);
  const batch = parseCli(['transcribe', 'a.wav', 'b.wav', '--word-cues'], '/work');
  assert.ok(batch.kind === 'batch' && batch.params.wordTimings && batch.wordCues);
  const plain = parseCli(['transcribe', 'a.wav'], '/work');
  assert.equal(plain.kind === 'transcribe' && 'wordTimings' in plain.params, false);
  const meeting = parseCli(['meeting', '--words'], '/work');
  assert.equal(meeting.kind === 'live' && meeting.params.wordTimings, true);
  usageError(['dictate', '--words'], /--words/);
});
