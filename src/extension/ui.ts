// One place that turns a failure into one clear message with the action that fixes it.
import * as vscode from 'vscode';
import { EngineCrashedError } from '../engine/client';
import { CancelledError, TranscrevError } from '../errors';
import { writtenBesideWarning } from '../files/writeOutput';
import type { Ctx } from './context';
import { actionsFor, type ErrorAction } from './errorActions';
import { showOurs } from './placement';

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const LABELS: Record<ErrorAction, string> = {
  download: 'Download Model',
  folder: 'Choose Folder…',
  ffmpegSettings: 'Open Settings',
  log: 'Show Log',
};

export function showError(ctx: Ctx, err: unknown, what: string): void {
  if (err instanceof CancelledError) {
    ctx.log.info(`${what}: cancelled.`);
    void vscode.window.showInformationMessage(`TranscrevAI: ${what} cancelled.`);
    return;
  }
  const message = messageOf(err);
  ctx.log.error(`${what} failed: ${message}`);
  if (err instanceof Error && err.stack && !(err instanceof TranscrevError)) ctx.log.debug(err.stack);
  const kind = err instanceof TranscrevError ? err.kind : undefined;
  const actions = actionsFor(kind, message);
  const suffix = err instanceof EngineCrashedError ? ' Run the command again to restart the engine.' : '';
  // Not awaited: the command finishes now; the action runs if and when the user clicks it.
  void Promise.resolve(vscode.window.showErrorMessage(`TranscrevAI: ${message}${suffix}`, ...actions.map((a) => LABELS[a]))).then((choice) =>
    runAction(
      ctx,
      actions.find((a) => LABELS[a] === choice),
    ),
  );
}

async function runAction(ctx: Ctx, action: ErrorAction | undefined): Promise<void> {
  switch (action) {
    case 'download':
      await vscode.commands.executeCommand('transcrevai.downloadModel');
      break;
    case 'folder':
      await vscode.commands.executeCommand('transcrevai.useModelFolder');
      break;
    case 'ffmpegSettings':
      await vscode.commands.executeCommand('workbench.action.openSettings', 'transcrevai.ffmpegPath');
      break;
    case 'log':
      ctx.log.show(true);
      break;
  }
}

/**
 * A transcript written beside its target because another program held the target open (writeOutputFile's
 * `besideIfHeld`, on Windows): says where it went, and offers to open the file actually written.
 */
export function offerWrittenBeside(ctx: Ctx, target: string, written: string): void {
  const warning = writtenBesideWarning(target, written);
  if (!warning) return;
  ctx.log.warn(warning);
  void Promise.resolve(vscode.window.showWarningMessage(`TranscrevAI: ${warning}`, 'Open')).then((choice) =>
    choice === 'Open' ? showOurs(vscode.Uri.file(written)) : undefined,
  );
}

/**
 * Writes a `transcrevai.*` setting where it takes effect: in the workspace when the workspace already
 * overrides it (a user-scope write would be shadowed), else in the user settings.
 */
export async function updateSetting(key: string, value: unknown): Promise<void> {
  const config = vscode.workspace.getConfiguration('transcrevai');
  const inspected = config.inspect(key);
  const target = inspected?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await config.update(key, value, target);
}
