// What both VS Code runners share: the suite bundled for the extension host, and a workspace with the media and
// settings the suite expects, beside a clean user profile (ud/User/settings.json).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
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
