// Live audio in the editor: dictation into the editor that had focus, and meeting recording. One session at a
// time (there is one microphone). The engine does the work; this side shows partial text as ghost text at the
// cursor, inserts each final phrase as one undo step, keeps a status bar item with the audio level, and turns
// the meeting's transcript into a Markdown document. Dictation sends the engine the text before the cursor, at the
// start and whenever it changes: each phrase is decoded after it and cased to fit it.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { LiveHandle } from '../engine/client';
import { isInside } from '../files/isInside';
import { writeOutputFile } from '../files/writeOutput';
import type { LiveEvent, LiveResult } from '../protocol/client';
import type { LiveMode } from '../vocabulary';
import { formatSpec, render, type OutputFormat } from '../output';
import { renderMeetingNotes } from '../output/meetingNotes';
import { mergeSpeakers, renameSpeaker, speakerDocumentEdits } from '../output/speakers';
import { clockTime } from '../output/common';
import { MAX_SPEAKER_NAME, type PanelState } from '../protocol/panel';
import { emptyPanelState } from './panelState';
import type { Transcript } from '../transcript';
import type { QueueState } from '../batch/queue';
import { TranscriptPanel } from './panel';
import { showOurs } from './placement';
import { applyLiveEvent, applyTranscript } from './panelState';
import { speakerName } from '../diarization/speakerName';
import type { Ctx, JobObserver } from './context';
import { joinDictation } from './dictationText';
import { ensureModel } from './ensureModel';
import { toLiveStartParams } from './settings';
import { offerWrittenBeside, showError } from './ui';
import { PROMPT_TEXT_CHARS } from '../whisper/prompt';

/** Characters before the cursor that decide spacing and capitals. */
const CONTEXT_CHARS = 200;
/** The engine hears of the text before the cursor once the user has stopped moving or typing this long. */
const CONTEXT_SETTLE_MS = 150;
const LEVEL_BARS = '▁▂▃▄▅▆▇█';

interface Session {
  mode: LiveMode;
  handle?: LiveHandle;
  /** Dictation: the document text goes into, and where (kept up to date while the user moves the cursor). */
  target?: { document: vscode.TextDocument; position: vscode.Position };
  /** Dictation: final phrases handled so far (inserted, or failed to), which the text before the cursor includes. */
  phrasesHandled: number;
  /** A phrase is being inserted: the text before the cursor is between two states, not to be sent. */
  inserting?: boolean;
  contextTimer?: NodeJS.Timeout;
  stopping?: Promise<void>;
}

export class LiveController implements vscode.Disposable, JobObserver {
  private session: Session | undefined;
  private readonly status: vscode.StatusBarItem;
  private readonly ghost: vscode.TextEditorDecorationType;
  private readonly meetingLog: vscode.OutputChannel;
  private readonly disposables: vscode.Disposable[] = [];
  /** Inserts run one after another, so phrases land in order. */
  private inserting: Promise<unknown> = Promise.resolve();
  readonly panel: TranscriptPanel;
  private panelState: PanelState = emptyPanelState('TranscrevAI');
  private lastLevelPost = 0;
  /** The last finished meeting: renames and exports work on it, and its notes file is kept in step. */
  private lastMeeting?: { transcript: Transcript; startedAt: Date; recording?: string; notes?: vscode.Uri };
  /** The last file transcript shown in the panel, and its document once written. */
  private lastFile?: { transcript: Transcript; document?: vscode.Uri };
  /** Which of the two the panel shows. */
  private showing?: 'meeting' | 'file';
  /** The transcription queue, whose Cancel buttons the panel shows (set by activate). */
  queue?: { cancel(index?: number): void };
  private readonly statusTimer: NodeJS.Timeout;
  private what = 'idle';
  private vitals: string[] = [];

  constructor(private readonly ctx: Ctx) {
    this.status = vscode.window.createStatusBarItem('transcrevai.live', vscode.StatusBarAlignment.Left, 100);
    this.status.name = 'TranscrevAI';
    this.ghost = vscode.window.createTextEditorDecorationType({
      after: { color: new vscode.ThemeColor('editorGhostText.foreground'), fontStyle: 'italic', margin: '0 0 0 0.25em' },
    });
    this.meetingLog = vscode.window.createOutputChannel('TranscrevAI Meeting');
    this.panel = new TranscriptPanel(ctx.extension.extensionUri, {
      rename: (id, name) => void this.rename(id, name),
      rememberVoice: (id) => void this.rememberVoice(id),
      merge: (from, into) => void this.merge(from, into),
      cancelQueued: (index) => this.queue?.cancel(index),
      export: (format) => void this.exportAs(format),
      copyTimestamp: (seconds) => void vscode.env.clipboard.writeText(`[${clockTime(seconds)}]`),
      reveal: (seconds) => void this.reveal(seconds),
      ignored: (message) => ctx.log.warn(`The transcript panel sent a message that is not one of its own; ignored: ${message}`),
    });
    this.disposables.push(
      this.panel,
      this.status,
      this.ghost,
      this.meetingLog,
      vscode.window.onDidChangeTextEditorSelection((e) => {
        const t = this.session?.target;
        if (t && e.textEditor.document === t.document) {
          t.position = e.selections[0].active;
          this.contextChanged(this.session!);
        }
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (this.session?.target?.document === d) void this.stop('the document was closed');
      }),
      vscode.window.onDidChangeWindowState((state) => {
        if (!state.focused && this.session?.mode === 'dictation' && this.ctx.settings().dictationStopOnFocusLoss) void this.stop('VS Code lost focus');
      }),
    );
    this.showIdle();
    this.statusTimer = setInterval(() => void this.refreshVitals(), 5000);
    this.statusTimer.unref?.();
  }

  async toggleDictation(): Promise<void> {
    if (this.session) {
      if (this.session.mode === 'dictation') return this.stop();
      void vscode.window.showInformationMessage('TranscrevAI: a meeting is being recorded; stop it before dictating.');
      return;
    }
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage('TranscrevAI: open an editor (or click into a notebook cell) to dictate into.');
      return;
    }
    const settings = this.ctx.settings();
    const model = await ensureModel(this.ctx, { ...settings, model: settings.dictationModel || settings.model });
    if (!model) return;
    const keep = settings.dictationKeepRecording ? path.join(this.storageFolder(), `dictation-${stamp(new Date())}.wav`) : undefined;
    const target = { document: editor.document, position: editor.selection.active };
    await this.start(
      { mode: 'dictation', target, phrasesHandled: 0 },
      { ...toLiveStartParams(settings, 'dictation', model, keep), context: textBefore(target) },
    );
  }

  async startMeeting(): Promise<void> {
    if (this.session) {
      void vscode.window.showInformationMessage(
        `TranscrevAI: ${this.session.mode === 'meeting' ? 'a meeting is already being recorded' : 'dictation is on; stop it first'}.`,
      );
      return;
    }
    const settings = this.ctx.settings();
    const model = await ensureModel(this.ctx, settings);
    if (!model) return;
    const folder = this.meetingsFolder(settings.meetingsFolder);
    const recording = path.join(folder, `meeting-${stamp(new Date())}.wav`);
    this.meetingLog.clear();
    this.meetingLog.appendLine(`Recording to ${recording}. Stop with "TranscrevAI: Stop Meeting".`);
    this.showing = undefined; // renames now go to the live labels, not to the last transcript's document
    this.setPanel({ ...emptyPanelState(`Meeting ${new Date().toLocaleString()}`), status: 'recording' });
    this.panel.show();
    const params = toLiveStartParams(settings, 'meeting', model, recording);
    const voices = this.ctx.voiceProfiles();
    if (voices.length) params.voices = voices;
    await this.start({ mode: 'meeting', phrasesHandled: 0 }, params);
  }

  async stopMeeting(): Promise<void> {
    if (this.session?.mode !== 'meeting') {
      void vscode.window.showInformationMessage('TranscrevAI: no meeting is being recorded.');
      return;
    }
    await this.stop();
  }

  private async start(session: Session, params: Parameters<import('../engine/client').EngineClient['startLive']>[0]): Promise<void> {
    this.session = session;
    void vscode.commands.executeCommand('setContext', 'transcrevai.live', session.mode);
    this.status.text = '$(loading~spin) TranscrevAI: starting…';
    this.status.show();
    try {
      const engine = await this.ctx.engine();
      session.handle = await engine.startLive(params, (e) => this.onEvent(session, e));
      // The cursor may have moved, or the user typed, while the model loaded.
      if (session.target) this.sendContext(session);
      this.ctx.log.info(`${session.mode} started (recording ${session.handle.recording}).`);
      this.setWhat(session.mode === 'meeting' ? 'recording a meeting (stop: TranscrevAI: Stop Meeting)' : 'dictating (stop: Ctrl+Alt+D)');
      void this.refreshVitals();
    } catch (err) {
      this.session = undefined;
      void vscode.commands.executeCommand('setContext', 'transcrevai.live', undefined);
      this.showIdle();
      showError(this.ctx, err, session.mode === 'meeting' ? 'Meeting' : 'Dictation');
    }
  }

  private setPanel(state: PanelState): void {
    this.panelState = state;
    this.panel.update(state);
  }

  /** The status bar tooltip: what is going on, the model and language, and each process's CPU and memory. */
  private renderTooltip(): void {
    const s = this.ctx.settings();
    const model = this.session?.mode === 'dictation' && s.dictationModel ? s.dictationModel : s.model;
    this.status.tooltip = [
      `TranscrevAI: ${this.what}`,
      `model ${model} (${s.precision}), language ${s.language}`,
      ...this.vitals,
      'Click to show the transcript panel.',
    ].join('\n');
  }

  /** Every 5 s, from the engine's status (never starting an engine just for this). */
  private async refreshVitals(): Promise<void> {
    const engine = this.ctx.runningEngine();
    if (!engine) {
      this.vitals = ['engine: not started (it starts with the first job)'];
    } else {
      try {
        const status = await engine.request('status', {});
        const mb = (b?: number) => (b ? `${Math.round(b / 1e6)} MB` : '–');
        this.vitals = [`engine: ${mb(status.rss)}`];
        for (const p of status.processes)
          this.vitals.push(
            `${p.kind}: ${p.vitals ? `${p.vitals.cpuPercent.toFixed(0)} % CPU, ${mb(p.vitals.rss)}` : p.state}${p.restarts ? `, ${p.restarts} restarts` : ''}`,
          );
      } catch {
        /* busy or gone: keep the last figures */
      }
    }
    this.renderTooltip();
  }

  private setWhat(what: string): void {
    this.what = what;
    this.renderTooltip();
  }

  private onEvent(session: Session, e: LiveEvent): void {
    if (this.session !== session) return;
    // The panel follows every event; level readings (10 a second) at most 4 times a second.
    const now = Date.now();
    if (e.kind !== 'level' || now - this.lastLevelPost > 250) {
      if (e.kind === 'level') this.lastLevelPost = now;
      this.setPanel(applyLiveEvent(this.panelState, e));
    } else {
      this.panelState = applyLiveEvent(this.panelState, e);
    }
    switch (e.kind) {
      case 'level':
        this.status.text = `$(record) ${session.mode === 'meeting' ? 'Meeting' : 'Dictating'} ${LEVEL_BARS[Math.min(LEVEL_BARS.length - 1, Math.floor(Math.sqrt(e.peak) * LEVEL_BARS.length))]} ${clock(e.seconds)}`;
        this.status.command = 'transcrevai.showTranscript';
        break;
      case 'partial':
        this.showGhost(session, e.text);
        break;
      case 'drop':
        this.showGhost(session, '');
        break;
      case 'final':
        if (session.mode === 'dictation')
          this.inserting = this.inserting
            .then(() => this.insert(session, e.segment.text))
            .catch((err) => this.ctx.log.error(`dictation insert failed: ${String(err)}`))
            .finally(() => {
              session.phrasesHandled++;
              this.sendContext(session);
            });
        else this.meetingLog.appendLine(`[${clock(e.segment.start)}] ${e.segment.speaker ? `${speakerName(e.segment.speaker)}: ` : ''}${e.segment.text}`);
        break;
      case 'gap':
        this.ctx.log.warn(`${e.gap.duration.toFixed(2)} s of audio lost at ${clock(e.gap.start)} (capture restarted).`);
        break;
      case 'ended':
        if (e.reason === 'error') this.ctx.log.error(`Live audio stopped: ${e.message ?? 'unknown error'}`);
        void this.stop(e.reason === 'error' ? e.message : undefined);
        break;
    }
  }

  private editorFor(session: Session): vscode.TextEditor | undefined {
    return vscode.window.visibleTextEditors.find((ed) => ed.document === session.target?.document);
  }

  private showGhost(session: Session, text: string): void {
    const editor = this.editorFor(session);
    if (!editor || !session.target) return;
    const at = session.target.position;
    editor.setDecorations(this.ghost, text ? [{ range: new vscode.Range(at, at), renderOptions: { after: { contentText: ` ${text}` } } }] : []);
  }

  /** The text before the cursor moved or changed: the engine hears of it once it settles. */
  private contextChanged(session: Session): void {
    clearTimeout(session.contextTimer);
    session.contextTimer = setTimeout(() => this.sendContext(session), CONTEXT_SETTLE_MS);
  }

  /** Tells the engine the text before the cursor, unless a phrase is half inserted (its end sends it then). */
  private sendContext(session: Session): void {
    clearTimeout(session.contextTimer);
    if (this.session !== session || session.inserting || !session.target || !session.handle) return;
    session.handle
      .setContext(textBefore(session.target), session.phrasesHandled)
      .catch((err) => this.ctx.log.warn(`dictation context not sent: ${String(err)}`));
  }

  /** One phrase, one edit (one undo step), at the cursor of the dictation's document. */
  private async insert(session: Session, phrase: string): Promise<void> {
    session.inserting = true;
    try {
      await this.insertAtCursor(session, phrase);
    } finally {
      session.inserting = false;
    }
  }

  private async insertAtCursor(session: Session, phrase: string): Promise<void> {
    const t = session.target;
    if (!t) return;
    const doc = t.document;
    const at = doc.validatePosition(t.position);
    const before = doc.getText(new vscode.Range(doc.positionAt(Math.max(0, doc.offsetAt(at) - CONTEXT_CHARS)), at));
    const after = doc.getText(new vscode.Range(at, doc.validatePosition(at.translate(0, 1))));
    const text = joinDictation(phrase, before, after);
    if (!text) return;
    const editor = this.editorFor(session);
    this.showGhost(session, '');
    let ok: boolean;
    if (editor) {
      ok = await editor.edit((b) => b.insert(at, text), { undoStopBefore: true, undoStopAfter: true });
      if (ok) {
        const end = doc.positionAt(doc.offsetAt(at) + text.length);
        editor.selection = new vscode.Selection(end, end);
        t.position = end;
      }
    } else {
      // The document is not visible (another tab is in front): the text still goes where the cursor was.
      const edit = new vscode.WorkspaceEdit();
      edit.insert(doc.uri, at, text);
      ok = await vscode.workspace.applyEdit(edit);
      if (ok) t.position = doc.positionAt(doc.offsetAt(at) + text.length);
    }
    if (!ok) this.ctx.log.warn(`Could not insert dictated text into ${doc.uri.toString()}: "${text}"`);
  }

  async stop(reason?: string): Promise<void> {
    const session = this.session;
    if (!session) return;
    session.stopping ??= (async () => {
      this.status.text = '$(loading~spin) TranscrevAI: finishing…';
      try {
        const result = await session.handle?.stop();
        await this.inserting;
        if (result) await this.finish(session, result);
        if (reason) void vscode.window.showWarningMessage(`TranscrevAI: ${session.mode === 'meeting' ? 'meeting recording' : 'dictation'} stopped: ${reason}`);
      } catch (err) {
        showError(this.ctx, err, session.mode === 'meeting' ? 'Meeting' : 'Dictation');
      } finally {
        clearTimeout(session.contextTimer);
        this.showGhost(session, '');
        this.session = undefined;
        void vscode.commands.executeCommand('setContext', 'transcrevai.live', undefined);
        this.showIdle();
      }
    })();
    return session.stopping;
  }

  private async finish(session: Session, result: LiveResult): Promise<void> {
    for (const w of result.transcript.warnings ?? []) this.ctx.log.warn(w);
    if (session.mode === 'dictation') {
      this.ctx.log.info(
        `Dictation stopped: ${result.transcript.segments.length} segments, ${result.transcript.duration.toFixed(1)} s${result.recording ? `; recording kept at ${result.recording}` : ''}.`,
      );
      return;
    }
    this.setPanel(applyTranscript(this.panelState, result.transcript));
    this.logVoiceMatches(result.transcript);
    void this.loadAudio(result.recording);
    const file = result.recording?.replace(/\.wav$/, '.md');
    const inWorkspace = !!file && !!vscode.workspace.workspaceFolders?.length && isInside(vscode.workspace.workspaceFolders[0].uri.fsPath, file);
    this.showing = 'meeting';
    this.lastMeeting = {
      transcript: result.transcript,
      startedAt: new Date(result.startedAt),
      recording: result.recording,
      notes: inWorkspace ? vscode.Uri.file(file!) : undefined,
    };
    const text = this.notesText();
    let doc: vscode.TextDocument;
    if (inWorkspace) {
      const written = writeOutputFile(file!, text, [result.recording!], { besideIfHeld: true });
      offerWrittenBeside(this.ctx, file!, written);
      this.lastMeeting.notes = vscode.Uri.file(written);
      this.ctx.transcriptWritten.fire({ document: vscode.Uri.file(written), transcript: result.transcript });
      doc = await vscode.workspace.openTextDocument(written);
    } else {
      doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: text });
      this.lastMeeting.notes = doc.uri;
    }
    await showOurs(doc);
  }

  private notesText(): string {
    const m = this.lastMeeting!;
    return renderMeetingNotes(m.transcript, {
      startedAt: m.startedAt,
      recording: m.recording,
      notesPath: m.notes?.scheme === 'file' ? m.notes.fsPath : undefined,
    });
  }

  /**
   * "Remember this voice as…": the speaker's voice in the transcript on show (an embedding, never audio) goes to the
   * voices file under the name given, and the speaker takes that name here too.
   */
  private async rememberVoice(id: string): Promise<void> {
    const transcript = this.shownTranscript()?.transcript;
    const voice = transcript?.voices?.bySpeaker[id];
    if (!transcript?.voices || !voice) return;
    const space = transcript.voices.space;
    const source = path.basename(transcript.input);
    const current = this.panelState.speakers[id] ?? '';
    const name = (
      await vscode.window.showInputBox({
        title: 'Remember this voice as…',
        prompt: 'Later transcripts and meetings name this speaker when the voice matches (only the voice print is kept, never audio).',
        value: /^Speaker \d+$/.test(current) ? '' : current,
        validateInput: (v) => (!v.trim() ? 'Give a name' : v.length > MAX_SPEAKER_NAME ? `At most ${MAX_SPEAKER_NAME} characters` : undefined),
      })
    )
      ?.replace(/\s+/g, ' ')
      .trim();
    if (!name) return;
    try {
      this.ctx.rememberVoice({
        name,
        space,
        ...(transcript.voices.embedder && { embedder: transcript.voices.embedder }),
        embedding: voice,
        created: new Date().toISOString(),
        source,
      });
    } catch (err) {
      void vscode.window.showErrorMessage(`TranscrevAI: the voice was not remembered: ${(err as Error).message}`);
      return;
    }
    this.ctx.log.info(`voice remembered as "${name}" (from ${source}); voices file: ${this.ctx.voicesFile()}`);
    void vscode.window.showInformationMessage(`TranscrevAI: "${name}" will be named in later transcripts and meetings when the voice matches.`);
    await this.rename(id, name);
  }

  /** The recording under the panel's text: itself, or the engine's playback copy; a failure is logged, never shown. */
  private async loadAudio(file: string | undefined): Promise<string | undefined> {
    if (!file || !fs.existsSync(file)) {
      this.panel.setAudio(undefined);
      return undefined;
    }
    try {
      const client = await this.ctx.engine();
      const folder = path.join(this.ctx.extension.globalStorageUri.fsPath, 'playback');
      const r = await client.request('playback', { input: file, folder, ffmpegPath: this.ctx.settings().ffmpegPath || undefined });
      if (r.copied) this.ctx.log.info(`the panel plays a copy of ${file} (its codec is not one VS Code plays): ${r.file}`);
      this.panel.setAudio(r.file);
      return r.file;
    } catch (err) {
      this.ctx.log.warn(`the panel cannot play ${file}: ${(err as Error).message}`);
      this.panel.setAudio(undefined);
      return undefined;
    }
  }

  /** "▶ play" on a stamp: the panel plays that recording from `seconds` (up to `until`: "Play this span"). */
  async playAt(file: string, seconds: number, until?: number): Promise<void> {
    this.panel.show();
    if (await this.loadAudio(file)) this.panel.seek(seconds, until);
    else void vscode.window.showWarningMessage(`TranscrevAI: the recording ${path.basename(file)} cannot be played (see the log).`);
  }

  /** The queue in the panel: each recording's state and progress; the panel opens when a queue starts. */
  showQueue(state: QueueState, summary?: string): void {
    const items = state.items.map((i) => ({ name: path.basename(i.input), status: i.status, percent: i.percent, reason: i.reason }));
    const running = (q?: { items: { status: string }[] }) => !!q?.items.some((i) => i.status === 'running');
    const opening = !running(this.panelState.queue) && running({ items });
    this.setPanel({ ...this.panelState, queue: items.length ? { items, summary } : undefined });
    if (opening) this.panel.show();
  }

  private logVoiceMatches(t: Transcript): void {
    for (const m of t.voiceMatches ?? []) this.ctx.log.info(`speaker ${m.speaker} is "${m.name}" by voice (similarity ${m.similarity.toFixed(2)})`);
  }

  /** The finished transcript the panel shows, and the document written from it (meeting notes or a transcript). */
  private shownTranscript(): { transcript: Transcript; document?: vscode.Uri; set(t: Transcript): void } | undefined {
    const m = this.lastMeeting;
    if (this.showing === 'meeting' && m) return { transcript: m.transcript, document: m.notes, set: (t) => (m.transcript = t) };
    const f = this.lastFile;
    if (this.showing === 'file' && f) return { transcript: f.transcript, document: f.document, set: (t) => (f.transcript = t) };
    return undefined;
  }

  /**
   * A rename or a merge reaches the panel, the document and later exports at once. The document changes by one
   * WorkspaceEdit (one undo step) on the lines TranscrevAI wrote and the person left alone: nothing typed is lost.
   */
  private async changeSpeakers(change: (t: Transcript) => Transcript): Promise<void> {
    const shown = this.shownTranscript();
    if (!shown) return;
    const before = shown.transcript;
    const after = change(before);
    shown.set(after);
    if (shown.document) {
      const doc = await vscode.workspace.openTextDocument(shown.document);
      const edits = speakerDocumentEdits(doc.getText(), before, after);
      if (edits.length) {
        const edit = new vscode.WorkspaceEdit();
        for (const e of edits) edit.replace(shown.document, new vscode.Range(doc.positionAt(e.start), doc.positionAt(e.end)), e.text);
        await vscode.workspace.applyEdit(edit);
        if (shown.document.scheme === 'file') await doc.save();
      }
    }
    const speakers = Object.fromEntries((after.speakers ?? []).map((s) => [s.id, s.name]));
    this.setPanel({
      ...this.panelState,
      speakers,
      voices: this.panelState.voices.filter((id) => id in speakers),
      segments: this.panelState.segments.map((s, i) => ({ ...s, speaker: after.segments[i]?.speaker ?? s.speaker })),
    });
  }

  private async rename(id: string, name: string): Promise<void> {
    if (!name.trim()) return;
    if (this.shownTranscript()) await this.changeSpeakers((t) => renameSpeaker(t, id, name));
    // A meeting still recording: its live labels only.
    else this.setPanel({ ...this.panelState, speakers: { ...this.panelState.speakers, [id]: name.replace(/\s+/g, ' ').trim() } });
  }

  private async merge(from: string, into: string): Promise<void> {
    if (!this.shownTranscript()) return;
    await this.changeSpeakers((t) => mergeSpeakers(t, from, into));
    this.ctx.log.info(`speaker ${from} merged into ${into}`);
  }

  /** A file transcript's document, once written (Transcribe File or the queue): renames and merges edit it. */
  delivered(title: string, document: vscode.Uri): void {
    if (this.lastFile && path.basename(this.lastFile.transcript.input) === title) this.lastFile.document = document;
  }

  private async exportAs(format: OutputFormat): Promise<void> {
    const shown = this.shownTranscript();
    if (!shown) return;
    const text =
      format === 'md' && this.showing === 'meeting' ? this.notesText() : render(shown.transcript, format, { wordCues: this.ctx.settings().wordCues });
    await showOurs(await vscode.workspace.openTextDocument({ language: formatSpec(format).languageId, content: text }));
  }

  /** Opens the notes at the turn with this timestamp. */
  private async reveal(seconds: number): Promise<void> {
    const notes = this.lastMeeting?.notes;
    if (!notes) return;
    const doc = await vscode.workspace.openTextDocument(notes);
    const at = doc.getText().indexOf(`[${clockTime(seconds)}]`);
    const editor = await showOurs(doc);
    if (at >= 0) {
      const pos = doc.positionAt(at);
      editor.selection = new vscode.Selection(pos, pos);
      editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenter);
    }
  }

  private meetingsFolder(setting: string): string {
    const ws = vscode.workspace.workspaceFolders?.[0];
    const folder = path.isAbsolute(setting)
      ? setting
      : ws?.uri.scheme === 'file'
        ? path.join(ws.uri.fsPath, setting)
        : path.join(this.storageFolder(), 'meetings');
    fs.mkdirSync(folder, { recursive: true });
    return folder;
  }

  private storageFolder(): string {
    const dir = this.ctx.extension.globalStorageUri.fsPath;
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** A file job's progress: the status bar says "Transcribing N %"; the panel, if open, shows each component. */
  progress(title: string, component: import('../progress').Component, percent: number, overall: number): void {
    if (this.session) return; // the microphone owns the status bar while recording
    this.status.text = `$(sync~spin) TranscrevAI: transcribing ${overall} %`;
    this.setWhat(`transcribing ${title} (${overall} %)`);
    this.status.command = 'transcrevai.showTranscript';
    if (this.panel.visible || this.panelState.title === title) {
      // Another file: a fresh transcript view, the queue (if any) kept above it.
      // The panel no longer shows the last transcript: a rename must not edit it, nor its voices be remembered.
      if (this.panelState.title !== title) this.showing = undefined;
      const base =
        this.panelState.title === title ? this.panelState : { ...emptyPanelState(title), status: 'transcribing' as const, queue: this.panelState.queue };
      this.setPanel({ ...base, status: 'transcribing', progress: { ...base.progress, [component]: percent } });
    }
  }

  finished(title: string, result: { transcript?: Transcript; error?: string }): void {
    if (this.panelState.title === title) {
      this.setPanel(
        result.transcript
          ? applyTranscript({ ...this.panelState, exports: [] }, result.transcript)
          : { ...this.panelState, status: result.error ? 'error' : 'idle', error: result.error },
      );
      if (result.transcript) {
        this.lastFile = { transcript: result.transcript };
        this.showing = 'file';
        this.logVoiceMatches(result.transcript);
        void this.loadAudio(result.transcript.input);
      }
    }
    if (this.session) return;
    if (result.error) {
      this.status.text = '$(error) TranscrevAI';
      this.setWhat(`error: ${result.error}`);
      setTimeout(() => !this.session && this.showIdle(), 10_000).unref?.();
    } else {
      this.showIdle();
    }
  }

  private showIdle(): void {
    this.status.text = '$(mic) TranscrevAI';
    this.setWhat('idle (Ctrl+Alt+D dictates into the active editor)');
    this.status.command = 'transcrevai.showTranscript';
    this.status.show();
  }

  dispose(): void {
    clearInterval(this.statusTimer);
    void this.stop();
    for (const d of this.disposables) d.dispose();
  }
}

/** The document's text before the dictation's cursor: what the next phrase follows (its end only, as much as a prompt holds). */
function textBefore(target: { document: vscode.TextDocument; position: vscode.Position }): string {
  const doc = target.document;
  const at = doc.validatePosition(target.position);
  return doc.getText(new vscode.Range(doc.positionAt(Math.max(0, doc.offsetAt(at) - PROMPT_TEXT_CHARS)), at));
}

function clock(seconds: number): string {
  const s = Math.floor(seconds);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  return `${hh ? `${hh}:` : ''}${String(mm).padStart(hh ? 2 : 1, '0')}:${String(ss).padStart(2, '0')}`;
}

/** 2026-12-01-2350: a file-name-safe local date and time. */
function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}
