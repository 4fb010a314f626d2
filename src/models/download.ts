// Model downloader (pure Node, no vscode): fetches the float graphs and the shared files of a catalogue model,
// over https only, from the commit it is pinned to, into <root>/<name>.partial/, each file through a "<file>.part"
// that is resumed with Range + If-Range requests; checks every file's size and digest against the hub's listing of
// that commit (or the catalogue's own values), refuses files it cannot check; then makes the int8 or q4 graphs from
// the float ones here (src/quantize, the same files `npm run models` writes), and only then renames the folder to
// <root>/<name>/. So <root>/<name>/ never exists half-written, and an interrupted or cancelled download or
// quantization resumes where it stopped on the next call. The HTTP client is http.ts, the cross-process lock
// lock.ts, the progress bookkeeping downloadProgress.ts.
import * as crypto from 'crypto';
import * as fs from 'fs';
import type * as http from 'http';
import * as path from 'path';
import { Transform } from 'stream';
import { pipeline } from 'stream/promises';
import { CancelledError, TranscrevError } from '../errors';
import { type CatalogFile, type CatalogModel, fileUrl, formatBytes, isMadeLocally, madeSize, modelSize, sourceFiles } from './catalog';
import type { Precision } from '../vocabulary';
import { ProgressState, type DownloadProgress } from './downloadProgress';

export type { DownloadProgress } from './downloadProgress';
import { fileSize, isDirectory, isFile } from './files';
import { inspectModelFolder } from './folder';
import { fetchHubListing } from './hubListing';
import { get, RetryableError, type HttpOptions } from './http';
import { whisperOnnxFiles } from './layout';
import { lockPartial } from './lock';
import { quantizedGraphProblem } from './dynamicQuantization';
import type { quantizeModelFolder } from '../quantize/quantizeFolder';
import { quantizeInWorker } from '../quantize/quantizeInWorker';

export { importModelFolder, inspectModelFolder, type ModelFolderInfo } from './folder';

/** Makes a precision's graphs beside the float ones in a model folder (src/quantize; replaceable in tests). */
export type Quantize = typeof quantizeModelFolder;

export interface DownloadOptions extends HttpOptions {
  /** Folder that holds <name>/ (see models/paths.ts modelsRoot). */
  modelsRoot: string;
  onProgress?: (progress: DownloadProgress) => void;
  /** Automatic resumes per file after a dropped connection or a 5xx. Default 3. */
  retries?: number;
  retryDelayMs?: number;
  /** Minimum interval between progress callbacks. Default 100 ms (file ends are always reported). */
  progressIntervalMs?: number;
  /**
   * The precision to install: int8 and q4 are made here from the downloaded float graphs, fp32 is the float graphs
   * themselves. Undefined: the float graphs, nothing made.
   */
  precision?: Precision;
  /** Keep the float graphs after making int8/q4 from them (another precision is then made without a download). */
  keepFloat?: boolean;
  /** Log lines (redirects, resumes, retries, quantization steps) for an output channel. */
  log?: (line: string) => void;
  quantize?: Quantize;
}

export interface DownloadResult {
  dir: string;
  /** True when <root>/<name>/ already had the precision and nothing was fetched or made. */
  alreadyInstalled: boolean;
  /** Bytes received over the network during this call. */
  received: number;
  /** Seconds spent making int8/q4 here (0 when nothing was made). */
  quantizeSeconds: number;
}

export function partialDirFor(root: string, name: string): string {
  return path.join(root, `${name}.partial`);
}

/**
 * A model counts as installed for a precision (or for any, when undefined) when its folder is a loadable Whisper
 * folder with that precision's encoder and decoder, and they are not a hub's dynamically quantized graphs (which
 * are replaced, not used).
 */
export function isModelInstalled(model: CatalogModel, root: string, precision?: Precision): boolean {
  const dir = path.join(root, model.name);
  if (!isDirectory(dir)) return false;
  const { info, missing } = inspectModelFolder(dir);
  if (missing.length) return false;
  const usable = info.precisions.filter((p) => !quantizedGraphProblem(dir, p));
  return precision ? usable.includes(precision) : usable.length > 0;
}

/** Bytes already on disk in <name>.partial (complete files and .part files), for "resume" labels. */
export function partialBytes(model: CatalogModel, root: string): number {
  const dir = partialDirFor(root, model.name);
  let sum = 0;
  for (const f of sourceFiles(model)) {
    const p = path.join(dir, ...f.path.split('/'));
    sum += fileSize(p) ?? fileSize(`${p}.part`) ?? 0;
  }
  return sum;
}

/** Both float graphs (and config.json, which the quantizer reads) are in `dir`. */
function hasFloatGraphs(dir: string): boolean {
  const { encoder, decoder } = whisperOnnxFiles('fp32');
  return [encoder, decoder, 'config.json'].every((f) => isFile(path.join(dir, ...f.split('/'))));
}

/** The float graphs and the external-data files beside them. */
function floatGraphFiles(dir: string): string[] {
  const { encoder, decoder } = whisperOnnxFiles('fp32');
  const onnxDir = path.join(dir, 'onnx');
  const names = isDirectory(onnxDir) ? fs.readdirSync(onnxDir) : [];
  return [encoder, decoder].flatMap((g) => {
    const base = path.basename(g);
    return names.filter((n) => n === base || n.startsWith(`${base}_data`) || n === `${base}.data`).map((n) => `onnx/${n}`);
  });
}

export async function downloadModel(catalogModel: CatalogModel, options: DownloadOptions): Promise<DownloadResult> {
  const root = path.resolve(options.modelsRoot);
  const finalDir = path.join(root, catalogModel.name);
  const precision = options.precision;
  if (options.signal?.aborted) throw cancelled();
  if (!catalogModel.baseUrl.startsWith('https://')) {
    throw new TranscrevError(
      'model',
      `Refusing to download model "${catalogModel.name}" over plain http (${catalogModel.baseUrl}): models come over https only.`,
    );
  }
  if (isModelInstalled(catalogModel, root, precision)) return { dir: finalDir, alreadyInstalled: true, received: 0, quantizeSeconds: 0 };
  // The float graphs are installed already: the precision is made from them, with no download.
  if (isMadeLocally(precision) && isDirectory(finalDir) && hasFloatGraphs(finalDir)) {
    const unlock = lockPartial(finalDir, catalogModel.name);
    try {
      const quantizeSeconds = await quantizeIn(finalDir, catalogModel, precision, options);
      return { dir: finalDir, alreadyInstalled: false, received: 0, quantizeSeconds };
    } finally {
      unlock();
    }
  }
  let model = await listedModel(catalogModel, options);
  // Adding a precision to a model that is installed and loadable (q4 next to int8, or int8 in place of a hub's
  // dynamic int8): the float graphs are fetched into the partial folder and the new graphs moved in one by one; the
  // folder stays loadable throughout.
  let augment = false;
  if (isDirectory(finalDir)) {
    const { missing } = inspectModelFolder(finalDir);
    if (missing.length) {
      throw new TranscrevError(
        'model',
        `${finalDir} exists but is not a complete "${model.name}" model (missing ${missing.join(', ')}). ` + `Delete or rename that folder and download again.`,
      );
    }
    augment = true;
    if (!isMadeLocally(precision)) model = { ...model, files: model.files.filter((f) => !isFile(path.join(finalDir, ...f.path.split('/')))) };
    options.log?.(`${finalDir} exists; adding ${precision ?? 'the float graphs'}`);
  }
  const partialDir = partialDirFor(root, model.name);
  fs.mkdirSync(partialDir, { recursive: true });
  const unlock = lockPartial(partialDir, model.name);
  try {
    const state = new ProgressState(model, partialDir, options);
    checkFreeSpace(root, model, state, precision);

    let received = 0;
    for (let i = 0; i < model.files.length; i++) {
      const file = model.files[i];
      state.startFile(i);
      received += await fetchFile(model, file, partialDir, state, options);
      state.emit(true);
    }
    for (const f of model.files) {
      const p = path.join(partialDir, ...f.path.split('/'));
      if (!isFile(p)) throw new TranscrevError('internal', `Download of ${model.name}: ${f.path} vanished before completion`);
    }
    // Every file is complete and verified: make the precision, then publish.
    let quantizeSeconds = 0;
    let publish = model.files.map((f) => f.path);
    if (isMadeLocally(precision)) {
      quantizeSeconds = await quantizeIn(partialDir, model, precision, options);
      const made = whisperOnnxFiles(precision);
      const madeFiles = [made.encoder, made.decoder].flatMap((g) => [g, `${g}_data`]).filter((f) => isFile(path.join(partialDir, ...f.split('/'))));
      const float = options.keepFloat ? [] : floatGraphFiles(partialDir);
      for (const f of float) fs.rmSync(path.join(partialDir, ...f.split('/')), { force: true });
      publish = augment ? [...madeFiles, ...(options.keepFloat ? floatGraphFiles(partialDir) : [])] : publish;
    }
    unlock();
    if (augment) {
      for (const f of publish) {
        const from = path.join(partialDir, ...f.split('/'));
        if (!isFile(from)) continue;
        const to = path.join(finalDir, ...f.split('/'));
        fs.mkdirSync(path.dirname(to), { recursive: true });
        await renameWithRetry(from, to);
      }
      fs.rmSync(partialDir, { recursive: true, force: true });
    } else {
      await renameWithRetry(partialDir, finalDir);
    }
    options.log?.(`Model ${model.name} installed in ${finalDir}`);
    return { dir: finalDir, alreadyInstalled: false, received, quantizeSeconds };
  } finally {
    unlock();
  }
}

/** Makes `precision`'s graphs from the float ones in `dir`, reporting progress as the download's second phase. */
async function quantizeIn(dir: string, model: CatalogModel, precision: 'int8' | 'q4', options: DownloadOptions): Promise<number> {
  const quantize = options.quantize ?? quantizeInWorker;
  options.log?.(`Making the ${precision} graphs of ${model.name} from its float graphs (weight-only, as \`npm run models\` does)`);
  try {
    const result = await quantize(dir, precision, {
      signal: options.signal,
      log: options.log,
      onProgress: (p) =>
        options.onProgress?.({
          model: model.name,
          phase: 'quantize',
          file: p.step,
          fileIndex: 0,
          fileCount: 1,
          fileBytes: p.done,
          fileTotal: p.total,
          bytes: p.done,
          total: p.total,
        }),
    });
    options.log?.(`${model.name} ${precision}: made ${result.written.join(', ')} in ${result.seconds.toFixed(1)} s`);
    return result.seconds;
  } catch (err) {
    if (options.signal?.aborted || err instanceof CancelledError) {
      throw new CancelledError('Cancelled while making the quantized graphs; the downloaded files are kept and the next download goes on from them.');
    }
    throw err;
  }
}

/**
 * The bytes a download of `model` (its float graphs and shared files) will fetch, as the hub's listing of
 * the pinned revision gives them (the catalogue carries no sizes of its own): the figure a user sees before
 * agreeing to a download. One small request; the same checks as a download, so a model that cannot be
 * downloaded fails here already.
 */
export async function downloadSize(model: CatalogModel, options: HttpOptions): Promise<number> {
  const known = modelSize(model);
  if (known !== null && !model.listingUrl) return known;
  return modelSize(await listedModel(model, options)) ?? 0;
}

/** The model with the files a download will fetch, each with its size and digest from the hub's listing. */
export async function listedModel(model: CatalogModel, options: HttpOptions): Promise<CatalogModel> {
  return { ...model, files: await verifiableFiles(model, sourceFiles(model), options) };
}

/**
 * The files to fetch, each with the size and digest it must have: from the hub's listing of the pinned revision
 * (checked against the catalogue's own values where it has them), plus the external-data files a graph keeps its
 * weights in ("<graph>_data", large models). A catalogue file the revision does not hold, or a file with no size
 * and digest to check it by, stops the download before any byte is fetched: the user is never handed a file
 * nobody can vouch for, nor half a model.
 */
async function verifiableFiles(model: CatalogModel, files: CatalogFile[], options: HttpOptions): Promise<CatalogFile[]> {
  let out = files.map((f) => ({ ...f }));
  if (model.listingUrl) {
    const listing = await fetchHubListing(model.listingUrl, options, cancelled);
    const missing = out.filter((f) => !listing.has(f.path)).map((f) => f.path);
    if (missing.length) {
      throw new TranscrevError(
        'model',
        `Model "${model.name}" cannot be downloaded: the catalogue lists ${missing.join(', ')}, which the pinned revision ${model.revision ?? ''} does not hold. Nothing was downloaded.`,
      );
    }
    const extra: CatalogFile[] = [];
    for (const f of out) {
      const hub = listing.get(f.path)!;
      if ((f.size !== null && f.size !== hub.size) || (f.sha256 && hub.sha256 && f.sha256 !== hub.sha256)) {
        throw new TranscrevError(
          'model',
          `Model "${model.name}": the catalogue and the hub disagree about ${f.path} at the pinned revision. Nothing was downloaded.`,
        );
      }
      f.size = hub.size;
      f.sha256 = f.sha256 ?? hub.sha256 ?? null;
      if (hub.gitSha1) f.gitSha1 = hub.gitSha1;
      for (const [p, entry] of listing) {
        if (p === `${f.path}_data` || p.startsWith(`${f.path}_data_`) || p === `${f.path}.data`) {
          extra.push({
            path: p,
            size: entry.size,
            sha256: entry.sha256 ?? null,
            ...(entry.gitSha1 && { gitSha1: entry.gitSha1 }),
            ...(f.precision && { precision: f.precision }),
          });
        }
      }
    }
    out = [...out, ...extra.filter((e) => !out.some((f) => f.path === e.path))];
  }
  const unverifiable = out.filter((f) => f.size === null || (!f.sha256 && !f.gitSha1)).map((f) => f.path);
  if (unverifiable.length) {
    throw new TranscrevError(
      'model',
      `Model "${model.name}": no size and checksum known for ${unverifiable.join(', ')}; refusing to download files that cannot be verified.`,
    );
  }
  return out;
}

/** Windows may refuse a rename for a moment while an antivirus scans the new files. */
async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      fs.renameSync(from, to);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (attempt >= 5 || (code !== 'EPERM' && code !== 'EBUSY' && code !== 'EACCES')) throw err;
      await sleep(200 * (attempt + 1));
    }
  }
}

function checkFreeSpace(root: string, model: CatalogModel, state: ProgressState, precision: Precision | undefined): void {
  const statfs = (fs as unknown as { statfsSync?: (p: string) => { bavail: number; bsize: number } }).statfsSync;
  if (!statfs) return;
  let free: number;
  try {
    const s = statfs(root);
    free = s.bavail * s.bsize;
  } catch {
    return;
  }
  // The graphs made here sit beside the float ones until those are deleted.
  const made = isMadeLocally(precision) ? madeSize(model, precision) : 0;
  const need = state.knownRemaining + made;
  if (need > made && free < need) {
    throw new TranscrevError('model', `Not enough disk space for model "${model.name}" in ${root}: ${formatBytes(need)} needed, ${formatBytes(free)} free.`);
  }
}

/** Downloads (or resumes, or skips) one file; returns bytes received over the network. */
async function fetchFile(model: CatalogModel, file: CatalogFile, dir: string, state: ProgressState, options: DownloadOptions): Promise<number> {
  const dest = path.join(dir, ...file.path.split('/'));
  const part = `${dest}.part`;
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  if (isFile(dest)) {
    // Completed in an earlier run; it was verified before its rename from .part.
    state.setTotal(fileSize(dest));
    state.setDone(fileSize(dest) ?? 0);
    return 0;
  }
  const url = fileUrl(model, file);
  const retries = options.retries ?? 3;
  let received = 0;
  for (let attempt = 0; ; attempt++) {
    if (options.signal?.aborted) throw cancelled();
    try {
      await fetchOnce(url, part, file, state, options, (n) => (received += n));
      break;
    } catch (err) {
      if (options.signal?.aborted || err instanceof CancelledError) throw cancelled();
      if (!(err instanceof RetryableError)) throw err;
      if (attempt >= retries) {
        throw new TranscrevError(
          'model',
          `Download of ${model.name}/${file.path} failed after ${attempt + 1} attempts: ${err.message}. ` +
            `${formatBytes(fileSize(part) ?? 0)} kept; run the download again to resume.`,
          { cause: err },
        );
      }
      options.log?.(`${file.path}: ${err.message}; resuming (attempt ${attempt + 2} of ${retries + 1})`);
      await sleep(options.retryDelayMs ?? 1000, options.signal);
    }
  }
  await verify(part, file, model.name);
  fs.renameSync(part, dest);
  return received;
}

async function verify(part: string, file: CatalogFile, modelName: string): Promise<void> {
  // The resume validator is done with: the .part is complete, and either kept (renamed) or deleted below.
  fs.rmSync(`${part}.etag`, { force: true });
  const size = fileSize(part) ?? 0;
  if (file.size !== null && size !== file.size) {
    fs.rmSync(part, { force: true });
    throw new TranscrevError(
      'model',
      `Download of ${modelName}/${file.path} has ${size} bytes, the catalogue expects ${file.size}; the file was deleted, run the download again.`,
    );
  }
  const [kind, expected, actual] = file.sha256
    ? ['sha256', file.sha256, await sha256File(part)]
    : ['git blob sha1', file.gitSha1!, await gitBlobSha1File(part)];
  if (actual !== expected) {
    fs.rmSync(part, { force: true });
    throw new TranscrevError(
      'model',
      `Checksum mismatch for ${modelName}/${file.path}: expected ${kind} ${expected}, got ${actual}. ` +
        `The file was deleted; run the download again (if it keeps failing, the server or a proxy is altering it).`,
    );
  }
}

export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

/** Git's id of a file's content: sha1 of "blob <size>\0" then the bytes (what the hub lists for non-LFS files). */
export async function gitBlobSha1File(file: string): Promise<string> {
  const hash = crypto.createHash('sha1');
  hash.update(`blob ${fileSize(file) ?? 0}\0`);
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

/** One request; appends to (or restarts) the .part file. Counts received bytes through `onBytes`. */
async function fetchOnce(
  url: string,
  part: string,
  file: CatalogFile,
  state: ProgressState,
  options: DownloadOptions,
  onBytes: (n: number) => void,
): Promise<void> {
  let start = fileSize(part) ?? 0;
  if (file.size !== null && start > file.size) {
    fs.rmSync(part, { force: true });
    start = 0;
  }
  if (file.size !== null && start === file.size) {
    state.setTotal(file.size);
    state.setDone(start);
    return; // complete .part from an earlier run, verified by the caller
  }
  const headers: http.OutgoingHttpHeaders = { 'User-Agent': 'TranscrevAI', 'Accept-Encoding': 'identity' };
  // A resume asks for the rest only if the file is still the one the .part began with (If-Range: its ETag);
  // otherwise the server sends the whole new file, and two versions are never stitched into one. A .part whose
  // ETag is unknown starts over.
  const etagFile = `${part}.etag`;
  const etag = start > 0 && isFile(etagFile) ? fs.readFileSync(etagFile, 'utf8').trim() : '';
  if (start > 0 && !etag) {
    options.log?.(`${file.path}: no validator for the ${formatBytes(start)} kept; restarting the file`);
    start = 0;
  }
  if (start > 0) {
    headers.Range = `bytes=${start}-`;
    headers['If-Range'] = etag;
  }
  const res = await get(url, headers, options, cancelled);
  const status = res.statusCode ?? 0;
  let append: boolean;
  let total: number | null;
  const length = headerNumber(res.headers['content-length']);
  if (status === 206 && start > 0) {
    const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(res.headers['content-range'] ?? ''));
    if (!m || Number(m[1]) !== start) {
      res.destroy();
      fs.rmSync(part, { force: true });
      throw new RetryableError(`server answered an unexpected range (${res.headers['content-range'] ?? 'none'}); restarting the file`);
    }
    total = m[3] === '*' ? (length !== null ? start + length : null) : Number(m[3]);
    append = true;
    options.log?.(`${file.path}: resuming at ${formatBytes(start)}`);
  } else if (status === 200 || status === 206) {
    // 200 to a Range request: the server ignores ranges; start the file over.
    if (start > 0) options.log?.(`${file.path}: server ignored the Range request; restarting from 0`);
    start = 0;
    append = false;
    total = status === 206 ? null : length;
  } else if (status === 416 && start > 0) {
    res.resume();
    const m = /^bytes \*\/(\d+)$/.exec(String(res.headers['content-range'] ?? ''));
    if (m && Number(m[1]) === start) {
      state.setTotal(start);
      state.setDone(start);
      return; // the .part already holds the whole file
    }
    fs.rmSync(part, { force: true });
    throw new RetryableError('server rejected the resume range; restarting the file');
  } else {
    res.resume();
    const reason = `HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''} for ${url}`;
    if (status >= 500 || status === 408 || status === 429) throw new RetryableError(reason);
    throw new TranscrevError('model', `Download of ${file.path} failed: ${reason}`);
  }
  if (file.size !== null && total !== null && total !== file.size) {
    res.destroy();
    throw new TranscrevError(
      'model',
      `Download of ${file.path}: the server reports ${total} bytes, the catalogue expects ${file.size}. The catalogue may be out of date.`,
    );
  }
  if (!append) {
    // The validator of what this .part now holds, for the next resume (a weak ETag cannot serve: If-Range needs a strong one).
    const tag = res.headers.etag;
    if (typeof tag === 'string' && !tag.startsWith('W/')) fs.writeFileSync(etagFile, tag);
    else fs.rmSync(etagFile, { force: true });
  }
  state.setTotal(total ?? file.size);
  let done = start;
  state.setDone(done);
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      done += chunk.length;
      onBytes(chunk.length);
      state.setDone(done);
      cb(null, chunk);
    },
  });
  const out = fs.createWriteStream(part, { flags: append ? 'a' : 'w' });
  try {
    await pipeline(res, counter, out, { signal: options.signal });
  } catch (err) {
    if (options.signal?.aborted) throw cancelled();
    throw new RetryableError(`connection lost after ${formatBytes(done)} (${(err as Error).message})`);
  }
  const expected = total ?? (length !== null ? start + length : null);
  if (expected !== null && done < expected) {
    throw new RetryableError(`connection closed after ${formatBytes(done)} of ${formatBytes(expected)}`);
  }
}

// ---------------------------------------------------------------------------------------------------

function cancelled(): CancelledError {
  return new CancelledError('Download cancelled; the partial files are kept and the next download resumes them.');
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(cancelled());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function headerNumber(v: string | string[] | undefined): number | null {
  if (typeof v !== 'string' || !/^\d+$/.test(v)) return null;
  return Number(v);
}
