// Before a transcription: make sure the configured model is on disk, or offer to get it
// (download from the catalogue, or point to a folder). Returns the value for TranscribeParams.model.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { type CatalogModel, findModel } from '../models/catalog';
import { isModelInstalled } from '../models/download';
import { importModelFolder } from '../models/folder';
import { isWhisperModelName } from '../models/paths';
import { downloadWithProgress, sizeLabel } from './commands/downloadModel';
import { useModelFolderCommand } from './commands/useModelFolder';
import type { Ctx } from './context';
import { isModelPath, type Settings } from './settings';
import { messageOf } from './ui';

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

  const size = entry ? sizeLabel(entry, settings.precision) : undefined;
  const download = entry ? (size === 'size unknown' ? 'Download' : `Download (${size})`) : undefined;
  const choice = await vscode.window.showWarningMessage(
    `The Whisper model "${settings.model}" (${settings.precision}) is not installed.`,
    {
      modal: true,
      detail: `TranscrevAI looked in ${path.join(root, settings.model)}. Download it once (it is then used offline), or choose a folder that already holds a Whisper ONNX model.`,
    },
    ...(download ? [download] : []),
    chooseFolder,
  );
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
