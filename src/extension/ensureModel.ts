// Before a transcription: make sure the configured model is on disk, or offer to get it
// (download from the catalogue, or point to a folder). Returns the value for TranscribeParams.model.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { type CatalogModel, findModel } from '../models/catalog';
import { isModelInstalled } from '../models/download';
import { importModelFolder } from '../models/folder';
import { availableMemoryMB, costLabel, MEASURED, recommendModel } from '../models/machineFit';
import { isWhisperModelName } from '../models/paths';
import { OPTIONS } from '../options/registry';
import { languageName } from './commands/chooseLanguage';
import { downloadWithProgress, lookUpSize, madeLabel } from './commands/downloadModel';
import { useModelFolderCommand } from './commands/useModelFolder';
import type { Ctx } from './context';
import { isModelPath, type Settings } from './settings';
import { messageOf, updateSetting } from './ui';

/** The model a new user gets (the setting's default: multilingual). */
const DEFAULT_MODEL = OPTIONS.find((o) => o.key === 'model')!.default as string;

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

  // What to offer: the configured model, unless it cannot do the language (an English-only model for Portuguese),
  // then the default multilingual one; and a catalogue model already on disk that can, instead of a download.
  const fits = (m: CatalogModel) => m.multilingual !== false || ['en', 'auto'].includes(settings.language.toLowerCase());
  const models = entry ? ctx.catalog().models : [];
  const offered = entry && !fits(entry) ? (models.find((m) => m.name === DEFAULT_MODEL && fits(m)) ?? models.find(fits)) : entry;
  const size =
    offered && !isModelInstalled(offered, root, settings.precision)
      ? await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `TranscrevAI: size of "${offered.name}"…` }, () =>
          lookUpSize(ctx, offered, settings.precision),
        )
      : undefined;
  const offeredInstalled = offered !== undefined && isModelInstalled(offered, root, settings.precision);
  const download = offered && !offeredInstalled ? (size === 'size unknown' ? `Download "${offered.name}"` : `Download (${size})`) : undefined;
  const other = offeredInstalled ? offered : models.find((m) => m !== offered && fits(m) && isModelInstalled(m, root, settings.precision));
  const useOther = other ? `Use "${other.name}" (installed)` : undefined;
  const why =
    offered && offered !== entry
      ? `TranscrevAI needs a Whisper model for ${languageName(settings.language)}: "${settings.model}" is English-only (and not installed); "${offered.name}" is offered instead.`
      : `TranscrevAI needs a Whisper model: "${settings.model}" (${settings.precision}) is not installed yet.`;
  const choice = await vscode.window.showWarningMessage(
    why,
    {
      modal: true,
      detail:
        `${offered?.description ? `${offered.description}. ` : ''}It is downloaded once into ${root}` +
        `${offered && madeLabel(offered, settings.precision) ? ` (its float weights; ${madeLabel(offered, settings.precision)})` : ''}, then used offline; ` +
        `what you asked for continues by itself when it is ready. Or choose a folder that already holds a Whisper ONNX model.` +
        fitAdvice(models, offered, settings),
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
  if (download && choice === download && offered) {
    if (!(await downloadWithProgress(ctx, offered, settings.precision))) return undefined;
    if (offered !== entry) await updateSetting('model', offered.name);
    return offered.name;
  }
  return undefined;
}

/**
 * What this machine can run, for the first-run dialog: the offered model's measured cost, and the most accurate model
 * for the language that fits the memory free now when it is another one (the buttons stay the same: it is advice).
 */
function fitAdvice(models: readonly CatalogModel[], offered: CatalogModel | undefined, settings: Settings): string {
  const freeMB = availableMemoryMB();
  const cost = offered ? MEASURED[offered.name]?.[settings.precision] : undefined;
  const best = recommendModel(models, settings.language, settings.precision, freeMB);
  const offeredCost = offered && cost ? ` "${offered.name}" ${costLabel(cost)}.` : '';
  const other =
    best && best.model !== offered
      ? ` With ${(freeMB / 1000).toFixed(1)} GB free, the most accurate model that fits is "${best.model.name}" (${costLabel(best.cost)}): Download Model… gets it.`
      : '';
  return offeredCost + other;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
