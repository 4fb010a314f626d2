// argv → a command, with every flag declared, typed, checked and defaulted by its option record
// (src/options/registry.ts). The rules between options (a speaker count implies --diarize, --realtime needs
// --input, …) are here; single values are the records' business. Errors are TranscrevError('usage'), exit 2.
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'node:util';
import { TranscrevError } from '../errors';
import { readVoiceProfiles } from '../files/voiceStore';
import { isDirectory } from '../models/files';
import { isWhisperModelName, looksLikeModelPath, modelsRoot } from '../models/paths';
import { checkCliValue, defaultOf, type Command, type OptionSpec } from '../options/spec';
import { OPTIONS, type OptionKey } from '../options/registry';
import { readVocabularyFile, vocabularyPrompt } from '../options/vocabularyList';
import type { OutputFormat } from '../output/formats';
import type { LiveStartParams, TranscribeParams } from '../protocol/client';
import { PRECISIONS, type Precision, type RecorderProgram } from '../vocabulary';
import { parseShard, type Shard } from '../batch/plan';

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'status'; ffmpegPath?: string }
  | {
      kind: 'transcribe';
      params: TranscribeParams;
      format: OutputFormat;
      out?: string;
      progress: boolean;
      inProcess?: boolean;
      verbose?: boolean;
      /** SRT/VTT: a cue per word. */
      wordCues?: boolean;
    }
  | {
      kind: 'batch';
      /** Files and folders as given (absolute). */
      inputs: string[];
      /** Every file's parameters but its input. */
      params: Omit<TranscribeParams, 'input'>;
      format: OutputFormat;
      outDir?: string;
      shard?: Shard;
      overwrite: boolean;
      progress: boolean;
      inProcess?: boolean;
      /** SRT/VTT: a cue per word. */
      wordCues?: boolean;
      verbose?: boolean;
    }
  | { kind: 'live'; params: LiveStartParams; seconds?: number; events: boolean; format: OutputFormat; out?: string; verbose?: boolean }
  | { kind: 'download'; model: string; precision: Precision; keepFloat: boolean; lines: boolean }
  | { kind: 'models' }
  | { kind: 'quantize'; dir: string; precision: 'int8' | 'q4'; lines: boolean };

const MODEL_COMMANDS = ['download', 'models', 'quantize'] as const;

/**
 * `download <model>`, `models`, `quantize <folder>`: flags of their own (--precision, --keep-float, --progress-lines),
 * so they are parsed apart from the transcription options. The command comes first.
 */
function parseModelCommand(command: (typeof MODEL_COMMANDS)[number], argv: string[], cwd: string): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        precision: { type: 'string' },
        'keep-float': { type: 'boolean' },
        'progress-lines': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw usage(`${command}: ${(err as Error).message.split(/\.\s/)[0].replace(/\.$/, '')}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  const precisionGiven = values.precision;
  const precisionSpec = OPTIONS.find((o) => o.key === 'precision')!;
  const precision = (precisionGiven ?? precisionSpec.default) as Precision;
  if (!(PRECISIONS as readonly string[]).includes(precision)) throw usage(`--precision must be one of ${PRECISIONS.join(', ')} (got "${precisionGiven}")`);
  const lines = values['progress-lines'] === true;
  if (command === 'models') {
    if (positionals.length || precisionGiven !== undefined || values['keep-float']) throw usage('"models" takes no arguments');
    return { kind: 'models' };
  }
  if (positionals.length !== 1)
    throw usage(
      command === 'download'
        ? 'use "transcrevai download <model> [--precision int8|q4|fp32]"'
        : 'use "transcrevai quantize <model folder> [--precision int8|q4]"',
    );
  if (command === 'download') return { kind: 'download', model: positionals[0], precision, keepFloat: values['keep-float'] === true, lines };
  if (precision === 'fp32') throw usage('quantize makes int8 or q4 graphs from the fp32 ones: --precision int8 or q4');
  if (values['keep-float']) throw usage('--keep-float is an option of "download"');
  return { kind: 'quantize', dir: path.resolve(cwd, positionals[0]), precision, lines };
}

const usage = (message: string) => new TranscrevError('usage', message);
const WITH_CLI = OPTIONS.filter((o) => 'cli' in o) as (OptionSpec & { key: OptionKey })[];

function parseArgv(argv: string[]) {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'v' },
  };
  for (const o of WITH_CLI) options[o.cli!.flag] = { type: o.value.type === 'boolean' ? 'boolean' : 'string', ...(o.cli!.short && { short: o.cli!.short }) };
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options });
  } catch (err) {
    // parseArgs messages carry a second sentence about '--'; the first one says it all.
    throw usage((err as Error).message.split(/\.\s/)[0].replace(/\.$/, ''));
  }
}

/** The typed value of every option of `command`: given on the command line (checked), else its default. */
function optionValues(raw: Record<string, string | boolean | undefined>, command: Command): Partial<Record<OptionKey, unknown>> {
  const out: Partial<Record<OptionKey, unknown>> = {};
  for (const o of WITH_CLI) {
    const given = raw[o.cli!.flag];
    if (given === undefined) {
      if (o.cli!.commands.includes(command)) out[o.key] = defaultOf(o, 'cli');
      continue;
    }
    if (!o.cli!.commands.includes(command)) throw usage(`--${o.cli!.flag} is not an option of "${command}"`);
    const checked = checkCliValue(o, given);
    if (!checked.ok) throw usage(checked.problem);
    out[o.key] = checked.value;
  }
  return out;
}

/** Parses argv (without node and script) into a command; throws TranscrevError('usage'). */
export function parseCli(argv: string[], cwd = process.cwd()): CliCommand {
  const first = argv[0] as (typeof MODEL_COMMANDS)[number];
  if (MODEL_COMMANDS.includes(first)) return parseModelCommand(first, argv.slice(1), cwd);
  const { values: raw, positionals } = parseArgv(argv);
  if (raw.help) return { kind: 'help' };
  if (raw.version) return { kind: 'version' };
  const [command, ...rest] = positionals;
  if (!command) throw usage('no command given: use "transcrevai transcribe <input>"');
  if (command === 'help') return { kind: 'help' };
  if (command === 'status') {
    if (rest.length) throw usage(`"status" takes no arguments (got "${rest[0]}")`);
    return { kind: 'status', ffmpegPath: raw.ffmpeg as string | undefined };
  }
  const live = command === 'dictate' || command === 'meeting';
  if ((MODEL_COMMANDS as readonly string[]).includes(command)) throw usage(`"${command}" comes first: transcrevai ${command} …`);
  if (command !== 'transcribe' && !live)
    throw usage(`unknown command "${command}": use "transcribe", "dictate", "meeting", "status", "download", "models" or "quantize"`);
  if (live && rest.length) throw usage(`"${command}" takes no file argument (got "${rest[0]}"); use --input to read a file`);
  if (!live && rest.length === 0) throw usage('no input file: use "transcrevai transcribe <input>"');
  if (live && (raw['min-speakers'] !== undefined || raw['max-speakers'] !== undefined))
    throw usage('meetings take --speakers N (or none for automatic), not a min/max range');

  const v = optionValues(raw, command);
  const str = (k: OptionKey) => v[k] as string | undefined;
  const num = (k: OptionKey) => v[k] as number | undefined;
  const flag = (k: OptionKey) => v[k] === true;
  const format = str('outputFormat') as OutputFormat;
  const precision = str('precision') as Precision;
  const language = str('language')!;
  const model = str('model')!;
  const speakers = num('speakers');
  const minSpeakers = num('minSpeakers');
  const maxSpeakers = num('maxSpeakers');
  const threads = num('threads');
  if (speakers !== undefined && (minSpeakers !== undefined || maxSpeakers !== undefined)) {
    throw usage('use either --speakers or --min-speakers/--max-speakers, not both');
  }
  if (minSpeakers !== undefined && maxSpeakers !== undefined && minSpeakers > maxSpeakers) {
    throw usage(`--min-speakers (${minSpeakers}) is greater than --max-speakers (${maxSpeakers})`);
  }
  // A model given as a relative folder is resolved here, against the caller's directory; a bare name stays a name
  // (the engine looks in the models folder) unless only the caller's directory holds a folder of that name.
  const inModels = fs.existsSync(path.join(modelsRoot(), model));
  const modelArg =
    looksLikeModelPath(model) || (!isWhisperModelName(model) && !inModels && fs.existsSync(path.resolve(cwd, model))) ? path.resolve(cwd, model) : model;
  const out = str('out') !== undefined ? path.resolve(cwd, str('out')!) : undefined;
  const ffmpegPath = str('ffmpegPath') !== undefined ? path.resolve(cwd, str('ffmpegPath')!) : undefined;
  const verbose = flag('verbose') ? { verbose: true } : {};
  const vocabulary = cliVocabulary(str('vocabulary'), cwd);
  const voices = str('voices') !== undefined ? readVoiceProfiles(path.resolve(cwd, str('voices')!)) : undefined;
  if (voices?.length === 0) throw usage(`--voices ${str('voices')}: no such file, or no voice in it`);
  if (live) {
    if (flag('realtime') && str('input') === undefined) throw usage('--realtime paces an --input file; the microphone is real time already');
    const recorder = str('audioRecorder') as RecorderProgram | undefined;
    const device = str('audioDevice');
    const recording = str('recording');
    const input = str('input');
    const params: LiveStartParams = {
      mode: command === 'dictate' ? 'dictation' : 'meeting',
      source:
        input !== undefined
          ? { kind: 'file', input: path.resolve(cwd, input), realtime: flag('realtime'), ...(ffmpegPath !== undefined && { ffmpegPath }) }
          : { kind: 'microphone', ...(recorder && { recorder }), ...(device !== undefined && { device }) },
      model: modelArg,
      language,
      precision,
      ...(threads !== undefined && { threads }),
      ...(vocabulary !== undefined && { vocabulary }),
      ...(voices && { voices }),
      ...(speakers !== undefined && { speakers }),
      ...(recording !== undefined && { recording: path.resolve(cwd, recording), keepRecording: true }),
      ...(command === 'meeting' && flag('wordTimings') && { wordTimings: true }),
      ...(num('queue') !== undefined && { queueCapacity: num('queue') }),
    };
    return { kind: 'live', params, seconds: num('seconds'), events: flag('events'), format, out, ...verbose };
  }
  // Beam 1 is greedy, the engine's default: left out, as the setting does (extension/settings.ts).
  const beamSize = num('beamSize')!;
  const inputs = rest.map((r) => path.resolve(cwd, r));
  const outDir = str('outDir') !== undefined ? path.resolve(cwd, str('outDir')!) : undefined;
  const shard = str('shard') !== undefined ? parseShard(str('shard')!) : undefined;
  // Several inputs, a folder, or a batch option: a batch (one transcript file per input, a summary at the end).
  const batch = inputs.length > 1 || outDir !== undefined || shard !== undefined || flag('overwrite') || inputs.some(isDirectory);
  if (batch && out !== undefined) throw usage('--out names one file: with several inputs or a folder, use --out-dir <folder> (or nothing: beside each input)');
  const shared: Omit<TranscribeParams, 'input'> = {
    model: modelArg,
    language,
    precision,
    ...(threads !== undefined && { threads }),
    ...(beamSize > 1 && { beamSize }),
    ...(vocabulary !== undefined && { vocabulary }),
    ...(voices && { voices, diarize: true }),
    ...(ffmpegPath !== undefined && { ffmpegPath }),
    ...((flag('wordTimings') || flag('wordCues')) && { wordTimings: true }),
    ...((flag('diarize') || format === 'rttm' || (speakers ?? minSpeakers ?? maxSpeakers) !== undefined) && { diarize: true }),
    ...(speakers !== undefined && { speakers }),
    ...(minSpeakers !== undefined && { minSpeakers }),
    ...(maxSpeakers !== undefined && { maxSpeakers }),
  };
  const inProcess = flag('inProcess') ? { inProcess: true } : {};
  const wordCues = flag('wordCues') ? { wordCues: true } : {};
  if (batch) {
    return {
      kind: 'batch',
      inputs,
      params: shared,
      format,
      ...(outDir !== undefined && { outDir }),
      ...(shard && { shard }),
      overwrite: flag('overwrite'),
      progress: flag('progress'),
      ...inProcess,
      ...wordCues,
      ...verbose,
    };
  }
  return { kind: 'transcribe', params: { input: inputs[0], ...shared }, format, out, progress: flag('progress'), ...inProcess, ...verbose, ...wordCues };
}

/** `--vocabulary`: the terms themselves, or `@file` (a term per line, as .transcrevai/vocabulary.txt). */
function cliVocabulary(value: string | undefined, cwd: string): string | undefined {
  if (value === undefined || !value.startsWith('@')) return vocabularyPrompt(value);
  const file = path.resolve(cwd, value.slice(1));
  let text: string | undefined;
  try {
    text = readVocabularyFile(file);
  } catch (err) {
    throw usage(`--vocabulary ${value}: cannot read ${file} (${(err as Error).message})`);
  }
  if (text === undefined) throw usage(`--vocabulary ${value}: no such file: ${file}`);
  return vocabularyPrompt(text);
}
