// `transcrevai download`, `transcrevai models` and `transcrevai quantize`: the model folder's life from the command
// line, for machines without VS Code (batch workers, docs/scale.md). The same downloader, checks and quantizer as
// the extension's Download Model… (src/models/download.ts, src/quantize); progress on stderr as a bar on a
// terminal, one line per step otherwise.
import * as fs from 'fs';
import * as path from 'path';
import catalogJson from '../../models/catalog.json';
import { CancelledError, TranscrevError } from '../errors';
import { type Catalog, findModel, formatBytes, isMadeLocally, loadCatalog, madeSize, modelSize, parseCatalog } from '../models/catalog';
import { downloadModel, downloadSize, isModelInstalled, listedModel, partialBytes, type DownloadProgress } from '../models/download';
import { quantizedGraphProblem } from '../models/dynamicQuantization';
import { fileSize, isDirectory } from '../models/files';
import { inspectModelFolder } from '../models/folder';
import { modelsRoot } from '../models/paths';
import { quantizeModelFolder } from '../quantize/quantizeFolder';
import type { Precision } from '../vocabulary';
import { HeldByAnotherProcess } from '../models/lock';
import { stepPrinter, type StepPrinter } from './stepPrinter';
import { warningLine, writeStdout } from './reports';

/**
 * The catalogue shipped in the package, or the file TRANSCREVAI_CATALOG names (a catalogue of one's own: an
 * internal mirror with other pins, a test hub): the same checks apply to either.
 */
export function bundledCatalog(env: NodeJS.ProcessEnv = process.env): Catalog {
  const own = env.TRANSCREVAI_CATALOG?.trim();
  return own ? loadCatalog(own) : parseCatalog(catalogJson);
}

/** Ctrl-C cancels (the partial files are kept for the next run) instead of killing mid-write. */
function cancelOnInterrupt(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}

export async function downloadCommand(name: string, precision: Precision, keepFloat: boolean, forceLines: boolean): Promise<void> {
  const catalog = bundledCatalog();
  const model = findModel(catalog, name);
  if (!model) throw new TranscrevError('usage', `unknown model "${name}": one of ${catalog.models.map((m) => m.name).join(', ')}`);
  const root = modelsRoot();
  const printer = stepPrinter(process.stderr.isTTY === true && !forceLines);
  const interrupt = cancelOnInterrupt();
  try {
    if (!isModelInstalled(model, root, precision)) {
      // The sizes before the first byte: one request for the hub's listing of the pinned commit.
      const listed = await listedModel(model, { signal: interrupt.signal });
      const made = isMadeLocally(precision) ? ` → ${precision} made here, ≈ ${formatBytes(madeSize(listed, precision))} on disk` : '';
      const resume = partialBytes(model, root);
      printer.line(
        `${model.name}: ${formatBytes(modelSize(listed) ?? 0)} download${made}, into ${path.join(root, model.name)}` +
          (resume > 0 ? ` (resuming: ${formatBytes(resume)} already here)` : ''),
      );
    }
    const result = await untilUnlocked(interrupt.signal, printer, () =>
      downloadModel(model, {
        modelsRoot: root,
        precision,
        keepFloat,
        signal: interrupt.signal,
        progressIntervalMs: 200,
        log: (line) => printer.line(line),
        onProgress: (p) => printer.progress(progressKey(p), p.bytes, p.total, progressLabel(p)),
      }),
    );
    printer.end();
    const where = result.dir;
    if (result.alreadyInstalled) await writeStdout(`${model.name} (${precision}) is already installed in ${where}\n`);
    else
      await writeStdout(
        `${model.name} (${precision}) installed in ${where}: ${formatBytes(result.received)} received` +
          (result.quantizeSeconds ? `, ${precision} made in ${result.quantizeSeconds.toFixed(1)} s` : '') +
          '\n',
      );
  } catch (err) {
    printer.end();
    if (err instanceof CancelledError) throw new CancelledError(`${err.message} Run "transcrevai download ${name}" again to go on.`);
    throw err;
  } finally {
    interrupt.dispose();
  }
}

/**
 * Workers started together on one machine (a batch's init steps) each run `download`: the first fetches, the others
 * wait for its lock and then find the model installed, instead of failing.
 */
async function untilUnlocked<T>(signal: AbortSignal, printer: StepPrinter, run: () => Promise<T>): Promise<T> {
  let told = false;
  for (;;) {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof HeldByAnotherProcess)) throw err;
      if (!told) printer.line(`another process (pid ${err.owner}) is downloading this model; waiting for it`);
      told = true;
      await new Promise((r) => setTimeout(r, 2000));
      if (signal.aborted) throw new CancelledError('Cancelled while waiting for the other download.');
    }
  }
}

/** A step of a download: each file, then the quantizer's phase as one step. */
function progressKey(p: DownloadProgress): string {
  return p.phase === 'quantize' ? 'quantize' : p.file;
}

function progressLabel(p: DownloadProgress): string {
  if (p.phase === 'quantize') return `making quantized graphs: ${p.file}`;
  return `${p.file} (${p.fileIndex + 1}/${p.fileCount})`;
}

export async function quantizeCommand(dir: string, precision: 'int8' | 'q4', forceLines: boolean): Promise<void> {
  const abs = path.resolve(dir);
  if (!isDirectory(abs)) throw new TranscrevError('model', `Model folder not found: ${abs}`);
  const printer = stepPrinter(process.stderr.isTTY === true && !forceLines);
  const interrupt = cancelOnInterrupt();
  try {
    const result = await quantizeModelFolder(abs, precision, {
      signal: interrupt.signal,
      log: (line) => printer.line(line),
      onProgress: (p) => printer.progress(p.step, p.done, p.total, p.step),
    });
    printer.end();
    await writeStdout(`${abs}: ${result.written.join(', ')} written in ${result.seconds.toFixed(1)} s\n`);
  } catch (err) {
    printer.end();
    throw err;
  } finally {
    interrupt.dispose();
  }
}

/** `transcrevai models`: every catalogue model (installed precisions, size on disk, download size), other folders. */
export async function modelsCommand(): Promise<void> {
  const catalog = bundledCatalog();
  const root = modelsRoot();
  const rows: string[][] = [['model', 'installed', 'on disk', 'download', 'about']];
  const warnings: string[] = [];
  // Download sizes from the hub's listing of each pinned commit (the catalogue records none), asked all at once and
  // given up after a few seconds: an offline machine still gets the list at once.
  const sizes = await Promise.all(
    catalog.models.map((m) =>
      downloadSize(m, { signal: AbortSignal.timeout(5000), idleTimeoutMs: 5000 }).then(
        (n): number | null => n,
        () => null,
      ),
    ),
  );
  for (const [i, m] of catalog.models.entries()) {
    const dir = path.join(root, m.name);
    const installed = (['int8', 'q4', 'fp32'] as const).filter((p) => isModelInstalled(m, root, p));
    for (const p of ['int8', 'q4'] as const) {
      const problem = isDirectory(dir) && inspectModelFolder(dir).info.precisions.includes(p) ? quantizedGraphProblem(dir, p) : undefined;
      if (problem) warnings.push(problem);
    }
    const partial = partialBytes(m, root);
    const size = sizes[i];
    rows.push([
      m.name,
      installed.length ? installed.join(', ') : partial > 0 ? `no (${formatBytes(partial)} downloaded, resumable)` : 'no',
      isDirectory(dir) ? formatBytes(folderBytes(dir)) : '-',
      size !== null ? formatBytes(size) : 'hub not reached',
      m.description ?? '',
    ]);
  }
  const known = new Set(catalog.models.flatMap((m) => [m.name, `${m.name}.partial`]));
  const others = (isDirectory(root) ? fs.readdirSync(root) : []).filter((n) => !known.has(n) && inspectModelFolder(path.join(root, n)).missing.length === 0);
  for (const n of others) {
    const { info } = inspectModelFolder(path.join(root, n));
    rows.push([n, info.precisions.join(', ') || 'no complete pair', formatBytes(folderBytes(path.join(root, n))), '-', 'a folder of your own']);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const lines = rows.map((r) =>
    r
      .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd(),
  );
  await writeStdout(`models root: ${root}\n${lines.join('\n')}\n`);
  for (const w of warnings) process.stderr.write(warningLine(w));
}

function folderBytes(dir: string): number {
  let sum = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    sum += entry.isDirectory() ? folderBytes(p) : (fileSize(p) ?? 0);
  }
  return sum;
}
