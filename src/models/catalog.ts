// The model catalogue (models/catalog.json): which Whisper checkpoints users can download, from where,
// and how to verify them. Loaded and validated once into a typed shape; nothing else reads the JSON.
// Pure (no vscode): the extension, the CLI and the tests share it.
import * as fs from 'fs';
import * as path from 'path';
import { TranscrevError } from '../errors';
import { PRECISIONS, type Precision } from '../vocabulary';
import { precisionOfFile } from './layout';

export interface CatalogFile {
  /** Path relative to the model folder, with forward slashes (e.g. "onnx/encoder_model_int8.onnx"). */
  path: string;
  /** Size in bytes, when the catalogue knows it. */
  size: number | null;
  /** Lower-case hex sha256, when the catalogue knows it (else the hub's listing gives it, or a git blob id). */
  sha256: string | null;
  /** Git blob sha1 (from the hub's listing, for files kept in git rather than LFS). */
  gitSha1?: string;
  /** Set for graphs only one precision needs; undefined for files every precision needs. */
  precision?: Precision;
}

export interface CatalogModel {
  name: string;
  /** Human description, if the catalogue has one (else built from its facts). */
  description?: string;
  multilingual?: boolean;
  paramsMillions?: number;
  /** Base URL every file path is resolved against; ends with "/". Always https. */
  baseUrl: string;
  /**
   * The hub's listing of the pinned revision (paths, sizes, digests): every file is checked against it before
   * and after its download (hubListing.ts). Set for hub models; a catalogue without it must give each file's
   * size and sha256 itself.
   */
  listingUrl?: string;
  /** The commit the files are pinned to. */
  revision?: string;
  files: CatalogFile[];
}

export interface Catalog {
  models: CatalogModel[];
}

type Json = Record<string, unknown>;

/**
 * The model hub: Hugging Face, or the mirror HF_ENDPOINT names (the variable huggingface_hub reads, so a machine
 * set up for a mirror or an offline copy of the hub needs nothing more). The paths and pinned commits stay the
 * same, and so does the verification against the listing: a mirror cannot hand over other bytes.
 */
export function hubEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.HF_ENDPOINT?.trim();
  if (!url) return 'https://huggingface.co';
  if (!/^https:\/\/[^\s/]+(\/[^\s]*)?$/.test(url)) {
    throw new TranscrevError('model', `HF_ENDPOINT must be an https URL (models come over https only), not "${url}".`);
  }
  return url.replace(/\/+$/, '');
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(where: string, what: string): never {
  throw new TranscrevError('internal', `Model catalogue ${where}: ${what}`);
}

function optionalNumber(v: unknown, where: string): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) bad(where, 'size must be a non-negative number or null');
  return v;
}

function optionalSha(v: unknown, where: string): string | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v !== 'string' || !/^[0-9a-fA-F]{64}$/.test(v)) bad(where, 'sha256 must be 64 hex digits or null');
  return v.toLowerCase();
}

/** A relative path that cannot escape the model folder. */
function safeRelative(p: unknown, where: string): string {
  if (typeof p !== 'string' || !p) bad(where, 'file path missing');
  const norm = p.replace(/\\/g, '/');
  if (norm.startsWith('/') || /^[a-zA-Z]:/.test(norm) || norm.split('/').some((s) => s === '..' || s === '')) {
    bad(where, `unsafe file path "${p}"`);
  }
  return norm;
}

/** Which precision a graph belongs to: from the catalogue's layout lists, else from its name. */
type PrecisionOf = (path: string) => Precision | undefined;

function parseFile(raw: unknown, where: string, precisionOf: PrecisionOf): CatalogFile {
  let file: CatalogFile;
  if (typeof raw === 'string') file = { path: safeRelative(raw, where), size: null, sha256: null };
  else {
    if (!isObject(raw)) bad(where, 'a file entry must be a string or an object');
    const p = safeRelative(raw.path ?? raw.name ?? raw.file, where);
    file = { path: p, size: optionalNumber(raw.size ?? raw.bytes, `${where} (${p})`), sha256: optionalSha(raw.sha256, `${where} (${p})`) };
  }
  const precision = precisionOf(file.path);
  if (precision) file.precision = precision;
  return file;
}

function parseModel(raw: unknown, fallbackName: string | undefined, where: string, precisionOf: PrecisionOf, hub: string): CatalogModel {
  if (!isObject(raw)) bad(where, 'a model entry must be an object');
  const name = (raw.name ?? raw.id ?? fallbackName) as unknown;
  if (typeof name !== 'string' || !name) bad(where, 'model name missing');
  const at = `${where} "${name}"`;
  let baseUrl = (raw.url_base ?? raw.baseUrl ?? raw.base_url ?? raw.url ?? raw.base) as unknown;
  let listingUrl: string | undefined;
  let revision: string | undefined;
  if (raw.hf_repo !== undefined) {
    // A hub model: pinned to a commit (a branch moves under the user), its files listed by the hub for it.
    if (typeof raw.hf_repo !== 'string' || !/^[\w.-]+\/[\w.-]+$/.test(raw.hf_repo)) bad(at, 'hf_repo must be "owner/name"');
    if (typeof raw.revision !== 'string' || !/^[0-9a-f]{40}$/.test(raw.revision)) bad(at, 'revision must be a 40-hex commit (a branch name moves)');
    revision = raw.revision;
    baseUrl ??= `${hub}/${raw.hf_repo}/resolve/${revision}/`;
    listingUrl = `${hub}/api/models/${raw.hf_repo}/tree/${revision}?recursive=true`;
  }
  if (typeof baseUrl !== 'string' || !/^https:\/\//.test(baseUrl)) bad(at, 'baseUrl must be an https URL');
  if (!baseUrl.endsWith('/')) baseUrl += '/';
  if (!Array.isArray(raw.files) || raw.files.length === 0) bad(at, 'files must be a non-empty list');
  const files = raw.files.map((f) => parseFile(f, at, precisionOf));
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.path)) bad(at, `file "${f.path}" listed twice`);
    seen.add(f.path);
  }
  const multilingual = typeof raw.multilingual === 'boolean' ? raw.multilingual : undefined;
  const paramsMillions = typeof raw.params_millions === 'number' ? raw.params_millions : undefined;
  const facts = [
    paramsMillions !== undefined ? `${paramsMillions}M parameters` : '',
    multilingual === undefined ? '' : multilingual ? 'multilingual' : 'English only',
  ];
  const description = typeof raw.description === 'string' ? raw.description : facts.filter(Boolean).join(' · ') || undefined;
  const model: CatalogModel = { name, description, baseUrl: baseUrl as string, files, ...(listingUrl && { listingUrl, revision }) };
  if (multilingual !== undefined) model.multilingual = multilingual;
  if (paramsMillions !== undefined) model.paramsMillions = paramsMillions;
  return model;
}

/** `layout: {int8: [...], q4: [...], fp32: [...]}` when the catalogue declares which graphs belong to which precision. */
function layoutPrecision(json: unknown): PrecisionOf {
  const layout = isObject(json) && isObject(json.layout) ? json.layout : undefined;
  const map = new Map<string, Precision>();
  for (const precision of PRECISIONS) {
    const list = layout?.[precision];
    if (Array.isArray(list)) for (const p of list) if (typeof p === 'string') map.set(p, precision);
  }
  return (p) => (map.size ? map.get(p) : precisionOfFile(p));
}

/**
 * Validates catalogue JSON. Accepts `{models: [{name, ...}]}`, `{models: {name: {...}}}` or a bare map of
 * name → model; file entries may be strings or `{path, size, sha256}` objects.
 */
export function parseCatalog(json: unknown, hub: string = hubEndpoint()): Catalog {
  const root = isObject(json) && 'models' in json ? json.models : json;
  let models: CatalogModel[];
  const precisionOf = layoutPrecision(json);
  if (Array.isArray(root)) models = root.map((m, i) => parseModel(m, undefined, `models[${i}]`, precisionOf, hub));
  else if (isObject(root)) models = Object.entries(root).map(([name, m]) => parseModel(m, name, 'model', precisionOf, hub));
  else bad('root', 'expected an object with "models"');
  const names = new Set<string>();
  for (const m of models) {
    if (names.has(m.name)) bad('root', `model "${m.name}" listed twice`);
    names.add(m.name);
  }
  return { models };
}

/** `hub`: the model hub's address (default: HF_ENDPOINT, else huggingface.co). */
export function loadCatalog(file: string, hub?: string): Catalog {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new TranscrevError('internal', `Model catalogue not found at ${file}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new TranscrevError('internal', `Model catalogue ${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return parseCatalog(json, hub ?? hubEndpoint());
}

/** The catalogue shipped in the repository / extension: <root>/models/catalog.json. */
export function catalogPath(root: string): string {
  return path.join(root, 'models', 'catalog.json');
}

export function findModel(catalog: Catalog, name: string): CatalogModel | undefined {
  return catalog.models.find((m) => m.name === name);
}

/**
 * What a download fetches, whatever the precision: the shared files and the float graphs. int8 and q4 are made
 * from the float graphs on the user's machine (src/quantize), the way `npm run models` makes them; a hub's own
 * quantized graphs (dynamic int8, q4) are never fetched, nor run (issue #26: they lose words and differ by CPU).
 */
export function sourceFiles(model: CatalogModel): CatalogFile[] {
  return model.files.filter((f) => !f.precision || f.precision === 'fp32');
}

/** Precisions made here from the float graphs, after their download. */
export function isMadeLocally(precision: Precision | undefined): precision is 'int8' | 'q4' {
  return precision === 'int8' || precision === 'q4';
}

/** Total download size when every source file's size is known, else null. */
export function modelSize(model: CatalogModel): number | null {
  let total = 0;
  for (const f of sourceFiles(model)) {
    if (f.size === null) return null;
    total += f.size;
  }
  return total;
}

/**
 * The size of the graphs `precision` makes from the float ones, from the bytes per float byte of base's build
 * (weights in 8-bit blocks: a quarter plus scales; 4-bit: an eighth plus scales; the 8-bit embedding either way).
 * An estimate for the size shown before a download and its free-space check; null when the float size is unknown.
 */
export function madeSize(model: CatalogModel, precision: 'int8' | 'q4'): number {
  const float = sourceFiles(model)
    .filter((f) => f.precision === 'fp32')
    .reduce((s, f) => s + (f.size ?? 0), 0);
  return Math.round(float * MADE_BYTES_PER_FLOAT_BYTE[precision]);
}

// base: int8 112.4 MB and q4 82.3 MB made from 397.0 MB of float graphs.
const MADE_BYTES_PER_FLOAT_BYTE = { int8: 0.29, q4: 0.21 } as const;

/** Sum of the download sizes the catalogue knows (a lower bound when some are null). */
export function knownSize(model: CatalogModel): number {
  return sourceFiles(model).reduce((s, f) => s + (f.size ?? 0), 0);
}

export function fileUrl(model: CatalogModel, file: CatalogFile): string {
  return new URL(file.path.split('/').map(encodeURIComponent).join('/'), model.baseUrl).toString();
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(0)} MB`;
  return `${(n / (1024 * 1024 * 1024)).toFixed(2)} GB`;
}
