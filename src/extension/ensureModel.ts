// Before a transcription: make sure the configured model is on disk, or offer to get it
// (download from the catalogue, or point to a folder). Returns the value for TranscribeParams.model.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { type CatalogModel, findModel } from '../models/catalog';
import { isModelInstalled } from '../models/download';
import { importModelFolder } from '../models/folder';
import { isWhisperModelName } from '../models/paths';
import { downloadWithProgress, lookUpSize } from './commands/downloadModel';
import { useModelFolderCommand } from './commands/useModelFolder';
import type { Ctx } from './context';
import { isModelPath, type Settings } from './settings';
import { messageOf, updateSetting } from './ui';

export async function ensureModel(ctx: Ctx, settings: Settings): Promise<string | undefined> {
  const chooseFolder = 'Choose Folder…';
  if (isModelPath(settings.model)) {
    try {
      return importModelFolder(settings.model).dir;
    } catch (err) {
      ctx.log.error(messageOf(err));
      const download = 'Download Model';
      const choice = await vscode.window.showErrorMessage(`TranscrevAI: ${messageOf(err)}`, chooseFolder, download);
      if (choice === chooseFolder) return useModelFolderCommand(ctx);
      if (choice === download) await vscode.commands.executeCommand('transcrevai.downloadModel');
      return undefined;
    }
  }

  const root = ctx.modelsRoot(settings);
  let entry: CatalogModel | undefined;
  try {
    entry = findModel(ctx.catalog(), settings.model);
  } catch (err) {
    ctx.log.warn(`Model catalogue unavailable: ${messageOf(err)}`);
  }
  const installed = entry ? isModelInstalled(entry, root, settings.precision) : isDirectory(path.join(root, settings.model));
  if (installed) return settings.model;
  if (!entry && !isWhisperModelName(settings.model)) {
    const choice = await vscode.window.showErrorMessage(
      `TranscrevAI: unknown model "${settings.model}" (transcrevai.model): use a catalogue name or a model folder.`,
      'Download Model',
      chooseFolder,
    );
    if (choice === chooseFolder) return useModelFolderCommand(ctx);
    if (choice === 'Download Model') await vscode.commands.executeCommand('transcrevai.downloadModel');
    return undefined;
  }

  const known = entry;
  const size = known
    ? await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `TranscrevAI: size of "${known.name}"…` }, () =>
        lookUpSize(ctx, known, settings.precision),
      )
    : undefined;
  const download = entry ? (size === 'size unknown' ? 'Download' : `Download (${size})`) : undefined;
  // Another catalogue model already on disk that can do this language: offered instead of a download.
  const fits = (m: CatalogModel) => m.multilingual !== false || settings.language === 'en';
  const other = entry ? ctx.catalog().models.find((m) => m !== entry && fits(m) && isModelInstalled(m, root, settings.precision)) : undefined;
  const useOther = other ? `Use "${other.name}" (installed)` : undefined;
  const choice = await vscode.window.showWarningMessage(
    `TranscrevAI needs a Whisper model: "${settings.model}" (${settings.precision}) is not installed yet.`,
    {
      modal: true,
      detail:
        `${entry?.description ? `${entry.description}. ` : ''}It is downloaded once into ${root}, then used offline; ` +
        `what you asked for continues by itself when it is ready. Or choose a folder that already holds a Whisper ONNX model.`,
    },
    ...(download ? [download] : []),
    ...(useOther ? [useOther] : []),
    chooseFolder,
  );
  if (useOther && choice === useOther && other) {
    await updateSetting('model', other.name);
    return other.name;
  }
  if (choice === chooseFolder) return useModelFolderCommand(ctx);
  if (download && choice === download && entry) return (await downloadWithProgress(ctx, entry, settings.precision)) ? settings.model : undefined;
  return undefined;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
