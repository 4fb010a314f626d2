// EngineClient against the real engine process (dist/engine.js): ready, status, errors across the
// process boundary, cancel, crash while a request is pending, dispose, and no orphan when the parent dies.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { EngineClient, EngineCrashedError } from '../../src/engine/client';
import { CancelledError, TranscrevError } from '../../src/errors';
import type { EngineNotification } from '../../src/protocol/client';
import { alive, ENGINE, hangingFfmpeg, JFK, JFK_TEXT, modelDir, ROOT, tmpDir, waitFor } from './helpers';
import { wordErrorRate } from '../fixtures/whisper/helpers';

const dir = tmpDir('engine-client');
const hang = hangingFfmpeg(dir);

test('start → ready with startupMs; status; dispose leaves no process', async () => {
  const client = await EngineClient.start({ enginePath: ENGINE });
  const pid = client.pid!;
  assert.ok(client.startupMs > 0 && client.startupMs < 10_000, `startupMs ${client.startupMs}`);
  const s = await client.request('status', {});
  assert.equal(s.pid, pid);
  assert.ok(s.coreBudget >= 1);
  assert.deepEqual(s.activeJobs, []);
  assert.ok('path' in s.ffmpeg, JSON.stringify(s.ffmpeg));
  assert.ok(s.rss > 0);
  await client.dispose();
  assert.equal(client.running, false);
  assert.ok(await waitFor(() => !alive(pid), 1000), 'engine exited');
  await assert.rejects(client.request('status', {}), EngineCrashedError);
});

test('errors cross the process boundary typed (bad input, model, usage)', async () => {
  const client = await EngineClient.start({ enginePath: ENGINE });
  try {
    const base = { model: 'base', language: 'en', precision: 'int8' as const };
    await assert.rejects(client.transcribe({ ...base, input: path.join(dir, 'missing.wav') }), (e: unknown) => {
      assert.ok(e instanceof TranscrevError);
      assert.equal(e.kind, 'bad-input');
      assert.match(e.message, /Input file not found/);
      return true;
    });
    await assert.rejects(client.transcribe({ ...base, input: JFK, model: '/nonexistent' }), (e: unknown) => e instanceof TranscrevError && e.kind === 'model');
    await assert.rejects(
      client.transcribe({ ...base, input: JFK, diarize: true, speakers: 0 }),
      (e: unknown) => e instanceof TranscrevError && e.kind === 'usage' && /speakers must be/.test(e.message),
    );
  } finally {
    await client.dispose();
  }
});

test('abort → cancel request, CancelledError, engine keeps serving', async () => {
  const client = await EngineClient.start({ enginePath: ENGINE });
  try {
    const controller = new AbortController();
    const job = client.transcribe({ input: JFK, model: 'base', language: 'en', precision: 'int8', ffmpegPath: hang }, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 500));
    const during = await client.request('status', {});
    assert.equal(during.activeJobs.length, 1);
    controller.abort();
    await assert.rejects(job, CancelledError);
    assert.ok(await waitFor(() => true, 1));
    // the engine winds the job down and is free again
    let after = await client.request('status', {});
    for (let i = 0; i < 20 && after.activeJobs.length; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await client.request('status', {});
    }
    assert.deepEqual(after.activeJobs, []);
  } finally {
    await client.dispose();
  }
});

test('engine killed while a request is pending → EngineCrashedError, onExit reports it', async () => {
  const client = await EngineClient.start({ enginePath: ENGINE });
  const exits: (EngineCrashedError | null)[] = [];
  client.onExit((e) => exits.push(e));
  const job = client.transcribe({ input: JFK, model: 'base', language: 'en', precision: 'int8', ffmpegPath: hang });
  await new Promise((r) => setTimeout(r, 300));
  process.kill(client.pid!, 'SIGKILL');
  await assert.rejects(job, (e: unknown) => {
    assert.ok(e instanceof EngineCrashedError);
    assert.match(e.message, /engine stopped unexpectedly \(signal SIGKILL\) while handling "transcribe"/);
    return true;
  });
  assert.equal(exits.length, 1);
  assert.ok(exits[0] instanceof EngineCrashedError);
  await client.dispose(); // no-op after exit
});

test('a wrong engine path fails start with a crash error', async () => {
  await assert.rejects(EngineClient.start({ enginePath: path.join(dir, 'nope.js'), stdio: ['ignore', 'ignore', 'ignore', 'ipc'] }), EngineCrashedError);
});

test('the engine exits when its parent dies (no orphan)', async () => {
  const parentScript = path.join(dir, 'parent.js');
  fs.writeFileSync(
    parentScript,
    `const { fork } = require('child_process');
     const c = fork(${JSON.stringify(ENGINE)}, [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
     c.on('message', (m) => { if (m.type === 'ready') console.log(c.pid); });
     setInterval(() => {}, 1000);`,
  );
  const parent = spawn(process.execPath, [parentScript], { stdio: ['ignore', 'pipe', 'inherit'] });
  const enginePid = await new Promise<number>((resolve) => parent.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
  assert.ok(alive(enginePid));
  parent.kill('SIGKILL');
  assert.ok(await waitFor(() => !alive(enginePid), 3000), `engine ${enginePid} still alive after its parent was killed`);
});

const base = modelDir('base');
test(
  'transcribe jfk through the engine with progress (real base model)',
  { skip: base ? false : `no base model in ${path.dirname(path.join(ROOT, 'x'))}: ~/.cache/transcrevai/models/base is absent` },
  async () => {
    const client = await EngineClient.start({ enginePath: ENGINE });
    try {
      const components = new Set<string>();
      const notes: EngineNotification[] = [];
      client.onNotification((n) => notes.push(n));
      const t = await client.transcribe({ input: JFK, model: base!, language: 'en', precision: 'int8' }, { onProgress: (p) => components.add(p.component) });
      // INT8: at most one word off (cpu-independence.test.ts holds the bound on other CPUs too).
      assert.ok(wordErrorRate(fs.readFileSync(JFK_TEXT, 'utf8'), t.segments.map((s) => s.text).join(' ')).errors <= 1);
      assert.ok(components.has('decode') && components.has('transcription'), [...components].join(','));
      const s = await client.request('status', {});
      assert.equal(s.loadedModels.length, 1);
      // second job reuses the cached model: load time near zero
      const t2 = await client.transcribe({ input: JFK, model: base!, language: 'en', precision: 'int8' });
      assert.ok(t2.timing.load < Math.max(0.25, t.timing.load / 4), `cached load ${t2.timing.load} vs first ${t.timing.load}`);
    } finally {
      await client.dispose();
    }
  },
);
