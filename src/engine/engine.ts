// The transcription pipeline behind every client (engine process, CLI): media → 16 kHz mono (ffmpeg)
// → speech regions (Silero VAD) → text (Whisper) → speaker turns (diarization, on request) assigned to the
// segments. Loaded models stay cached between jobs, keyed by model directory + precision + threads; the VAD
// and the speaker model are cached by path. Vscode-free and process-agnostic.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { decodeAudio, preflightInput, probeMedia, type ProbeResult } from '../audio/decode';
import { findFfmpeg } from '../audio/ffmpeg';
import { assignSpeakers, diarize, energyVad, loadSpeakerModel, type SpeakerModel } from '../diarization';
import { TranscrevError, throwIfCancelled } from '../errors';
import { auxiliaryModelDir, resolveModelDir } from '../models/paths';
import type { ProgressListener } from '../progress';
import type { DiarizeJournalResult, SpeechSpan, TranscribeParams } from '../protocol/messages';
import type { Transcript } from '../transcript';
import type { Supervisor } from './supervisor';
import { ChildFailedError } from './workerProcess';
import { readJournal } from '../audio/journal';
import { detectSpeech, loadVad, loadWhisperModelWithWarnings, modelKey, modelLabel, transcribeSamples, type ModelWithWarnings, type Vad } from '../whisper';
import { LoadCache } from '../models/loadCache';
import { stageAccounts } from './audit';

/** Default intra-op threads: leave two cores to the editor and the OS, never fewer than one thread. */
export function coreBudget(): number {
  const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, cpus - 2);
}

/**
 * Threads per child (the product design): with diarization, transcription and diarization run side by side
 * and each gets max(1, budget / 2); without it transcription gets the whole budget. `--threads N` gives both N.
 */
export function threadSplit(explicit: number | undefined, diarizing: boolean, budget = coreBudget()): { transcription: number; diarization: number } {
  if (explicit !== undefined) return { transcription: explicit, diarization: explicit };
  const half = Math.max(1, Math.floor(budget / 2));
  return diarizing ? { transcription: half, diarization: half } : { transcription: budget, diarization: half };
}

/** Widest beam accepted: each beam is a decoder row every step. */
export const MAX_BEAM_SIZE = 10;

export interface JobHooks {
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Degraded modes as they happen (they are also collected in transcript.warnings). */
  onWarning?: (message: string) => void;
}

/** Speaker labels are asked for explicitly, or implied by a speaker count. */
export function wantsDiarization(params: TranscribeParams): boolean {
  return !!params.diarize || params.speakers !== undefined || params.minSpeakers !== undefined || params.maxSpeakers !== undefined;
}

function checkSpeakerCount(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
    throw new TranscrevError('usage', `${name} must be a whole number ≥ 1 (got ${value})`);
  }
}

/** Checks what the engine can check before any work; throws 'usage' errors. */
export function validateParams(params: TranscribeParams): void {
  checkSpeakerCount('speakers', params.speakers);
  checkSpeakerCount('minSpeakers', params.minSpeakers);
  checkSpeakerCount('maxSpeakers', params.maxSpeakers);
  if (params.speakers !== undefined && (params.minSpeakers !== undefined || params.maxSpeakers !== undefined)) {
    throw new TranscrevError('usage', 'give either an exact number of speakers or a min/max range, not both');
  }
  if (params.minSpeakers !== undefined && params.maxSpeakers !== undefined && params.minSpeakers > params.maxSpeakers) {
    throw new TranscrevError('usage', `minSpeakers (${params.minSpeakers}) is greater than maxSpeakers (${params.maxSpeakers})`);
  }
  if (params.threads !== undefined && !(Number.isInteger(params.threads) && params.threads >= 1)) {
    throw new TranscrevError('usage', `threads must be a whole number ≥ 1 (got ${params.threads})`);
  }
  if (params.beamSize !== undefined && !(Number.isInteger(params.beamSize) && params.beamSize >= 1 && params.beamSize <= MAX_BEAM_SIZE)) {
    throw new TranscrevError('usage', `beamSize must be a whole number from 1 to ${MAX_BEAM_SIZE} (got ${params.beamSize})`);
  }
  if (params.precision !== 'int8' && params.precision !== 'fp32') {
    throw new TranscrevError('usage', `precision must be int8 or fp32 (got ${String(params.precision)})`);
  }
  if (!params.input) throw new TranscrevError('usage', 'no input file given');
  if (!params.model) throw new TranscrevError('usage', 'no model given');
  if (!params.language) throw new TranscrevError('usage', 'no language given (use auto or a code such as pt, en)');
}

export interface EngineOptions {
  /**
   * Runs decoding, transcription and diarization in supervised child processes (crash-isolated, restarted,
   * work requeued). Without it everything runs in this process (the library path the tests drive directly).
   */
  supervisor?: Supervisor;
}

export class Engine {
  constructor(private readonly options: EngineOptions = {}) {}

  private readonly models = new LoadCache<ModelWithWarnings>();
  private readonly vads = new LoadCache<Vad>();
  private readonly speakerModels = new LoadCache<SpeakerModel>();

  /** Models loaded by the supervised transcription child (cache keys, as modelKey makes them). */
  private readonly childModels = new Set<string>();

  /** "base/int8×2" for every model loaded (or loading), in this process or in the transcription child. */
  loadedModels(): string[] {
    return [...new Set([...this.models.keys(), ...this.childModels])].map(modelLabel);
  }

  private model(dir: string, precision: TranscribeParams['precision'], threads: number): { key: string; model: Promise<ModelWithWarnings> } {
    const key = modelKey(dir, precision, threads);
    return { key, model: this.models.get(key, () => loadWhisperModelWithWarnings(dir, { precision, threads })) };
  }

  private vad(file: string): Promise<Vad> {
    return this.vads.get(file, () => loadVad(file, { threads: 1 }));
  }

  private speakerModel(dir: string, threads: number): Promise<SpeakerModel> {
    return this.speakerModels.get(`${dir}|${threads}`, () => loadSpeakerModel(dir, { threads }));
  }

  async transcribe(params: TranscribeParams, hooks: JobHooks = {}): Promise<Transcript> {
    const t0 = performance.now();
    const { signal, onProgress } = hooks;
    const warnings: string[] = [];
    const warn = (m: string) => {
      if (warnings.includes(m)) return;
      warnings.push(m);
      hooks.onWarning?.(m);
    };
    validateParams(params);
    throwIfCancelled(signal);
    const threads = params.threads ?? coreBudget();
    // Input problems are reported before model problems: they are cheaper to find and to fix.
    const input = preflightInput(params.input);
    const ffmpeg = findFfmpeg({ explicit: params.ffmpegPath });
    const probe = await probeMedia(input, { ffmpeg, signal });
    const modelDir = resolveModelDir(params.model, params.modelsPath);
    const vadFile = path.join(auxiliaryModelDir('vad', params.modelsPath), 'silero_vad.onnx');
    const haveVad = fs.existsSync(vadFile);
    if (!haveVad) warn(`VAD model not found (${vadFile}): transcribing the whole input, silences included.`);
    if (this.options.supervisor) {
      return this.transcribeSupervised(this.options.supervisor, params, {
        input, ffmpegPath: ffmpeg.path, probe, modelDir, vadFile: haveVad ? vadFile : undefined, t0, warnings, warn, hooks,
      });
    }

    // Decode (ffmpeg, another process) and model loading (onnxruntime) overlap.
    const inner = new AbortController();
    const abortInner = () => inner.abort();
    signal?.addEventListener('abort', abortInner, { once: true });
    let loadSeconds = 0;
    let decodeSeconds = 0;
    try {
      const entry = this.model(modelDir, params.precision, threads);
      onProgress?.({ component: 'load', percent: 0, message: `Loading ${modelLabel(entry.key)}` });
      const loading = (async () => {
        const l0 = performance.now();
        const [{ model, warnings: loadWarnings }, vad] = await Promise.all([entry.model, haveVad ? this.vad(vadFile) : Promise.resolve(undefined)]);
        loadSeconds = (performance.now() - l0) / 1000;
        onProgress?.({ component: 'load', percent: 100 });
        return { model, vad, loadWarnings };
      })();
      const decoding = (async () => {
        const d0 = performance.now();
        const audio = await decodeAudio(input, {
          ffmpeg,
          probe,
          signal: inner.signal,
          onProgress: (percent) => onProgress?.({ component: 'decode', percent }),
        });
        decodeSeconds = (performance.now() - d0) / 1000;
        return audio;
      })();
      // If either fails, stop the other (ffmpeg is killed; a model load finishes into the cache).
      loading.catch(() => inner.abort());
      decoding.catch(() => {});
      const [{ model, vad, loadWarnings }, audio] = await Promise.all([loading, decoding]);
      for (const w of loadWarnings) warn(w);
      throwIfCancelled(signal);

      const x0 = performance.now();
      let speech: { start: number; end: number }[] | undefined;
      if (vad) {
        onProgress?.({ component: 'vad', percent: 0 });
        speech = await detectSpeech(vad, audio.samples, { signal });
        onProgress?.({ component: 'vad', percent: 100 });
      }
      const result = await transcribeSamples(model, audio.samples, {
        language: params.language,
        initialPrompt: params.initialPrompt,
        beamSize: params.beamSize,
        speech,
        signal,
        onProgress: (percent) => onProgress?.({ component: 'transcription', percent }),
      });
      const transcribeSeconds = (performance.now() - x0) / 1000;
      const transcript: Transcript = {
        input,
        model: model.name,
        precision: model.precision,
        language: result.language,
        duration: audio.duration,
        segments: result.segments,
        timing: { load: loadSeconds, decode: decodeSeconds, transcribe: transcribeSeconds, total: 0 },
        rtf: 0,
        audit: stageAccounts(audio.duration, result.stats),
      };
      if (wantsDiarization(params)) {
        const y0 = performance.now();
        await this.labelSpeakers(transcript, audio.samples, speech, params, threads, { signal, onProgress, warn });
        transcript.timing.diarize = (performance.now() - y0) / 1000;
      }
      const total = (performance.now() - t0) / 1000;
      transcript.timing.total = total;
      transcript.rtf = audio.duration > 0 ? total / audio.duration : 0;
      if (warnings.length) transcript.warnings = warnings;
      return transcript;
    } finally {
      signal?.removeEventListener('abort', abortInner);
    }
  }

  /**
   * The same pipeline across the supervisor's children: capture decodes into a journal file; the transcription
   * child finds the speech (VAD), then Whisper (transcription child) and diarization (diarization child) run
   * side by side on the core budget split between them. Each request survives a crash of its child (restart +
   * requeue); past the diarization child's limit the MFCC method runs here instead, reported as a warning.
   * The journal is removed when the job ends.
   */
  private async transcribeSupervised(
    sup: Supervisor,
    params: TranscribeParams,
    job: {
      input: string; ffmpegPath: string; probe: ProbeResult; modelDir: string; vadFile?: string; t0: number;
      warnings: string[]; warn: (m: string) => void; hooks: JobHooks;
    },
  ): Promise<Transcript> {
    const { signal, onProgress } = job.hooks;
    const diarizing = wantsDiarization(params);
    const threads = threadSplit(params.threads, diarizing);
    await sup.fitAffinity(Math.max(threads.transcription, threads.diarization));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'transcrevai-job-'));
    const journal = path.join(dir, 'audio.f32');
    const hooksFor = (component: 'decode' | 'vad' | 'transcription' | 'diarization') => ({
      signal, onWarning: job.warn, onProgress: (percent: number) => onProgress?.({ component, percent }),
    });
    try {
      const modelParams = { modelDir: job.modelDir, precision: params.precision, threads: threads.transcription, vadFile: job.vadFile };
      // Decoding (capture child) and model loading (transcription child) overlap.
      onProgress?.({ component: 'load', percent: 0 });
      const loading = sup.transcription.request('load', modelParams, { signal, onWarning: job.warn }).then((r) => {
        onProgress?.({ component: 'load', percent: 100 });
        return r;
      });
      loading.catch(() => undefined);
      const d0 = performance.now();
      onProgress?.({ component: 'decode', percent: 0 });
      const audio = await sup.capture.request('decode', { input: job.input, ffmpegPath: job.ffmpegPath, probe: job.probe, journal }, hooksFor('decode'));
      const decodeSeconds = (performance.now() - d0) / 1000;
      const loaded = await loading;
      for (const w of loaded.warnings) job.warn(w);
      this.childModels.add(modelKey(job.modelDir, loaded.precision, threads.transcription));

      const x0 = performance.now();
      let speech: SpeechSpan[] | undefined;
      if (job.vadFile) {
        onProgress?.({ component: 'vad', percent: 0 });
        speech = await sup.transcription.request('speech', { journal, vadFile: job.vadFile }, hooksFor('vad'));
        onProgress?.({ component: 'vad', percent: 100 });
      }
      let diarizeSeconds = 0;
      const diarizing$ = diarizing
        ? (async () => {
            const y0 = performance.now();
            onProgress?.({ component: 'diarization', percent: 0 });
            const r = await this.diarizeInChild(sup, journal, speech, params, threads.diarization, hooksFor('diarization'));
            diarizeSeconds = (performance.now() - y0) / 1000;
            return r;
          })()
        : undefined;
      diarizing$?.catch(() => undefined);
      const tr = await sup.transcription.request('transcribe', { ...modelParams, journal, language: params.language, initialPrompt: params.initialPrompt, beamSize: params.beamSize, speech }, hooksFor('transcription'));
      for (const w of tr.warnings) job.warn(w);
      const transcript: Transcript = {
        input: job.input,
        model: tr.modelName,
        precision: tr.precision,
        language: tr.language,
        duration: audio.duration,
        segments: tr.segments,
        timing: { load: loaded.loadSeconds, decode: decodeSeconds, transcribe: (performance.now() - x0) / 1000, total: 0 },
        rtf: 0,
        audit: stageAccounts(audio.duration, tr.stats),
      };
      if (diarizing$) {
        const dr = await diarizing$;
        for (const w of dr.warnings) job.warn(w);
        transcript.segments = assignSpeakers(transcript.segments, dr.turns);
        transcript.speakers = dr.speakers;
        transcript.diarization = { method: dr.method, reason: dr.reason };
        transcript.timing.diarize = diarizeSeconds;
      }
      transcript.timing.total = (performance.now() - job.t0) / 1000;
      transcript.rtf = audio.duration > 0 ? transcript.timing.total / audio.duration : 0;
      if (job.warnings.length) transcript.warnings = job.warnings;
      return transcript;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Diarization in its child; past the child's restart limit, the model-free MFCC method in this process. */
  private async diarizeInChild(
    sup: Supervisor,
    journal: string,
    speech: SpeechSpan[] | undefined,
    params: TranscribeParams,
    threads: number,
    hooks: { signal?: AbortSignal; onWarning: (m: string) => void; onProgress: (p: number) => void },
  ): Promise<DiarizeJournalResult> {
    const request = {
      journal, speech, threads, modelDir: auxiliaryModelDir('speaker', params.modelsPath),
      speakers: params.speakers, minSpeakers: params.minSpeakers, maxSpeakers: params.maxSpeakers,
    };
    try {
      return await sup.diarization.request('diarize', request, hooks);
    } catch (err) {
      if (!(err instanceof ChildFailedError)) throw err;
      const samples = readJournal(journal);
      const r = await diarize(samples, speech ?? energyVad(samples), { ...request, method: 'fallback-mfcc', signal: hooks.signal, onProgress: hooks.onProgress });
      const why = `${err.message} Speakers were found with the simple MFCC method instead (lower accuracy).`;
      return { turns: r.turns, speakers: r.speakers, method: r.method, reason: `diarization process failed: ${r.reason}`, warnings: [why] };
    }
  }

  /**
   * Diarizes the audio over the same speech regions the transcription used, then gives every segment the
   * speaker it overlaps most (splitting segments at speaker changes). A speaker model that is missing or
   * fails to load degrades to the MFCC fallback, reported as a warning, never as a failed job.
   */
  private async labelSpeakers(
    transcript: Transcript,
    samples: Float32Array,
    speech: { start: number; end: number }[] | undefined,
    params: TranscribeParams,
    threads: number,
    hooks: { signal?: AbortSignal; onProgress?: ProgressListener; warn: (m: string) => void },
  ): Promise<void> {
    hooks.onProgress?.({ component: 'diarization', percent: 0 });
    const modelDir = auxiliaryModelDir('speaker', params.modelsPath);
    const model = await this.speakerModel(modelDir, threads).catch(() => undefined);
    // Without Silero VAD (already warned about), an energy gate keeps silences out of the clustering.
    const result = await diarize(samples, speech ?? energyVad(samples), {
      threads,
      model,
      modelDir, // used only when the cached load failed: diarize() then reports why and falls back
      speakers: params.speakers,
      minSpeakers: params.minSpeakers,
      maxSpeakers: params.maxSpeakers,
      signal: hooks.signal,
      onProgress: (percent) => hooks.onProgress?.({ component: 'diarization', percent }),
    });
    for (const w of result.warnings) hooks.warn(w);
    transcript.segments = assignSpeakers(transcript.segments, result.turns);
    transcript.speakers = result.speakers;
    transcript.diarization = { method: result.method, reason: result.reason };
  }

  /** Releases every loaded model. */
  async dispose(): Promise<void> {
    await Promise.allSettled([
      ...this.models.drain().map(async (m) => (await m).model.dispose()),
      ...this.vads.drain().map(async (v) => (await v).dispose()),
      ...this.speakerModels.drain().map(async (m) => (await m).dispose()),
    ]);
  }
}
