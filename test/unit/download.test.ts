// Model downloader against a local HTTPS server on 127.0.0.1 with its own certificate, answering like the model
// hub (files, and the listing of a pinned revision): full download, resume after a dropped connection (Range +
// If-Range), servers that ignore Range, 404, checksum mismatch, cancellation, redirects, proxies, and the refusals:
// plain http, a redirect down to http, files missing from the revision or without a digest, TLS without a proxy.
import { test, describe, before, after, beforeEach } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as path from 'path';
import { execFileSync } from 'child_process';
import type { AddressInfo } from 'net';
import { downloadModel, downloadSize, isModelInstalled, partialDirFor, type DownloadProgress, type Quantize } from '../../src/models/download';
import { proxyFor } from '../../src/models/http';
import type { CatalogModel } from '../../src/models/catalog';
import { CancelledError, TranscrevError } from '../../src/errors';
import { tmpDir } from '../fixtures/tmp';
import { localhostCert } from '../fixtures/tlsCert';

const TLS = localhostCert();

function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}
const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

const FILES: Record<string, Buffer> = {
  'config.json': Buffer.from('{"d_model": 384}'),
  'generation_config.json': Buffer.from('{"decoder_start_token_id": 50258}'),
  'tokenizer.json': bytes(50_000, 7),
  'onnx/encoder_model.onnx': bytes(300_000, 11),
  'onnx/decoder_model_merged.onnx': bytes(200_000, 13),
};

interface ServerBehaviour {
  ignoreRange: boolean;
  /** Path → number of remaining requests that are cut after `dropAfter` bytes. */
  drops: Map<string, number>;
  dropAfter: number;
  /** Per-chunk delay in ms (to cancel mid-file). */
  slowMs: number;
  corrupt: Set<string>;
  /** Path → number of remaining requests that send `dropAfter` bytes and then go silent (socket open). */
  stalls: Map<string, number>;
  /** Send no ETag (a server without validators: a resume must start over). */
  noEtag: boolean;
}

interface Server {
  url: string;
  server: http.Server;
  log: { path: string; range?: string; ifRange?: string; status?: number }[];
  behaviour: ServerBehaviour;
}

function startServer(): Promise<Server> {
  const behaviour: ServerBehaviour = { ignoreRange: false, drops: new Map(), dropAfter: 0, slowMs: 0, corrupt: new Set(), stalls: new Map(), noEtag: false };
  const log: Server['log'] = [];
  const server = https.createServer(TLS, async (req, res) => {
    const url = new URL(req.url ?? '/', 'https://x');
    const entry: Server['log'][number] = { path: url.pathname, range: req.headers.range, ifRange: req.headers['if-range'] as string | undefined };
    log.push(entry);
    const writeHead = res.writeHead.bind(res) as (status: number, ...rest: unknown[]) => http.ServerResponse;
    (res as { writeHead: unknown }).writeHead = (status: number, ...rest: unknown[]) => ((entry.status = status), writeHead(status, ...rest));
    if (url.pathname.startsWith('/api/models/')) return listing(url, res, server);
    if (url.pathname.startsWith('/plain/')) {
      res.writeHead(302, { Location: `http://127.0.0.1:1/files/${url.pathname.slice('/plain/'.length)}` });
      return res.end();
    }
    if (url.pathname.startsWith('/redirect/')) {
      res.writeHead(302, { Location: `/files/${url.pathname.slice('/redirect/'.length)}` });
      return res.end();
    }
    if (url.pathname.startsWith('/hop1/')) {
      // Absolute redirect, then a relative one (HF → CDN style chains).
      res.writeHead(307, { Location: `https://127.0.0.1:${(server.address() as AddressInfo).port}/redirect/${url.pathname.slice(6)}` });
      return res.end();
    }
    const rel = decodeURIComponent(url.pathname.replace(/^\/files\//, ''));
    let body = FILES[rel];
    if (!url.pathname.startsWith('/files/') || !body) {
      res.writeHead(404, 'Not Found');
      return res.end('nope');
    }
    if (behaviour.corrupt.has(rel)) {
      body = Buffer.from(body);
      body[10] ^= 0xff;
    }
    let start = 0;
    // A strong ETag of the current content; If-Range that names another one gets the whole (new) file.
    const etag = `"${sha(body).slice(0, 16)}"`;
    const tag = behaviour.noEtag ? {} : { ETag: etag };
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const current = !req.headers['if-range'] || req.headers['if-range'] === etag;
    if (range && !behaviour.ignoreRange && current) {
      start = Number(range[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'Content-Range': `bytes */${body.length}` });
        return res.end();
      }
      res.writeHead(206, { 'Content-Length': body.length - start, 'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}`, ...tag });
    } else {
      res.writeHead(200, { 'Content-Length': body.length, ...tag });
    }
    const slice = body.subarray(start);
    const drops = behaviour.drops.get(rel) ?? 0;
    if (drops > 0) {
      behaviour.drops.set(rel, drops - 1);
      res.write(slice.subarray(0, behaviour.dropAfter), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    const stalls = behaviour.stalls.get(rel) ?? 0;
    if (stalls > 0) {
      behaviour.stalls.set(rel, stalls - 1);
      res.write(slice.subarray(0, behaviour.dropAfter));
      return; // never ends: the client's idle timeout must notice
    }
    const chunk = 16_384;
    for (let i = 0; i < slice.length; i += chunk) {
      if (res.destroyed) return;
      res.write(slice.subarray(i, i + chunk));
      if (behaviour.slowMs) await new Promise((r) => setTimeout(r, behaviour.slowMs));
    }
    res.end();
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, server, log, behaviour })),
  );
}

/**
 * The hub's tree API for a revision, in two pages (Link: rel="next"): .onnx files as LFS objects (sha256), the
 * others as git blobs (sha1 of "blob <size>\0<content>"), plus whatever EXTRA holds (external-data files).
 */
const EXTRA: Record<string, Buffer> = {};
function listing(url: URL, res: http.ServerResponse, server: https.Server): void {
  const all = Object.entries({ ...FILES, ...EXTRA }).map(([p, b]) =>
    p.endsWith('.onnx') || p.includes('.onnx_data')
      ? { type: 'file', path: p, size: 134, oid: 'a'.repeat(40), lfs: { oid: sha(b), size: b.length, pointerSize: 134 } }
      : { type: 'file', path: p, size: b.length, oid: crypto.createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex') },
  );
  const items = [{ type: 'directory', path: 'onnx', oid: 'b'.repeat(40), size: 0 }, ...all];
  const page = url.searchParams.get('cursor') === '2' ? 2 : 1;
  const half = Math.ceil(items.length / 2);
  const headers: http.OutgoingHttpHeaders = { 'Content-Type': 'application/json' };
  if (page === 1) headers.Link = `<https://127.0.0.1:${(server.address() as AddressInfo).port}${url.pathname}?recursive=true&cursor=2>; rel="next"`;
  res.writeHead(200, headers);
  res.end(JSON.stringify(page === 1 ? items.slice(0, half) : items.slice(half)));
}

function model(baseUrl: string, opts: { withSha?: boolean; withSize?: boolean; name?: string; listing?: boolean } = {}): CatalogModel {
  const origin = new URL(baseUrl).origin;
  return {
    name: opts.name ?? 'tiny',
    baseUrl,
    ...(opts.listing && { listingUrl: `${origin}/api/models/onnx-community/whisper-tiny/tree/${'c'.repeat(40)}?recursive=true`, revision: 'c'.repeat(40) }),
    files: Object.entries(FILES).map(([p, b]) => ({
      path: p,
      size: opts.withSize === false || opts.listing ? null : b.length,
      sha256: opts.withSha === false || opts.listing ? null : sha(b),
    })),
  };
}

/** downloadModel trusting the local hub's certificate. */
const dl = (m: CatalogModel, o: Parameters<typeof downloadModel>[1]) => downloadModel(m, { ca: TLS.cert, ...o });

function tmpRoot(): string {
  return tmpDir('dl');
}

function assertInstalled(root: string, name = 'tiny') {
  for (const [p, b] of Object.entries(FILES)) {
    assert.ok(fs.readFileSync(path.join(root, name, p)).equals(b), `${p} content`);
  }
  assert.equal(fs.existsSync(partialDirFor(root, name)), false, 'partial folder removed');
}

/**
 * A CONNECT proxy on 127.0.0.1 that tunnels to whatever host:port it is asked for. `admit` sees each CONNECT
 * first; returning false answers 407 instead.
 */
async function connectProxy(admit: (req: http.IncomingMessage) => boolean = () => true): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req, socket: net.Socket, head) => {
    if (!admit(req)) {
      socket.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n');
      return;
    }
    const [host, port] = req.url!.split(':');
    const up = net.connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('downloadModel', () => {
  let srv: Server;
  before(async () => {
    srv = await startServer();
  });
  after(() => {
    srv.server.closeAllConnections();
    srv.server.close();
  });
  beforeEach(() => {
    srv.log.length = 0;
    srv.behaviour.ignoreRange = false;
    srv.behaviour.drops.clear();
    srv.behaviour.dropAfter = 0;
    srv.behaviour.slowMs = 0;
    srv.behaviour.corrupt.clear();
    srv.behaviour.stalls.clear();
    srv.behaviour.noEtag = false;
  });

  test('full download verifies sha256, reports progress and publishes the folder', async () => {
    const root = tmpRoot();
    const events: DownloadProgress[] = [];
    const result = await dl(model(`${srv.url}/files/`), { modelsRoot: root, onProgress: (p) => events.push(p), progressIntervalMs: 0 });
    assert.equal(result.dir, path.join(root, 'tiny'));
    assert.equal(result.alreadyInstalled, false);
    const total = Object.values(FILES).reduce((s, b) => s + b.length, 0);
    assert.equal(result.received, total);
    assertInstalled(root);
    const last = events[events.length - 1];
    assert.equal(last.bytes, total);
    assert.equal(last.total, total);
    assert.equal(last.fileIndex, 4);
    assert.equal(last.fileCount, 5);
    // Monotonic overall progress.
    for (let i = 1; i < events.length; i++) assert.ok(events[i].bytes >= events[i - 1].bytes);
    assert.ok(isModelInstalled(model(`${srv.url}/files/`), root));
    // A second call is a no-op.
    const again = await dl(model(`${srv.url}/files/`), { modelsRoot: root });
    assert.equal(again.alreadyInstalled, true);
    assert.equal(again.received, 0);
  });

  test("downloadSize: what a download will fetch, from the hub's listing alone (no file requested)", async () => {
    const before = srv.log.length;
    const size = await downloadSize(model(`${srv.url}/files/`, { listing: true }), { ca: TLS.cert });
    assert.equal(
      size,
      Object.values(FILES).reduce((s, b) => s + b.length, 0),
    );
    assert.deepEqual(
      srv.log.slice(before).map((l) => l.path.split('/')[1]),
      ['api', 'api'],
    );
    // Without a listing, the catalogue's own sizes; a hub that does not answer in time is an error the caller shows as "size unknown".
    assert.equal(await downloadSize(model(`${srv.url}/files/`), {}), size);
    await assert.rejects(downloadSize(model('https://127.0.0.1:1/files/', { listing: true }), { ca: TLS.cert }));
  });

  test("sizes and digests from the hub's listing of the pinned revision (two pages): LFS sha256 and git blob ids verified", async () => {
    const root = tmpRoot();
    let last: DownloadProgress | undefined;
    await dl(model(`${srv.url}/files/`, { listing: true }), { modelsRoot: root, onProgress: (p) => (last = p) });
    assertInstalled(root);
    assert.equal(
      last?.total,
      Object.values(FILES).reduce((s, b) => s + b.length, 0),
    );
    assert.deepEqual(
      srv.log.filter((l) => l.path.startsWith('/api/')).map((l) => l.status),
      [200, 200],
    );
    // A small file (a git blob) that arrives altered fails its git id.
    srv.behaviour.corrupt.add('config.json');
    await assert.rejects(
      dl(model(`${srv.url}/files/`, { listing: true }), { modelsRoot: tmpRoot() }),
      /Checksum mismatch for tiny\/config\.json: expected git blob sha1 [0-9a-f]{40}/,
    );
  });

  test('a catalogue file the pinned revision does not hold stops the download before any file is fetched', async () => {
    const m = model(`${srv.url}/files/`, { listing: true });
    m.files.push({ path: 'onnx/encoder_model_q4.onnx', size: null, sha256: null });
    await assert.rejects(
      dl(m, { modelsRoot: tmpRoot() }),
      /the catalogue lists onnx\/encoder_model_q4\.onnx, which the pinned revision c{40} does not hold\. Nothing was downloaded\./,
    );
    assert.ok(!srv.log.some((l) => l.path.startsWith('/files/')));
  });

  test('the catalogue and the hub disagreeing about a file stops the download', async () => {
    const m = model(`${srv.url}/files/`, { listing: true });
    m.files[2].size = 12;
    await assert.rejects(dl(m, { modelsRoot: tmpRoot() }), /the catalogue and the hub disagree about tokenizer\.json/);
  });

  test('external-data files of a graph are fetched with it and verified', async () => {
    EXTRA['onnx/encoder_model.onnx_data'] = bytes(120_000, 23);
    FILES['onnx/encoder_model.onnx_data'] = EXTRA['onnx/encoder_model.onnx_data'];
    try {
      const m = model(`${srv.url}/files/`, { listing: true });
      m.files = m.files.filter((f) => !f.path.endsWith('_data'));
      const root = tmpRoot();
      await dl(m, { modelsRoot: root });
      assert.ok(fs.readFileSync(path.join(root, 'tiny', 'onnx', 'encoder_model.onnx_data')).equals(EXTRA['onnx/encoder_model.onnx_data']));
    } finally {
      delete EXTRA['onnx/encoder_model.onnx_data'];
      delete FILES['onnx/encoder_model.onnx_data'];
    }
  });

  test('a file with no size and digest known anywhere is refused, not downloaded unverified', async () => {
    await assert.rejects(
      dl(model(`${srv.url}/files/`, { withSha: false }), { modelsRoot: tmpRoot() }),
      /no size and checksum known for config\.json, generation_config\.json, tokenizer\.json, .*refusing to download files that cannot be verified/,
    );
    assert.equal(srv.log.length, 0);
  });

  test('https only: a plain http catalogue URL and a redirect down to http are refused', async () => {
    await assert.rejects(dl(model('http://127.0.0.1:1/files/'), { modelsRoot: tmpRoot() }), /over plain http/);
    await assert.rejects(dl(model(`${srv.url}/plain/`), { modelsRoot: tmpRoot() }), /Refusing redirect from https: to http:/);
  });

  test('without a proxy the certificate is always checked, whatever http.proxyStrictSSL says', async () => {
    await assert.rejects(downloadModel(model(`${srv.url}/files/`), { modelsRoot: tmpRoot(), strictSSL: false, retries: 0 }), /certificate/i);
  });

  test('a resume names the ETag it began with (If-Range): a file changed upstream restarts whole, never stitched', async () => {
    const root = tmpRoot();
    srv.behaviour.drops.set('onnx/encoder_model.onnx', 1);
    srv.behaviour.dropAfter = 100_000;
    await assert.rejects(dl(model(`${srv.url}/files/`), { modelsRoot: root, retries: 0 }));
    const old = FILES['onnx/encoder_model.onnx'];
    FILES['onnx/encoder_model.onnx'] = bytes(300_000, 99);
    try {
      srv.log.length = 0;
      await dl(model(`${srv.url}/files/`), { modelsRoot: root });
      assertInstalled(root);
      const enc = srv.log.find((l) => l.path.endsWith('encoder_model.onnx'))!;
      assert.equal(enc.range, 'bytes=100000-');
      assert.equal(enc.ifRange, `"${sha(old).slice(0, 16)}"`);
      assert.equal(enc.status, 200, 'the changed file came whole');
    } finally {
      FILES['onnx/encoder_model.onnx'] = old;
    }
  });

  test('a server without ETags: a kept .part cannot be vouched for, so the file starts over', async () => {
    const root = tmpRoot();
    srv.behaviour.noEtag = true;
    srv.behaviour.drops.set('onnx/encoder_model.onnx', 1);
    srv.behaviour.dropAfter = 100_000;
    await assert.rejects(dl(model(`${srv.url}/files/`), { modelsRoot: root, retries: 0 }));
    srv.log.length = 0;
    await dl(model(`${srv.url}/files/`), { modelsRoot: root });
    assertInstalled(root);
    assert.equal(srv.log.find((l) => l.path.endsWith('encoder_model.onnx'))?.range, undefined);
  });

  test('interrupted download: no final folder, .part kept, next call resumes with Range', async () => {
    const root = tmpRoot();
    srv.behaviour.drops.set('onnx/encoder_model.onnx', 1);
    srv.behaviour.dropAfter = 100_000;
    await assert.rejects(
      dl(model(`${srv.url}/files/`), { modelsRoot: root, retries: 0 }),
      (err: unknown) => err instanceof TranscrevError && err.kind === 'model' && /resume/.test(err.message),
    );
    assert.equal(fs.existsSync(path.join(root, 'tiny')), false, 'final folder must not exist');
    const part = path.join(partialDirFor(root, 'tiny'), 'onnx', 'encoder_model.onnx.part');
    assert.equal(fs.statSync(part).size, 100_000);
    // Files finished before the drop are kept whole.
    assert.ok(fs.existsSync(path.join(partialDirFor(root, 'tiny'), 'tokenizer.json')));

    srv.log.length = 0;
    const result = await dl(model(`${srv.url}/files/`), { modelsRoot: root });
    assertInstalled(root);
    const enc = srv.log.find((l) => l.path.endsWith('encoder_model.onnx'));
    assert.equal(enc?.range, 'bytes=100000-');
    assert.ok(!srv.log.some((l) => l.path.endsWith('tokenizer.json')), 'completed files are not fetched again');
    assert.equal(result.received, 200_000 + FILES['onnx/decoder_model_merged.onnx'].length);
  });

  test('a dropped connection is resumed automatically within one call', async () => {
    const root = tmpRoot();
    srv.behaviour.drops.set('onnx/decoder_model_merged.onnx', 2);
    srv.behaviour.dropAfter = 70_000;
    const lines: string[] = [];
    await dl(model(`${srv.url}/files/`), { modelsRoot: root, retries: 3, retryDelayMs: 10, log: (l) => lines.push(l) });
    assertInstalled(root);
    const ranges = srv.log.filter((l) => l.path.endsWith('decoder_model_merged.onnx')).map((l) => l.range);
    assert.deepEqual(ranges, [undefined, 'bytes=70000-', 'bytes=140000-']);
    assert.ok(lines.some((l) => /resuming/.test(l)));
  });

  test('a stalled connection hits the idle timeout and is resumed', async () => {
    const root = tmpRoot();
    srv.behaviour.stalls.set('tokenizer.json', 1);
    srv.behaviour.dropAfter = 20_000;
    const lines: string[] = [];
    const t0 = Date.now();
    await dl(model(`${srv.url}/files/`), { modelsRoot: root, idleTimeoutMs: 300, retryDelayMs: 10, log: (l) => lines.push(l) });
    assertInstalled(root);
    assert.ok(Date.now() - t0 < 5000);
    assert.deepEqual(
      srv.log.filter((l) => l.path.endsWith('tokenizer.json')).map((l) => l.range),
      [undefined, 'bytes=20000-'],
    );
    assert.ok(
      lines.some((l) => /tokenizer\.json: connection lost/.test(l)),
      lines.join('\n'),
    );
  });

  test('server that ignores Range (200): the file restarts from zero and ends correct', async () => {
    const root = tmpRoot();
    srv.behaviour.drops.set('onnx/encoder_model.onnx', 1);
    srv.behaviour.dropAfter = 120_000;
    await assert.rejects(dl(model(`${srv.url}/files/`), { modelsRoot: root, retries: 0 }));
    srv.behaviour.ignoreRange = true;
    srv.log.length = 0;
    const result = await dl(model(`${srv.url}/files/`), { modelsRoot: root });
    assertInstalled(root);
    assert.equal(srv.log.find((l) => l.path.endsWith('encoder_model.onnx'))?.range, 'bytes=120000-');
    assert.equal(result.received, 300_000 + 200_000, 'whole encoder fetched again, plus the decoder');
  });

  test('a .part that already holds the whole file is verified, not fetched again', async () => {
    const root = tmpRoot();
    const dir = partialDirFor(root, 'tiny');
    fs.mkdirSync(path.join(dir, 'onnx'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'onnx', 'encoder_model.onnx.part'), FILES['onnx/encoder_model.onnx']);
    await dl(model(`${srv.url}/files/`), { modelsRoot: root });
    assertInstalled(root);
    assert.equal(
      srv.log.find((l) => l.path.endsWith('encoder_model.onnx')),
      undefined,
    );
  });

  test('404: clear error naming the file and the status, no final folder', async () => {
    const root = tmpRoot();
    const m = model(`${srv.url}/files/`);
    m.files.push({ path: 'onnx/missing.onnx', size: 10, sha256: 'd'.repeat(64) });
    await assert.rejects(dl(m, { modelsRoot: root }), (err: unknown) => {
      assert.ok(err instanceof TranscrevError);
      assert.equal(err.kind, 'model');
      assert.match(err.message, /onnx\/missing\.onnx/);
      assert.match(err.message, /HTTP 404/);
      return true;
    });
    assert.equal(fs.existsSync(path.join(root, 'tiny')), false);
    assert.equal(srv.log.filter((l) => l.path.endsWith('missing.onnx')).length, 1, '404 is not retried');
  });

  test('sha256 mismatch: the file is deleted and the error says so', async () => {
    const root = tmpRoot();
    srv.behaviour.corrupt.add('tokenizer.json');
    await assert.rejects(dl(model(`${srv.url}/files/`), { modelsRoot: root }), (err: unknown) => {
      assert.ok(err instanceof TranscrevError);
      assert.match(err.message, /Checksum mismatch for tiny\/tokenizer\.json/);
      assert.match(err.message, /deleted/);
      return true;
    });
    const dir = partialDirFor(root, 'tiny');
    assert.equal(fs.existsSync(path.join(dir, 'tokenizer.json')), false);
    assert.equal(fs.existsSync(path.join(dir, 'tokenizer.json.part')), false);
    assert.equal(fs.existsSync(path.join(root, 'tiny')), false);
    // Fixed server → the retry succeeds.
    srv.behaviour.corrupt.clear();
    await dl(model(`${srv.url}/files/`), { modelsRoot: root });
    assertInstalled(root);
  });

  test('cancellation: CancelledError, partial data kept, resume afterwards', async () => {
    const root = tmpRoot();
    srv.behaviour.slowMs = 15;
    const controller = new AbortController();
    const started = dl(model(`${srv.url}/files/`), {
      modelsRoot: root,
      signal: controller.signal,
      progressIntervalMs: 0,
      onProgress: (p) => {
        if (p.file === 'onnx/encoder_model.onnx' && p.fileBytes >= 60_000) controller.abort();
      },
    });
    await assert.rejects(started, (err: unknown) => err instanceof CancelledError && /resume/.test(err.message));
    assert.equal(fs.existsSync(path.join(root, 'tiny')), false);
    const part = path.join(partialDirFor(root, 'tiny'), 'onnx', 'encoder_model.onnx.part');
    const kept = fs.statSync(part).size;
    assert.ok(kept > 0 && kept < 300_000, `kept ${kept}`);
    srv.behaviour.slowMs = 0;
    srv.log.length = 0;
    await dl(model(`${srv.url}/files/`), { modelsRoot: root });
    assertInstalled(root);
    assert.equal(srv.log.find((l) => l.path.endsWith('encoder_model.onnx'))?.range, `bytes=${kept}-`);
  });

  test('an already-aborted signal rejects before any request', async () => {
    const root = tmpRoot();
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(dl(model(`${srv.url}/files/`), { modelsRoot: root, signal: controller.signal }), CancelledError);
    assert.equal(srv.log.length, 0);
  });

  test('redirects (absolute then relative) are followed, Range kept across hops', async () => {
    const root = tmpRoot();
    await dl(model(`${srv.url}/hop1/`), { modelsRoot: root });
    assertInstalled(root);
    assert.ok(srv.log.some((l) => l.path.startsWith('/hop1/')));
    assert.ok(srv.log.some((l) => l.path.startsWith('/redirect/')));
    // Resume through redirects.
    const root2 = tmpRoot();
    srv.behaviour.drops.set('onnx/encoder_model.onnx', 1);
    srv.behaviour.dropAfter = 50_000;
    srv.log.length = 0;
    await dl(model(`${srv.url}/hop1/`, { name: 'base' }), { modelsRoot: root2, retryDelayMs: 5 });
    assertInstalled(root2, 'base');
    const final = srv.log.filter((l) => l.path === '/files/onnx/encoder_model.onnx').map((l) => l.range);
    assert.deepEqual(final, [undefined, 'bytes=50000-']);
  });

  test('too many redirects is an error', async () => {
    const root = tmpRoot();
    await assert.rejects(dl(model(`${srv.url}/hop1/`), { modelsRoot: root, maxRedirects: 1 }), /Too many redirects/);
  });

  test('an existing incomplete final folder is reported, not overwritten', async () => {
    const root = tmpRoot();
    fs.mkdirSync(path.join(root, 'tiny'), { recursive: true });
    fs.writeFileSync(path.join(root, 'tiny', 'config.json'), '{}');
    await assert.rejects(dl(model(`${srv.url}/files/`), { modelsRoot: root }), /exists but is not a complete "tiny" model/);
    assert.equal(srv.log.length, 0);
  });

  test('a live lock holder blocks a second downloader; a stale lock is taken over', async () => {
    const root = tmpRoot();
    const dir = partialDirFor(root, 'tiny');
    fs.mkdirSync(dir, { recursive: true });
    const { spawn } = await import('child_process');
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      fs.writeFileSync(path.join(dir, '.download.lock'), String(holder.pid));
      await assert.rejects(
        dl(model(`${srv.url}/files/`), { modelsRoot: root }),
        new RegExp(`already being downloaded by another process \\(pid ${holder.pid}\\)`),
      );
      assert.equal(srv.log.length, 0);
    } finally {
      holder.kill();
    }
    await new Promise((r) => holder.once('exit', r));
    await dl(model(`${srv.url}/files/`), { modelsRoot: root });
    assertInstalled(root);
    assert.equal(fs.existsSync(path.join(root, 'tiny', '.download.lock')), false, 'lock not published with the model');
  });

  test('two downloads of one model in one process: the second is refused, the first completes', async () => {
    const root = tmpRoot();
    srv.behaviour.slowMs = 5;
    const first = dl(model(`${srv.url}/files/`), { modelsRoot: root });
    await new Promise((r) => setTimeout(r, 20));
    await assert.rejects(dl(model(`${srv.url}/files/`), { modelsRoot: root }), /already being downloaded\./);
    await first;
    assertInstalled(root);
  });

  test("int8 and q4 are made here from the float graphs; the hub's own quantized graphs are never fetched", async () => {
    const root = tmpRoot();
    // A quantizer stand-in that writes the precision's graphs from the float ones (the real one: test/unit/quantize-*.test.ts
    // and the engine's hub test), so this test sees the downloader's order of work and its folders.
    const calls: { dir: string; precision: string }[] = [];
    const quantize: Quantize = async (dir, precision, o) => {
      calls.push({ dir, precision });
      for (const g of ['encoder_model', 'decoder_model_merged']) {
        const float = fs.readFileSync(path.join(dir, 'onnx', `${g}.onnx`));
        o?.onProgress?.({ step: g, done: float.length, total: float.length });
        fs.writeFileSync(path.join(dir, 'onnx', `${g}_${precision}.onnx`), float.subarray(0, float.length >> 2));
      }
      return { written: [`onnx/encoder_model_${precision}.onnx`, `onnx/decoder_model_merged_${precision}.onnx`], seconds: 0.01 };
    };
    FILES['onnx/encoder_model_int8.onnx'] = bytes(10_000, 31);
    try {
      const m = model(`${srv.url}/files/`);
      for (const f of m.files) f.precision = f.path.endsWith('_int8.onnx') ? 'int8' : f.path.startsWith('onnx/') ? 'fp32' : undefined;
      const events: DownloadProgress[] = [];
      const r = await dl(m, { modelsRoot: root, precision: 'int8', quantize, onProgress: (p) => events.push(p), progressIntervalMs: 0 });
      const dir = path.join(root, 'tiny');
      assert.deepEqual(calls, [{ dir: partialDirFor(root, 'tiny'), precision: 'int8' }], 'made in the partial folder, before it is published');
      assert.ok(!srv.log.some((l) => l.path.endsWith('_int8.onnx')), "the hub's int8 graph is not fetched");
      assert.ok(fs.readFileSync(path.join(dir, 'onnx', 'encoder_model_int8.onnx')).equals(FILES['onnx/encoder_model.onnx'].subarray(0, 75_000)));
      assert.equal(fs.existsSync(path.join(dir, 'onnx', 'encoder_model.onnx')), false, 'the float graphs are deleted once used');
      assert.ok(r.quantizeSeconds > 0);
      assert.deepEqual([...new Set(events.map((e) => e.phase))], ['download', 'quantize']);
      assert.equal(isModelInstalled(m, root, 'int8'), true);
      assert.equal(isModelInstalled(m, root, 'q4'), false);
      assert.equal((await dl(m, { modelsRoot: root, precision: 'int8', quantize })).alreadyInstalled, true);

      // q4 beside the installed int8: the float graphs come again (not kept), q4 is moved in, int8 stays.
      srv.log.length = 0;
      await dl(m, { modelsRoot: root, precision: 'q4', quantize });
      assert.deepEqual(
        srv.log
          .filter((l) => l.path.startsWith('/files/onnx/'))
          .map((l) => l.path)
          .sort(),
        ['/files/onnx/decoder_model_merged.onnx', '/files/onnx/encoder_model.onnx'],
      );
      assert.ok(isModelInstalled(m, root, 'q4') && isModelInstalled(m, root, 'int8'));
      assert.equal(fs.existsSync(partialDirFor(root, 'tiny')), false);

      // --keep-float: the float graphs stay, and the next precision is made from them with no request.
      const root2 = tmpRoot();
      await dl(m, { modelsRoot: root2, precision: 'int8', quantize, keepFloat: true });
      assert.equal(isModelInstalled(m, root2, 'fp32'), true);
      srv.log.length = 0;
      const q4 = await dl(m, { modelsRoot: root2, precision: 'q4', quantize });
      assert.equal(q4.received, 0);
      assert.equal(srv.log.filter((l) => l.path.startsWith('/files/')).length, 0);
      assert.equal(isModelInstalled(m, root2, 'q4'), true);
    } finally {
      delete FILES['onnx/encoder_model_int8.onnx'];
    }
  });

  test('cancelled while the graphs are made: the downloaded files are kept and the next call only makes them', async () => {
    const root = tmpRoot();
    const controller = new AbortController();
    const failing: Quantize = async () => {
      controller.abort();
      throw new CancelledError('cancelled');
    };
    const m = model(`${srv.url}/files/`);
    await assert.rejects(
      dl(m, { modelsRoot: root, precision: 'int8', quantize: failing, signal: controller.signal }),
      (err: unknown) => err instanceof CancelledError && /kept/.test(err.message),
    );
    assert.equal(fs.existsSync(path.join(root, 'tiny')), false);
    assert.ok(fs.existsSync(path.join(partialDirFor(root, 'tiny'), 'onnx', 'decoder_model_merged.onnx')));
    srv.log.length = 0;
    let made = 0;
    await dl(m, {
      modelsRoot: root,
      precision: 'int8',
      quantize: async (dir, precision) => {
        made++;
        for (const g of ['encoder_model', 'decoder_model_merged']) fs.writeFileSync(path.join(dir, 'onnx', `${g}_${precision}.onnx`), 'x');
        return { written: [], seconds: 0 };
      },
    });
    assert.equal(made, 1);
    assert.equal(srv.log.filter((l) => l.path.startsWith('/files/')).length, 0, 'nothing fetched again');
    assert.equal(isModelInstalled(m, root, 'int8'), true);
  });

  test('a proxy from the environment (HTTP_PROXY, with credentials) tunnels https (CONNECT); NO_PROXY bypasses it', async () => {
    const seen: string[] = [];
    const { server: proxy, port } = await connectProxy((req) => {
      seen.push(`${req.method} ${req.url} ${req.headers['proxy-authorization'] ?? ''}`);
      return true;
    });
    const proxyUrl = `http://user:p%40ss@127.0.0.1:${port}`;
    try {
      const root = tmpRoot();
      await dl(model(`${srv.url}/files/`), { modelsRoot: root, env: { HTTP_PROXY: proxyUrl } });
      assertInstalled(root);
      assert.equal(seen.length, Object.keys(FILES).length);
      assert.equal(seen[0], `CONNECT ${new URL(srv.url).host} Basic ${Buffer.from('user:p@ss').toString('base64')}`);
      // NO_PROXY bypasses it.
      seen.length = 0;
      await dl(model(`${srv.url}/files/`), { modelsRoot: tmpRoot(), env: { HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' } });
      assert.equal(seen.length, 0);
    } finally {
      proxy.closeAllConnections();
      proxy.close();
    }
  });
});

describe('HTTPS through a CONNECT proxy', () => {
  let cert: { key: string; cert: string } | undefined;
  before(() => {
    const dir = tmpDir('tls');
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          path.join(dir, 'k.pem'),
          '-out',
          path.join(dir, 'c.pem'),
        ],
        { stdio: 'ignore' },
      );
      cert = { key: fs.readFileSync(path.join(dir, 'k.pem'), 'utf8'), cert: fs.readFileSync(path.join(dir, 'c.pem'), 'utf8') };
    } catch {
      cert = undefined;
    }
  });

  test('tunnels, honours strictSSL, and reports a 407', async (t) => {
    if (!cert) return t.skip('openssl not available');
    const target = https.createServer(cert, (req, res) => {
      const rel = decodeURIComponent(new URL(req.url!, 'https://x').pathname.replace(/^\/files\//, ''));
      const body = FILES[rel];
      if (!body) {
        res.writeHead(404);
        return res.end();
      }
      res.writeHead(200, { 'Content-Length': body.length });
      res.end(body);
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
    const connects: string[] = [];
    let requireAuth = false;
    const { server: proxy, port } = await connectProxy((req) => {
      connects.push(req.url!);
      return !requireAuth || !!req.headers['proxy-authorization'];
    });
    const targetUrl = `https://127.0.0.1:${(target.address() as AddressInfo).port}/files/`;
    const proxyUrl = `http://127.0.0.1:${port}`;
    try {
      const root = tmpRoot();
      await downloadModel(model(targetUrl), { modelsRoot: root, proxy: proxyUrl, strictSSL: false, env: {} });
      assertInstalled(root);
      assert.equal(connects.length, Object.keys(FILES).length);
      assert.equal(connects[0], `127.0.0.1:${(target.address() as AddressInfo).port}`);
      // Self-signed certificate with strictSSL (default): refused.
      await assert.rejects(downloadModel(model(targetUrl), { modelsRoot: tmpRoot(), proxy: proxyUrl, env: {}, retries: 0 }), /certificate/i);
      requireAuth = true;
      await assert.rejects(
        downloadModel(model(targetUrl), { modelsRoot: tmpRoot(), proxy: proxyUrl, strictSSL: false, env: {} }),
        /HTTP 407 \(proxy authentication required/,
      );
    } finally {
      proxy.closeAllConnections();
      proxy.close();
      target.closeAllConnections();
      target.close();
    }
  });
});

describe('proxyFor', () => {
  const u = new URL('https://huggingface.co/x');
  test('explicit setting wins over env', () => {
    assert.equal(proxyFor(u, 'http://p:3128', { HTTPS_PROXY: 'http://q:1' })?.host, 'p:3128');
  });
  test('https uses HTTPS_PROXY then HTTP_PROXY; scheme-less values get http://', () => {
    assert.equal(proxyFor(u, undefined, { HTTPS_PROXY: 'q:8080' })?.href, 'http://q:8080/');
    assert.equal(proxyFor(u, undefined, { http_proxy: 'http://r:1' })?.host, 'r:1');
    assert.equal(proxyFor(new URL('http://a/'), undefined, { HTTPS_PROXY: 'http://q:1' }), undefined);
  });
  test('NO_PROXY: suffixes, leading dots, ports, *', () => {
    assert.equal(proxyFor(u, 'http://p:1', { NO_PROXY: '.huggingface.co' }), undefined);
    assert.equal(proxyFor(u, 'http://p:1', { no_proxy: 'huggingface.co:443' }), undefined);
    assert.ok(proxyFor(u, 'http://p:1', { NO_PROXY: 'huggingface.co:80' }));
    assert.equal(proxyFor(u, 'http://p:1', { NO_PROXY: '*' }), undefined);
    assert.ok(proxyFor(u, 'http://p:1', { NO_PROXY: 'face.co' }));
  });
});
