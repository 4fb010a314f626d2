// The transcript documents' words to check, in Problems: unsure words as Information, phrases that look invented
// (loops, repeats) as Warnings, each with the quick fix "Play this span" (the panel plays just that part). The
// marks follow the person's edits (confidenceMarks.ts finds the words again on every change; a corrected word
// loses its mark) and come back after a restart (the words are kept in global storage, confidenceStore.ts).
import * as fs from 'fs';
import * as vscode from 'vscode';
import { readConfidence, writeConfidence } from '../files/confidenceStore';
import { clockTime } from '../output/common';
import { confidenceMarks, type ConfidenceMark } from '../output/confidenceMarks';
import { recordingOf } from '../output/stamps';
import type { Segment } from '../transcript';
import type { Ctx } from './context';

export const DIAGNOSTIC_SOURCE = 'TranscrevAI';
/** Heard a little before and after, so a short word is not clipped. */
const SPAN_MARGIN_SECONDS = 0.3;
/** Marks are recomputed this long after the last keystroke. */
const EDIT_DELAY_MS = 300;

/** Our marks live in Markdown transcripts and notes on disk (their stamps locate the words). */
function isMarkdownFile(uri: vscode.Uri): boolean {
  return uri.scheme === 'file' && uri.path.toLowerCase().endsWith('.md');
}

export class ConfidenceDiagnostics implements vscode.CodeActionProvider, vscode.Disposable {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];
  private readonly collection = vscode.languages.createDiagnosticCollection('transcrevai');
  private readonly marks = new Map<string, ConfidenceMark[]>();
  private readonly segments = new Map<string, Segment[] | null>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: Ctx) {
    this.disposables.push(
      this.collection,
      ctx.transcriptWritten.event(({ document, transcript }) => this.remember(document, transcript.segments)),
      vscode.workspace.onDidOpenTextDocument((d) => this.refresh(d.uri, d.getText())),
      vscode.workspace.onDidChangeTextDocument((e) => this.later(e.document)),
      vscode.languages.registerCodeActionsProvider({ language: 'markdown' }, this, { providedCodeActionKinds: ConfidenceDiagnostics.providedCodeActionKinds }),
    );
    for (const d of vscode.workspace.textDocuments) this.refresh(d.uri, d.getText());
  }

  /** A transcript was written to `document`: keep its words and mark them (Markdown only: the marks need its stamps). */
  remember(document: vscode.Uri, segments: readonly Segment[]): void {
    if (!isMarkdownFile(document)) return;
    this.segments.set(document.fsPath, [...segments]);
    try {
      writeConfidence(this.storage, document.fsPath, segments);
    } catch (err) {
      this.ctx.log.warn(`confidence of ${document.fsPath} not kept for later sessions: ${(err as Error).message}`);
    }
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === document.toString());
    let text: string | undefined = open?.getText();
    if (text === undefined) {
      try {
        text = fs.readFileSync(document.fsPath, 'utf8');
      } catch {
        return;
      }
    }
    this.refresh(document, text);
  }

  private get storage(): string {
    return this.ctx.extension.globalStorageUri.fsPath;
  }

  private segmentsOf(uri: vscode.Uri): Segment[] | undefined {
    if (!isMarkdownFile(uri)) return undefined;
    if (!this.segments.has(uri.fsPath)) this.segments.set(uri.fsPath, readConfidence(this.storage, uri.fsPath) ?? null);
    return this.segments.get(uri.fsPath) ?? undefined;
  }

  private later(document: vscode.TextDocument): void {
    if (!this.segmentsOf(document.uri)) return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.refresh(document.uri, document.getText());
      }, EDIT_DELAY_MS),
    );
  }

  private refresh(uri: vscode.Uri, text: string): void {
    const segments = this.segmentsOf(uri);
    if (!segments) return;
    const marks = confidenceMarks(text, segments);
    this.marks.set(uri.toString(), marks);
    this.collection.set(
      uri,
      marks.map((m) => {
        const d = new vscode.Diagnostic(
          new vscode.Range(m.line, m.start, m.line, m.end),
          m.message,
          m.kind === 'unsure' ? vscode.DiagnosticSeverity.Information : vscode.DiagnosticSeverity.Warning,
        );
        d.source = DIAGNOSTIC_SOURCE;
        d.code = m.kind === 'unsure' ? 'unsure-word' : 'likely-invented';
        return d;
      }),
    );
  }

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    // Asked at every move of the cursor: the document is read only when one of our marks is under it.
    const marks = this.marks.get(document.uri.toString()) ?? [];
    const marked = context.diagnostics.flatMap((diagnostic) => {
      const r = diagnostic.range;
      const mark =
        diagnostic.source === DIAGNOSTIC_SOURCE && marks.find((m) => m.line === r.start.line && m.start === r.start.character && m.end === r.end.character);
      return mark ? [{ diagnostic, mark }] : [];
    });
    if (!marked.length) return [];
    const recording = recordingOf(document.getText(), document.uri.scheme === 'file' ? document.uri.fsPath : undefined);
    if (!recording) return [];
    const actions: vscode.CodeAction[] = [];
    for (const { diagnostic, mark } of marked) {
      const from = Math.max(0, mark.from - SPAN_MARGIN_SECONDS);
      const action = new vscode.CodeAction(`Play this span (${clockTime(mark.from)})`, vscode.CodeActionKind.QuickFix);
      action.diagnostics = [diagnostic];
      action.isPreferred = true;
      action.command = { title: 'Play this span', command: 'transcrevai.playAt', arguments: [recording, from, mark.to + SPAN_MARGIN_SECONDS] };
      actions.push(action);
    }
    return actions;
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}
