// The usage text, written from the option records (src/options/registry.ts): a flag, its placeholder, its
// summary and its default come from the same record the parser reads, so the help cannot drift from the parser.
import { defaultOf, type Command, type OptionSpec } from '../options/spec';
import { OPTIONS } from '../options/registry';

const COLUMN = 25;

function flagText(o: OptionSpec): string {
  const cli = o.cli!;
  const names = cli.short ? `--${cli.flag}, -${cli.short}` : `--${cli.flag}`;
  return cli.placeholder ? `${names} ${cli.placeholder}` : names;
}

function line(o: OptionSpec): string {
  const d = defaultOf(o, 'cli');
  const shown = d === undefined || d === false || d === '' ? '' : ` (default: ${d})`;
  const about = o.summary ?? o.description.replace(/\.$/, '');
  const text = `${about[0].toLowerCase()}${about.slice(1)}${shown}`;
  return `  ${flagText(o).padEnd(COLUMN - 3)} ${text}`;
}

const withCli = OPTIONS.filter((o) => 'cli' in o) as OptionSpec[];
const forCommand = (c: Command) => withCli.filter((o) => o.cli!.commands.includes(c));

export function usage(): string {
  const transcribe = forCommand('transcribe');
  const liveOnly = forCommand('dictate').filter((o) => !o.cli!.commands.includes('transcribe'));
  const shared = forCommand('dictate').filter((o) => o.cli!.commands.includes('transcribe'));
  return [
    'Usage:',
    '  transcrevai transcribe <input> [options]   transcribe a media file (audio or video)',
    '  transcrevai transcribe <inputs and folders...> [--out-dir D] [--shard K/N]',
    '                                              a batch: a transcript per file, existing ones skipped',
    '  transcrevai dictate [options]               live text from the microphone, a line per phrase',
    '  transcrevai meeting [options]               record a meeting; speaker-labelled transcript at the end',
    '  transcrevai status                          show ffmpeg, core budget and installed models',
    '  transcrevai download <model> [--precision int8|q4|fp32] [--keep-float]',
    '                                              fetch a catalogue model (its float graphs, verified) and make',
    '                                              the int8 or q4 graphs here; resumes after Ctrl-C or a lost link',
    '  transcrevai models                          catalogue models: installed precisions, sizes, where',
    '  transcrevai quantize <folder> [--precision int8|q4]',
    "                                              make weight-only int8/q4 graphs from a folder's fp32 ones",
    '                                              (a Whisper ONNX folder of your own, e.g. a fine-tune)',
    '  transcrevai --help | --version',
    '',
    'Options for transcribe:',
    ...transcribe.map(line),
    '',
    'Options for dictate and meeting (stop with Ctrl-C, or --seconds):',
    ...liveOnly.map(line),
    `  ${shared.map((o) => `--${o.cli!.flag}`).join(', ')} as for transcribe`,
    '',
    'Models are looked up in $TRANSCREVAI_MODELS or ~/.cache/transcrevai/models. download/quantize print a progress bar',
    'on a terminal and a line per step otherwise (or with --progress-lines); HTTPS_PROXY and HF_ENDPOINT are honoured.',
    'Exit codes: 0 ok, 1 internal error, 2 usage, 3 bad or unreadable input, 4 model missing or broken, 5 cancelled,',
    '6 no recorder program or no input device.',
  ].join('\n');
}
