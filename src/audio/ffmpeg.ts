// Finds the ffmpeg binary. One rule everywhere (CLI, engine, extension), first match wins:
//   1. an explicit path: the `transcrevai.ffmpegPath` setting / `--ffmpeg` flag, else $TRANSCREVAI_FFMPEG
//   2. the binary shipped by the `ffmpeg-static` package, only if the file it names exists
//      (its install script downloads the binary; offline installs leave a path to a missing file)
//   3. `ffmpeg` on PATH
// An explicit path that does not exist is an error, never a silent fall-through to another binary.
import * as fs from 'fs';
import * as path from 'path';
import { TranscrevError } from '../errors';

export type FfmpegSource = 'setting' | 'ffmpeg-static' | 'path';

export interface FfmpegLocation {
  path: string;
  source: FfmpegSource;
}

export interface FindFfmpegOptions {
  /** Explicit path from a setting or a flag; wins over everything else. */
  explicit?: string;
  /** Environment to read TRANSCREVAI_FFMPEG and PATH from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Returns the path ffmpeg-static names (or null); injectable for tests. */
  ffmpegStatic?: () => string | null | undefined;
  platform?: NodeJS.Platform;
}

export const FFMPEG_FIX_HINT =
  'install ffmpeg (e.g. "sudo apt-get install ffmpeg", "brew install ffmpeg", "winget install ffmpeg") ' +
  'or point the transcrevai.ffmpegPath setting / --ffmpeg flag / TRANSCREVAI_FFMPEG at an ffmpeg binary';

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function defaultFfmpegStatic(): string | null {
  try {
    const p = require('ffmpeg-static') as string | null;
    return typeof p === 'string' ? p : null;
  } catch {
    return null;
  }
}

/**
 * Searches PATH for an executable named `name`. Only absolute PATH entries count (a relative one, "." included,
 * would run a program from whatever folder VS Code was started in), and on Windows only `.exe`: a `.cmd` or
 * `.bat` runs through cmd.exe, which re-parses its arguments (file names with `&` or `%` become commands).
 */
export function whichSync(name: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | null {
  const pathVar = env.PATH ?? env.Path ?? '';
  const sep = platform === 'win32' ? ';' : ':';
  const exts = platform === 'win32' ? ['.exe'] : [''];
  const absolute = platform === 'win32' ? path.win32.isAbsolute : path.posix.isAbsolute;
  for (const dir of pathVar.split(sep)) {
    if (!dir || !absolute(dir)) continue;
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (isFile(candidate)) {
        if (platform !== 'win32') {
          try {
            fs.accessSync(candidate, fs.constants.X_OK);
          } catch {
            continue;
          }
        }
        return candidate;
      }
    }
  }
  return null;
}

/** Returns the ffmpeg to use and where it came from; throws TranscrevError('internal') with the fix when none. */
export function findFfmpeg(options: FindFfmpegOptions = {}): FfmpegLocation {
  const env = options.env ?? process.env;
  const explicit = options.explicit?.trim() || env.TRANSCREVAI_FFMPEG?.trim();
  if (explicit) {
    const resolved = path.resolve(explicit);
    if ((options.platform ?? process.platform) === 'win32' && /\.(cmd|bat)$/i.test(resolved)) {
      throw new TranscrevError('internal', `ffmpeg must be a program (ffmpeg.exe), not a batch file: ${resolved}.`);
    }
    if (!isFile(resolved)) {
      const origin = options.explicit?.trim() ? 'the ffmpeg path setting' : 'TRANSCREVAI_FFMPEG';
      throw new TranscrevError('internal', `ffmpeg not found at ${resolved} (from ${origin}): fix the path or clear it to use the ffmpeg on PATH.`);
    }
    return { path: resolved, source: 'setting' };
  }
  const fromStatic = (options.ffmpegStatic ?? defaultFfmpegStatic)();
  if (fromStatic && isFile(fromStatic)) return { path: fromStatic, source: 'ffmpeg-static' };
  const onPath = whichSync('ffmpeg', env, options.platform ?? process.platform);
  if (onPath) return { path: onPath, source: 'path' };
  throw new TranscrevError('internal', `ffmpeg not found: ${FFMPEG_FIX_HINT}.`);
}
