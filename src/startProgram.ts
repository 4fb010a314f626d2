// Every child process the product starts (ffmpeg, the recorders, PowerShell, Node for the engine and its children)
// starts through startProgram, so that a start that fails gives one clear error naming the program, its path and
// the fix. A start fails in two ways: spawn() throws synchronously (Windows: a broken or blocked .exe gives
// "spawn UNKNOWN", also EACCES, ENOENT; on Linux an executable in no known format gives ENOEXEC), or the child
// emits 'error' before 'spawn' (ENOENT, EACCES on Linux). Both become the same TranscrevError: thrown in the first
// case, the error every 'error' listener gets in the second. Errors after the start (a failed kill or send) are
// left as they are.
import { spawn, type ChildProcess, type SpawnOptions } from 'child_process';
import { TranscrevError, type ErrorKind } from './errors';

export interface Program {
  /** What a user calls it: "ffmpeg", "sox", "the transcription process". */
  name: string;
  /** The file started. */
  path: string;
  /** The sentence that says how to fix it, e.g. "Set transcrevai.ffmpegPath / --ffmpeg to a working ffmpeg." */
  fix: string;
  /** The error kind (and so the CLI's exit code); default 'internal'. */
  kind?: ErrorKind;
}

/** The one message for a program that could not be started. */
export function startError(program: Program, err: unknown): TranscrevError {
  if (err instanceof TranscrevError) return err;
  const said = err instanceof Error ? err.message : String(err);
  return new TranscrevError(program.kind ?? 'internal', `${program.name} could not be started (${program.path}): ${said}. ${program.fix}`, {
    cause: err,
  });
}

/**
 * Starts `program` with `start` (a spawn, fork or execFile of program.path, or a library call that spawns it):
 * a synchronous failure is thrown as startError, and an 'error' the child emits before it started reaches every
 * listener as startError.
 */
export function startProgram<T extends ChildProcess>(program: Program, start: () => T): T {
  let child: T;
  try {
    child = start();
  } catch (err) {
    throw startError(program, err);
  }
  let started = false;
  child.once('spawn', () => (started = true));
  const emit = child.emit.bind(child) as (event: string | symbol, ...args: unknown[]) => boolean;
  child.emit = ((event: string | symbol, ...args: unknown[]) =>
    event === 'error' && !started ? emit(event, startError(program, args[0])) : emit(event, ...args)) as T['emit'];
  return child;
}

/** spawn() through startProgram. */
export function spawnProgram(program: Program, args: readonly string[], options: SpawnOptions): ChildProcess {
  return startProgram(program, () => spawn(program.path, args, options));
}

/** ffmpeg at `file`, with the fix for a broken one. */
export function ffmpegProgram(file: string): Program {
  return { name: 'ffmpeg', path: file, fix: 'Set transcrevai.ffmpegPath / --ffmpeg to a working ffmpeg.' };
}
