// Any media file → Float32Array of 16 kHz mono samples, through ffmpeg.
//   1. preflight: the path exists, is a readable non-empty file (cheap fs checks, readable messages)
//   2. probe: `ffmpeg -i F` (no output) → duration and streams; refuses non-media, video-only and
//      inputs whose decoded size would exceed the limit, before any memory is spent
//   3. decode: `ffmpeg -nostdin -i F -vn -ac 1 -ar 16000 -f f32le pipe:1`, read as a stream, progress from
//      ffmpeg's `-progress` clock against the probed duration; aborting the signal kills ffmpeg
import * as fs from 'fs';
import * as path from 'path';
import { CancelledError, TranscrevError, throwIfCancelled } from '../errors';
import { ffmpegProgram, spawnProgram, startError } from '../startProgram';
import { SAMPLE_RATE, type MediaProbe } from '../vocabulary';
import { findFfmpeg, type FfmpegLocation } from './ffmpeg';
import { ffmpegInputName, mediaInputArgs, refusedFormat } from './ffmpegInput';

/** Longest input decoded at this stage: 4 h of 16 kHz float32 mono is ~0.9 GB of samples. */
export const MAX_DECODE_SECONDS = 4 * 3600;

export interface DecodeAudioOptions {
  ffmpeg?: FfmpegLocation;
  /** Explicit ffmpeg path (setting / flag), used when `ffmpeg` is not given. */
  ffmpegPath?: string;
  signal?: AbortSignal;
  /** 0–100. */
  onProgress?: (percent: number) => void;
  maxSeconds?: number;
  /** A probe already made by the caller (probeMedia), to skip probing twice. */
  probe?: MediaProbe;
  /**
   * Streams the samples (float32 little-endian bytes, as ffmpeg writes them) to `sink` instead of keeping
   * them: memory stays flat whatever the input's length, and the result's `samples` is empty.
   */
  sink?: (chunk: Buffer) => void;
}

export interface DecodedAudio {
  /** The samples; empty when they went to options.sink. */
  samples: Float32Array;
  /** Number of samples decoded (also when they went to a sink). */
  sampleCount: number;
  sampleRate: typeof SAMPLE_RATE;
  /** Seconds of decoded audio (samples / 16000). */
  duration: number;
  probe: MediaProbe;
  ffmpeg: FfmpegLocation;
  /**
   * Set when ffmpeg decoded clearly less than the file says it lasts (a damaged or cut-off file): ffmpeg skips
   * what it cannot read and exits 0, so without this the transcript would silently cover part of the recording.
   */
  shortfall?: string;
}

/** Decoded audio this much shorter than the probed duration is reported: 1 s, or 2 % of long files. */
function shortfallTolerance(duration: number): number {
  return Math.max(1, duration * 0.02);
}

/** The warning for a decode that fell short of the probed duration, or undefined. */
export function decodeShortfall(file: string, probe: MediaProbe, decoded: number, ffmpegSays?: string): string | undefined {
  const probed = probe.duration;
  if (probed === undefined || probed - decoded <= shortfallTolerance(probed)) return undefined;
  // A container's duration is its longest stream's: in a video, the audio may simply stop before the picture.
  const video = probe.otherStreams.some((s) => /^video/i.test(s)) ? ', or its audio ends before its video' : '';
  return (
    `Only ${decoded.toFixed(1)} s of audio could be decoded from ${file}, which says it lasts ${probed.toFixed(1)} s: the file looks damaged or cut off${video}` +
    `${ffmpegSays ? ` (ffmpeg: ${ffmpegSays})` : ''}. The transcript covers only what was read.`
  );
}

function badInput(message: string): TranscrevError {
  return new TranscrevError('bad-input', message);
}

/** fs checks that give a precise message before ffmpeg gives a vague one. */
export function preflightInput(input: string): string {
  const file = path.resolve(input);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw badInput(`Input file not found: ${file}`);
    if (code === 'EACCES') throw badInput(`Cannot read input file (permission denied): ${file}`);
    throw badInput(`Cannot read input file ${file}: ${(err as Error).message}`);
  }
  if (stat.isDirectory()) throw badInput(`Input is a directory, not a media file: ${file}`);
  if (!stat.isFile()) throw badInput(`Input is not a regular file: ${file}`);
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch {
    throw badInput(`Cannot read input file (permission denied): ${file}`);
  }
  if (stat.size === 0) throw badInput(`Input file is empty (0 bytes): ${file}`);
  return file;
}

/** Reads "HH:MM:SS.xx" as seconds. */
export function parseClock(text: string): number | undefined {
  const m = /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

/** Parses the banner `ffmpeg -i F` prints about its input. */
export function parseProbe(stderr: string): MediaProbe {
  const result: MediaProbe = { audioStreams: [], otherStreams: [] };
  const dur = /Duration:\s*([0-9:.]+|N\/A)/.exec(stderr);
  if (dur && dur[1] !== 'N/A') result.duration = parseClock(dur[1]);
  for (const line of stderr.split(/\r?\n/)) {
    const m = /^\s*Stream #\d+:\d+(?:\[[^\]]*\])?(?:\([^)]*\))?:\s*(Audio|Video|Subtitle|Data|Attachment):\s*([^,\s]+)/.exec(line);
    if (!m) continue;
    if (m[1] === 'Audio') result.audioStreams.push(m[2]);
    else result.otherStreams.push(`${m[1]}: ${m[2]}`);
  }
  return result;
}

/** One line from ffmpeg's stderr that says what went wrong, without the file path noise. */
export function summarizeFfmpegError(stderr: string, file: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !/^(ffmpeg version|built with|configuration:|lib\w+\s+\d|Input #|Duration:|Stream #|Metadata:|At least one output file)/.test(l))
    .filter((l) => !/^[a-z_]+=\S*$/.test(l)); // -progress key=value lines
  const clean = (l: string) =>
    l
      .split(file)
      .join('')
      .replace(/^[:\s]+/, '')
      .replace(/^\[[^\]]+\]\s*/, '');
  const specific = lines.find((l) => /Invalid data|moov atom not found|could not find codec|not supported|misdetection/i.test(l));
  if (specific && /misdetection/i.test(specific)) return 'not a recognised media format (invalid data)';
  const failing = [...lines].reverse().find((l) => /error|failed|invalid|unknown|cannot|could not/i.test(l));
  return clean(specific ?? failing ?? lines[lines.length - 1] ?? 'ffmpeg failed without a message');
}

/** Runs ffmpeg to the end (stdout ignored) and gives its exit code and what it said on stderr. */
export function runFfmpeg(ffmpeg: string, args: string[], signal?: AbortSignal): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const program = ffmpegProgram(ffmpeg);
    const child = spawnProgram(program, args, { stdio: ['ignore', 'ignore', 'pipe'], windowsHide: true });
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      if (stderr.length < 256 * 1024) stderr += d;
    });
    const onAbort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      reject(startError(program, err));
    });
    child.on('close', (code) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) reject(new CancelledError());
      else resolve({ code, stderr });
    });
  });
}

/** Probes an input with ffmpeg; throws 'bad-input' for non-media and for media without audio. */
export async function probeMedia(input: string, options: { ffmpeg?: FfmpegLocation; ffmpegPath?: string; signal?: AbortSignal } = {}): Promise<MediaProbe> {
  const file = preflightInput(input);
  const ffmpeg = options.ffmpeg ?? findFfmpeg({ explicit: options.ffmpegPath });
  const { stderr } = await runFfmpeg(ffmpeg.path, ['-hide_banner', '-nostdin', ...mediaInputArgs(file)], options.signal);
  if (!/^Input #\d+/m.test(stderr)) {
    throw badInput(`Not a readable media file: ${file} (${refusedFormat(stderr) ?? `ffmpeg: ${summarizeFfmpegError(stderr, ffmpegInputName(file))}`})`);
  }
  const probe = parseProbe(stderr);
  if (probe.audioStreams.length === 0) {
    const what = probe.otherStreams.length ? `it has only ${probe.otherStreams.join(', ')}` : 'it has no streams';
    throw badInput(`No audio stream in ${file}: ${what}`);
  }
  if (probe.duration === 0 || (probe.duration === undefined && emptyWavData(file))) {
    throw badInput(`No audio in ${file}: the audio stream is empty (0 s)`);
  }
  return probe;
}

/** True for a RIFF/WAVE file whose data chunk holds no samples (ffmpeg reports its duration as N/A). */
function emptyWavData(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(4096);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    if (n < 12 || head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') return false;
    let at = 12;
    while (at + 8 <= n) {
      const size = head.readUInt32LE(at + 4);
      if (head.toString('ascii', at, at + 4) === 'data') return size === 0 && fs.fstatSync(fd).size <= at + 8;
      at += 8 + size + (size & 1);
    }
    return false;
  } finally {
    fs.closeSync(fd);
  }
}

function formatHours(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return `${h} h ${String(m).padStart(2, '0')} min`;
}

/** Decodes any media file to 16 kHz mono float32 samples. */
export async function decodeAudio(input: string, options: DecodeAudioOptions = {}): Promise<DecodedAudio> {
  const { signal, onProgress } = options;
  throwIfCancelled(signal);
  const file = preflightInput(input);
  const ffmpeg = options.ffmpeg ?? findFfmpeg({ explicit: options.ffmpegPath });
  const maxSeconds = options.maxSeconds ?? MAX_DECODE_SECONDS;
  const probe = options.probe ?? (await probeMedia(file, { ffmpeg, signal }));
  if (probe.duration !== undefined && probe.duration > maxSeconds) {
    const gb = ((probe.duration * SAMPLE_RATE * 4) / 1e9).toFixed(1);
    throw badInput(
      `Input is too long: ${formatHours(probe.duration)} (${gb} GB decoded); the limit is ${formatHours(maxSeconds)}. Split it first, e.g. "ffmpeg -i in -f segment -segment_time 3600 -c copy part%02d.<ext>".`,
    );
  }
  const maxBytes = Math.ceil(maxSeconds * SAMPLE_RATE * 4) + SAMPLE_RATE * 4;
  const expectedBytes = probe.duration !== undefined ? Math.ceil(probe.duration * SAMPLE_RATE * 4) + 64 * 1024 : 16 * 1024 * 1024;

  return new Promise<DecodedAudio>((resolve, reject) => {
    const args = ['-nostdin', '-hide_banner', '-loglevel', 'error', '-nostats', '-progress', 'pipe:2', ...mediaInputArgs(file)];
    args.push('-map', '0:a:0', '-vn', '-sn', '-dn', '-ac', '1', '-ar', String(SAMPLE_RATE), '-f', 'f32le', 'pipe:1');
    const program = ffmpegProgram(ffmpeg.path);
    const child = spawnProgram(program, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let buf = Buffer.allocUnsafe(options.sink ? 0 : Math.min(expectedBytes, maxBytes));
    let used = 0;
    let stderr = '';
    let tooLong = false;
    let lastPercent = -1;
    let settled = false;

    const finish = (err: Error | null, value?: DecodedAudio) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(value!);
    };
    const onAbort = () => {
      child.kill('SIGKILL');
      finish(new CancelledError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout!.on('data', (chunk: Buffer) => {
      if (settled) return; // cancelled: what ffmpeg had already written is dropped
      if (options.sink) {
        used += chunk.length;
        if (used > maxBytes) {
          tooLong = true;
          child.kill('SIGKILL');
          return;
        }
        try {
          options.sink(chunk);
        } catch (err) {
          // A sink that cannot write (a full disk) ends the decode with its error instead of crashing the process.
          child.kill('SIGKILL');
          finish(err as Error);
        }
        return;
      }
      if (used + chunk.length > buf.length) {
        if (used + chunk.length > maxBytes) {
          tooLong = true;
          child.kill('SIGKILL');
          return;
        }
        const grown = Buffer.allocUnsafe(Math.min(maxBytes, Math.max(buf.length * 2, used + chunk.length)));
        buf.copy(grown, 0, 0, used);
        buf = grown;
      }
      chunk.copy(buf, used);
      used += chunk.length;
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      for (const line of text.split('\n')) {
        const m = /^out_time_(?:us|ms)=(\d+)/.exec(line);
        if (m) {
          if (onProgress && probe.duration) {
            const percent = Math.min(100, Math.floor((Number(m[1]) / 1e6 / probe.duration) * 100));
            if (percent > lastPercent) {
              lastPercent = percent;
              onProgress(percent);
            }
          }
        } else if (line && !/^[a-z_0-9]+=/.test(line) && stderr.length < 64 * 1024) {
          stderr += line + '\n';
        }
      }
    });
    child.on('error', (err) => finish(startError(program, err)));
    child.on('close', (code) => {
      if (settled) return;
      if (signal?.aborted) return finish(new CancelledError());
      if (tooLong) return finish(badInput(`Input is too long: more than ${formatHours(maxSeconds)} of audio decoded; split it first.`));
      if (code !== 0) return finish(badInput(`Cannot decode ${file} (ffmpeg: ${summarizeFfmpegError(stderr, ffmpegInputName(file))})`));
      const count = Math.floor(used / 4);
      if (count === 0) return finish(badInput(`No audio in ${file}: the audio stream is empty (0 s)`));
      // Copy into an aligned, exactly-sized buffer (the Buffer pool may not be 4-byte aligned).
      const samples = new Float32Array(options.sink ? 0 : count);
      if (!options.sink) new Uint8Array(samples.buffer).set(buf.subarray(0, count * 4));
      if (onProgress && lastPercent < 100) onProgress(100);
      const duration = count / SAMPLE_RATE;
      const shortfall = decodeShortfall(file, probe, duration, stderr.trim() ? summarizeFfmpegError(stderr, ffmpegInputName(file)) : undefined);
      finish(null, { samples, sampleCount: count, sampleRate: SAMPLE_RATE, duration, probe, ffmpeg, ...(shortfall && { shortfall }) });
    });
  });
}
