// "TranscrevAI: Download Model…": a quick pick from the catalogue (sizes, installed / partial state),
// then a cancellable progress notification. Cancelling or losing the network keeps the partial files;
// running the command again resumes them (see src/models/download.ts).
import * as vscode from 'vscode';
import { CancelledError } from '../../errors';
import { type CatalogModel, formatBytes, isMadeLocally, knownSize, madeSize, modelSize } from '../../models/catalog';
import { downloadModel, isModelInstalled, listedModel, partialBytes } from '../../models/download';
import { availableMemoryMB, costLabel, MEASURED, recommendModel } from '../../models/machineFit';
import type { HttpOptions } from '../../models/http';
import type { Precision } from '../../vocabulary';
import type { Ctx } from '../context';
import { messageOf, updateSetting } from '../ui';

interface ModelItem extends vscode.QuickPickItem {
  model: CatalogModel;
}

/** The model as the hub listed its pinned commit (every file with its size), when it was looked up this session. */
const listed = (model: CatalogModel): CatalogModel => hubListings.get(listingKey(model)) ?? model;

/** The download's size: "396 MB" (what the network will carry). */
export function sizeLabel(model: CatalogModel): string {
  const size = modelSize(listed(model));
  if (size !== null) return formatBytes(size);
  const known = knownSize(model);
  return known > 0 ? `≥ ${formatBytes(known)}` : 'size unknown';
}

/** What is made after the download, for a precision made here: "int8 made here, ≈ 119 MB on disk" (else ''). */
export function madeLabel(model: CatalogModel, precision: Precision): string {
  if (!isMadeLocally(precision)) return '';
  const sized = listed(model);
  const made = modelSize(sized) !== null ? madeSize(sized, precision) : 0;
  return made > 0 ? `${precision} made here, ≈ ${formatBytes(made)} on disk` : `${precision} made here`;
}

/** The hub's listings of pinned commits: they never change, so one lookup per session is enough. */
const hubListings = new Map<string, CatalogModel>();
const listingKey = (model: CatalogModel) => model.listingUrl ?? model.baseUrl;

/**
 * The download size of a model, looked up in the hub's listing of its pinned commit when the catalogue does not
 * carry it (one small request, only when the user is about to choose a download); "size unknown" when the hub does
 * not answer within `timeoutMs`, so an offline machine is never kept waiting.
 */
export async function lookUpSize(ctx: Ctx, model: CatalogModel, precision: Precision, timeoutMs = 5000): Promise<string> {
  const key = listingKey(model);
  if (modelSize(model) === null && !hubListings.has(key)) {
    try {
      hubListings.set(key, await listedModel(model, { ...hubOptions(), signal: AbortSignal.timeout(timeoutMs), idleTimeoutMs: timeoutMs }));
    } catch (err) {
      ctx.log.info(`Size of ${model.name} (${precision}) not known: ${messageOf(err)}`);
    }
  }
  return sizeLabel(model);
}

/** The quick pick of catalogue models: shown at once, sizes filled in as the hub answers. */
async function pickModel(
  ctx: Ctx,
  models: CatalogModel[],
  root: string,
  precision: Precision,
  current: string,
  language: string,
): Promise<CatalogModel | undefined> {
  const quickPick = vscode.window.createQuickPick<ModelItem>();
  const freeMB = availableMemoryMB();
  const recommended = recommendModel(models, language, precision, freeMB)?.model;
  quickPick.title = 'TranscrevAI: Download Model';
  quickPick.placeholder = `Whisper model to download (${precision} graphs, the transcrevai.precision setting) into ${root}; ${formatBytes(freeMB * 2 ** 20)} of memory free`;
  const item = (m: CatalogModel): ModelItem => {
    const installed = isModelInstalled(m, root, precision);
    const partial = installed ? 0 : partialBytes(m, root);
    const cost = MEASURED[m.name]?.[precision];
    const about = [m.description, cost ? costLabel(cost) : ''].filter(Boolean).join(' · ');
    const marks = [m.name === current ? 'current setting' : '', m === recommended ? 'recommended: the most accurate that fits this machine' : ''];
    return {
      label: m.name,
      description: [`${sizeLabel(m)} download`, madeLabel(m, precision), ...marks].filter(Boolean).join(' · '),
      detail: installed ? '$(check) Installed' : partial > 0 ? `$(debug-pause) ${formatBytes(partial)} already downloaded: will resume` : about,
      model: m,
    };
  };
  const refresh = () => {
    const active = quickPick.activeItems[0]?.model.name ?? current;
    quickPick.items = models.map(item);
    quickPick.activeItems = quickPick.items.filter((i) => i.model.name === active);
  };
  refresh();
  quickPick.busy = true;
  void Promise.all(models.map((m) => lookUpSize(ctx, m, precision))).then(() => {
    quickPick.busy = false;
    refresh();
  });
  quickPick.show();
  return new Promise((resolve) => {
    quickPick.onDidAccept(() => {
      resolve(quickPick.selectedItems[0]?.model);
      quickPick.hide();
    });
    quickPick.onDidHide(() => {
      resolve(undefined);
      quickPick.dispose();
    });
  });
}

/** VS Code's proxy settings, for every request to the model hub. */
function hubOptions(): HttpOptions {
  const http = vscode.workspace.getConfiguration('http');
  const proxy = http.get<string>('proxy') || undefined;
  const strictSSL = http.get<boolean>('proxyStrictSSL') ?? true;
  const noProxy = http.get<string[]>('noProxy') ?? [];
  const env = noProxy.length ? { ...process.env, NO_PROXY: [process.env.NO_PROXY ?? process.env.no_proxy, ...noProxy].filter(Boolean).join(',') } : process.env;
  return { proxy, strictSSL, env };
}

export async function downloadModelCommand(ctx: Ctx, name?: string): Promise<void> {
  let catalog;
  try {
    catalog = ctx.catalog();
  } catch (err) {
    ctx.log.error(messageOf(err));
    void vscode.window.showErrorMessage(`TranscrevAI: ${messageOf(err)}`);
    return;
  }
  const settings = ctx.settings();
  const root = ctx.modelsRoot(settings);
  const precision = settings.precision;
  let model = name ? catalog.models.find((m) => m.name === name) : undefined;
  if (!model) {
    const picked = await pickModel(ctx, catalog.models, root, precision, settings.model, settings.language);
    if (!picked) return;
    model = picked;
  }
  if (isModelInstalled(model, root, precision)) {
    await offerToUse(ctx, model.name, `Model "${model.name}" is already installed in ${root}.`);
    return;
  }
  if (await downloadWithProgress(ctx, model, precision)) await offerToUse(ctx, model.name, `Model "${model.name}" is ready.`);
}

async function offerToUse(ctx: Ctx, name: string, message: string): Promise<void> {
  if (ctx.settings().model === name) {
    void vscode.window.showInformationMessage(message);
    return;
  }
  const use = `Use "${name}"`;
  // Not awaited: the command completes; the setting changes if and when the user clicks.
  void Promise.resolve(vscode.window.showInformationMessage(message, use)).then((choice) => (choice === use ? updateSetting('model', name) : undefined));
}

/**
 * Downloads with a progress notification; true when the model is installed at the end. The float graphs are
 * fetched and `precision`'s graphs made from them here (src/models/download.ts); another precision can be added later.
 */
export function downloadWithProgress(ctx: Ctx, model: CatalogModel, precision: Precision): Promise<boolean> {
  const running = ctx.downloads.get(model.name);
  if (running) {
    void vscode.window.showInformationMessage(`Model "${model.name}" is already downloading.`);
    return running;
  }
  const job = runDownload(ctx, model, precision).finally(() => ctx.downloads.delete(model.name));
  ctx.downloads.set(model.name, job);
  return job;
}

async function runDownload(ctx: Ctx, model: CatalogModel, precision: Precision): Promise<boolean> {
  const root = ctx.modelsRoot();
  const { proxy, strictSSL, env } = hubOptions();
  ctx.log.info(
    `Downloading model ${model.name} (${sizeLabel(model)}; ${madeLabel(model, precision) || 'float graphs'}) from ${model.baseUrl} into ${root}${proxy ? ` via proxy ${redact(proxy)}` : ''}`,
  );
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Downloading Whisper "${model.name}"`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const sub = token.onCancellationRequested(() => controller.abort());
        let reported = 0;
        try {
          const result = await downloadModel(model, {
            modelsRoot: root,
            precision,
            signal: controller.signal,
            proxy,
            strictSSL,
            env,
            progressIntervalMs: 250,
            log: (line) => ctx.log.info(line),
            onProgress: (p) => {
              if (p.phase === 'quantize') {
                // The second phase, the last tenth of the bar (making base's graphs takes seconds, a download minutes).
                const pct = p.total ? Math.min(100, Math.floor((p.bytes / p.total) * 100)) : 0;
                const overall = 90 + Math.floor(pct / 10);
                progress.report({ increment: Math.max(0, overall - reported), message: `making the ${precision} graphs here: ${pct} %` });
                reported = Math.max(reported, overall);
              } else if (p.total) {
                const pct = Math.min(100, Math.floor((p.bytes / p.total) * 100));
                const overall = isMadeLocally(precision) ? Math.floor(pct * 0.9) : pct;
                progress.report({ increment: Math.max(0, overall - reported), message: `${pct} % (${formatBytes(p.bytes)} of ${formatBytes(p.total)})` });
                reported = Math.max(reported, overall);
              } else {
                progress.report({ message: `${formatBytes(p.bytes)} · ${p.file}` });
              }
            },
          });
          ctx.log.info(
            result.alreadyInstalled
              ? `Model ${model.name} already installed.`
              : `Model ${model.name} installed in ${result.dir} (${formatBytes(result.received)} received` +
                  (result.quantizeSeconds ? `, ${precision} made in ${result.quantizeSeconds.toFixed(1)} s).` : ').'),
          );
        } finally {
          sub.dispose();
        }
      },
    );
    return true;
  } catch (err) {
    if (err instanceof CancelledError) {
      ctx.log.info(`Download of ${model.name} cancelled; partial files kept.`);
      void vscode.window.showInformationMessage(`Download of "${model.name}" cancelled. Run "Download Model" again to resume it.`);
      return false;
    }
    ctx.log.error(`Download of ${model.name} failed: ${messageOf(err)}`);
    const retry = 'Retry';
    const folder = 'Choose Folder…';
    const choice = await vscode.window.showErrorMessage(`TranscrevAI: ${messageOf(err)}`, retry, folder);
    if (choice === retry) return downloadWithProgress(ctx, model, precision);
    if (choice === folder) return (await vscode.commands.executeCommand<string | undefined>('transcrevai.useModelFolder')) !== undefined;
    return false;
  }
}

function redact(proxy: string): string {
  return proxy.replace(/\/\/[^@/]*@/, '//***@');
}
