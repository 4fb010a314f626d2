// What both VS Code runners share: the suite bundled for the extension host, and a workspace with the media and
// settings the suite expects, beside a clean user profile (ud/User/settings.json).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findFfmpeg } from '../../src/audio/ffmpeg';
import { TESTDATA } from '../fixtures/shared';

const ROOT = path.resolve(__dirname, '..', '..');
const MODELS = process.env.TRANSCREVAI_MODELS || path.join(os.homedir(), '.cache', 'transcrevai', 'models');

/** Bundles a suite (test/vscode/<entry>) to out/<name>/index.js; returns that folder. */
export function buildSuite(entry = 'suite.ts', name = 'vscode-suite'): string {
  const suiteDir = path.join(ROOT, 'out', name);
  execFileSync(
    path.join(ROOT, 'node_modules', '.bin', 'esbuild'),
    [
      path.join(ROOT, 'test', 'vscode', entry),
      '--bundle',
      '--platform=node',
      '--format=cjs',
      '--external:vscode',
      `--outfile=${path.join(suiteDir, 'index.js')}`,
      '--log-level=warning',
    ],
    { stdio: 'inherit' },
  );
  return suiteDir;
}

export function prepareWorkspace(): { work: string; ws: string; userDataDir: string } {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'transcrevai-vscode-'));
  const ws = path.join(work, 'workspace');
  fs.mkdirSync(path.join(ws, '.vscode'), { recursive: true });
  fs.copyFileSync(path.join(TESTDATA, 'en', 'jfk.wav'), path.join(ws, 'jfk.wav'));
  fs.copyFileSync(path.join(TESTDATA, 'en', 'jfk.txt'), path.join(ws, 'jfk.txt'));
  fs.copyFileSync(path.join(TESTDATA, 'diarization', 'pyannote_sample.wav'), path.join(ws, 'two-speakers.wav'));
  // Three recordings in a folder, for the queue.
  fs.mkdirSync(path.join(ws, 'batch'));
  for (const f of ['spk1_snt1.wav', 'spk2_snt1.wav', 'spk1_snt2.wav']) fs.copyFileSync(path.join(TESTDATA, 'en', 'speechbrain', f), path.join(ws, 'batch', f));
  // Two conversations with one person in common (3d-speaker's speaker1): with jfk, then with speaker2.
  const d3 = path.join(TESTDATA, 'speakers', 'test', '3d-speaker');
  joinWithPause(path.join(d3, 'speaker1_a_en_16k.wav'), path.join(TESTDATA, 'en', 'jfk.wav'), path.join(ws, 'voices-a.wav'));
  joinWithPause(path.join(d3, 'speaker1_b_en_16k.wav'), path.join(d3, 'speaker2_a_en_16k.wav'), path.join(ws, 'voices-b.wav'));
  fs.writeFileSync(
    path.join(ws, '.vscode', 'settings.json'),
    JSON.stringify(
      {
        'transcrevai.model': 'base',
        'transcrevai.language': 'en',
        'transcrevai.modelsPath': MODELS,
        'transcrevai.threads': 2,
        'transcrevai.outputFormat': 'md',
        'transcrevai.diarize': false,
      },
      null,
      2,
    ),
  );
  const userDataDir = path.join(work, 'ud');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ 'workbench.startupEditor': 'none', 'chat.disableAIFeatures': true, 'git.enabled': false, 'telemetry.telemetryLevel': 'off' }),
  );
  return { work, ws, userDataDir };
}

/** `first`, a second of silence, then `second`, as one 16 kHz mono WAV (the ffmpeg the product ships). */
function joinWithPause(first: string, second: string, out: string): void {
  const ffmpeg = findFfmpeg({}).path;
  const graph =
    '[0:a]aresample=16000,aformat=channel_layouts=mono,apad=pad_dur=1[a];[1:a]aresample=16000,aformat=channel_layouts=mono[b];[a][b]concat=n=2:v=0:a=1';
  execFileSync(ffmpeg, ['-v', 'error', '-y', '-i', first, '-i', second, '-filter_complex', graph, '-c:a', 'pcm_s16le', out]);
}
