// "TranscrevAI: Transcribe File…" — from the palette (file picker) or the explorer context menu (uri).
// Runs the job in the engine behind a cancellable progress notification, renders the transcript in the
// configured format, writes it next to the media as <name>.<ext> (never overwriting silently) and opens it
// beside the current editor. Where the media's file system cannot be written, an untitled document is opened.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { findFfmpeg } from '../../audio/ffmpeg';
import { CancelledError } from '../../errors';
import type { Component } from '../../progress';
import type { OutputFormat } from '../../output/formats';
import type { TranscribeParams } from '../../protocol/client';
import { render, type RenderOptions } from '../../output';
import type { Transcript } from '../../transcript';
import type { Ctx } from '../context';
import { stageAccountLines } from '../../engine/audit';
import { ensureModel } from '../ensureModel';
import { MEDIA_EXTENSIONS, transcriptName } from '../../output/mediaNames';
import { keepBothNameAsync, languageIdFor } from '../outputPath';
import { showOurs } from '../placement';
import { OverallProgress } from '../progressMath';
import { toTranscribeParams, type Settings } from '../settings';
import { messageOf, showError } from '../ui';

const STAGE: Record<Component, string> = {
  load: 'Loading model',
  decode: 'Reading audio',
  vad: 'Finding speech',
  transcription: 'Transcribing',
  diarization: 'Identifying speakers',
};

export async function transcribeFileCommand(ctx: Ctx, arg?: unknown): Promise<void> {
  let media = arg instanceof vscode.Uri ? arg : undefined;
  if (!media) {
    const picked = await vscode.window.showOpenDialog({
      title: 'TranscrevAI: Transcribe File',
      canSelectMany: false,
      openLabel: 'Transcribe',
      filters: { 'Audio and video': [...MEDIA_EXTENSIONS] },
    });
    media = picked?.[0];
  }
  if (!media) return;

  const settings = ctx.settings();
  const model = await ensureModel(ctx, settings);
  if (!model) return;

  let tempDir: string | undefined;
  try {
    let input: string;
    if (media.scheme === 'file') {
      input = media.fsPath;
    } else {
      // Virtual file systems: the engine and ffmpeg need a local file.
      tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'transcrevai-'));
      input = path.join(tempDir, path.posix.basename(media.path));
      fs.writeFileSync(input, await vscode.workspace.fs.readFile(media));
    }
    const params = jobParams(ctx, settings, model, input, media.toString(true));
    const transcript = await runWithProgress(ctx, params, path.posix.basename(media.path));
    await deliver(ctx, media, transcript, settings.outputFormat, { wordCues: settings.wordCues });
  } catch (err) {
    showError(ctx, err, 'Transcription');
  } finally {
    if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
  }
}

/** The engine request for one recording, from the settings, with the remembered voices; logged with what it uses. */
export function jobParams(ctx: Ctx, settings: Settings, model: string, input: string, shownAs: string): TranscribeParams {
  const params = toTranscribeParams(settings, input, model);
  const voices = params.diarize ? ctx.voiceProfiles() : [];
  if (voices.length) params.voices = voices;
  // Preflight in the host: a missing ffmpeg is reported before the engine starts, and the log says which one.
  const ffmpeg = findFfmpeg({ explicit: params.ffmpegPath });
  ctx.log.info(
    `Transcribing ${shownAs} — model ${params.model}, precision ${params.precision}, language ${params.language}, ` +
      `threads ${params.threads ?? 'auto'}, ${voices.length} remembered voices, ${params.vocabulary ? `vocabulary "${params.vocabulary.slice(0, 80)}"` : 'no vocabulary'}, ffmpeg ${ffmpeg.path} (${ffmpeg.source}), models root ${ctx.modelsRoot(settings)}`,
  );
  return params;
}

/**
 * One recording through the engine: progress to the status bar and the panel (ctx.jobs), the overall percent and
 * stage to `onProgress`, the result logged. Shared by Transcribe File and the queue.
 */
export async function runJob(
  ctx: Ctx,
  params: TranscribeParams,
  signal: AbortSignal,
  onProgress: (percent: number, increment: number, stage: string) => void,
): Promise<Transcript> {
  const client = await ctx.engine();
  if (signal.aborted) throw new CancelledError();
  const overall = new OverallProgress(params.diarize ?? false);
  const title = path.basename(params.input);
  try {
    const transcript = await client.transcribe(params, {
      signal,
      onProgress: (event) => {
        const { increment, percent } = overall.update(event);
        onProgress(percent, increment, event.component === 'transcription' || event.component === 'vad' ? 'Transcribing' : STAGE[event.component]);
        ctx.jobs?.progress(title, event.component, event.percent, percent);
      },
      onWarning: (message) => ctx.log.warn(message),
    });
    ctx.jobs?.finished(title, { transcript });
    logResult(ctx, transcript);
    return transcript;
  } catch (err) {
    ctx.jobs?.finished(title, { error: err instanceof CancelledError ? undefined : messageOf(err) });
    throw err;
  }
}

function runWithProgress(ctx: Ctx, params: TranscribeParams, label: string): Promise<Transcript> {
  return Promise.resolve(
    vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `TranscrevAI: ${label}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const sub = token.onCancellationRequested(() => controller.abort());
        try {
          progress.report({ message: 'Starting engine…' });
          return await runJob(ctx, params, controller.signal, (percent, increment, stage) => progress.report({ increment, message: `${stage} ${percent} %` }));
        } finally {
          sub.dispose();
        }
      },
    ),
  );
}

function logResult(ctx: Ctx, t: Transcript): void {
  ctx.log.info(
    `Done: ${t.segments.length} segments, ${t.duration.toFixed(1)} s of audio, language ${t.language}, model ${t.model} (${t.precision}), ` +
      `load ${t.timing.load.toFixed(1)} s, decode ${t.timing.decode.toFixed(1)} s, transcribe ${t.timing.transcribe.toFixed(1)} s, ` +
      `total ${t.timing.total.toFixed(1)} s, RTF ${t.rtf.toFixed(2)}`,
  );
  // Where the audio went and how speakers were found: what --verbose prints in the CLI, so nothing is set aside unseen.
  for (const line of stageAccountLines(t.audit ?? [])) ctx.log.info(line);
  if (t.diarization) ctx.log.info(`speakers: ${t.speakers?.length ?? 0} by ${t.diarization.method} (${t.diarization.reason})`);
  for (const w of t.warnings ?? []) ctx.log.warn(w);
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** Writes the transcript next to the media (asking on a clash) or opens it untitled; then shows it beside. */
async function deliver(ctx: Ctx, media: vscode.Uri, transcript: Transcript, format: OutputFormat, options: RenderOptions): Promise<void> {
  const content = render(transcript, format, options);
  const dir = vscode.Uri.joinPath(media, '..');
  const writable = vscode.workspace.fs.isWritableFileSystem(media.scheme) !== false && media.scheme !== 'untitled';
  if (!writable) {
    ctx.log.info(`${media.scheme}: is read-only; opening the transcript as an untitled document.`);
    return openUntitled(content, format);
  }
  const name = transcriptName(media.path, format);
  let target = vscode.Uri.joinPath(dir, name);
  if (await exists(target)) {
    const overwrite = 'Overwrite';
    const keepBoth = 'Keep Both';
    const choice = await vscode.window.showWarningMessage(
      `"${name}" already exists next to the media file.`,
      { modal: true, detail: 'Overwrite it, or keep both and save the new transcript under a numbered name?' },
      overwrite,
      keepBoth,
    );
    if (choice === keepBoth) {
      target = vscode.Uri.joinPath(dir, await keepBothNameAsync(name, (c) => exists(vscode.Uri.joinPath(dir, c))));
    } else if (choice !== overwrite) {
      // Cancel: nothing is written, but the work is not thrown away either.
      const show = 'Show Unsaved Transcript';
      void Promise.resolve(vscode.window.showInformationMessage('Transcript not saved.', show)).then((c) =>
        c === show ? openUntitled(content, format) : undefined,
      );
      return;
    }
  }
  try {
    await vscode.workspace.fs.writeFile(target, Buffer.from(content, 'utf8'));
  } catch (err) {
    ctx.log.warn(`Cannot write ${target.toString(true)} (${messageOf(err)}); opening the transcript as an untitled document.`);
    void vscode.window.showWarningMessage(`TranscrevAI: cannot write next to the media file (${messageOf(err)}); the transcript opens unsaved.`);
    return openUntitled(content, format);
  }
  ctx.log.info(`Wrote ${target.toString(true)}`);
  ctx.jobs?.delivered(path.posix.basename(media.path), target);
  ctx.transcriptWritten.fire({ document: target, transcript });
  await showOurs(target);
}

async function openUntitled(content: string, format: OutputFormat): Promise<void> {
  const doc = await vscode.workspace.openTextDocument({ content, language: languageIdFor(format) });
  await showOurs(doc);
}
