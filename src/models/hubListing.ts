// What the model hub says a pinned revision holds: every file's path, size and digest, from its tree API
// (`/api/models/<repo>/tree/<revision>?recursive=true`, paged with Link: rel="next"). Large files are stored
// with Git LFS, whose object id is the content's sha256; small ones are plain git blobs, whose id is the sha1 of
// "blob <size>\0<content>". A revision is a commit, so the listing, and each digest in it, never changes: the
// downloader checks the catalogue's file list against it and every byte it fetches against the digests.
import type * as http from 'http';
import { TranscrevError } from '../errors';
import { get, type Cancelled, type HttpOptions } from './http';

export interface HubEntry {
  size: number;
  /** Content sha256 (LFS files). */
  sha256?: string;
  /** Git blob sha1 (files kept in git itself). */
  gitSha1?: string;
}

interface RawEntry {
  type?: unknown;
  path?: unknown;
  size?: unknown;
  oid?: unknown;
  lfs?: { oid?: unknown; size?: unknown } | null;
}

const HEX40 = /^[0-9a-f]{40}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const MAX_PAGES = 50;

export async function fetchHubListing(url: string, options: HttpOptions, cancelled: Cancelled): Promise<Map<string, HubEntry>> {
  const entries = new Map<string, HubEntry>();
  let next: string | undefined = url;
  for (let page = 0; next; page++) {
    if (page >= MAX_PAGES) throw new TranscrevError('model', `The model hub's file listing ${url} has more than ${MAX_PAGES} pages.`);
    const res = await get(next, { 'User-Agent': 'TranscrevAI', Accept: 'application/json' }, options, cancelled);
    const body = await readBody(res, 16 * 1024 * 1024);
    if (res.statusCode !== 200) {
      throw new TranscrevError('model', `The model hub did not list the pinned revision (HTTP ${res.statusCode} for ${next}).`);
    }
    let items: unknown;
    try {
      items = JSON.parse(body);
    } catch {
      throw new TranscrevError('model', `The model hub's listing ${next} is not JSON.`);
    }
    if (!Array.isArray(items)) throw new TranscrevError('model', `The model hub's listing ${next} is not a list of files.`);
    for (const raw of items as RawEntry[]) {
      if (raw?.type !== 'file' || typeof raw.path !== 'string' || typeof raw.size !== 'number') continue;
      const lfs = raw.lfs && typeof raw.lfs.oid === 'string' && HEX64.test(raw.lfs.oid) ? raw.lfs.oid : undefined;
      const blob = typeof raw.oid === 'string' && HEX40.test(raw.oid) ? raw.oid : undefined;
      const size = lfs && typeof raw.lfs?.size === 'number' ? raw.lfs.size : raw.size;
      entries.set(raw.path, lfs ? { size, sha256: lfs } : { size, ...(blob && { gitSha1: blob }) });
    }
    next = nextPage(res.headers.link, next);
  }
  return entries;
}

function nextPage(link: string | string[] | undefined, current: string): string | undefined {
  const text = Array.isArray(link) ? link.join(',') : link;
  const m = text ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(text) : null;
  return m ? new URL(m[1], current).href : undefined;
}

function readBody(res: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        res.destroy();
        reject(new TranscrevError('model', 'The model hub sent a listing larger than 16 MB.'));
      } else chunks.push(c);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}
