// "TranscrevAI: Use Model Folder…": for offline machines and shared drives. The folder is validated
// (importModelFolder lists everything missing) and then *referenced*: its absolute path becomes the
// `transcrevai.model` setting (user scope). It is not copied: Whisper folders weigh 100 MB–1.6 GB, the
// engine already accepts a model directory, and a referenced folder on a shared drive stays shared.
import * as vscode from 'vscode';
import { importModelFolder, type ModelFolderInfo } from '../../models/folder';
import type { Ctx } from '../context';
import { messageOf, updateSetting } from '../ui';

/** Returns the folder now in use, or undefined when the user gave up. */
export async function useModelFolderCommand(ctx: Ctx, folder?: vscode.Uri): Promise<string | undefined> {
  for (;;) {
    let uri = folder;
    folder = undefined;
    if (!uri) {
      const picked = await vscode.window.showOpenDialog({
        title: 'TranscrevAI: Use Model Folder',
        canSelectFiles: false,
        canSelectFolders: true,
        canSelectMany: false,
        openLabel: 'Use This Model',
      });
      uri = picked?.[0];
    }
    if (!uri) return undefined;
    if (uri.scheme !== 'file') {
      void vscode.window.showErrorMessage('TranscrevAI: the model folder must be on this machine’s disk.');
      return undefined;
    }
    let info: ModelFolderInfo;
    try {
      info = importModelFolder(uri.fsPath);
    } catch (err) {
      ctx.log.error(messageOf(err));
      const again = 'Choose Another Folder…';
      if ((await vscode.window.showErrorMessage(`TranscrevAI: ${messageOf(err)}`, again)) === again) continue;
      return undefined;
    }
    await updateSetting('model', info.dir);
    const settings = ctx.settings();
    ctx.log.info(`Model folder in use: ${info.dir} (precisions: ${info.precisions.join(', ')}; encoders: ${info.encoders.join(', ')})`);
    if (!info.precisions.includes(settings.precision)) {
      const other = info.precisions[0];
      const switchTo = `Use ${other}`;
      const choice = await vscode.window.showWarningMessage(
        `TranscrevAI: ${info.dir} has no ${settings.precision} graphs (it has ${info.precisions.join(', ')}).`,
        switchTo,
      );
      if (choice === switchTo) await updateSetting('precision', other);
    } else {
      void vscode.window.showInformationMessage(`TranscrevAI will use the model in ${info.dir}.`);
    }
    return info.dir;
  }
}
