// Extension entry (bundled to dist/extension.js). Registers the commands; everything with a lifetime
// (output channel, engine process) belongs to the Ctx, which is disposed on deactivate.
import * as vscode from 'vscode';
import { chooseLanguageCommand } from './commands/chooseLanguage';
import { downloadModelCommand } from './commands/downloadModel';
import { transcribeFileCommand } from './commands/transcribeFile';
import { useModelFolderCommand } from './commands/useModelFolder';
import { transcribeFolderCommand } from './commands/transcribeFolder';
import { rememberedVoicesCommand } from './commands/voices';
import { TranscriptionQueue } from './queue';
import { StampLensProvider } from './stampLens';
import { ConfidenceDiagnostics } from './confidenceDiagnostics';
import { Ctx } from './context';
import { LiveController } from './live';

let ctx: Ctx | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const c = new Ctx(context);
  ctx = c;
  const live = new LiveController(c);
  c.jobs = live;
  const queue = new TranscriptionQueue(c, (state, summary) => live.showQueue(state, summary));
  live.queue = queue;
  context.subscriptions.push(
    queue,
    live,
    new ConfidenceDiagnostics(c),
    vscode.commands.registerCommand('transcrevai.toggleDictation', () => live.toggleDictation()),
    vscode.commands.registerCommand('transcrevai.startMeeting', () => live.startMeeting()),
    vscode.commands.registerCommand('transcrevai.stopMeeting', () => live.stopMeeting()),
    vscode.commands.registerCommand('transcrevai.showTranscript', () => live.panel.show()),
    // From the explorer: (clicked uri, all selected uris); several selected recordings go to the queue.
    vscode.commands.registerCommand('transcrevai.transcribeFile', async (uri?: unknown, selected?: unknown) => {
      const many = Array.isArray(selected) ? selected.filter((u): u is vscode.Uri => u instanceof vscode.Uri && u.scheme === 'file') : [];
      if (many.length > 1) queue.add(many.map((u) => u.fsPath));
      else await transcribeFileCommand(c, uri);
    }),
    vscode.commands.registerCommand('transcrevai.transcribeFolder', (uri?: unknown, selected?: unknown) => transcribeFolderCommand(queue, uri, selected)),
    vscode.commands.registerCommand('transcrevai.downloadModel', (name?: unknown) => downloadModelCommand(c, typeof name === 'string' ? name : undefined)),
    vscode.commands.registerCommand('transcrevai.useModelFolder', (uri?: unknown) => useModelFolderCommand(c, uri instanceof vscode.Uri ? uri : undefined)),
    vscode.commands.registerCommand('transcrevai.showLog', () => c.log.show()),
    vscode.commands.registerCommand('transcrevai.chooseLanguage', () => chooseLanguageCommand(c)),
    vscode.commands.registerCommand('transcrevai.rememberedVoices', () => rememberedVoicesCommand(c)),
    vscode.commands.registerCommand('transcrevai.playAt', (file?: unknown, seconds?: unknown, until?: unknown) =>
      typeof file === 'string' && typeof seconds === 'number' ? live.playAt(file, seconds, typeof until === 'number' ? until : undefined) : undefined,
    ),
    vscode.languages.registerCodeLensProvider({ language: 'markdown' }, new StampLensProvider()),
  );
  // A queue that VS Code closed on goes on (its file in global storage says what was left).
  setTimeout(() => queue.resume(), 0);
  c.log.info(
    `TranscrevAI ${context.extension.packageJSON.version ?? ''} activated from ${context.extensionPath} (${process.platform}-${process.arch}, Node ${process.versions.node}).`,
  );
}

export async function deactivate(): Promise<void> {
  const c = ctx;
  ctx = undefined;
  await c?.dispose();
}
