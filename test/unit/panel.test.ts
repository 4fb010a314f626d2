// The transcript panel's pure parts: the state reducer over live events and the finished transcript, and the
// HTML shell's Content-Security-Policy.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { panelHtmlForTest } from './helpers/panelHtml';
import { applyLiveEvent, applyTranscript, emptyPanelState } from '../../src/extension/panelState';
import { EXPORT_FORMATS } from '../../src/output/formats';

test('panel state: level starts recording, partials are replaced by finals, gaps and errors become banners', () => {
  let s = emptyPanelState('Meeting');
  s = applyLiveEvent(s, { kind: 'level', rms: 0.1, peak: 0.4, seconds: 1.2 });
  assert.equal(s.status, 'recording');
  assert.deepEqual(s.level, { rms: 0.1, peak: 0.4, seconds: 1.2 });
  s = applyLiveEvent(s, { kind: 'partial', start: 0.5, text: 'bom' });
  assert.deepEqual(s.partial, { start: 0.5, text: 'bom' });
  s = applyLiveEvent(s, { kind: 'final', segment: { start: 0.5, end: 2, text: 'Bom dia.', speaker: 'SPEAKER_1' } });
  assert.equal(s.partial, undefined);
  assert.deepEqual(s.segments, [{ start: 0.5, end: 2, text: 'Bom dia.', speaker: 'SPEAKER_1' }]);
  assert.deepEqual(s.speakers, { SPEAKER_1: 'Speaker 1' });
  s = applyLiveEvent(s, { kind: 'partial', start: 3, text: 'hm' });
  s = applyLiveEvent(s, { kind: 'drop', start: 3 });
  assert.equal(s.partial, undefined);
  s = applyLiveEvent(s, { kind: 'gap', gap: { start: 14.2, duration: 0.4 } });
  assert.match(s.banners[0], /0\.4 s of audio were lost at 14\.2 s/);
  s = applyLiveEvent(s, { kind: 'ended', reason: 'error', message: 'sox could not record' });
  assert.equal(s.status, 'error');
  assert.equal(s.error, 'sox could not record');
  assert.deepEqual(s.exports, []);
});

test('panel state: the finished transcript replaces live lines, keeps renames, adds warnings, offers export', () => {
  let s = applyLiveEvent(emptyPanelState('Meeting'), { kind: 'final', segment: { start: 0, end: 1, text: 'live', speaker: 'SPEAKER_3' } });
  s = applyTranscript(
    s,
    {
      input: 'm.wav',
      model: 'base',
      precision: 'int8',
      language: 'pt',
      duration: 10,
      segments: [
        { start: 0, end: 1, text: 'final', speaker: 'SPEAKER_1' },
        { start: 1, end: 2, text: 'outro', speaker: 'SPEAKER_2' },
      ],
      speakers: [
        { id: 'SPEAKER_1', name: 'Speaker 1', speakingTime: 1 },
        { id: 'SPEAKER_2', name: 'Speaker 2', speakingTime: 1 },
      ],
      timing: { load: 0, decode: 0, transcribe: 0, total: 0 },
      rtf: 0,
      warnings: ['Speakers were found with the simple MFCC method instead'],
    },
    { SPEAKER_2: 'Bia' },
  );
  assert.equal(s.status, 'done');
  assert.deepEqual(
    s.segments.map((x) => x.text),
    ['final', 'outro'],
  );
  assert.deepEqual(s.speakers, { SPEAKER_1: 'Speaker 1', SPEAKER_2: 'Bia' });
  assert.ok(s.banners.some((b) => /MFCC/.test(b)));
  // Export buttons: every exportable format of the registry, RTTM (speaker turns for scorers) not among them.
  assert.deepEqual(
    s.exports.map((e) => e.format),
    EXPORT_FORMATS,
  );
  assert.ok(s.exports.some((e) => e.format === 'md') && !s.exports.some((e) => e.format === 'rttm'));
  assert.equal(s.exports[0].label, 'Markdown');
});

test('panel HTML: strict CSP with a nonce, only the webview source, the title escaped', () => {
  const html = panelHtmlForTest(
    'vscode-webview://abc',
    'vscode-webview://abc/media/panel.js',
    'vscode-webview://abc/media/panel.css',
    'N0nce==',
    'Meeting <img src=x onerror=alert(1)>',
  );
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
  assert.equal(
    csp,
    "default-src 'none'; img-src vscode-webview://abc; media-src vscode-webview://abc; style-src vscode-webview://abc; script-src 'nonce-N0nce==';",
  );
  assert.match(html, /<script nonce="N0nce==" src="vscode-webview:\/\/abc\/media\/panel.js"><\/script>/);
  assert.ok(!html.includes('<img'), 'the title is escaped');
  assert.equal((html.match(/<script/g) ?? []).length, 1, 'no inline script');
  assert.ok(!/https?:\/\//.test(html), 'no remote resource');
});

test('messages from the webview are checked at run time: only the messages the panel sends, with valid values, pass', async () => {
  const { parsePanelMessage } = await import('../../src/protocol/panel');
  assert.deepEqual(parsePanelMessage({ type: 'ready' }), { type: 'ready' });
  assert.deepEqual(parsePanelMessage({ type: 'rename', speaker: 'SPEAKER_1', name: 'Ana', extra: 1 }), { type: 'rename', speaker: 'SPEAKER_1', name: 'Ana' });
  assert.deepEqual(parsePanelMessage({ type: 'export', format: 'srt' }), { type: 'export', format: 'srt' });
  assert.deepEqual(parsePanelMessage({ type: 'reveal', seconds: 12.5 }), { type: 'reveal', seconds: 12.5 });
  for (const bad of [
    null,
    'ready',
    { type: 'export', format: 'docx' }, // threw in an unhandled promise before
    { type: 'export', format: 'rttm' }, // a format, but not one the panel exports
    { type: 'rename', speaker: 'SPEAKER_1' },
    { type: 'rename', speaker: 'SPEAKER_1', name: 'x'.repeat(201) },
    { type: 'rename', speaker: 7, name: 'Ana' },
    { type: 'reveal', seconds: -1 },
    { type: 'copyTimestamp', seconds: Infinity },
    { type: 'copyTimestamp', seconds: '12' },
    { type: 'runCommand', command: 'workbench.action.terminal.new' },
  ])
    assert.equal(parsePanelMessage(bad), undefined, JSON.stringify(bad));
});

test('panel state: words go to the panel with the unsure ones marked by their probability, and a loop with why', async () => {
  const { UNSURE_PROBABILITY } = await import('../../src/output/confidence');
  const s = applyTranscript(emptyPanelState('talk.wav'), {
    input: '/m/talk.wav',
    model: 'base',
    precision: 'int8',
    language: 'pt',
    duration: 6,
    segments: [
      {
        start: 0,
        end: 2,
        text: 'Olá mundo.',
        words: [
          { start: 0.1, end: 0.6, text: ' Olá', probability: 0.95 },
          { start: 0.7, end: 1.8, text: ' mundo.', probability: UNSURE_PROBABILITY / 2 },
        ],
      },
      { start: 2, end: 6, text: 'e aí e aí e aí' },
    ],
    timing: { load: 0, decode: 0, transcribe: 0, total: 0 },
    rtf: 0,
  });
  assert.deepEqual(s.segments[0].words, [
    { start: 0.1, text: ' Olá' },
    { start: 0.7, text: ' mundo.', unsure: UNSURE_PROBABILITY / 2 },
  ]);
  assert.equal(s.segments[0].suspect, undefined);
  assert.equal(s.segments[1].words, undefined);
  assert.match(s.segments[1].suspect ?? '', /“e aí” 3 times in a row/);
});
