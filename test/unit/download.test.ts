// Model downloader against a local HTTP server on 127.0.0.1: full download, resume after a dropped
// connection, servers that ignore Range, 404, checksum mismatch, cancellation, redirects, proxies.
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
import { downloadModel, isModelInstalled, partialDirFor, type DownloadProgress } from '../../src/models/download';
import { proxyFor } from '../../src/models/http';
import type { CatalogModel } from '../../src/models/catalog';
import { CancelledError, TranscrevError } from '../../src/errors';
import { tmpDir } from '../fixtures/tmp';

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
  'tokenizer.json': bytes(50_000, 7),
  'onnx/encoder_model_int8.onnx': bytes(300_000, 11),
  'onnx/decoder_model_merged_int8.onnx': bytes(200_000, 13),
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
}

interface Server {
  url: string;
  server: http.Server;
  log: { path: string; range?: string }[];
  behaviour: ServerBehaviour;
}

function startServer(): Promise<Server> {
  const behaviour: ServerBehaviour = { ignoreRange: false, drops: new Map(), dropAfter: 0, slowMs: 0, corrupt: new Set(), stalls: new Map() };
  const log: Server['log'] = [];
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    log.push({ path: url.pathname, range: req.headers.range });
    if (url.pathname.startsWith('/redirect/')) {
      res.writeHead(302, { Location: `/files/${url.pathname.slice('/redirect/'.length)}` });
      return res.end();
    }
    if (url.pathname.startsWith('/hop1/')) {
      // Absolute redirect, then a relative one (HF → CDN style chains).
      res.writeHead(307, { Location: `http://127.0.0.1:${(server.address() as AddressInfo).port}/redirect/${url.pathname.slice(6)}` });
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
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range && !behaviour.ignoreRange) {
      start = Number(range[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'Content-Range': `bytes */${body.length}` });
        return res.end();
      }
      res.writeHead(206, { 'Content-Length': body.length - start, 'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}` });
    } else {
      res.writeHead(200, { 'Content-Length': body.length });
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
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, log, behaviour })),
  );
}

function model(baseUrl: string, opts: { withSha?: boolean; withSize?: boolean; name?: string } = {}): CatalogModel {
  return {
    name: opts.name ?? 'tiny',
    baseUrl,
    files: Object.entries(FILES).map(([p, b]) => ({
      path: p,
      size: opts.withSize === false ? null : b.length,
      sha256: opts.withSha === false ? null : sha(b),
    })),
  };
}

function tmpRoot(): string {
  return tmpDir('dl');
}

function assertInstalled(root: string, name = 'tiny') {
  for (const [p, b] of Object.entries(FILES)) {
    assert.ok(fs.readFileSync(path.join(root, name, p)).equals(b), `${p} content`);
  }
  assert.equal(fs.existsSync(partialDirFor(root, name)), false, 'partial folder removed');
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
  });

  test('full download verifies sha256, reports progress and publishes the folder', async () => {
    const root = tmpRoot();
    const events: DownloadProgress[] = [];
    const result = await downloadModel(model(`${srv.url}/files/`), { modelsRoot: root, onProgress: (p) => events.push(p), progressIntervalMs: 0 });
    assert.equal(result.dir, path.join(root, 'tiny'));
    assert.equal(result.alreadyInstalled, false);
    const total = Object.values(FILES).reduce((s, b) => s + b.length, 0);
    assert.equal(result.received, total);
    assertInstalled(root);
    const last = events[events.length - 1];
    assert.equal(last.bytes, total);
    assert.equal(last.total, total);
    assert.equal(last.fileIndex, 3);
    assert.equal(last.fileCount, 4);
    // Monotonic overall progress.
    for (let i = 1; i < events.length; i++) assert.ok(events[i].bytes >= events[i - 1].bytes);
    assert.ok(isModelInstalled(model(`${srv.url}/files/`), root));
    // A second call is a no-op.
    const again = await downloadModel(model(`${srv.url}/files/`), { modelsRoot: root });
    assert.equal(again.alreadyInstalled, true);
    assert.equal(again.received, 0);
  });

  test('sizes unknown and no sha: totals learned from Content-Length', async () => {
    const root = tmpRoot();
    let last: DownloadProgress | undefined;
    await downloadModel(model(`${srv.url}/files/`, { withSha: false, withSize: false }), { modelsRoot: root, onProgress: (p) => (last = p) });
    assertInstalled(root);
    assert.equal(
      last?.total,
      Object.values(FILES).reduce((s, b) => s + b.length, 0),
    );
  });

  test('interrupted download: no final folder, .part kept, next call resumes with Range', async () => {
    const root = tmpRoot();
    srv.behaviour.drops.set('onnx/encoder_model_int8.onnx', 1);
    srv.behaviour.dropAfter = 100_000;
    await assert.rejects(
      downloadModel(model(`${srv.url}/files/`), { modelsRoot: root, retries: 0 }),
      (err: unknown) => err instanceof TranscrevError && err.kind === 'model' && /resume/.test(err.message),
    );
    assert.equal(fs.existsSync(path.join(root, 'tiny')), false, 'final folder must not exist');
    const part = path.join(partialDirFor(root, 'tiny'), 'onnx', 'encoder_model_int8.onnx.part');
    assert.equal(fs.statSync(part).size, 100_000);
    // Files finished before the drop are kept whole.
    assert.ok(fs.existsSync(path.join(partialDirFor(root, 'tiny'), 'tokenizer.json')));

    srv.log.length = 0;
    const result = await downloadModel(model(`${srv.url}/files/`), { modelsRoot: root });
    assertInstalled(root);
    const enc = srv.log.find((l) => l.path.endsWith('encoder_model_int8.onnx'));
    assert.equal(enc?.range, 'bytes=100000-');
    assert.ok(!srv.log.some((l) => l.path.endsWith('tokenizer.json')), 'completed files are not fetched again');
    assert.equal(result.received, 200_000 + FILES['onnx/decoder_model_merged_int8.onnx'].length);
  });

  test('a dropped connection is resumed automatically within one call', async () => {
    const root = tmpRoot();
    srv.behaviour.drops.set('onnx/decoder_model_merged_int8.onnx', 2);
    srv.behaviour.dropAfter = 70_000;
    const lines: string[] = [];
    await downloadModel(model(`${srv.url}/files/`), { modelsRoot: root, retries: 3, retryDelayMs: 10, log: (l) => lines.push(l) });
    assertInstalled(root);
    const ranges = srv.log.filter((l) => l.path.endsWith('decoder_model_merged_int8.onnx')).map((l) => l.range);
    assert.deepEqual(ranges, [undefined, 'bytes=70000-', 'bytes=140000-']);
    assert.ok(lines.some((l) => /resuming/.test(l)));
  });

  test('a stalled connection hits the idle timeout and is resumed', async () => {
    const root = tmpRoot();
    srv.behaviour.stalls.set('tokenizer.json', 1);
    srv.behaviour.dropAfter = 20_000;
    const lines: string[] = [];
    const t0 = Date.now();
    await downloadModel(model(`${srv.url}/files/`), { modelsRoot: root, idleTimeoutMs: 300, retryDelayMs: 10, log: (l) => lines.push(l) });
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
    srv.behaviour.drops.set('onnx/encoder_model_int8.onnx', 1);
    srv.behaviour.dropAfter = 120_000;
    await assert.rejects(downloadModel(model(`${srv.url}/files/`), { modelsRoot: root, retries: 0 }));
    srv.behaviour.ignoreRange = true;
    srv.log.length = 0;
    const result = await downloadModel(model(`${srv.url}/files/`), { modelsRoot: root });
    assertInstalled(root);
    assert.equal(srv.log.find((l) => l.path.endsWith('encoder_model_int8.onnx'))?.range, 'bytes=120000-');
    assert.equal(result.received, 300_000 + 200_000, 'whole encoder fetched again, plus the decoder');
  });

  test('a .part that already holds the whole file is not fetched again (416 or size match)', async () => {
    const root = tmpRoot();
    const dir = partialDirFor(root, 'tiny');
    fs.mkdirSync(path.join(dir, 'onnx'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'onnx', 'encoder_model_int8.onnx.part'), FILES['onnx/encoder_model_int8.onnx']);
    // Without catalogue sizes the server's 416 tells the file is complete.
    await downloadModel(model(`${srv.url}/files/`, { withSize: false }), { modelsRoot: root });
    assertInstalled(root);
    assert.equal(srv.log.find((l) => l.path.endsWith('encoder_model_int8.onnx'))?.range, `bytes=${300_000}-`);
  });

  test('404: clear error naming the file and the status, no final folder', async () => {
    const root = tmpRoot();
    const m = model(`${srv.url}/files/`);
    m.files.push({ path: 'onnx/missing.onnx', size: null, sha256: null });
    await assert.rejects(downloadModel(m, { modelsRoot: root }), (err: unknown) => {
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
    await assert.rejects(downloadModel(model(`${srv.url}/files/`), { modelsRoot: root }), (err: unknown) => {
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
    await downloadModel(model(`${srv.url}/files/`), { modelsRoot: root });
    assertInstalled(root);
  });

  test('cancellation: CancelledError, partial data kept, resume afterwards', async () => {
    const root = tmpRoot();
    srv.behaviour.slowMs = 15;
    const controller = new AbortController();
    const started = downloadModel(model(`${srv.url}/files/`), {
      modelsRoot: root,
      signal: controller.signal,
      progressIntervalMs: 0,
      onProgress: (p) => {
        if (p.file === 'onnx/encoder_model_int8.onnx' && p.fileBytes >= 60_000) controller.abort();
      },
    });
    await assert.rejects(started, (err: unknown) => err instanceof CancelledError && /resume/.test(err.message));
    assert.equal(fs.existsSync(path.join(root, 'tiny')), false);
    const part = path.join(partialDirFor(root, 'tiny'), 'onnx', 'encoder_model_int8.onnx.part');
    const kept = fs.statSync(part).size;
    assert.ok(kept > 0 && kept < 300_000, `kept ${kept}`);
    srv.behaviour.slowMs = 0;
    srv.log.length = 0;
    await downloadModel(model(`${srv.url}/files/`), { modelsRoot: root });
    assertInstalled(root);
    assert.equal(srv.log.find((l) => l.path.endsWith('encoder_model_int8.onnx'))?.range, `bytes=${kept}-`);
  });

  test('an already-aborted signal rejects before any request', async () => {
    const root = tmpRoot();
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(downloadModel(model(`${srv.url}/files/`), { modelsRoot: root, signal: controller.signal }), CancelledError);
    assert.equal(srv.log.length, 0);
  });

  test('redirects (absolute then relative) are followed, Range kept across hops', async () => {
    const root = tmpRoot();
    await downloadModel(model(`${srv.url}/hop1/`), { modelsRoot: root });
    assertInstalled(root);
    assert.ok(srv.log.some((l) => l.path.startsWith('/hop1/')));
    assert.ok(srv.log.some((l) => l.path.startsWith('/redirect/')));
    // Resume through redirects.
    const root2 = tmpRoot();
    srv.behaviour.drops.set('onnx/encoder_model_int8.onnx', 1);
    srv.behaviour.dropAfter = 50_000;
    srv.log.length = 0;
    await downloadModel(model(`${srv.url}/hop1/`, { name: 'base' }), { modelsRoot: root2, retryDelayMs: 5 });
    assertInstalled(root2, 'base');
    const final = srv.log.filter((l) => l.path === '/files/onnx/encoder_model_int8.onnx').map((l) => l.range);
    assert.deepEqual(final, [undefined, 'bytes=50000-']);
  });

  test('too many redirects is an error', async () => {
    const root = tmpRoot();
    await assert.rejects(downloadModel(model(`${srv.url}/hop1/`), { modelsRoot: root, maxRedirects: 1 }), /Too many redirects/);
  });

  test('an existing incomplete final folder is reported, not overwritten', async () => {
    const root = tmpRoot();
    fs.mkdirSync(path.join(root, 'tiny'), { recursive: true });
    fs.writeFileSync(path.join(root, 'tiny', 'config.json'), '{}');
    await assert.rejects(downloadModel(model(`${srv.url}/files/`), { modelsRoot: root }), /exists but is not a complete "tiny" model/);
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
        downloadModel(model(`${srv.url}/files/`), { modelsRoot: root }),
        new RegExp(`already being downloaded by another process \\(pid ${holder.pid}\\)`),
      );
      assert.equal(srv.log.length, 0);
    } finally {
      holder.kill();
    }
    await new Promise((r) => holder.once('exit', r));
    await downloadModel(model(`${srv.url}/files/`), { modelsRoot: root });
    assertInstalled(root);
    assert.equal(fs.existsSync(path.join(root, 'tiny', '.download.lock')), false, 'lock not published with the model');
  });

  test('two downloads of one model in one process: the second is refused, the first completes', async () => {
    const root = tmpRoot();
    srv.behaviour.slowMs = 5;
    const first = downloadModel(model(`${srv.url}/files/`), { modelsRoot: root });
    await new Promise((r) => setTimeout(r, 20));
    await assert.rejects(downloadModel(model(`${srv.url}/files/`), { modelsRoot: root }), /already being downloaded\./);
    await first;
    assertInstalled(root);
  });

  test('precision: int8 fetches only the int8 graphs; fp32 is added later into the installed folder', async () => {
    const root = tmpRoot();
    FILES['onnx/encoder_model.onnx'] = bytes(40_000, 17);
    FILES['onnx/decoder_model_merged.onnx'] = bytes(30_000, 19);
    try {
      const m = model(`${srv.url}/files/`);
      assert.deepEqual(
        m.files.map((f) => f.precision),
        [undefined, undefined, undefined, undefined, undefined, undefined],
      );
      for (const f of m.files) f.precision = f.path.endsWith('_int8.onnx') ? 'int8' : f.path.startsWith('onnx/') ? 'fp32' : undefined;
      await downloadModel(m, { modelsRoot: root, precision: 'int8' });
      const dir = path.join(root, 'tiny');
      assert.ok(fs.existsSync(path.join(dir, 'onnx', 'encoder_model_int8.onnx')));
      assert.equal(fs.existsSync(path.join(dir, 'onnx', 'encoder_model.onnx')), false);
      assert.ok(!srv.log.some((l) => /encoder_model\.onnx$/.test(l.path)));
      assert.equal(isModelInstalled(m, root, 'int8'), true);
      assert.equal(isModelInstalled(m, root, 'fp32'), false);
      srv.log.length = 0;
      const r = await downloadModel(m, { modelsRoot: root, precision: 'fp32' });
      assert.equal(r.received, 70_000);
      assert.deepEqual(srv.log.map((l) => l.path).sort(), ['/files/onnx/decoder_model_merged.onnx', '/files/onnx/encoder_model.onnx']);
      assert.ok(fs.readFileSync(path.join(dir, 'onnx', 'encoder_model.onnx')).equals(FILES['onnx/encoder_model.onnx']));
      assert.equal(isModelInstalled(m, root, 'fp32'), true);
      assert.equal(fs.existsSync(partialDirFor(root, 'tiny')), false);
      assert.equal((await downloadModel(m, { modelsRoot: root })).alreadyInstalled, true);
    } finally {
      delete FILES['onnx/encoder_model.onnx'];
      delete FILES['onnx/decoder_model_merged.onnx'];
    }
  });

  test('HTTP proxy (absolute-form) from the environment, with NO_PROXY bypass', async () => {
    const seen: string[] = [];
    const proxy = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers['proxy-authorization'] ?? ''}`);
      const target = new URL(req.url!);
      const up = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (r) => {
        res.writeHead(r.statusCode!, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    const proxyUrl = `http://user:p%40ss@127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const root = tmpRoot();
      await downloadModel(model(`${srv.url}/files/`), { modelsRoot: root, env: { HTTP_PROXY: proxyUrl } });
      assertInstalled(root);
      assert.equal(seen.length, 4);
      assert.match(seen[0], new RegExp(`^GET ${srv.url}/files/config.json Basic ${Buffer.from('user:p@ss').toString('base64')}$`));
      // NO_PROXY bypasses it.
      seen.length = 0;
      await downloadModel(model(`${srv.url}/files/`), { modelsRoot: tmpRoot(), env: { HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' } });
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
    const proxy = http.createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req, socket: net.Socket, head) => {
      connects.push(req.url!);
      if (requireAuth && !req.headers['proxy-authorization']) {
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
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    const targetUrl = `https://127.0.0.1:${(target.address() as AddressInfo).port}/files/`;
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const root = tmpRoot();
      await downloadModel(model(targetUrl), { modelsRoot: root, proxy: proxyUrl, strictSSL: false, env: {} });
      assertInstalled(root);
      assert.equal(connects.length, 4);
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
