// The transcription pipeline behind every client (engine process, CLI): media → 16 kHz mono (ffmpeg)
// → speech regions (Silero VAD) → text (Whisper). Loaded models stay cached between jobs, keyed by
// model directory + precision + threads; the VAD is cached by path. Vscode-free and process-agnostic.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { decodeAudio, preflightInput, probeMedia } from '../audio/decode';
import { findFfmpeg } from '../audio/ffmpeg';
import { TranscrevError, throwIfCancelled } from '../errors';
import { auxiliaryModelDir, resolveModelDir } from '../models/paths';
import type { ProgressListener } from '../progress';
import type { TranscribeParams } from '../protocol/messages';
import type { Transcript } from '../transcript';
import { detectSpeech, loadVad, loadWhisperModel, transcribeSamples, type Vad, type WhisperModel } from '../whisper';

/** Default intra-op threads: leave two cores to the editor and the OS, never fewer than one thread. */
export function coreBudget(): number {
  const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, cpus - 2);
}

export interface JobHooks {
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Degraded modes as they happen (they are also collected in transcript.warnings). */
  onWarning?: (message: string) => void;
}

interface CachedModel {
  key: string;
  label: string;
  model: Promise<WhisperModel>;
  /** Warnings raised while loading, replayed to every job that uses the model. */
  warnings: string[];
}

/** Checks what the engine can check before any work; throws 'usage' errors. */
export function validateParams(params: TranscribeParams): void {
  if (params.diarize || params.speakers !== undefined || params.minSpeakers !== undefined || params.maxSpeakers !== undefined) {
    throw new TranscrevError('usage', 'diarization is not available yet (--diarize/--speakers/--min-speakers/--max-speakers); transcribe without it.');
  }
  if (params.threads !== undefined && !(Number.isInteger(params.threads) && params.threads >= 1)) {
    throw new TranscrevError('usage', `threads must be a whole number ≥ 1 (got ${params.threads})`);
  }
  if (params.precision !== 'int8' && params.precision !== 'fp32') {
    throw new TranscrevError('usage', `precision must be int8 or fp32 (got ${String(params.precision)})`);
  }
  if (!params.input) throw new TranscrevError('usage', 'no input file given');
  if (!params.model) throw new TranscrevError('usage', 'no model given');
  if (!params.language) throw new TranscrevError('usage', 'no language given (use auto or a code such as pt, en)');
}

export class Engine {
  private readonly models = new Map<string, CachedModel>();
  private readonly vads = new Map<string, Promise<Vad>>();

  /** "base/int8×2" for every model loaded (or loading). */
  loadedModels(): string[] {
    return [...this.models.values()].map((m) => m.label);
  }

  private model(dir: string, precision: TranscribeParams['precision'], threads: number): CachedModel {
    const key = `${dir}|${precision}|${threads}`;
    let entry = this.models.get(key);
    if (!entry) {
      const warnings: string[] = [];
      const created: CachedModel = {
        key,
        label: `${path.basename(dir)}/${precision}×${threads}`,
        warnings,
        model: loadWhisperModel(dir, { precision, threads, onWarning: (m) => warnings.push(m) }),
      };
      created.model.catch(() => this.models.delete(key)); // a failed load is retried next time
      this.models.set(key, created);
      entry = created;
    }
    return entry;
  }

  private vad(file: string): Promise<Vad> {
    let vad = this.vads.get(file);
    if (!vad) {
      vad = loadVad(file, { threads: 1 });
      vad.catch(() => this.vads.delete(file));
      this.vads.set(file, vad);
    }
    return vad;
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

    // Decode (ffmpeg, another process) and model loading (onnxruntime) overlap.
    const inner = new AbortController();
    const abortInner = () => inner.abort();
    signal?.addEventListener('abort', abortInner, { once: true });
    let loadSeconds = 0;
    let decodeSeconds = 0;
    try {
      const entry = this.model(modelDir, params.precision, threads);
      onProgress?.({ component: 'load', percent: 0, message: `Loading ${entry.label}` });
      const loading = (async () => {
        const l0 = performance.now();
        const [model, vad] = await Promise.all([entry.model, haveVad ? this.vad(vadFile) : Promise.resolve(undefined)]);
        loadSeconds = (performance.now() - l0) / 1000;
        onProgress?.({ component: 'load', percent: 100 });
        return { model, vad };
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
      const [{ model, vad }, audio] = await Promise.all([loading, decoding]);
      for (const w of entry.warnings) warn(w);
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
        speech,
        signal,
        onProgress: (percent) => onProgress?.({ component: 'transcription', percent }),
      });
      const transcribeSeconds = (performance.now() - x0) / 1000;
      const total = (performance.now() - t0) / 1000;
      const transcript: Transcript = {
        input,
        model: model.name,
        precision: model.precision,
        language: result.language,
        duration: audio.duration,
        segments: result.segments,
        timing: { load: loadSeconds, decode: decodeSeconds, transcribe: transcribeSeconds, total },
        rtf: audio.duration > 0 ? total / audio.duration : 0,
      };
      if (warnings.length) transcript.warnings = warnings;
      return transcript;
    } finally {
      signal?.removeEventListener('abort', abortInner);
    }
  }

  /** Releases every loaded model. */
  async dispose(): Promise<void> {
    const models = [...this.models.values()];
    const vads = [...this.vads.values()];
    this.models.clear();
    this.vads.clear();
    await Promise.allSettled([
      ...models.map(async (m) => (await m.model).dispose()),
      ...vads.map(async (v) => (await v).dispose()),
    ]);
  }
}
