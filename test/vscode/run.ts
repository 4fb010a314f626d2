// The extension in a real VS Code, twice. First loaded from this checkout: code-server (a full VS Code server from
// npm, scripts/vscode-setup.sh) runs test/vscode/suite.ts inside its real extension host while headless Debian
// Chromium shows the workbench (playwright-core); the runner watches the suite's phases to look at the UI: the
// status bar while recording, the transcript panel (a webview) where it renames a speaker. Then as a user gets it:
// the packaged .vsix installed, an empty models folder, the first-run download (installed.ts).
// Screenshots go to test-artifacts/vscode/. Prints "vscode: N passed, M failed" and writes test-artifacts/vscode.tap.
//   node --import tsx test/vscode/run.ts
import * as fs from 'fs';
import * as path from 'path';
import { startVirtualMic } from '../fixtures/virtualMic';
import { installedRun } from './installed';
import { actInFrame, frameWith, openWorkbench, type Record, setUpCodeServer } from './workbench';
import { buildSuite, prepareWorkspace } from './workspace';

const ROOT = path.resolve(__dirname, '..', '..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'vscode');

async function main(): Promise<number> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const results: { name: string; ok: boolean; why?: string }[] = [];
  const record: Record = (name, ok, why) => {
    results.push({ name, ok, why });
    console.log(`${ok ? 'ok' : 'not ok'} - ${name}${why ? `: ${why}` : ''}`);
  };
  const codeServer = setUpCodeServer();
  try {
    await developmentRun(codeServer, record);
  } catch (err) {
    record('the development run finished', false, (err as Error).message);
  }
  try {
    await installedRun(codeServer, record, ARTIFACTS);
  } catch (err) {
    record('the installed-.vsix run finished', false, (err as Error).message);
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

/** The extension loaded from this checkout (extensionDevelopmentPath): commands, dictation, meeting, panel. */
async function developmentRun(codeServer: ReturnType<typeof setUpCodeServer>, outer: Record): Promise<void> {
  let failures = 0;
  const record: Record = (name, ok, why) => {
    if (!ok) failures++;
    outer(name, ok, why);
  };
  const suiteDir = buildSuite();
  const { work, ws } = prepareWorkspace();
  const mic = startVirtualMic();
  if (typeof mic === 'string') throw new Error(mic);
  let bench: Awaited<ReturnType<typeof openWorkbench>> | undefined;
  try {
    bench = await openWorkbench({
      codeServer,
      work,
      ws,
      extensionsDir: path.join(work, 'ext'),
      suite: { developmentPath: ROOT, testsPath: path.join(suiteDir, 'index') },
      env: mic.env,
      artifacts: ARTIFACTS,
      logName: 'code-server',
      record,
    });
    const { page, phases } = bench;
    const exitCode = bench.exitCode;
    const seen = new Set<string>();
    const deadline = Date.now() + 14 * 60_000;
    while (exitCode() === undefined && Date.now() < deadline) {
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
        if (phase === 'queue-running' || phase === 'queue-done') {
          const running = phase === 'queue-running';
          // While it runs: the queue's three rows, one running with a progress bar; at the end: the summary.
          const selector = running ? '.queue-item[data-status="running"] progress' : '.queue-summary';
          const found = await frameWith(page, selector, 15_000);
          let ok = !!found;
          let why = found ? '' : `no ${selector} in the panel`;
          if (found) {
            const rows = await found.locator('.queue-item').count();
            const text = running ? '' : await found.locator('.queue-summary').innerText();
            ok = rows === 3 && (running || /3 done, 0 skipped \(transcript exists\), 0 failed/.test(text));
            why = `rows: ${rows}${running ? '' : `, summary: ${text}`}`;
          }
          record(
            running ? 'the panel shows the queue with the running file and its progress' : 'the panel shows the queue finished: 3 done',
            ok,
            ok ? undefined : why,
          );
          await page.screenshot({ path: path.join(ARTIFACTS, `${phase}.png`) });
        }
        if (phase === 'remember-voice') {
          let ok = false;
          let why = 'no "Remember voice…" button for Speaker 1 in the panel';
          const f = await actInFrame(page, 'button[data-remember="SPEAKER_1"]', (frame) =>
            frame.locator('button[data-remember="SPEAKER_1"]').dispatchEvent('click'),
          );
          if (f) {
            const input = page.locator('.quick-input-widget input');
            const shown = await input.waitFor({ timeout: 10_000 }).then(
              () => true,
              () => false,
            );
            why = 'no input box after the click';
            if (shown) {
              await page.screenshot({ path: path.join(ARTIFACTS, 'remember-voice.png') });
              await input.fill('Ana Lima');
              await input.press('Enter');
              const store = path.join(work, 'ud', 'User', 'globalStorage', 'transcrevai.transcrevai', 'voices.json');
              for (let k = 0; k < 40 && !fs.existsSync(store); k++) await new Promise((r) => setTimeout(r, 250));
              const kept = fs.existsSync(store) ? (JSON.parse(fs.readFileSync(store, 'utf8')) as { profiles: { [key: string]: unknown }[] }) : undefined;
              const profile = kept?.profiles.find((p) => p.name === 'Ana Lima');
              // The voice print says which embedder made it (CAM++: the overlap-aware method's).
              ok = !!profile && Object.keys(profile).sort().join(',') === 'created,embedder,embedding,name,source,space' && profile.embedder === 'campplus';
              why = ok ? '' : `voices file: ${kept ? JSON.stringify(kept).slice(0, 200) : 'absent'}`;
            }
          }
          record('"Remember voice…" in the panel keeps a voice print (no audio) under the name typed', ok, ok ? undefined : why);
          fs.writeFileSync(path.join(ws, '.remembered'), ok ? 'yes' : 'no');
        }
        if (phase === 'voice-named') {
          // By now: Transcribe File ×4, dictation, a meeting with its notes and export, Show Transcript, a queue.
          const groups = await page.locator('.editor-group-container').count();
          const empty = await page.locator('.editor-group-container.empty').count();
          record(
            'after Transcribe File, a meeting, Show Transcript and a queue the window holds at most two editor groups, none empty',
            groups <= 2 && empty === 0,
            `groups: ${groups}, empty: ${empty}`,
          );
          await page.screenshot({ path: path.join(ARTIFACTS, 'voice-named.png') });
        }
        if (phase === 'merge-speaker') {
          let ok = false;
          let why = 'no merge menu for Speaker 2 in the panel';
          const f = await actInFrame(page, 'select[data-merge="SPEAKER_2"]', async (frame) => {
            await frame.locator('select[data-merge="SPEAKER_2"]').selectOption('SPEAKER_1');
          });
          if (f) {
            ok = await f
              .locator('input[data-speaker="SPEAKER_2"]')
              .waitFor({ state: 'detached', timeout: 10_000 })
              .then(
                () => true,
                () => false,
              );
            why = ok ? '' : 'Speaker 2 is still listed in the panel after the merge';
          }
          record('merging two speakers in the panel leaves one in it', ok, ok ? undefined : why);
          await page.screenshot({ path: path.join(ARTIFACTS, 'panel-merged.png') });
        }
        if (phase === 'play-stamp' || phase === 'play-lens' || phase === 'play-word') {
          const stampPhase = phase === 'play-stamp';
          const wordPhase = phase === 'play-word';
          let ok = false;
          let why = stampPhase ? 'no second stamp in the panel' : wordPhase ? 'no timed word in the panel' : 'no "▶ play" lens in voices-b.md';
          let at = NaN;
          if (stampPhase || wordPhase) {
            await actInFrame(page, 'audio[src]', async (frame) => {
              // A stamp, or a word in the middle of the second phrase (word timings are on by default).
              const target = stampPhase ? frame.locator('.stamp').nth(1) : frame.locator('.turn').nth(1).locator('.word').nth(2);
              if (!(await target.count())) return;
              at = Number(await target.getAttribute('data-start'));
              // The lens played this stretch already, so the played ranges cannot tell where the word's playback
              // started: the first seek after the click says it.
              if (wordPhase)
                await frame.evaluate(
                  `(() => { const a = document.querySelector('audio'); window.__seekedAt = null; a.addEventListener('seeked', () => { if (window.__seekedAt === null) window.__seekedAt = a.currentTime; }); })()`,
                );
              await target.dispatchEvent('click');
            });
          } else {
            const lens = page.locator('.codelens-decoration a', { hasText: 'play' }).nth(1);
            if (
              await lens.waitFor({ timeout: 20_000 }).then(
                () => true,
                () => false,
              )
            ) {
              const m = /(\d\d):(\d\d):(\d\d)/.exec(await lens.innerText());
              at = m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : NaN;
              await lens.click();
            }
          }
          if (!Number.isNaN(at)) {
            await new Promise((r) => setTimeout(r, 400));
            for (const f of page.frames()) {
              if (
                !(await f
                  .locator('audio')
                  .count()
                  .catch(() => 0))
              )
                continue;
              // Where playback started: the start of the played range that holds the playhead, so a slow machine's
              // delay between the click and this look does not count.
              const s = (await f.evaluate(
                `(() => { const a = document.querySelector('audio'); const c = document.querySelector(${JSON.stringify(wordPhase ? '.word.current' : '.turn.current .stamp')}); let from = a.currentTime; for (let i = 0; i < a.played.length; i++) if (a.played.start(i) <= a.currentTime && a.currentTime <= a.played.end(i)) from = a.played.start(i); if (typeof window.__seekedAt === 'number') from = window.__seekedAt; return { t: a.currentTime, from, paused: a.paused, current: c ? Number(c.dataset.start) : null }; })()`,
              )) as { t: number; from: number; paused: boolean; current: number | null };
              const near = Math.abs(s.from - at) <= 0.5;
              // The stamp's own phrase is the one highlighted (the lens seeks to the whole second before its phrase); a
              // clicked word is highlighted itself, or the word after it once playback has moved on.
              const highlighted = stampPhase
                ? s.current !== null && Math.abs(s.current - at) < 1e-6
                : !wordPhase || (s.current !== null && s.current >= at - 1e-6 && s.current <= s.t + 1e-6);
              ok = near && !s.paused && highlighted;
              why = `asked ${at} s; played from ${s.from.toFixed(2)} s, now at ${s.t.toFixed(2)} s, ${s.paused ? 'paused' : 'playing'}; highlighted phrase from ${s.current}`;
            }
          }
          record(
            stampPhase
              ? 'clicking a stamp in the panel plays the recording from there and highlights that phrase'
              : wordPhase
                ? 'clicking a word in the panel plays the recording from that word (its word timing) and highlights the word being said'
                : '"▶ play" on a stamp of the Markdown opens the panel\'s player at that time',
            ok,
            ok ? undefined : why,
          );
          await page.screenshot({ path: path.join(ARTIFACTS, `${phase}.png`) });
          fs.writeFileSync(path.join(ws, `.played-${phase.slice('play-'.length)}`), ok ? 'yes' : 'no');
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
            // The page may reload under us (the meeting's folder joins the allowed ones): a detached frame is looked for again.
            const turns =
              input && (await input.count().catch(() => 0))
                ? await frame!
                    .locator('.turn')
                    .count()
                    .catch(() => -1)
                : -1;
            if (turns >= 0) {
              const typed = await input!
                .fill('Ana')
                .then(() => input!.press('Enter'))
                .then(
                  () => true,
                  () => false,
                );
              if (!typed) {
                why = 'the panel reloaded while the name was typed';
                continue;
              }
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
    const code = exitCode();
    if (code === undefined) record('the suite finished', false, 'timed out after 14 minutes');
    else if (code !== 0 && !failures) record('the suite finished', false, `exit code ${code}`);
  } finally {
    await bench?.close();
    mic.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
