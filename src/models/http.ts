// HTTP(S) GET for the model downloader: redirects (Hugging Face → CDN) and HTTP/HTTPS proxies (a CONNECT tunnel
// for https targets) from an explicit setting or the environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY). Node's
// http/https only: no dependency.
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as tls from 'tls';
import { TranscrevError } from '../errors';

export interface HttpOptions {
  signal?: AbortSignal;
  /** Explicit proxy URL (VS Code's http.proxy); otherwise HTTPS_PROXY / HTTP_PROXY from `env`. */
  proxy?: string;
  /**
   * VS Code's http.proxyStrictSSL: false lets a proxy that intercepts TLS (a corporate one) present its own
   * certificate. It is a proxy setting, so it applies only to connections through a proxy; a direct connection
   * always verifies the server's certificate. Default true.
   */
  strictSSL?: boolean;
  /** Certificates to trust besides the system's (PEM): a local hub in the tests, an internal mirror. */
  ca?: string;
  /** Environment consulted for proxies (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Abort a request after this long without data. Default 30 s. */
  idleTimeoutMs?: number;
  maxRedirects?: number;
}

/** A failure worth retrying (dropped connection, 5xx): the download resumes where it stopped. */
export class RetryableError extends Error {}

/** The error a cancelled request rejects with; the caller says what it means for its files. */
export type Cancelled = () => Error;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export async function get(url: string, headers: http.OutgoingHttpHeaders, options: HttpOptions, cancelled: Cancelled): Promise<http.IncomingMessage> {
  let current = new URL(url);
  const max = options.maxRedirects ?? 10;
  for (let hop = 0; ; hop++) {
    const res = await request(current, headers, options, cancelled);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (!REDIRECTS.has(status) || !location) return res;
    res.resume();
    if (hop >= max) throw new TranscrevError('model', `Too many redirects (${max}) downloading ${url}`);
    const next = new URL(location, current);
    // A redirect may change host (hub → CDN), never drop encryption: an http hop would let anyone on the path
    // replace the file (the checksum would catch it, but not before the bytes were fetched) or read the request.
    if (next.protocol !== 'https:' && !(next.protocol === 'http:' && current.protocol === 'http:')) {
      throw new TranscrevError('model', `Refusing redirect from ${current.protocol} to ${next.protocol} (${next.host}) while downloading ${url}`);
    }
    current = next;
  }
}

/** The proxy URL to use for `target`, or undefined for a direct connection. */
export function proxyFor(target: URL, explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): URL | undefined {
  const noProxy = env.NO_PROXY ?? env.no_proxy ?? '';
  if (bypassProxy(target, noProxy)) return undefined;
  const raw =
    (explicit && explicit.trim()) ||
    (target.protocol === 'https:' ? env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy : env.HTTP_PROXY || env.http_proxy);
  if (!raw) return undefined;
  try {
    return new URL(/^[a-z]+:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    throw new TranscrevError('usage', `Invalid proxy URL "${raw}"`);
  }
}

function bypassProxy(target: URL, noProxy: string): boolean {
  const host = target.hostname.toLowerCase();
  for (const entry of noProxy.split(/[,\s]+/).filter(Boolean)) {
    if (entry === '*') return true;
    const [name, port] = entry.toLowerCase().split(':');
    if (port && port !== (target.port || (target.protocol === 'https:' ? '443' : '80'))) continue;
    const bare = name.replace(/^\*?\./, '');
    if (host === bare || host.endsWith(`.${bare}`)) return true;
  }
  return false;
}

function proxyAuth(proxy: URL): http.OutgoingHttpHeaders {
  if (!proxy.username) return {};
  const creds = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'Proxy-Authorization': `Basic ${Buffer.from(creds).toString('base64')}` };
}

function request(target: URL, headers: http.OutgoingHttpHeaders, options: HttpOptions, cancelled: Cancelled): Promise<http.IncomingMessage> {
  const signal = options.signal;
  const proxy = proxyFor(target, options.proxy, options.env ?? process.env);
  const rejectUnauthorized = proxy ? (options.strictSSL ?? true) : true;
  const extra = options.ca ?? extraCertificates(options.env ?? process.env);
  const ca = extra ? [...tls.rootCertificates, extra] : undefined;
  const secure = target.protocol === 'https:';
  return new Promise((resolve, reject) => {
    let req: http.ClientRequest | undefined;
    const onAbort = () => {
      req?.destroy();
      reject(cancelled());
    };
    if (signal?.aborted) return reject(cancelled());
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => signal?.removeEventListener('abort', onAbort);
    const fail = (err: Error) => {
      done();
      reject(err instanceof TranscrevError || err instanceof RetryableError ? err : new RetryableError(err.message || String(err)));
    };
    const onResponse = (res: http.IncomingMessage) => {
      done();
      resolve(res);
    };
    const timeout = options.idleTimeoutMs ?? 30_000;

    if (!proxy) {
      req = (secure ? https : http).request(target, { headers, rejectUnauthorized, timeout, ...(secure && ca && { ca }) }, onResponse);
    } else if (!secure) {
      // Plain HTTP through a proxy: absolute-form request line.
      const port = Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80);
      req = (proxy.protocol === 'https:' ? https : http).request(
        { host: proxy.hostname, port, path: target.href, headers: { ...headers, Host: target.host, ...proxyAuth(proxy) }, timeout, rejectUnauthorized },
        onResponse,
      );
    } else {
      // HTTPS through a proxy: CONNECT tunnel, then TLS to the target inside it.
      const port = Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80);
      const targetPort = Number(target.port) || 443;
      const connect = (proxy.protocol === 'https:' ? https : http).request({
        host: proxy.hostname,
        port,
        method: 'CONNECT',
        path: `${target.hostname}:${targetPort}`,
        headers: { Host: `${target.hostname}:${targetPort}`, ...proxyAuth(proxy) },
        timeout,
        rejectUnauthorized,
      });
      req = connect;
      connect.on('connect', (res, socket) => {
        if (res.statusCode !== 200) {
          socket.destroy();
          done();
          return reject(
            new TranscrevError(
              'model',
              `Proxy ${proxy.host} refused the tunnel to ${target.host}: HTTP ${res.statusCode}${res.statusCode === 407 ? ' (proxy authentication required: put user:password in the proxy URL)' : ''}`,
            ),
          );
        }
        const inner = https.request(
          target,
          {
            headers,
            timeout,
            // `host` is what the certificate is checked against (without it, "localhost"); SNI takes names only.
            createConnection: () =>
              tls.connect({
                socket,
                host: target.hostname,
                servername: net.isIP(target.hostname) ? undefined : target.hostname,
                rejectUnauthorized,
                ...(ca && { ca }),
              }),
          },
          onResponse,
        );
        req = inner;
        inner.on('error', fail);
        inner.on('timeout', () => inner.destroy(new Error('connection timed out')));
        inner.end();
      });
    }
    req.on('error', fail);
    req.on('timeout', () => req?.destroy(new Error('connection timed out')));
    req.end();
  });
}

/**
 * NODE_EXTRA_CA_CERTS, read here as well: Node reads it only when the process starts, and the extension host
 * was started by VS Code, so a certificate file named later (an internal mirror's CA) would otherwise be ignored.
 */
function extraCertificates(env: NodeJS.ProcessEnv): string | undefined {
  const file = env.NODE_EXTRA_CA_CERTS;
  if (!file) return undefined;
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
