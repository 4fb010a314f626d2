// The transcription pipeline, once, for both runners (stages/runner.ts):
//
//   decode (media → journal)  ∥  load (Whisper)
//     → speech (Silero VAD over the journal, in a thread of the transcription child, beside the load)
//       → transcribe (Whisper over the speech)  ∥  diarize (speakers over the same speech; on request)
//         → assemble (speakers assigned to segments, stage accounts, timing)
//
// Transcription and diarization run side by side on the job's cores, split by threadSplit (budget.ts). The
// journal is a temporary file removed when the job ends; every stage reads it, so a supervised child that
// crashes is given its request again and finds the audio where it was.
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { clippingWarning } from '../audio/clipping';
import { assignSpeakers } from '../diarization/assign';
import { nameKnownVoices } from '../diarization/voiceProfiles';
import { makePrivateFolder } from '../files/jobFolders';
import type { ProgressListener } from '../progress';
import type { TranscribeParams } from '../protocol/client';
import type { DiarizeJournalParams, DiarizeJournalResult, LoadModelParams } from '../protocol/worker';
import type { Transcript } from '../transcript';
import type { MediaProbe, SpeechRegion } from '../vocabulary';
import { MAX_VOCABULARY_TOKENS } from '../whisper/decode';
import { stageAccounts } from './audit';
import { threadSplit } from './budget';
import { inProcessRunner, type StageRunner } from './stages/runner';
import { ChildFailedError } from './workerProcess';
import { TranscrevError } from '../errors';

export interface JobHooks {
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Degraded modes as they happen (they are also collected in transcript.warnings). */
  onWarning?: (message: string) => void;
}

/** What the engine found out before any stage ran. */
export interface PreparedJob {
  params: TranscribeParams;
  input: string;
  ffmpegPath: string;
  probe: MediaProbe;
  modelDir: string;
  speakerDir: string;
  /** The overlap-aware diarization's models (speaker segmentation, CAM++). */
  overlapDirs: { segmentation: string; embedder: string };
  vadFile?: string;
  /** When the job was accepted (performance.now()), for the total time. */
  t0: number;
}

/** Speaker labels are asked for explicitly, or implied by a speaker count. */
export function wantsDiarization(params: TranscribeParams): boolean {
  return !!params.diarize || params.speakers !== undefined || params.minSpeakers !== undefined || params.maxSpeakers !== undefined;
}

export interface PipelineResult {
  transcript: Transcript;
  /** The Whisper model the job loaded, for the engine's status (folder, precision actually loaded, threads). */
  loaded: { modelDir: string; precision: string; threads: number };
}

export async function runTranscription(runner: StageRunner, job: PreparedJob, hooks: JobHooks, warnings: string[]): Promise<PipelineResult> {
  const { params } = job;
  const { signal, onProgress } = hooks;
  const warn = (m: string) => {
    if (warnings.includes(m)) return;
    warnings.push(m);
    hooks.onWarning?.(m);
  };
  const diarizing = wantsDiarization(params);
  const split = threadSplit(params.threads);
  const dir = makePrivateFolder('job');
  const journal = path.join(dir, 'audio.f32');
  let diarizationStop: StageStop | undefined;
  const hooksFor = (component: 'decode' | 'vad' | 'transcription' | 'diarization') => ({
    signal,
    onWarning: warn,
    onProgress: (percent: number) => onProgress?.({ component, percent }),
  });
  try {
    const modelParams: LoadModelParams = { modelDir: job.modelDir, precision: params.precision, threads: split.transcription };
    onProgress?.({ component: 'load', percent: 0 });
    const loading = runner.run('transcription', 'load', modelParams, { signal, onWarning: warn }).then((r) => {
      onProgress?.({ component: 'load', percent: 100 });
      return r;
    });
    // A model that fails to load fails the job at once: the decode (minutes, for a long recording) is stopped
    // instead of finished for nothing, and the model's error is the one reported.
    const decodeStop = stageStop(signal);
    let loadError: unknown;
    loading.catch((err) => {
      loadError = err;
      decodeStop.abort();
    });
    const d0 = performance.now();
    onProgress?.({ component: 'decode', percent: 0 });
    let audio;
    try {
      audio = await runner.run(
        'capture',
        'decode',
        { input: job.input, ffmpegPath: job.ffmpegPath, probe: job.probe, journal },
        { ...hooksFor('decode'), signal: decodeStop.signal },
      );
    } catch (err) {
      throw loadError ?? err;
    } finally {
      decodeStop.release();
    }
    const decodeSeconds = (performance.now() - d0) / 1000;
    // The capture child has done its part (the audio is in the journal): its 50 MB go back for the rest of the job.
    runner.release('capture').catch(() => undefined);
    const x0 = performance.now();
    // The VAD needs only the journal: it runs while Whisper is still loading, in a thread of its own (speechInThread.ts).
    // Clipped audio misleads the VAD: the whole recording goes to Whisper instead, and the user is told.
    const clipped = job.vadFile ? clippingWarning(audio.clippedSamples, audio.samples) : undefined;
    if (clipped) warn(clipped);
    const vadFile = clipped ? undefined : job.vadFile;
    const finding = vadFile
      ? (async () => {
          onProgress?.({ component: 'vad', percent: 0 });
          const regions = await runner.run('transcription', 'speech', { journal, vadFile }, hooksFor('vad'));
          onProgress?.({ component: 'vad', percent: 100 });
          return regions;
        })()
      : Promise.resolve(undefined);
    finding.catch(() => undefined);
    const diarizationRequest = (speech: SpeechRegion[] | undefined, method?: 'overlap-aware'): DiarizeJournalParams => ({
      journal,
      speech,
      threads: split.diarization,
      modelDir: job.speakerDir,
      overlapDirs: job.overlapDirs,
      speakers: params.speakers,
      minSpeakers: params.minSpeakers,
      maxSpeakers: params.maxSpeakers,
      ...(method && { method }),
    });
    // The overlap-aware method finds speech itself, so it starts as soon as the audio is in the journal, beside
    // the Whisper load and the VAD (which leave a core idle), not after them. Without its models it fails with a
    // 'model' error, and the GE2E method is asked for once the VAD's speech is known.
    const y0 = performance.now();
    if (diarizing) onProgress?.({ component: 'diarization', percent: 0 });
    // Stopped when the job ends for any reason, so it never reads a journal that is being deleted.
    diarizationStop = stageStop(signal);
    const early = diarizing
      ? runner.run('diarization', 'diarize', diarizationRequest(undefined, 'overlap-aware'), { ...hooksFor('diarization'), signal: diarizationStop.signal })
      : undefined;
    early?.catch(() => undefined);
    const loaded = await loading;
    for (const w of loaded.warnings) warn(w);
    const speech: SpeechRegion[] | undefined = await finding;
    let diarizeSeconds = 0;
    const diarization = early
      ? (async () => {
          let r: DiarizeJournalResult;
          try {
            r = await early;
          } catch (err) {
            // No overlap-aware models, or a child past its restarts: the methods that need the speech, as before.
            if (!(err instanceof ChildFailedError || (err instanceof TranscrevError && err.kind === 'model'))) throw err;
            r = await diarizeOrFallBack(runner, diarizationRequest(speech), hooksFor('diarization'));
          }
          diarizeSeconds = (performance.now() - y0) / 1000;
          return r;
        })()
      : undefined;
    diarization?.catch(() => undefined);
    const tr = await runner.run(
      'transcription',
      'transcribe',
      {
        ...modelParams,
        journal,
        language: params.language,
        initialPrompt: params.initialPrompt,
        vocabulary: params.vocabulary,
        beamSize: params.beamSize,
        wordTimings: params.wordTimings,
        speech,
      },
      hooksFor('transcription'),
    );
    for (const w of tr.warnings) warn(w);
    if (tr.stats?.vocabularyTokensCut) warn(vocabularyCutWarning(tr.stats.vocabularyTokensCut));
    if (tr.stats?.wordTimingsUnavailable)
      warn(`Word timings are unavailable with this model (its decoder's cross-attention could not be read): no word times, and no word marked unsure.`);
    const transcript: Transcript = {
      input: job.input,
      model: tr.modelName,
      precision: tr.precision,
      language: tr.language,
      duration: audio.duration,
      segments: tr.segments,
      timing: { load: loaded.loadSeconds, decode: decodeSeconds, transcribe: (performance.now() - x0) / 1000, total: 0 },
      rtf: 0,
      audit: stageAccounts(audio.duration, tr.stats, clipped ? 'clipped audio: the whole input goes to Whisper' : undefined),
    };
    if (diarization) {
      const dr = await diarization;
      for (const w of dr.warnings) warn(w);
      // Words go to the one speaker who holds them most; the turns themselves keep overlapping speech (RTTM).
      transcript.segments = assignSpeakers(transcript.segments, dr.exclusiveTurns ?? dr.turns);
      transcript.turns = dr.turns;
      transcript.speakers = dr.speakers;
      transcript.diarization = { method: dr.method, reason: dr.reason };
      if (dr.voices) transcript.voices = dr.voices;
      nameKnownVoices(transcript, params.voices);
      transcript.timing.diarize = diarizeSeconds;
    }
    transcript.timing.total = (performance.now() - job.t0) / 1000;
    transcript.rtf = audio.duration > 0 ? transcript.timing.total / audio.duration : 0;
    if (warnings.length) transcript.warnings = warnings;
    return { transcript, loaded: { modelDir: job.modelDir, precision: loaded.precision, threads: split.transcription } };
  } finally {
    diarizationStop?.abort();
    diarizationStop?.release();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

interface StageStop {
  readonly signal: AbortSignal;
  abort(): void;
  /** Stops following the job's signal (the stage is over). */
  release(): void;
}

/** A stage's own stop, which the job's cancel also pulls; the job may stop the stage sooner (a failed load, its end). */
function stageStop(jobSignal: AbortSignal | undefined): StageStop {
  const controller = new AbortController();
  const abort = () => controller.abort();
  if (jobSignal?.aborted) abort();
  jobSignal?.addEventListener('abort', abort, { once: true });
  return { signal: controller.signal, abort, release: () => jobSignal?.removeEventListener('abort', abort) };
}

/** Diarization in its runner; once a supervised child is past its restart limit, the model-free MFCC method here. */
async function diarizeOrFallBack(
  runner: StageRunner,
  request: DiarizeJournalParams,
  hooks: { signal?: AbortSignal; onWarning: (m: string) => void; onProgress: (p: number) => void },
): Promise<DiarizeJournalResult> {
  try {
    return await runner.run('diarization', 'diarize', request, hooks);
  } catch (err) {
    if (!(err instanceof ChildFailedError)) throw err;
    const r = await inProcessRunner().run('diarization', 'diarize', { ...request, method: 'fallback-mfcc' }, hooks);
    const why = `${err.message} Speakers were found with the simple MFCC method instead (lower accuracy).`;
    return { ...r, reason: `diarization process failed: ${r.reason}`, warnings: [why] };
  }
}

/** Said when the vocabulary is longer than the prompt has room for: which part was used, and what to do. */
export function vocabularyCutWarning(tokensCut: number): string {
  return `The vocabulary is ${tokensCut} tokens longer than the ${MAX_VOCABULARY_TOKENS} the decoder's prompt has room for: its end was left out. Keep the names and words Whisper gets wrong, not common words.`;
}
