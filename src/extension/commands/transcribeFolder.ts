// "TranscrevAI: Transcribe Folder…" — from the explorer's context menu on folders (every selected folder and
// recording), or the palette (a folder picker): every recording inside, recursively, joins the queue.
import * as vscode from 'vscode';
import type { TranscriptionQueue } from '../queue';

export async function transcribeFolderCommand(queue: TranscriptionQueue, uri?: unknown, selected?: unknown): Promise<void> {
  let targets = (Array.isArray(selected) ? selected : [uri]).filter((u): u is vscode.Uri => u instanceof vscode.Uri && u.scheme === 'file');
  if (!targets.length) {
    targets =
      (await vscode.window.showOpenDialog({
        title: 'TranscrevAI: Transcribe Folder',
        canSelectFolders: true,
        canSelectFiles: false,
        canSelectMany: true,
        openLabel: 'Transcribe All',
      })) ?? [];
  }
  if (targets.length) queue.add(targets.map((u) => u.fsPath));
}
