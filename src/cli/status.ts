// `transcrevai status`: which ffmpeg, the core budget, the models root and which models are installed.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import pkg from '../../package.json';
import { findFfmpeg } from '../audio/ffmpeg';
import { coreBudget } from '../engine/budget';
import { modelsRoot, WHISPER_MODEL_NAMES } from '../models/paths';

export const VERSION: string = pkg.version;

export function statusText(ffmpegPath?: string): string {
  const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  let ffmpeg: string;
  try {
    const f = findFfmpeg({ explicit: ffmpegPath });
    ffmpeg = `${f.path} (${f.source})`;
  } catch (err) {
    ffmpeg = `not found — ${(err as Error).message}`;
  }
  const root = modelsRoot();
  const found = WHISPER_MODEL_NAMES.filter((m) => fs.existsSync(path.join(root, m)));
  const missing = WHISPER_MODEL_NAMES.filter((m) => !found.includes(m));
  const vad = fs.existsSync(path.join(root, 'vad', 'silero_vad.onnx'));
  const budget = coreBudget();
  return [
    `transcrevai ${VERSION} (node ${process.version}, ${process.platform}-${process.arch})`,
    `engine: in-process (CLI); core budget ${budget} thread${budget === 1 ? '' : 's'} of ${cpus} core${cpus === 1 ? '' : 's'}`,
    `ffmpeg: ${ffmpeg}`,
    `models root: ${root}`,
    `whisper models: ${found.length ? found.join(', ') : 'none'}${missing.length ? ` (not installed: ${missing.join(', ')})` : ''}`,
    `vad: ${vad ? 'silero_vad.onnx found' : 'not installed (whole inputs are transcribed, silences included)'}`,
  ].join('\n');
}
