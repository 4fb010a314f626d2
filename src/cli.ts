// The `transcrevai` command line. The contract is exact (scripts depend on it):
//   transcrevai transcribe <input> [--model tiny|base|small|medium|large-v3-turbo|<dir>] [--language auto|pt|en|<code>]
//     [--format md|srt|vtt|json|txt] [--out <file>] [--threads N] [--precision int8|fp32]
//     [--diarize] [--speakers N] [--min-speakers N] [--max-speakers N]
//   defaults: --model base --language pt --format md --precision int8
//   exit codes: 0 ok, 1 internal, 2 usage, 3 bad or unreadable input, 4 model missing or broken, 5 cancelled
// The result goes to stdout, or to --out (which overwrites an existing file, like other CLIs). Progress
// goes to stderr when stderr is a terminal or with --progress; errors are one line on stderr.
// The CLI runs the same Engine as the engine process: decoding, transcription and diarization in supervised
// child processes (crash-isolated, restarted, work requeued), or all in this one process with --in-process.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'node:util';
import pkg from '../package.json';
import { findFfmpeg } from './audio/ffmpeg';
import { CancelledError, TranscrevError } from './errors';
import { isWhisperModelName, modelsRoot, WHISPER_MODEL_NAMES } from './models/paths';
import { isOutputFormat, OUTPUT_FORMATS, render } from './output';
import { renderStageAccounts } from './engine/audit';
import type { ProgressEvent } from './progress';
import type { LiveStartParams, OutputFormat, Precision, RecorderProgram, TranscribeParams } from './protocol/messages';

export const VERSION: string = pkg.version;

export const USAGE = `Usage:
  transcrevai transcribe <input> [options]   transcribe a media file (audio or video)
  transcrevai dictate [options]               live text from the microphone, a line per phrase
  transcrevai meeting [options]               record a meeting; speaker-labelled transcript at the end
  transcrevai status                          show ffmpeg, core budget and installed models
  transcrevai --help | --version

Options for transcribe:
  --model <name|dir>     tiny, base, small, medium, large-v3-turbo, or a model folder (default: base)
  --language <code>      auto, pt, en or any Whisper language code (default: pt)
  --format <fmt>         md, srt, vtt, json, txt, rttm (default: md; rttm = speaker turns, implies --diarize)
  --out, -o <file>       write the result to <file> (an existing file is overwritten); default: stdout
  --threads <N>          inference threads (default: CPU cores - 2, at least 1)
  --precision <p>        int8 or fp32 (default: int8)
  --beam-size <N>        beam search width, 1 = greedy (default: 1; see docs/accuracy.md)
  --diarize              label speakers (who spoke when)
  --speakers <N>         exact number of speakers (implies --diarize)
  --min-speakers <N>     lower bound on speakers (implies --diarize)
  --max-speakers <N>     upper bound on speakers (implies --diarize)
  --progress             print progress on stderr even when it is not a terminal
  --ffmpeg <path>        ffmpeg binary to use (else $TRANSCREVAI_FFMPEG, ffmpeg-static, PATH)
  --in-process           run every stage in this process instead of supervised child processes
  --verbose              print each process's peak memory, CPU and restarts on stderr at the end

Options for dictate and meeting (stop with Ctrl-C, or --seconds):
  --device <name>        input device (sox: AUDIODEV, e.g. a PulseAudio source; arecord: -D); default: the system's
  --recorder <program>   sox, rec or arecord (default: sox, else arecord)
  --input <file>         read a media file instead of the microphone (--realtime paces it like a microphone)
  --seconds <N>          stop after N seconds
  --recording <file>     where the recording (16 kHz WAV) goes; meetings keep it, dictation only with this flag
  --events               print every live event (level, partial, final, gap) and the result as JSON lines
  --queue <N>            phrases waiting for transcription before the VAD stage pauses (default 50)
  --model, --language, --threads, --precision, --speakers, --format, --out, --verbose as for transcribe

Models are looked up in $TRANSCREVAI_MODELS or ~/.cache/transcrevai/models.
Exit codes: 0 ok, 1 internal error, 2 usage, 3 bad or unreadable input, 4 model missing or broken, 5 cancelled,
6 no recorder program or no input device.`;

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'status'; ffmpegPath?: string }
  | { kind: 'transcribe'; params: TranscribeParams; format: OutputFormat; out?: string; progress: boolean; inProcess?: boolean; verbose?: boolean }
  | { kind: 'live'; params: LiveStartParams; seconds?: number; events: boolean; format: OutputFormat; out?: string; verbose?: boolean };

const usage = (message: string) => new TranscrevError('usage', message);

function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw usage(`--${flag} must be a whole number ≥ 1 (got "${value}")`);
  return Number(value);
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw usage(`--${flag} must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as T;
}

/** Parses argv (without node and script) into a command; throws TranscrevError('usage'). */
export function parseCli(argv: string[], cwd = process.cwd()): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        model: { type: 'string', short: 'm' },
        language: { type: 'string', short: 'l' },
        format: { type: 'string', short: 'f' },
        out: { type: 'string', short: 'o' },
        threads: { type: 'string', short: 't' },
        precision: { type: 'string' },
        'beam-size': { type: 'string' },
        diarize: { type: 'boolean' },
        speakers: { type: 'string' },
        'min-speakers': { type: 'string' },
        'max-speakers': { type: 'string' },
        progress: { type: 'boolean' },
        ffmpeg: { type: 'string' },
        'in-process': { type: 'boolean' },
        verbose: { type: 'boolean' },
        device: { type: 'string' },
        recorder: { type: 'string' },
        input: { type: 'string' },
        realtime: { type: 'boolean' },
        seconds: { type: 'string' },
        recording: { type: 'string' },
        events: { type: 'boolean' },
        queue: { type: 'string' },
      },
    });
  } catch (err) {
    // parseArgs messages carry a second sentence about '--'; the first one says it all.
    const first = (err as Error).message.split(/\.\s/)[0].replace(/\.$/, '');
    throw usage(first);
  }
  const { values: v, positionals } = parsed;
  if (v.help) return { kind: 'help' };
  if (v.version) return { kind: 'version' };
  const [command, ...rest] = positionals;
  if (!command) throw usage('no command given: use "transcrevai transcribe <input>"');
  if (command === 'help') return { kind: 'help' };
  if (command === 'status') {
    if (rest.length) throw usage(`"status" takes no arguments (got "${rest[0]}")`);
    return { kind: 'status', ffmpegPath: v.ffmpeg };
  }
  const live = command === 'dictate' || command === 'meeting';
  if (command !== 'transcribe' && !live) throw usage(`unknown command "${command}": use "transcribe", "dictate", "meeting" or "status"`);
  if (live && rest.length) throw usage(`"${command}" takes no file argument (got "${rest[0]}"); use --input to read a file`);
  if (!live && rest.length === 0) throw usage('no input file: use "transcrevai transcribe <input>"');
  if (rest.length > 1) throw usage(`one input file at a time (got ${rest.length}: ${rest.join(', ')})`);

  const format = v.format ?? 'md';
  if (!isOutputFormat(format)) throw usage(`--format must be one of ${OUTPUT_FORMATS.join(', ')} (got "${format}")`);
  const precision = oneOf<Precision>('precision', v.precision ?? 'int8', ['int8', 'fp32']);
  const language = (v.language ?? 'pt').trim().toLowerCase();
  if (language !== 'auto' && !/^[a-z]{2,3}$/.test(language)) {
    throw usage(`--language must be auto or a Whisper language code such as pt, en, es (got "${v.language}")`);
  }
  const model = (v.model ?? 'base').trim();
  if (!model) throw usage('--model is empty');
  const threads = positiveInt('threads', v.threads);
  const beamSize = positiveInt('beam-size', v['beam-size']);
  const speakers = positiveInt('speakers', v.speakers);
  const minSpeakers = positiveInt('min-speakers', v['min-speakers']);
  const maxSpeakers = positiveInt('max-speakers', v['max-speakers']);
  if (speakers !== undefined && (minSpeakers !== undefined || maxSpeakers !== undefined)) {
    throw usage('use either --speakers or --min-speakers/--max-speakers, not both');
  }
  if (minSpeakers !== undefined && maxSpeakers !== undefined && minSpeakers > maxSpeakers) {
    throw usage(`--min-speakers (${minSpeakers}) is greater than --max-speakers (${maxSpeakers})`);
  }
  // A model given as a relative folder is resolved here, against the caller's directory.
  const modelArg = isWhisperModelName(model) ? model : path.resolve(cwd, model);
  let out: string | undefined;
  if (v.out !== undefined) {
    if (!v.out.trim()) throw usage('--out is empty');
    out = path.resolve(cwd, v.out);
  }
  if (live) {
    if (minSpeakers !== undefined || maxSpeakers !== undefined) throw usage('meetings take --speakers N (or none for automatic), not a min/max range');
    if (v.realtime && v.input === undefined) throw usage('--realtime paces an --input file; the microphone is real time already');
    const recorder = v.recorder === undefined ? undefined : oneOf<RecorderProgram>('recorder', v.recorder, ['sox', 'rec', 'arecord']);
    const params: LiveStartParams = {
      mode: command === 'dictate' ? 'dictation' : 'meeting',
      source: v.input !== undefined
        ? { kind: 'file', input: path.resolve(cwd, v.input), realtime: !!v.realtime, ...(v.ffmpeg !== undefined && { ffmpegPath: path.resolve(cwd, v.ffmpeg) }) }
        : { kind: 'microphone', ...(recorder && { recorder }), ...(v.device !== undefined && { device: v.device }) },
      model: modelArg,
      language,
      precision,
      ...(threads !== undefined && { threads }),
      ...(speakers !== undefined && { speakers }),
      ...(v.recording !== undefined && { recording: path.resolve(cwd, v.recording), keepRecording: true }),
      ...(v.queue !== undefined && { queueCapacity: positiveInt('queue', v.queue) }),
    };
    const seconds = v.seconds === undefined ? undefined : Number(v.seconds);
    if (seconds !== undefined && !(Number.isFinite(seconds) && seconds > 0)) throw usage(`--seconds must be a positive number (got "${v.seconds}")`);
    return { kind: 'live', params, seconds, events: !!v.events, format, out, ...(v.verbose && { verbose: true }) };
  }
  const params: TranscribeParams = {
    input: path.resolve(cwd, rest[0]),
    model: modelArg,
    language,
    precision,
    ...(threads !== undefined && { threads }),
    ...(beamSize !== undefined && { beamSize }),
    ...(v.ffmpeg !== undefined && { ffmpegPath: path.resolve(cwd, v.ffmpeg) }),
    ...((v.diarize || format === 'rttm' || (speakers ?? minSpeakers ?? maxSpeakers) !== undefined) && { diarize: true }),
    ...(speakers !== undefined && { speakers }),
    ...(minSpeakers !== undefined && { minSpeakers }),
    ...(maxSpeakers !== undefined && { maxSpeakers }),
  };
  return { kind: 'transcribe', params, format, out, progress: !!v.progress, ...(v['in-process'] && { inProcess: true }), ...(v.verbose && { verbose: true }) };
}

/** One line per failure: `transcrevai: error: …`. */
export function errorLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const text = message.replace(/\s*\n\s*/g, ' ').trim();
  const hint = err instanceof TranscrevError && err.kind === 'usage' ? ' (see transcrevai --help)' : '';
  return `transcrevai: error: ${text}${hint}`;
}

export function exitCodeOf(err: unknown): number {
  return err instanceof TranscrevError ? err.exitCode : 1;
}

const COMPONENT_LABEL: Record<ProgressEvent['component'], string> = {
  load: 'loading model',
  decode: 'decoding audio',
  vad: 'finding speech',
  transcription: 'transcribing',
  diarization: 'labelling speakers',
};

/** Progress on stderr: one rewritten line on a terminal, else a line per component and 10 % step. */
function progressPrinter(tty: boolean): { update(e: ProgressEvent): void; end(): void } {
  let last = '';
  let lastStep = -1;
  let lastComponent = '';
  let drawn = false;
  return {
    update(e) {
      const line = `transcrevai: ${COMPONENT_LABEL[e.component]} ${Math.round(e.percent)}%`;
      if (tty) {
        if (line === last) return;
        last = line;
        process.stderr.write(`\r\x1b[2K${line}`);
        drawn = true;
        return;
      }
      const step = Math.floor(e.percent / 10);
      if (e.component === lastComponent && step === lastStep) return;
      lastComponent = e.component;
      lastStep = step;
      process.stderr.write(line + '\n');
    },
    end() {
      if (tty && drawn) process.stderr.write('\r\x1b[2K');
    },
  };
}

function status(ffmpegPath?: string): string {
  // Lazily required so --help/--version/status do not load onnxruntime.
  const { coreBudget } = require('./engine/engine') as typeof import('./engine/engine');
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

export function writeStdout(text: string): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(text)) resolve();
    else process.stdout.once('drain', resolve);
  });
}

/** `--verbose`: one line per process (this one, then the children), peak RSS from the kernel / heartbeats. */
export function resourceReport(children: import('./protocol/messages').ChildStatus[]): string {
  const mb = (bytes: number) => `${Math.round(bytes / 1e6)} MB`;
  const self = process.resourceUsage();
  const lines = [`transcrevai: process engine pid ${process.pid}: peak RSS ${mb(self.maxRSS * 1024)}, CPU ${((self.userCPUTime + self.systemCPUTime) / 1e6).toFixed(1)} s`];
  let total = self.maxRSS * 1024;
  for (const c of children) {
    if (!c.peakRss) continue;
    total += c.peakRss;
    lines.push(`transcrevai: process ${c.kind}: peak RSS ${mb(c.peakRss)}, restarts ${c.restarts}${c.affinity ? `, affinity ${c.affinity}` : ''}`);
  }
  lines.push(`transcrevai: all processes: at most ${mb(total)} (sum of peaks); system memory free ${mb(os.freemem())} of ${mb(os.totalmem())}`);
  return lines.join('\n') + '\n';
}

async function transcribeCommand(cmd: Extract<CliCommand, { kind: 'transcribe' }>): Promise<void> {
  if (cmd.out) {
    const dir = path.dirname(cmd.out);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw usage(`--out: folder does not exist: ${dir}`);
    if (fs.existsSync(cmd.out) && fs.statSync(cmd.out).isDirectory()) throw usage(`--out is a folder, not a file: ${cmd.out}`);
  }
  const { Engine } = require('./engine/engine') as typeof import('./engine/engine');
  const { Supervisor } = require('./engine/supervisor') as typeof import('./engine/supervisor');
  const supervisor = cmd.inProcess ? undefined : new Supervisor({ distDir: __dirname, onEvent: (m) => process.env.TRANSCREVAI_DEBUG && process.stderr.write(`transcrevai: ${m}\n`) });
  // Fork the children now: their start-up (Node + onnxruntime) overlaps the engine's checks and media probe.
  supervisor?.start(cmd.params.diarize ? undefined : ['capture', 'transcription']).catch(() => undefined);
  const engine = new Engine({ supervisor });
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts === 1) {
      controller.abort();
      // If the job does not wind down promptly, leave anyway with the cancelled code.
      setTimeout(() => {
        process.stderr.write(errorLine(new CancelledError('cancelled')) + '\n');
        process.exit(5);
      }, 3000).unref();
    } else {
      process.exit(5);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const showProgress = cmd.progress || !!process.stderr.isTTY;
  const printer = progressPrinter(!!process.stderr.isTTY);
  try {
    const transcript = await engine.transcribe(cmd.params, {
      signal: controller.signal,
      onProgress: showProgress ? (e) => printer.update(e) : undefined,
      onWarning: (m) => {
        printer.end();
        process.stderr.write(`transcrevai: warning: ${m.replace(/\s*\n\s*/g, ' ')}\n`);
      },
    });
    printer.end();
    if (cmd.verbose) {
      process.stderr.write(renderStageAccounts(transcript.audit ?? []));
      process.stderr.write(resourceReport(supervisor?.status() ?? []));
    }
    const text = render(transcript, cmd.format);
    if (cmd.out) fs.writeFileSync(cmd.out, text);
    else await writeStdout(text);
  } catch (err) {
    printer.end();
    if (controller.signal.aborted && !(err instanceof CancelledError)) throw new CancelledError('cancelled');
    throw err;
  } finally {
    await supervisor?.dispose();
  }
}

export async function main(argv: string[]): Promise<number> {
  try {
    const cmd = parseCli(argv);
    switch (cmd.kind) {
      case 'help':
        await writeStdout(USAGE + '\n');
        return 0;
      case 'version':
        await writeStdout(VERSION + '\n');
        return 0;
      case 'status':
        await writeStdout(status(cmd.ffmpegPath) + '\n');
        return 0;
      case 'transcribe':
        await transcribeCommand(cmd);
        return 0;
      case 'live': {
        const { liveCommand } = require('./cliLive') as typeof import('./cliLive');
        await liveCommand(cmd);
        return 0;
      }
    }
  } catch (err) {
    const e = err instanceof CancelledError ? new CancelledError('cancelled') : err;
    process.stderr.write(errorLine(e) + '\n');
    if (process.env.TRANSCREVAI_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    return exitCodeOf(e);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(errorLine(err) + '\n');
      process.exit(1);
    },
  );
}
