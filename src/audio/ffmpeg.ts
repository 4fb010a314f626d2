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
 * The extensions Windows tries for a program named without one, in PATHEXT's order, lower-case: only programs
 * (.exe, .com). A `.cmd` or `.bat` runs through cmd.exe, which re-parses its arguments (file names with `&` or `%`
 * become commands), and the others need a script host.
 */
export function programExtensions(env: NodeJS.ProcessEnv = process.env): string[] {
  const listed = (env.PATHEXT ?? env.PathExt ?? '.COM;.EXE')
    .split(';')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e === '.exe' || e === '.com');
  return listed.includes('.exe') ? [...new Set(listed)] : [...new Set(listed), '.exe'];
}

/**
 * The file a program path names: itself, or on Windows, when it has no program extension, the first of
 * `name.exe`/`name.com` (PATHEXT's order) that exists — as Windows runs `C:\tools\ffmpeg` typed without `.exe`.
 */
export function programFile(file: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | null {
  const windows = platform === 'win32';
  const exts = windows ? programExtensions(env) : [];
  if (!windows || exts.includes(path.extname(file).toLowerCase())) return isFile(file) ? file : null;
  for (const ext of exts) if (isFile(file + ext)) return file + ext;
  return null;
}

/**
 * Searches PATH for an executable named `name`. Only absolute PATH entries count (a relative one, "." included,
 * would run a program from whatever folder VS Code was started in), and on Windows only programs, tried with the
 * extensions of PATHEXT that name programs (programExtensions).
 */
export function whichSync(name: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | null {
  const pathVar = env.PATH ?? env.Path ?? '';
  const sep = platform === 'win32' ? ';' : ':';
  const exts = platform === 'win32' ? (programExtensions(env).includes(path.extname(name).toLowerCase()) ? [''] : programExtensions(env)) : [''];
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
    const platform = options.platform ?? process.platform;
    const resolved = path.resolve(explicit);
    if (platform === 'win32' && /\.(cmd|bat)$/i.test(resolved)) {
      throw new TranscrevError('internal', `ffmpeg must be a program (ffmpeg.exe), not a batch file: ${resolved}.`);
    }
    const file = programFile(resolved, env, platform);
    if (!file) {
      const origin = options.explicit?.trim() ? 'the ffmpeg path setting' : 'TRANSCREVAI_FFMPEG';
      const tried = platform === 'win32' && !path.extname(resolved) ? ` (nor ${resolved}.exe)` : '';
      throw new TranscrevError('internal', `ffmpeg not found at ${resolved}${tried} (from ${origin}): fix the path or clear it to use the ffmpeg on PATH.`);
    }
    return { path: file, source: 'setting' };
  }
  const fromStatic = (options.ffmpegStatic ?? defaultFfmpegStatic)();
  if (fromStatic && isFile(fromStatic)) return { path: fromStatic, source: 'ffmpeg-static' };
  const onPath = whichSync('ffmpeg', env, options.platform ?? process.platform);
  if (onPath) return { path: onPath, source: 'path' };
  throw new TranscrevError('internal', `ffmpeg not found: ${FFMPEG_FIX_HINT}.`);
}
