// Every option of TranscrevAI, one record each: its default, its allowed values, its description, and where it
// appears (a command-line flag of some commands, a `transcrevai.*` setting, or both). Adding an option is one
// record here plus the code that uses it; `npm run sync:settings` writes the settings into package.json.
import { EXPORT_FORMATS, formatSpec, OUTPUT_FORMATS } from '../output/formats';
import { PRECISIONS, RECORDER_PROGRAMS } from '../vocabulary';
import type { OptionSpec } from './spec';

const ALL = ['transcribe', 'dictate', 'meeting'] as const;
const LIVE = ['dictate', 'meeting'] as const;

/** Beam widths accepted: each beam is one more decoder row per step. */
export const MAX_BEAM_SIZE = 10;
/** Upper bound of `threads`: more threads than cores only slows inference down. */
export const MAX_THREADS = 256;
/** Restarts of a crashed or hung child per job before the job gives up (the supervisor's defaults), and their bound. */
export const DEFAULT_RESTART_LIMITS = { capture: 5, transcription: 3, diarization: 3 } as const;
export const MAX_RESTART_LIMIT = 100;

export const OPTIONS = [
  {
    key: 'model',
    description:
      'Whisper model: a catalogue name (`tiny`, `tiny.en`, `base`, `small`, `medium`, `large-v3-turbo`; get one with **TranscrevAI: Download Model…**) or the absolute path of a folder holding a Whisper ONNX model (set by **TranscrevAI: Use Model Folder…**). Larger models are more accurate and slower.',
    summary: 'tiny, tiny.en, base, small, medium, large-v3-turbo, or a model folder',
    value: { type: 'string', nonEmpty: true },
    default: 'base',
    cli: { flag: 'model', short: 'm', placeholder: '<name|dir>', commands: ALL },
    setting: { key: 'model', order: 1, restricted: true },
  },
  {
    key: 'language',
    description: 'Spoken language: a Whisper language code (`pt`, `en`, `es`, …) or `auto` to detect it from the first 30 seconds.',
    summary: 'auto, pt, en or any Whisper language code',
    value: { type: 'string', pattern: /^(auto|[a-zA-Z]{2,3})$/, patternMessage: 'auto or a Whisper language code such as pt, en, es', lowercase: true },
    default: 'pt',
    cli: { flag: 'language', short: 'l', placeholder: '<code>', commands: ALL },
    setting: { key: 'language', order: 2 },
  },
  {
    key: 'vocabulary',
    description:
      'Names and words to spell right, separated by commas, e.g. `Nestor Pestana, FalaBrasil, Kubernetes`; the workspace file `.transcrevai/vocabulary.txt` (one per line) adds its own. Whisper reads them at the head of its prompt in every 30-second window. **Helps** with proper nouns, brands, acronyms and jargon it misspells or splits. **Does not help** with common words, sentences or instructions (Whisper imitates a prompt, it does not obey it), and a term that is never said does not appear. Up to 111 tokens are used: 20 to 35 names. Measured in docs/vocabulary.md.',
    summary: 'names and jargon to spell right, comma-separated, or @file (a term per line)',
    value: { type: 'string' },
    default: '',
    cli: { flag: 'vocabulary', placeholder: '<words|@file>', commands: ALL, default: undefined },
    setting: { key: 'vocabulary', order: 3 },
  },
  {
    key: 'precision',
    description: 'Numeric precision of the Whisper graphs.',
    summary: PRECISIONS.join(' or '),
    value: { type: 'enum', values: PRECISIONS },
    default: 'int8',
    cli: { flag: 'precision', placeholder: '<p>', commands: ALL },
    setting: {
      key: 'precision',
      order: 4,
      enumDescriptions: [
        '8-bit weights in blocks (the default): a third of the size of fp32, the same words (docs/accuracy.md); falls back to fp32 if the graphs fail to load.',
        '4-bit weights in blocks: the smallest, for large models on little memory; loses some words (docs/benchmarks.md).',
        'Full-precision graphs: larger, for checking accuracy.',
      ],
    },
  },
  {
    key: 'threads',
    description:
      "CPU cores a job may use: Whisper's intra-op threads; when speakers are labelled too, diarization runs beside it on the same cores with half as many threads. `0` = automatic (all cores but two, at least one).",
    summary: 'cores the job may use (default: CPU cores - 2, at least 1)',
    value: { type: 'integer', min: 0, max: MAX_THREADS },
    default: 0,
    cli: { flag: 'threads', short: 't', placeholder: '<N>', commands: ALL, min: 1, default: undefined },
    setting: { key: 'threads', order: 5 },
  },
  {
    key: 'beamSize',
    description:
      'Beam search width of the Whisper decoder when transcribing a file (dictation and meetings decode greedily, for latency); `1` = greedy. Measured on the shared PT-BR, English and meeting recordings, beam 5 was no more accurate than greedy and took 2.2× the time (docs/accuracy.md).',
    summary: 'beam search width, 1 = greedy',
    value: { type: 'integer', min: 1, max: MAX_BEAM_SIZE },
    default: 1,
    cli: { flag: 'beam-size', placeholder: '<N>', commands: ['transcribe'] },
    setting: { key: 'beamSize', order: 6 },
  },
  {
    key: 'outputFormat',
    description: 'Format of the transcript written next to the media file (<name>.<format>).',
    summary: `${OUTPUT_FORMATS.join(', ')} (rttm = speaker turns, implies --diarize)`,
    value: { type: 'enum', values: OUTPUT_FORMATS },
    default: 'md',
    cli: { flag: 'format', short: 'f', placeholder: '<fmt>', commands: ALL },
    setting: { key: 'outputFormat', order: 7, values: EXPORT_FORMATS, enumDescriptions: EXPORT_FORMATS.map((f) => formatSpec(f).description) },
  },
  {
    key: 'diarize',
    description:
      'Label speakers (who spoke when) in file transcripts: `**Speaker 1**` turns in Markdown, a name prefix in SRT/VTT, `speaker` on every JSON segment.',
    summary: 'label speakers (who spoke when)',
    value: { type: 'boolean' },
    default: true,
    cli: { flag: 'diarize', commands: ['transcribe'], default: false },
    setting: { key: 'diarize', order: 8 },
  },
  {
    key: 'wordTimings',
    description:
      "Time every word and give its probability (the decoder's cross-attention, as faster-whisper's `word_timestamps`): words in JSON, word cues in subtitles, a click on a word in the panel plays it, and words Whisper was unsure of are underlined and listed in Problems. Costs up to a seventh more time and about 40 MB more memory on a meeting (docs/words.md).",
    summary: 'time every word, with its probability (JSON words, --word-cues)',
    value: { type: 'boolean' },
    default: true,
    cli: { flag: 'words', commands: ['transcribe', 'meeting'], default: false },
    setting: { key: 'wordTimings', order: 20 },
  },
  {
    key: 'wordCues',
    description: 'SRT and VTT subtitles: one cue per word instead of one per phrase (needs `#transcrevai.wordTimings#`).',
    summary: 'subtitles (SRT, VTT): one cue per word (implies --words)',
    value: { type: 'boolean' },
    default: false,
    cli: { flag: 'word-cues', commands: ['transcribe'] },
    setting: { key: 'wordCues', order: 21 },
  },
  {
    key: 'speakers',
    description: 'Number of speakers when `#transcrevai.diarize#` is on. `0` = find out from the audio.',
    summary: 'exact number of speakers (implies --diarize)',
    value: { type: 'integer', min: 0, max: 32 },
    default: 0,
    cli: { flag: 'speakers', placeholder: '<N>', commands: ALL, min: 1, default: undefined },
    setting: { key: 'speakers', order: 9 },
  },
  {
    key: 'minSpeakers',
    description: 'Lower bound on the number of speakers (implies --diarize).',
    value: { type: 'integer', min: 1, max: 32 },
    default: undefined,
    cli: { flag: 'min-speakers', placeholder: '<N>', commands: ['transcribe'] },
  },
  {
    key: 'maxSpeakers',
    description: 'Upper bound on the number of speakers (implies --diarize).',
    value: { type: 'integer', min: 1, max: 32 },
    default: undefined,
    cli: { flag: 'max-speakers', placeholder: '<N>', commands: ['transcribe'] },
  },
  {
    key: 'voices',
    description:
      'Name the speakers whose voice matches a remembered one: a voices file (`voices.json` in the extension\'s global storage, made by "Remember this voice as…" in the panel).',
    value: { type: 'string', nonEmpty: true },
    default: undefined,
    cli: { flag: 'voices', placeholder: '<voices.json>', commands: ['transcribe', 'meeting'] },
  },
  {
    key: 'out',
    description: 'Write the result to <file> (an existing file is overwritten); default: stdout.',
    value: { type: 'string', nonEmpty: true },
    default: undefined,
    cli: { flag: 'out', short: 'o', placeholder: '<file>', commands: ALL },
  },
  {
    key: 'outDir',
    description: "Batch: write each transcript under <folder>, keeping the inputs' folders below it (default: beside each input).",
    value: { type: 'string', nonEmpty: true },
    default: undefined,
    cli: { flag: 'out-dir', placeholder: '<folder>', commands: ['transcribe'] },
  },
  {
    key: 'shard',
    description: 'Batch: only shard K of N of the sorted inputs (every N shards cover each input once): a Kubernetes indexed Job or a Slurm array.',
    value: { type: 'string', pattern: /^\d+\/\d+$/, patternMessage: 'K/N, for example 1/4' },
    default: undefined,
    cli: { flag: 'shard', placeholder: '<K/N>', commands: ['transcribe'] },
  },
  {
    key: 'overwrite',
    description: 'Batch: transcribe inputs whose transcript exists again (default: skip them, so a batch run twice resumes).',
    value: { type: 'boolean' },
    default: false,
    cli: { flag: 'overwrite', commands: ['transcribe'] },
  },
  {
    key: 'progress',
    description: 'Print progress on stderr even when it is not a terminal.',
    value: { type: 'boolean' },
    default: false,
    cli: { flag: 'progress', commands: ['transcribe'] },
  },
  {
    key: 'ffmpegPath',
    description:
      'Path of the `ffmpeg` executable used to decode media. Empty = the bundled ffmpeg, else the one on `PATH`. Machine scope: a workspace cannot point it at another program.',
    summary: 'ffmpeg binary to use (else $TRANSCREVAI_FFMPEG, ffmpeg-static, PATH)',
    value: { type: 'string' },
    default: '',
    cli: { flag: 'ffmpeg', placeholder: '<path>', commands: ALL, default: undefined },
    setting: { key: 'ffmpegPath', order: 10, scope: 'machine' },
  },
  {
    key: 'modelsPath',
    description:
      'Folder where downloaded models are kept. Empty = `$TRANSCREVAI_MODELS`, else `~/.cache/transcrevai/models` (shared with the `transcrevai` CLI).',
    value: { type: 'string' },
    default: '',
    setting: { key: 'modelsPath', order: 11, scope: 'machine' },
  },
  {
    key: 'inProcess',
    description: 'Run every stage in this process instead of supervised child processes.',
    value: { type: 'boolean' },
    default: false,
    cli: { flag: 'in-process', commands: ['transcribe'] },
  },
  {
    key: 'verbose',
    description: "Print where the audio went, stage by stage, and each process's peak memory, CPU and restarts on stderr at the end.",
    value: { type: 'boolean' },
    default: false,
    cli: { flag: 'verbose', commands: ALL },
  },
  {
    key: 'restartLimits',
    description:
      'How often a crashed or hung engine child process (capture, transcription, diarization) is restarted during one job before the job gives up (diarization then falls back to the simple MFCC method). Takes effect when the engine restarts.',
    value: {
      type: 'object',
      schema: {
        properties: Object.fromEntries(Object.keys(DEFAULT_RESTART_LIMITS).map((k) => [k, { type: 'integer', minimum: 0, maximum: MAX_RESTART_LIMIT }])),
        additionalProperties: false,
      },
    },
    default: { ...DEFAULT_RESTART_LIMITS },
    setting: { key: 'engine.restartLimits', order: 12 },
  },
  {
    key: 'cpuAffinity',
    description:
      'Pin Whisper and diarization to the core budget (all cores but two) and the microphone capture to the cores outside it (Linux: `taskset`; Windows: process affinity; not available on macOS). Best-effort: what was applied shows in the log and the status. Takes effect when the engine restarts.',
    value: { type: 'boolean' },
    default: true,
    setting: { key: 'engine.cpuAffinity', order: 13 },
  },
  {
    key: 'audioDevice',
    description:
      'Input device for dictation and meetings; empty = the system default. With SoX on Linux: a PulseAudio/PipeWire source name (`pactl list short sources`); with arecord: an ALSA device (`arecord -L`); with SoX on Windows: the waveaudio device number.',
    summary: "input device (sox: AUDIODEV, e.g. a PulseAudio source; arecord: -D); default: the system's",
    value: { type: 'string' },
    default: '',
    cli: { flag: 'device', placeholder: '<name>', commands: LIVE, default: undefined },
    setting: { key: 'audio.device', order: 14 },
  },
  {
    key: 'audioRecorder',
    description:
      'Program that records the microphone: `auto` = SoX, else arecord on Linux. SoX must be installed (Debian/Ubuntu: `sudo apt install sox libsox-fmt-pulse`; macOS: `brew install sox`; Windows: SoX on PATH).',
    summary: 'sox, rec or arecord (default: sox, else arecord)',
    value: { type: 'enum', values: ['auto', ...RECORDER_PROGRAMS] },
    default: 'auto',
    cli: { flag: 'recorder', placeholder: '<program>', commands: LIVE, values: RECORDER_PROGRAMS, default: undefined },
    setting: { key: 'audio.recorder', order: 15 },
  },
  {
    key: 'input',
    description: 'Read a media file instead of the microphone (--realtime paces it like a microphone).',
    value: { type: 'string', nonEmpty: true },
    default: undefined,
    cli: { flag: 'input', placeholder: '<file>', commands: LIVE },
  },
  {
    key: 'realtime',
    description: 'Pace an --input file like a microphone.',
    value: { type: 'boolean' },
    default: false,
    cli: { flag: 'realtime', commands: LIVE },
  },
  {
    key: 'seconds',
    description: 'Stop after N seconds.',
    value: { type: 'number', exclusiveMin: 0 },
    default: undefined,
    cli: { flag: 'seconds', placeholder: '<N>', commands: LIVE },
  },
  {
    key: 'recording',
    description: 'Where the recording (16 kHz WAV) goes; meetings keep it, dictation only with this flag.',
    value: { type: 'string', nonEmpty: true },
    default: undefined,
    cli: { flag: 'recording', placeholder: '<file>', commands: LIVE },
  },
  {
    key: 'events',
    description: 'Print every live event (level, partial, final, gap) and the result as JSON lines.',
    value: { type: 'boolean' },
    default: false,
    cli: { flag: 'events', commands: LIVE },
  },
  {
    key: 'queue',
    description: 'Phrases waiting for transcription before the VAD stage pauses (default 50).',
    value: { type: 'integer', min: 1, max: 100_000 },
    default: undefined,
    cli: { flag: 'queue', placeholder: '<N>', commands: LIVE },
  },
  {
    key: 'dictationModel',
    description: 'Model for dictation; empty = `#transcrevai.model#`. A smaller model (e.g. `tiny`) answers faster.',
    value: { type: 'string' },
    default: '',
    setting: { key: 'dictation.model', order: 16, restricted: true },
  },
  {
    key: 'dictationKeepRecording',
    description: "Keep the audio of each dictation (in the extension's storage folder). Off: the recording is deleted when dictation stops.",
    value: { type: 'boolean' },
    default: false,
    setting: { key: 'dictation.keepRecording', order: 17 },
  },
  {
    key: 'dictationStopOnFocusLoss',
    description: 'Stop dictating when the VS Code window loses focus.',
    value: { type: 'boolean' },
    default: false,
    setting: { key: 'dictation.stopOnFocusLoss', order: 18 },
  },
  {
    key: 'meetingsFolder',
    description:
      "Where meeting recordings and notes go: relative to the first workspace folder, or absolute. Without a workspace, the extension's storage folder is used and the notes open as an untitled document.",
    value: { type: 'string', nonEmpty: true },
    default: 'meetings',
    setting: { key: 'meetings.folder', order: 19, restricted: true },
  },
] as const satisfies readonly OptionSpec[];

export type OptionKey = (typeof OPTIONS)[number]['key'];
