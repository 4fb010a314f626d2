// Where models live on disk. One rule everywhere (CLI, engine, extension):
// an explicit directory wins, then $TRANSCREVAI_MODELS/<name>, then ~/.cache/transcrevai/models/<name>.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import catalog from '../../models/catalog.json';
import { TranscrevError } from '../errors';
import { isDirectory } from './files';

/** The catalogue's Whisper models (models/catalog.json, bundled): adding a model there is all it takes. */
export const WHISPER_MODEL_NAMES: readonly string[] = Object.entries(catalog.models as Record<string, { kind: string }>)
  .filter(([, m]) => m.kind === 'whisper')
  .map(([name]) => name);

export function isWhisperModelName(value: string): boolean {
  return WHISPER_MODEL_NAMES.includes(value);
}

/** The models root: the setting (if given), else $TRANSCREVAI_MODELS, else the user cache. */
export function modelsRoot(configured?: string): string {
  if (configured && configured.trim()) return path.resolve(expandHome(configured.trim()));
  const fromEnv = process.env.TRANSCREVAI_MODELS;
  if (fromEnv && fromEnv.trim()) return path.resolve(expandHome(fromEnv.trim()));
  return path.join(os.homedir(), '.cache', 'transcrevai', 'models');
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;
}

/** `--model` / transcrevai.model names a folder (a path), not a model by name. */
export function looksLikeModelPath(model: string): boolean {
  return model.includes('/') || model.includes('\\') || model.startsWith('.') || model.startsWith('~');
}

/**
 * Resolves `--model` (a catalogue name or a directory) to an existing model directory.
 * Throws a 'model' error naming every place that was looked at, so the user knows what to fix.
 */
export function resolveModelDir(model: string, configuredRoot?: string): string {
  if (looksLikeModelPath(model)) {
    const dir = path.resolve(expandHome(model));
    if (isDirectory(dir)) return dir;
    throw new TranscrevError('model', `Model directory not found: ${dir}`);
  }
  // A name: the models folder first (catalogue downloads, and folders a user put there, e.g. a medium built by
  // hand), then a folder of that name in the working directory.
  const installed = path.join(modelsRoot(configuredRoot), model);
  if (isDirectory(installed)) return installed;
  const local = path.resolve(model);
  if (isDirectory(local)) return local;
  if (isWhisperModelName(model)) {
    throw new TranscrevError(
      'model',
      `Model "${model}" is not installed (looked in ${installed}). Download it from VS Code (TranscrevAI: Download Model), ` +
        `run "npm run models" in the TranscrevAI source folder, or pass --model <dir>.`,
    );
  }
  throw new TranscrevError(
    'model',
    `Model "${model}" is not installed (looked in ${installed}) and is not in the catalogue: use one of ${WHISPER_MODEL_NAMES.join(', ')}, or a model directory.`,
  );
}

/** packageRoot(), looked up once (its answer never changes for this process). */
let packageRootFound: { dir: string | undefined } | undefined;

/**
 * The models that are not Whisper checkpoints (Silero VAD, the speaker embedder): the models folder's copy when
 * it has one (a newer build, or the transcrevai.modelsPath the user chose), else the copy the extension ships in
 * its own models/ folder (scripts/package.mjs puts them in every .vsix), else the models folder's path, for the
 * "not found" message.
 */
export function auxiliaryModelDir(name: 'vad' | 'speaker' | 'segmentation' | 'speaker-campplus', configuredRoot?: string): string {
  const inModels = path.join(modelsRoot(configuredRoot), name);
  if (fs.existsSync(inModels)) return inModels;
  const root = (packageRootFound ??= { dir: packageRoot() }).dir;
  const shipped = root ? path.join(root, 'models', name) : undefined;
  return shipped && fs.existsSync(shipped) ? shipped : inModels;
}

/** The overlap-aware diarization's two models: speaker segmentation and the CAM++ speaker embedder. */
export function overlapModelDirs(configuredRoot?: string): { segmentation: string; embedder: string } {
  return { segmentation: auxiliaryModelDir('segmentation', configuredRoot), embedder: auxiliaryModelDir('speaker-campplus', configuredRoot) };
}

/** The installed extension's (or the checkout's) folder: the nearest one above this file with TranscrevAI's package.json. */
function packageRoot(): string | undefined {
  for (let dir = __dirname, i = 0; i < 6; i++, dir = path.dirname(dir)) {
    try {
      if ((JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'transcrevai') return dir;
    } catch {
      /* not here */
    }
  }
  return undefined;
}
