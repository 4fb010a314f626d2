// The extension as a user gets it (issue 18): the linux-x64 .vsix packaged by scripts/package.mjs and installed into
// code-server with --install-extension, an empty models folder, and a local stand-in for the model hub serving
// `base` as the hub makes it (the replica `npm run models` builds: a plain optimum export and the hub's own quantized
// graphs) at the catalogue's pinned commit (HF_ENDPOINT, NODE_EXTRA_CA_CERTS); the extension fetches the float graphs
// and makes the int8 ones itself. No
// suite runs inside VS Code (it would load a development extension, and VS Code refuses modal dialogs while one
// runs): this runner clicks through the workbench as a user would. The walkthrough's first step picks the
// language; the explorer's "Transcribe File…" on the 2-speaker sample meets the first-run dialog, whose Download
// button fetches the model; the job then finishes by itself. Screenshots walkthrough*.png and first-run-*.png; the
// extension's log must show the installed copy, no degraded-mode warning, the VAD and the neural speaker model.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { hubReplicaDir } from '../fixtures/hubReplica';
import { startLocalHub } from '../fixtures/localHub';
import type { Page } from 'playwright-core';
import { type CodeServer, frameWith, installVsix, openWorkbench, type Record } from './workbench';
import { prepareWorkspace } from './workspace';

const ROOT = path.resolve(__dirname, '..', '..');

export async function installedRun(codeServer: CodeServer, outer: Record, artifacts: string): Promise<void> {
  const record: Record = (name, ok, why) => outer(`installed .vsix: ${name}`, ok, why);

  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'package.mjs'), 'linux-x64'], { cwd: ROOT, stdio: 'pipe' });
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const vsix = path.join(ROOT, 'dist-vsix', `${pkg.name}-${pkg.version}-linux-x64.vsix`);
  const { work, ws, userDataDir } = prepareWorkspace();
  const extensionsDir = path.join(work, 'ext');
  const models = path.join(work, 'models');
  fs.mkdirSync(models);
  fs.writeFileSync(
    path.join(ws, '.vscode', 'settings.json'),
    JSON.stringify({ 'transcrevai.language': 'pt', 'transcrevai.threads': 2, 'transcrevai.diarize': true }, null, 2),
  );
  // The models folder is machine-scoped (a workspace cannot move it): a user setting.
  const userSettings = path.join(userDataDir, 'User', 'settings.json');
  fs.writeFileSync(
    userSettings,
    JSON.stringify({
      ...JSON.parse(fs.readFileSync(userSettings, 'utf8')),
      'transcrevai.modelsPath': models,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
    }),
  );
  const entry = JSON.parse(fs.readFileSync(path.join(ROOT, 'models', 'catalog.json'), 'utf8')).models.base;
  // About 40 MB/s: the download takes a few seconds, long enough to be seen.
  const replica = hubReplicaDir('base');
  if (!replica) throw new Error('the hub replica of base is absent: run "npm run models"');
  const hub = await startLocalHub([{ repo: entry.hf_repo, revision: entry.revision, dir: replica }], { bytesPerSecond: 40e6 });
  let bench: Awaited<ReturnType<typeof openWorkbench>> | undefined;
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(artifacts, `${name}.png`) });
  const visible = (p: Promise<unknown>) =>
    p.then(
      () => true,
      () => false,
    );
  try {
    const installed = installVsix(codeServer, vsix, extensionsDir, userDataDir);
    record('code-server installs the packaged .vsix', /successfully installed/i.test(installed), installed.trim().split('\n').pop());
    bench = await openWorkbench({
      codeServer,
      work,
      ws,
      extensionsDir,
      env: { ...process.env, HF_ENDPOINT: hub.url, NODE_EXTRA_CA_CERTS: hub.caFile, TRANSCREVAI_MODELS: '' },
      artifacts,
      logName: 'installed',
      record,
    });
    const { page } = bench;
    const sample = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'two-speakers.wav' });
    await sample.waitFor({ timeout: 60_000 });

    // The walkthrough, from the command palette; its first step's button picks the language.
    await runCommand(page, 'Welcome: Open Walkthrough...');
    await page.locator('.quick-input-widget input').fill('TranscrevAI');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Get Started with TranscrevAI' }).first().click();
    const walkthrough = page.locator('.gettingStartedContainer');
    const opened = await visible(walkthrough.getByText('Get Started with TranscrevAI').first().waitFor({ timeout: 20_000 }));
    const steps = opened ? await walkthrough.locator('.getting-started-step').count() : 0;
    // The step's page (media/walkthrough/language.md) renders in a webview beside the steps.
    let media = false;
    for (let i = 0; i < 40 && !media; i++) {
      media = !!(await frameWith(page, 'h1:has-text("The language of your recordings")'));
      if (!media) await page.waitForTimeout(250);
    }
    await shot(page, 'walkthrough');
    record(
      'the Get Started walkthrough opens with its five steps and their pages',
      opened && steps === 5 && media,
      `opened: ${opened}, steps: ${steps}, page shown: ${media}`,
    );
    // The step's button opens the language picker (clicked again if the step's page, loading, took the focus).
    const input = page.locator('.quick-input-widget input');
    const first = page.locator('.quick-input-list .monaco-list-row').first();
    let picker = false;
    for (let i = 0; i < 3 && !picker; i++) {
      await walkthrough.getByRole('button', { name: 'Choose Language' }).click();
      picker = await visible(first.waitFor({ timeout: 5000 }));
    }
    const firstLabel = picker ? await first.innerText() : '';
    if (picker) await input.fill('English');
    await shot(page, 'walkthrough-language');
    await page.keyboard.press('Enter');
    const chosen = await until(() => /"transcrevai\.language": "en"/.test(fs.readFileSync(path.join(ws, '.vscode', 'settings.json'), 'utf8')), 10_000);
    record(
      'its first step picks the language by name (Portuguese first)',
      chosen && /Portuguese/.test(firstLabel),
      `first item: ${firstLabel.replace(/\s+/g, ' ')}; set to en: ${chosen}`,
    );
    await runCommand(page, 'View: Close All Editors');

    // First run: Transcribe File from the explorer, with no model anywhere.
    await sample.click({ button: 'right' });
    // A menu item acts on the key or mouse-up it receives while focused: hovered, then Enter (a synthetic click
    // on its label is not always taken).
    await page.locator('.monaco-menu .action-label', { hasText: 'Transcribe File…' }).first().hover();
    await page.keyboard.press('Enter');
    const dialog = page.locator('.monaco-dialog-box');
    const shown = await visible(dialog.waitFor({ timeout: 30_000 }));
    const text = shown ? (await dialog.innerText()).replace(/\s+/g, ' ') : '';
    await shot(page, 'first-run-offer');
    const download = dialog.locator('.monaco-button', { hasText: /^Download \(\d+ MB\)$/ });
    const sized = shown && (await download.count()) === 1;
    record('the first run offers the model with its download size', sized && /needs a Whisper model: "base"/.test(text), text.slice(0, 300));
    if (!sized) return;
    await download.click();
    const progress = await visible(
      page
        .locator('.notification-toast', { hasText: /Downloading Whisper "base": [1-9]\d* %/ })
        .first()
        .waitFor({ timeout: 15_000 }),
    );
    await shot(page, 'first-run-downloading');
    record('the download shows its progress', progress);

    const out = path.join(ws, 'two-speakers.md');
    const done = await until(() => fs.existsSync(out), 180_000);
    const md = done ? fs.readFileSync(out, 'utf8') : '';
    const tab = await visible(page.locator('.tab', { hasText: 'two-speakers.md' }).first().waitFor({ timeout: 15_000 }));
    await page.waitForTimeout(1000);
    await shot(page, 'first-run-transcript');
    const groups = await page.locator('.editor-group-container').count();
    const empty = await page.locator('.editor-group-container.empty').count();
    record('the transcript opens without leaving an empty editor group beside it', groups >= 1 && empty === 0, `groups: ${groups}, empty: ${empty}`);
    const base = path.join(models, 'base');
    const complete = ['config.json', 'tokenizer.json', 'onnx/encoder_model_int8.onnx', 'onnx/decoder_model_merged_int8.onnx'].every((f) =>
      fs.existsSync(path.join(base, f)),
    );
    const partial = fs.readdirSync(models).filter((f) => f !== 'base');
    record(
      'the job continues by itself once the model is in: a transcript with two speakers, opened',
      done && /\*\*Speaker 1\*\*/.test(md) && /\*\*Speaker 2\*\*/.test(md) && tab && complete && !partial.length,
      `written: ${done}, opened: ${tab}, model complete: ${complete}, left over: ${partial.join(', ') || 'nothing'}; ${md.slice(0, 200).replace(/\s+/g, ' ')}`,
    );

    const log = extensionLog(path.join(work, 'ud'));
    fs.writeFileSync(path.join(artifacts, 'installed-extension.log'), log);
    const from = /activated from (\S+)/.exec(log)?.[1] ?? '';
    record('the extension that ran is the installed copy', from.startsWith(extensionsDir + path.sep), `activated from ${from || '?'}`);
    const warnings = log.split('\n').filter((l) => /\[(warning|error)\]/.test(l));
    const vad = /stage vad: kept [\d.]+ s, set aside [\d.]+ s — .*judged silence by Silero VAD/.test(log);
    const speakers = /speakers: 2 by (?!fallback)/.test(log);
    record(
      'the job ran with the VAD and the neural speaker model shipped in the package, without a warning',
      !warnings.length && vad && speakers,
      `warnings: ${warnings.join(' | ') || 'none'}; Silero VAD: ${vad}; 2 neural speakers: ${speakers}`,
    );
    const fetched = hub.requests.filter((r) => r.path.includes('/resolve/')).map((r) => r.path);
    const refused = hub.requests.filter((r) => r.status >= 400);
    const hubQuantized = fetched.filter((p) => /_(int8|q4|quantized)\.onnx/.test(p));
    const made = /base installed in .*, int8 made in [\d.]+ s/.test(log);
    record(
      "the model came from the hub at the pinned commit: its float graphs, the int8 graphs made here, none of the hub's quantized ones",
      fetched.length >= 7 && !refused.length && !hubQuantized.length && made,
      `${fetched.length} files; refused: ${refused.map((r) => r.path).join(', ') || 'none'}; hub's quantized fetched: ${hubQuantized.join(', ') || 'none'}; made here: ${made}`,
    );
  } finally {
    await bench?.close();
    await hub.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** F1, the command's title, Enter: as a user runs a command. */
async function runCommand(page: Page, title: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  // The first key may reach the workbench before it has focus: pressed again until the palette shows.
  for (let i = 0; i < 5 && !(await input.isVisible()); i++) {
    await page.keyboard.press('F1');
    await input.waitFor({ timeout: 3000 }).catch(() => undefined);
  }
  await input.fill(`>${title}`);
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: title.replace(/\.\.\.$/, '') })
    .first()
    .click();
}

async function until(probe: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (probe()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return probe();
}

/** The extension's own log (its LogOutputChannel "TranscrevAI"), from the profile's log folder. */
function extensionLog(userDataDir: string): string {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'TranscrevAI.log') found.push(p);
    }
  };
  if (fs.existsSync(path.join(userDataDir, 'logs'))) walk(path.join(userDataDir, 'logs'));
  return found.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
}
