// Live audio sources for the capture child, as one shape: a stream of 16 kHz mono s16le chunks that ends when
// stopped. The microphone goes through node-record-lpcm16 (sox / rec on Linux and macOS, sox -t waveaudio on
// Windows, arecord on Linux); a media file goes through ffmpeg, paced like a microphone or as fast as it
// decodes (for scripts, benchmarks and the backpressure test). Failures become one actionable 'device' error.
import type { ChildProcess } from 'child_process';
import * as fs from 'fs';
import { mediaInputArgs } from './ffmpegInput';
import * as path from 'path';
import type { Readable } from 'stream';
// External to the bundle: it loads its recorders with a computed require().
import { record } from 'node-record-lpcm16';
import { TranscrevError } from '../errors';
import { ffmpegProgram, spawnProgram, startProgram, type Program } from '../startProgram';
import { type LiveSource, type RecorderProgram, SAMPLE_RATE } from '../vocabulary';
import { whichSync } from './ffmpeg';

export interface AudioSource {
  readonly stream: Readable;
  readonly program: string;
  /** The recorder process (so a restarted capture child can end one its crashed predecessor left behind). */
  readonly pid?: number;
  /** Stops the source; the stream then ends. */
  stop(): void;
  /** Resolves when the source ends by itself or after stop(); rejects with a 'device' error if it failed. */
  readonly done: Promise<void>;
}

const INSTALL_HINT: Record<NodeJS.Platform | 'default', string> = {
  linux: 'install SoX (Debian/Ubuntu: sudo apt install sox libsox-fmt-pulse; Fedora: sudo dnf install sox) or alsa-utils for arecord',
  darwin: 'install SoX (brew install sox)',
  win32: 'install SoX for Windows (sox.sourceforge.net) and add its folder to PATH',
  default: 'install SoX and make sure `sox` is on PATH',
} as Record<NodeJS.Platform | 'default', string>;

/** The recorder to use: the setting if given, else what this platform has (sox, then arecord on Linux). */
export function chooseRecorder(wanted: RecorderProgram | undefined, env: NodeJS.ProcessEnv = process.env): RecorderProgram {
  const candidates: RecorderProgram[] = wanted ? [wanted] : process.platform === 'linux' ? ['sox', 'arecord'] : ['sox'];
  for (const c of candidates) if (whichSync(c, env)) return c;
  const hint = INSTALL_HINT[process.platform] ?? INSTALL_HINT.default;
  const what = wanted
    ? `The recorder program "${wanted}" (setting transcrevai.audio.recorder) was not found on PATH`
    : 'No audio recorder program (sox, rec or arecord) was found on PATH';
  throw new TranscrevError('device', `${what}: ${hint}.`);
}

/** Turns a recorder's exit and stderr into a message that says what to do. */
export function recorderFailure(program: string, code: number | null, stderr: string, device: string | undefined): TranscrevError {
  const said = stderr.trim().split('\n').filter(Boolean).pop() ?? '';
  const where = device ? `the input device "${device}" (setting transcrevai.audio.device)` : 'the default input device';
  let fix: string;
  if (/no default audio device/i.test(stderr) && process.platform === 'win32') {
    // SoX 14.4.2 for Windows is built without a working default device.
    fix =
      'SoX on Windows found no default audio device: install SoX 14.4.1, or set transcrevai.audio.device to the input number (e.g. "0" for -t waveaudio 0).';
  } else if (/no default audio device/i.test(stderr)) {
    fix =
      'No default input device: check that the sound server (PulseAudio or PipeWire) runs and a microphone is connected, or name a device in transcrevai.audio.device (CLI: --device).';
  } else if (/can't open|cannot open|no such|audio open error|not found|unknown/i.test(stderr)) {
    fix =
      'Check that a microphone is connected and allowed for this app, or choose one in transcrevai.audio.device (CLI: --device; list them with `pactl list short sources` or `arecord -L` on Linux).';
  } else {
    fix = 'Check the microphone and the setting transcrevai.audio.device.';
  }
  return new TranscrevError('device', `${program} could not record from ${where} (exit ${code ?? 'signal'}${said ? `: ${said}` : ''}). ${fix}`);
}

function watch(child: ChildProcess, program: string, device: string | undefined, stopped: () => boolean): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  return new Promise<void>((resolve, reject) => {
    child.once('error', (err) => reject(err instanceof TranscrevError ? err : new TranscrevError('device', `${program} could not be started: ${err.message}`)));
    child.once('close', (code) => {
      // A recorder stopped by us exits by signal or with 1 (arecord): that is the normal end.
      if (stopped() || code === 0) resolve();
      else reject(recorderFailure(program, code, stderr, device));
    });
  });
}

/** A PulseAudio (or PipeWire-pulse) server socket this user can reach. */
function pulseServerRuns(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.PULSE_SERVER) return true;
  const runtime = env.PULSE_RUNTIME_PATH ?? (env.XDG_RUNTIME_DIR && path.join(env.XDG_RUNTIME_DIR, 'pulse'));
  return !!runtime && fs.existsSync(path.join(runtime, 'native'));
}

function microphone(source: Extract<LiveSource, { kind: 'microphone' }>): AudioSource {
  const program = chooseRecorder(source.recorder);
  // sox reads AUDIODEV as a PulseAudio source name only with its pulseaudio driver (measured); without a device
  // it goes through ALSA's default, which a PulseAudio/PipeWire desktop routes to the default source anyway.
  if (source.device && program !== 'arecord' && process.platform === 'linux' && !process.env.AUDIODRIVER && pulseServerRuns()) {
    process.env.AUDIODRIVER = 'pulseaudio';
  }
  // node-record-lpcm16 spawns the recorder by name (PATH); the error names the one PATH gives.
  const recorder: Program = {
    name: program,
    path: whichSync(program) ?? program,
    fix: `${INSTALL_HINT[process.platform] ?? INSTALL_HINT.default}, or choose another in transcrevai.audio.recorder (CLI: --recorder).`,
    kind: 'device',
  };
  let recording!: ReturnType<typeof record>;
  const child = startProgram(recorder, () => {
    recording = record({ sampleRate: SAMPLE_RATE, channels: 1, audioType: 'raw', recorder: program, device: source.device });
    return recording.process as ChildProcess;
  });
  let stopped = false;
  const stream = recording.stream() as Readable;
  stream.on('error', () => undefined); // the library re-emits exit codes here; watch() reports them once
  return {
    stream,
    program,
    pid: child.pid,
    stop: () => {
      stopped = true;
      recording.stop();
    },
    done: watch(child, program, source.device, () => stopped),
  };
}

function mediaFile(source: Extract<LiveSource, { kind: 'file' }>, ffmpeg: string): AudioSource {
  if (!fs.existsSync(source.input)) throw new TranscrevError('bad-input', `File not found: ${source.input}`);
  const args = [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    ...(source.realtime ? ['-re'] : []),
    ...mediaInputArgs(source.input),
    '-vn',
    '-ac',
    '1',
    '-ar',
    String(SAMPLE_RATE),
    '-f',
    's16le',
    '-acodec',
    'pcm_s16le',
    'pipe:1',
  ];
  const child = spawnProgram({ ...ffmpegProgram(ffmpeg), kind: 'device' }, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  let stopped = false;
  return {
    stream: child.stdout!,
    program: 'ffmpeg',
    pid: child.pid,
    stop: () => {
      stopped = true;
      child.kill();
    },
    done: watch(child, 'ffmpeg', source.input, () => stopped),
  };
}

export function openSource(source: LiveSource, ffmpegPath: () => string): AudioSource {
  return source.kind === 'microphone' ? microphone(source) : mediaFile(source, source.ffmpegPath ?? ffmpegPath());
}

/** RMS and peak of s16le samples, in [0, 1]. */
export function levelOf(pcm: Buffer): { rms: number; peak: number } {
  const n = Math.floor(pcm.length / 2);
  let sum = 0;
  let peak = 0;
  for (let i = 0; i < n; i++) {
    const v = pcm.readInt16LE(2 * i) / 32768;
    sum += v * v;
    peak = Math.max(peak, Math.abs(v));
  }
  return { rms: n ? Math.sqrt(sum / n) : 0, peak };
}

/**
 * Ends a recorder that a crashed capture child left running: it would go on holding the microphone (an ALSA hw
 * device opens once) until its next write fails. On Linux the pid is checked to still be a recorder first.
 */
export async function endOrphanRecorder(pidFile: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  } catch {
    return;
  }
  fs.rmSync(pidFile, { force: true });
  if (!(pid > 0)) return;
  if (process.platform === 'linux') {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!/(^|\/)(sox|rec|arecord|ffmpeg)\0/.test(cmd)) return;
    } catch {
      return; // gone already
    }
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  for (let i = 0; i < 50; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
