// A live session (dictation or meeting): capture child → WAV journal on disk → VAD (diarization child, in
// pieces, carrying its state) → phrases → bounded queue → Whisper per phrase (transcription child) → events.
// Meetings also embed each phrase (diarization child) for a provisional speaker, and on stop re-diarize the
// whole recording for stable labels. Every phrase is decoded after the text it follows (the editor's text before
// the cursor in dictation, the earlier phrases in a meeting: phraseContext.ts) and cased to fit it (phraseCasing.ts).
//
// The journal is the buffer between stages: every stage reads from disk at its own pace, so a slow stage
// holds back only itself. When the phrase queue is full the VAD stage waits; capture never does (its audio
// keeps going to disk) and nothing is dropped. A crashed child is restarted by its WorkerProcess and given its
// request again; a restarted capture child appends to the same journal and reports the gap.
import * as fs from 'fs';
import * as path from 'path';
import { PhraseSegmenter, DICTATION_PHRASES, MEETING_PHRASES, type PhraseEvent } from '../audio/phrases';
import { VAD_WINDOW_SAMPLES } from '../audio/vad';
import { wavJournalSamples } from '../audio/wavJournal';
import { assignSpeakers, speakerName } from '../diarization';
import { OnlineSpeakers } from '../diarization/online';
import { nameKnownVoices } from '../diarization/voiceProfiles';
import { TranscrevError } from '../errors';
import { checkVoiceProfiles } from '../files/voiceStore';
import { auxiliaryModelDir, overlapModelDirs, resolveModelDir } from '../models/paths';
import type { LiveEvent, LiveResult, LiveSegment, LiveStartParams, RecordingGap } from '../protocol/client';
import type { LoadModelParams, RecordResult, VadStreamState, WorkerEvent } from '../protocol/worker';
import type { Segment, Transcript } from '../transcript';
import { BoundedQueue, DEFAULT_QUEUE_CAPACITY } from './boundedQueue';
import { threadSplit, threadsWarning } from './budget';
import { makePrivateFolder } from '../files/jobFolders';
import { checkLanguage, checkLanguageForModelDir } from '../whisper/languages';
import type { Supervisor } from './supervisor';
import { SAMPLE_RATE } from '../vocabulary';
import { fitCasing, fitSegmentCasing } from './phraseCasing';
import { phraseContext, type EditorContext } from './phraseContext';

/** How often the stages are looked at. */
const TICK_MS = 50;
/** The VAD stage waits for this much new audio (4 windows, 128 ms) before scoring it. */
const VAD_MIN_SAMPLES = 4 * VAD_WINDOW_SAMPLES;
/** At most this much audio per VAD request when catching up (keeps each request short). */
const VAD_MAX_SAMPLES = 30 * SAMPLE_RATE;
/** Partial text for the phrase being spoken: about once a second, once it has half a second of audio. */
const PARTIAL_EVERY_MS = 1000;
const PARTIAL_MIN_SAMPLES = SAMPLE_RATE / 2;
/** A phrase shorter than this joins the nearest live speaker rather than starting a new one. */
const NEW_SPEAKER_MIN_SAMPLES = SAMPLE_RATE;
/** live.start answers once audio flows; a source that yields nothing this long is reported as broken. */
const FIRST_AUDIO_TIMEOUT_MS = 10_000;

interface Phrase {
  start: number;
  end: number;
  /** When the VAD stage closed it (Date.now()): "end of phrase" for the latency figures. */
  closedAt: number;
}

export class LiveSession {
  readonly journal: string;
  private readonly segmenter: PhraseSegmenter;
  private readonly queue: BoundedQueue<Phrase>;
  private readonly modelParams: LoadModelParams & { vadFile: string };
  private readonly speakerDir: string;
  private readonly overlapDirs: { segmentation: string; embedder: string };
  private readonly diarizationThreads: number;
  private readonly captureStop = new AbortController();
  private capture$?: Promise<RecordResult>;
  private captureEnded = false;
  private timer?: NodeJS.Timeout;
  // VAD stage
  private vadCursor = 0;
  private vadCarry?: VadStreamState;
  private vadBusy = false;
  /** Scored windows not yet given to the segmenter (it stops taking them while the queue is full). */
  private unfed: number[] = [];
  private flushed = false;
  // Transcription stage
  private transcribing = false;
  private partial?: { abort: AbortController; start: number };
  private lastPartialAt = 0;
  private readonly finals: { segment: LiveSegment; segments: Segment[] }[] = [];
  /** Made with the first phrase's embedder, whose similarity scale it needs. */
  private online?: OnlineSpeakers;
  private language: string;
  /** Dictation into an editor: the text before the cursor, as the client last sent it. */
  private editor?: EditorContext;
  // Bookkeeping
  readonly gaps: RecordingGap[] = [];
  private readonly warnings: string[] = [];
  /** The folder this session made for its recording (none when the caller chose where the recording goes). */
  private readonly privateFolder?: string;
  private failure?: Error;
  /** Wall time of journal sample 0 (live sources), for latency figures. */
  private clockZero?: number;
  private readonly startedAt = Date.now();
  private drained?: () => void;

  constructor(
    readonly id: string,
    private readonly params: LiveStartParams,
    private readonly sup: Supervisor,
    private readonly emit: (event: LiveEvent) => void,
  ) {
    checkLanguage(params.language);
    checkVoiceProfiles(params.voices);
    const modelDir = resolveModelDir(params.model, params.modelsPath);
    checkLanguageForModelDir(params.language, modelDir);
    const tw = threadsWarning(params.threads);
    if (tw) this.warn(tw);
    const vadFile = path.join(auxiliaryModelDir('vad', params.modelsPath), 'silero_vad.onnx');
    if (!fs.existsSync(vadFile)) {
      throw new TranscrevError(
        'model',
        `Live transcription needs the Silero VAD model, not found at ${vadFile}: run "npm run models" or TranscrevAI: Download Model….`,
      );
    }
    const threads = threadSplit(params.threads);
    this.modelParams = { modelDir, precision: params.precision, threads: threads.transcription, vadFile };
    this.diarizationThreads = threads.diarization;
    this.speakerDir = auxiliaryModelDir('speaker', params.modelsPath);
    this.overlapDirs = overlapModelDirs(params.modelsPath);
    this.segmenter = new PhraseSegmenter(params.mode === 'meeting' ? MEETING_PHRASES : DICTATION_PHRASES);
    this.queue = new BoundedQueue(params.queueCapacity ?? DEFAULT_QUEUE_CAPACITY);
    this.language = params.language;
    if (params.context !== undefined) this.editor = { before: params.context, phrases: 0 };
    // Without a recording path the audio goes to a private folder of its own (0700, unpredictable name): the
    // shared temporary folder under a guessable name let any local user read it, or plant a file there first.
    if (!params.recording) this.privateFolder = makePrivateFolder('live');
    this.journal = params.recording ?? path.join(this.privateFolder!, `${params.mode}.wav`);
    if (params.recording) fs.mkdirSync(path.dirname(params.recording), { recursive: true });
    if (fs.existsSync(this.journal)) throw new TranscrevError('usage', `The recording file already exists: ${this.journal}`);
  }

  /** Loads the model, starts capture, and resolves once audio arrives (or rejects with why it cannot). */
  async start(): Promise<void> {
    await this.sup.fitAffinity(Math.max(this.modelParams.threads, this.diarizationThreads));
    const loading = this.sup.transcription.request('load', this.modelParams, { onWarning: (m) => this.warn(m) });
    let firstAudio!: () => void;
    const audioFlows = new Promise<void>((resolve) => (firstAudio = resolve));
    this.capture$ = this.sup.capture.request(
      'record',
      { source: this.params.source, journal: this.journal },
      {
        signal: this.captureStop.signal,
        onWarning: (m) => this.warn(m),
        onEvent: (e) => {
          this.onCaptureEvent(e);
          if (e.kind === 'level' && e.samples > 0) firstAudio();
        },
      },
    );
    let timeout: NodeJS.Timeout | undefined;
    // Raced at once, so a recorder that fails while the model loads is a rejection someone is waiting for.
    const capturing = Promise.race([
      audioFlows,
      this.capture$.then(() => undefined), // a file source can end before its first level report
      new Promise<void>((_, reject) => {
        timeout = setTimeout(
          () => reject(new TranscrevError('device', `No audio arrived from the ${this.params.source.kind} within ${FIRST_AUDIO_TIMEOUT_MS / 1000} s.`)),
          FIRST_AUDIO_TIMEOUT_MS,
        );
      }),
    ]);
    try {
      await Promise.all([loading, capturing]);
    } catch (err) {
      this.captureStop.abort();
      await Promise.allSettled([this.capture$, loading]);
      this.deleteRecording();
      throw err;
    } finally {
      clearTimeout(timeout);
    }
    this.capture$.then(
      (r) => {
        this.captureEnded = true;
        if (r.reason === 'source-ended') this.emit({ kind: 'ended', reason: 'source-ended' });
      },
      (err: Error) => {
        this.captureEnded = true;
        this.fail(err);
      },
    );
    this.timer = setInterval(() => this.pump(), TICK_MS);
  }

  private onCaptureEvent(e: WorkerEvent): void {
    if (e.kind === 'level') {
      if (this.clockZero === undefined && e.samples > 0 && this.params.source.kind === 'microphone')
        this.clockZero = Date.now() - (1000 * e.samples) / SAMPLE_RATE;
      this.emit({ kind: 'level', rms: e.rms, peak: e.peak, seconds: e.samples / SAMPLE_RATE });
    } else {
      const gap = { start: e.atSample / SAMPLE_RATE, duration: e.samples / SAMPLE_RATE };
      this.gaps.push(gap);
      this.warn(`Capture restarted: ${gap.duration.toFixed(2)} s of audio at ${gap.start.toFixed(2)} s were not recorded (kept as silence).`);
      this.emit({ kind: 'gap', gap });
    }
  }

  private warn(message: string): void {
    if (!this.warnings.includes(message)) this.warnings.push(message);
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.unfed = [];
    this.flushed = true;
    this.warn(err.message);
    this.emit({ kind: 'ended', reason: 'error', message: err.message });
    // What was recorded so far is still transcribed: stopping capture lets the stages drain.
    this.captureStop.abort();
  }

  // ---------------------------------------------------------------------------------------------------------
  // The scheduler: each tick moves every stage that can move.

  private pump(): void {
    this.feedSegmenter();
    this.runVad();
    this.runTranscription();
    if (this.isDrained()) this.drained?.();
  }

  private runVad(): void {
    if (this.vadBusy || this.unfed.length || this.flushed || this.failure) return;
    const onDisk = fs.existsSync(this.journal) ? wavJournalSamples(this.journal) : 0;
    const ready = this.captureEnded ? onDisk : onDisk - (onDisk % VAD_WINDOW_SAMPLES);
    if (ready - this.vadCursor < (this.captureEnded ? 1 : VAD_MIN_SAMPLES)) {
      if (this.captureEnded) this.flush();
      return;
    }
    const end = Math.min(ready, this.vadCursor + VAD_MAX_SAMPLES);
    this.vadBusy = true;
    const start = this.vadCursor;
    this.sup.diarization.request('vad', { journal: this.journal, vadFile: this.modelParams.vadFile, start, end, carry: this.vadCarry }).then(
      (r) => {
        this.vadBusy = false;
        this.vadCarry = r.carry;
        // A last, partial window is scored zero-padded; it is not scored again (the stream has ended).
        this.vadCursor = start + r.probs.length * VAD_WINDOW_SAMPLES;
        this.unfed.push(...r.probs);
        this.pump();
      },
      (err: Error) => {
        this.vadBusy = false;
        this.fail(err);
        this.flushed = true;
      },
    );
  }

  /** Gives scored windows to the segmenter while the queue has room: a full queue is the backpressure. */
  private feedSegmenter(): void {
    while (this.unfed.length && !this.queue.full) {
      for (const e of this.segmenter.push([this.unfed.shift()!])) this.onPhraseEvent(e);
    }
  }

  private flush(): void {
    if (this.flushed || this.unfed.length || this.queue.full) return;
    this.flushed = true;
    for (const e of this.segmenter.flush()) this.onPhraseEvent(e);
  }

  private onPhraseEvent(e: PhraseEvent): void {
    if (e.kind === 'end') {
      if (!this.queue.offer({ start: e.start, end: e.end, closedAt: Date.now() })) throw new Error('phrase queue overflow'); // feedSegmenter checks room first
      // The phrase is complete: its partial is obsolete, and the final should not wait behind it.
      if (this.partial && this.partial.start === e.start) this.partial.abort.abort();
    } else if (e.kind === 'drop') {
      this.partial?.abort.abort();
      this.emit({ kind: 'drop', start: e.start / SAMPLE_RATE });
    }
  }

  /** The text before the cursor changed (typing, a move, an inserted phrase): later phrases follow the new text. */
  setContext(before: string, phrases: number): void {
    if (this.params.mode === 'dictation') this.editor = { before, phrases };
  }

  /** The text the next phrase follows: its prompt, and what its casing fits. */
  private context(): string {
    return phraseContext(
      this.editor,
      this.finals.map((f) => f.segment.text),
    );
  }

  private runTranscription(): void {
    if (this.transcribing) return;
    if (this.failure) {
      // Nothing more is transcribed after a failure; the kept recording holds the rest.
      while (this.queue.take());
      return;
    }
    const phrase = this.queue.take();
    if (phrase) {
      this.transcribing = true;
      void this.transcribePhrase(phrase).finally(() => {
        this.transcribing = false;
        this.pump();
      });
      return;
    }
    const open = this.segmenter.open;
    // No partial while the speaker pauses: the phrase is probably ending, and its final text should not wait
    // behind a partial that nobody will read.
    if (!open || this.partial || this.captureEnded || this.unfed.length || this.segmenter.pausing) return;
    if (Date.now() - this.lastPartialAt < PARTIAL_EVERY_MS || this.segmenter.position - open.start < PARTIAL_MIN_SAMPLES) return;
    this.lastPartialAt = Date.now();
    const context = this.context();
    const abort = new AbortController();
    this.partial = { abort, start: open.start };
    this.transcribing = true;
    this.sup.transcription
      .request(
        'phrase',
        {
          ...this.modelParams,
          journal: this.journal,
          start: open.start,
          end: this.segmenter.position,
          language: this.language,
          initialPrompt: context || undefined,
          vocabulary: this.params.vocabulary,
          partial: true,
        },
        { signal: abort.signal },
      )
      .then(
        (r) => {
          if (!abort.signal.aborted && this.segmenter.open?.start === open.start && r.text)
            this.emit({ kind: 'partial', start: open.start / SAMPLE_RATE, text: fitCasing(r.text, context, this.params.vocabulary) });
        },
        () => undefined, // a partial that failed or was cut short is simply not shown
      )
      .finally(() => {
        this.partial = undefined;
        this.transcribing = false;
        this.pump();
      });
  }

  private async transcribePhrase(phrase: Phrase): Promise<void> {
    const context = this.context();
    let r;
    try {
      r = await this.sup.transcription.request(
        'phrase',
        {
          ...this.modelParams,
          journal: this.journal,
          start: phrase.start,
          end: phrase.end,
          language: this.language,
          initialPrompt: context || undefined,
          vocabulary: this.params.vocabulary,
          wordTimings: this.params.wordTimings,
        },
        { onWarning: (m) => this.warn(m) },
      );
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    if (this.params.language === 'auto' && r.language !== 'und') this.language = r.language;
    const segments = fitSegmentCasing(r.segments, context, this.params.vocabulary);
    const text = segments
      .map((s) => s.text.trim())
      .filter(Boolean)
      .join(' ');
    const segment: LiveSegment = { start: phrase.start / SAMPLE_RATE, end: phrase.end / SAMPLE_RATE, text };
    if (!text) {
      this.emit({ kind: 'drop', start: segment.start });
      return;
    }
    if (this.params.mode === 'meeting') segment.speaker = await this.provisionalSpeaker(phrase);
    segment.latencyMs = Date.now() - phrase.closedAt;
    if (this.clockZero !== undefined) segment.audioLatencyMs = Math.round(Date.now() - (this.clockZero + (1000 * phrase.end) / SAMPLE_RATE));
    this.finals.push({ segment, segments });
    this.emit({ kind: 'final', segment });
  }

  private async provisionalSpeaker(phrase: Phrase): Promise<string | undefined> {
    try {
      const { vector, embedder } = await this.sup.diarization.request('embed', {
        journal: this.journal,
        start: phrase.start,
        end: phrase.end,
        modelDir: this.speakerDir,
        overlapDirs: this.overlapDirs,
        threads: this.diarizationThreads,
      });
      if (!vector) return undefined;
      const trusted = phrase.end - phrase.start >= NEW_SPEAKER_MIN_SAMPLES;
      // A child restarted without the CAM++ model would answer in GE2E's space: start the live labels over then.
      if (this.online?.kind !== embedder) this.online = OnlineSpeakers.for(embedder);
      return `SPEAKER_${this.online.assign(Float32Array.from(vector), trusted) + 1}`;
    } catch (err) {
      this.warn(`Live speaker labels are off: ${(err as Error).message}`);
      return undefined;
    }
  }

  private isDrained(): boolean {
    return this.captureEnded && this.flushed && !this.vadBusy && !this.unfed.length && !this.queue.length && !this.transcribing;
  }

  // ---------------------------------------------------------------------------------------------------------

  /** Stops capture, finishes every phrase still queued, and returns the whole transcript. */
  async stop(): Promise<LiveResult> {
    this.captureStop.abort();
    await this.capture$?.catch(() => undefined);
    this.captureEnded = true;
    await new Promise<void>((resolve) => {
      this.drained = resolve;
      this.pump();
    });
    clearInterval(this.timer);
    const samples = fs.existsSync(this.journal) ? wavJournalSamples(this.journal) : 0;
    const transcript: Transcript = {
      input: this.journal,
      model: path.basename(this.modelParams.modelDir),
      precision: this.params.precision,
      language: this.language,
      duration: samples / SAMPLE_RATE,
      segments: this.finals.flatMap((f) => f.segments.map((s) => ({ ...s, speaker: f.segment.speaker }))),
      timing: { load: 0, decode: 0, transcribe: 0, total: (Date.now() - this.startedAt) / 1000 },
      rtf: 0,
    };
    if (this.params.mode === 'meeting') await this.diarizeWhole(transcript);
    if (this.warnings.length) transcript.warnings = [...this.warnings];
    // After a failure the recording is kept whatever the mode: it holds what could not be transcribed.
    const keep = this.params.mode === 'meeting' || !!this.params.keepRecording || !!this.failure;
    if (!keep) this.deleteRecording();
    return {
      sessionId: this.id,
      mode: this.params.mode,
      startedAt: new Date(this.startedAt).toISOString(),
      transcript,
      recording: keep ? this.journal : undefined,
      gaps: this.gaps,
      queuePeak: this.queue.peak,
    };
  }

  /** Stable speaker labels: one diarization over every phrase of the meeting, then segments take the turns. */
  private async diarizeWhole(transcript: Transcript): Promise<void> {
    if (!this.finals.length) return;
    const t0 = Date.now();
    try {
      // Silero's regions over the whole recording, exactly as a file job gets them: phrases are cut for quick
      // text and run several speakers' turns together.
      const speech = await this.sup.transcription.request('speech', { journal: this.journal, vadFile: this.modelParams.vadFile });
      const r = await this.sup.diarization.request('diarize', {
        journal: this.journal,
        speech,
        modelDir: this.speakerDir,
        overlapDirs: this.overlapDirs,
        threads: this.diarizationThreads,
        speakers: this.params.speakers,
      });
      for (const w of r.warnings) this.warn(w);
      transcript.segments = assignSpeakers(
        transcript.segments.map((s) => ({ ...s, speaker: undefined })),
        r.exclusiveTurns ?? r.turns,
      );
      transcript.turns = r.turns;
      transcript.speakers = r.speakers;
      transcript.diarization = { method: r.method, reason: r.reason };
      if (r.voices) transcript.voices = r.voices;
      nameKnownVoices(transcript, this.params.voices);
      transcript.timing.diarize = (Date.now() - t0) / 1000;
    } catch (err) {
      // The live labels stand in: they are worse, never missing.
      this.warn(`Final speaker labelling failed (${(err as Error).message}); the live labels are kept.`);
      const time = new Map<string, number>();
      for (const f of this.finals) if (f.segment.speaker) time.set(f.segment.speaker, (time.get(f.segment.speaker) ?? 0) + f.segment.end - f.segment.start);
      transcript.speakers = [...time].map(([id, t]) => ({ id, name: speakerName(id), speakingTime: Math.round(t * 1000) / 1000 }));
    }
  }

  private deleteRecording(): void {
    fs.rmSync(this.journal, { force: true });
    if (this.privateFolder) fs.rmSync(this.privateFolder, { recursive: true, force: true });
  }

  /** The client went away: stop capturing, drop the temporary recording of a dictation. */
  async abandon(): Promise<void> {
    clearInterval(this.timer);
    this.captureStop.abort();
    await this.capture$?.catch(() => undefined);
    if (this.params.mode === 'dictation' && !this.params.keepRecording) this.deleteRecording();
  }
}
