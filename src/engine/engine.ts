// The engine behind every client (engine process, CLI): checks a job, finds its input, ffmpeg and models, then
// runs the pipeline (pipeline.ts) with one of the two runners: supervised child processes (crash-isolated,
// restarted, work requeued) or this process. Vscode-free.
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { preflightInput, probeMedia } from '../audio/decode';
import { findFfmpeg } from '../audio/ffmpeg';
import { TranscrevError, throwIfCancelled } from '../errors';
import { checkVoiceProfiles } from '../files/voiceStore';
import { auxiliaryModelDir, overlapModelDirs, resolveModelDir } from '../models/paths';
import { MAX_BEAM_SIZE } from '../options/registry';
import type { TranscribeParams } from '../protocol/client';
import type { Transcript } from '../transcript';
import { PRECISIONS } from '../vocabulary';
import { modelKey, modelLabel } from '../whisper/modelKey';
import { threadSplit, threadsWarning } from './budget';
import { checkLanguage, checkLanguageForModelDir } from '../whisper/languages';
import { runTranscription, type JobHooks, type PreparedJob } from './pipeline';
import { inProcessRunner, supervisedRunner, type StageRunner } from './stages/runner';
import type { Supervisor } from './supervisor';

export { wantsDiarization, type JobHooks } from './pipeline';

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
  if (!(PRECISIONS as readonly string[]).includes(params.precision)) {
    throw new TranscrevError('usage', `precision must be one of ${PRECISIONS.join(', ')} (got ${String(params.precision)})`);
  }
  checkVoiceProfiles(params.voices);
  if (params.vocabulary !== undefined && typeof params.vocabulary !== 'string') throw new TranscrevError('usage', 'vocabulary must be text');
  if (!params.input) throw new TranscrevError('usage', 'no input file given');
  if (!params.model) throw new TranscrevError('usage', 'no model given');
  if (!params.language) throw new TranscrevError('usage', 'no language given (use auto or a code such as pt, en)');
  checkLanguage(params.language);
}

export interface EngineOptions {
  /**
   * Runs decoding, transcription and diarization in supervised child processes (crash-isolated, restarted,
   * work requeued). Without it everything runs in this process (the library path the tests drive directly).
   */
  supervisor?: Supervisor;
}

export class Engine {
  private readonly runner: StageRunner;
  /** modelKey of every Whisper model a job has loaded, in whichever process holds it. */
  private readonly loaded = new Set<string>();

  constructor(private readonly options: EngineOptions = {}) {
    this.runner = options.supervisor ? supervisedRunner(options.supervisor) : inProcessRunner();
  }

  /** "base/int8×2" for every model loaded. */
  loadedModels(): string[] {
    return [...this.loaded].map(modelLabel);
  }

  async transcribe(params: TranscribeParams, hooks: JobHooks = {}): Promise<Transcript> {
    const t0 = performance.now();
    const warnings: string[] = [];
    validateParams(params);
    throwIfCancelled(hooks.signal);
    // Input problems are reported before model problems: they are cheaper to find and to fix.
    const input = preflightInput(params.input);
    const ffmpeg = findFfmpeg({ explicit: params.ffmpegPath });
    const probe = await probeMedia(input, { ffmpeg, signal: hooks.signal });
    const modelDir = resolveModelDir(params.model, params.modelsPath);
    checkLanguageForModelDir(params.language, modelDir);
    const tw = threadsWarning(params.threads);
    if (tw) {
      warnings.push(tw);
      hooks.onWarning?.(tw);
    }
    const vadFile = path.join(auxiliaryModelDir('vad', params.modelsPath), 'silero_vad.onnx');
    const haveVad = fs.existsSync(vadFile);
    if (!haveVad) {
      const m = `VAD model not found (${vadFile}): transcribing the whole input, silences included.`;
      warnings.push(m);
      hooks.onWarning?.(m);
    }
    const job: PreparedJob = {
      params,
      input,
      ffmpegPath: ffmpeg.path,
      probe,
      modelDir,
      t0,
      speakerDir: auxiliaryModelDir('speaker', params.modelsPath),
      overlapDirs: overlapModelDirs(params.modelsPath),
      ...(haveVad && { vadFile }),
    };
    // A job that asks for more cores than the budget gets them for inference, so its threads are not squeezed.
    await this.options.supervisor?.fitAffinity(threadSplit(params.threads).cores);
    const { transcript, loaded } = await runTranscription(this.runner, job, hooks, warnings);
    this.loaded.add(modelKey(loaded.modelDir, loaded.precision, loaded.threads));
    return transcript;
  }

  /** Releases every model this process holds (the children release theirs when they exit). */
  async dispose(): Promise<void> {
    await this.runner.dispose();
  }
}
