// The capture child streams decoded audio into the journal: an hour of audio is 230 MB of float32, yet the
// child's memory stays flat, and the journal holds exactly the samples an in-memory decode gives. A capture
// killed mid-decode leaves no half journal behind (the restarted one writes it whole).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { decodeAudio } from '../../src/audio/decode';
import { Supervisor } from '../../src/engine/supervisor';
import { ffmpeg, JFK, realtimeFfmpeg, ROOT, tmpDir } from './helpers';

const dir = tmpDir('journal');
const HOUR = path.join(dir, 'jfk-1h.wav');
ffmpeg('-stream_loop', '326', '-i', JFK, '-c', 'copy', HOUR); // 327 × 11 s ≈ 60 min, 115 MB of int16

test('an hour of audio: capture RSS stays under 150 MB, the journal equals an in-memory decode byte for byte', async () => {
  const sup = new Supervisor({ distDir: path.join(ROOT, 'dist'), heartbeatMs: 200, env: { TRANSCREVAI_HEARTBEAT_MS: '200' } });
  try {
    const journal = path.join(dir, 'hour.f32');
    const r = await sup.capture.request('decode', { input: HOUR, journal });
    assert.ok(Math.abs(r.duration - 3597) < 5, `duration ${r.duration}`);
    const bytes = fs.statSync(journal).size;
    assert.equal(bytes, r.samples * 4);
    assert.ok(bytes > 220e6, `journal ${bytes} bytes`);
    const peak = sup.status().find((s) => s.kind === 'capture')!.peakRss!;
    console.log(`capture child peak RSS ${(peak / 1e6).toFixed(0)} MB for a ${(bytes / 1e6).toFixed(0)} MB journal`);
    assert.ok(peak > 0 && peak < 150e6, `capture peak RSS ${peak}`);
    assert.equal(fs.existsSync(`${journal}.partial`), false);
    const inMemory = await decodeAudio(HOUR);
    assert.equal(inMemory.samples.length, r.samples);
    const onDisk = fs.readFileSync(journal);
    assert.equal(Buffer.compare(onDisk, Buffer.from(inMemory.samples.buffer, inMemory.samples.byteOffset, inMemory.samples.byteLength)), 0);
  } finally {
    await sup.dispose();
  }
});

test('cancelled decode leaves neither a journal nor a partial file', async () => {
  const sup = new Supervisor({ distDir: path.join(ROOT, 'dist') });
  try {
    const journal = path.join(dir, 'cancelled.f32');
    const ac = new AbortController();
    // Decoded in real time (an hour would take an hour), so the cancel always lands mid-decode: on a loaded
    // machine a full-speed decode of the hour could finish before the progress that triggers the abort arrives.
    const job = sup.capture.request('decode', { input: HOUR, journal, ffmpegPath: realtimeFfmpeg(dir) }, { signal: ac.signal });
    setTimeout(() => ac.abort(), 1500);
    await assert.rejects(job, /Cancelled/);
    const gone = () => !fs.existsSync(journal) && !fs.existsSync(`${journal}.partial`);
    const end = Date.now() + 3000;
    while (!gone() && Date.now() < end) await new Promise((res) => setTimeout(res, 50));
    assert.ok(gone(), 'journal files left behind');
  } finally {
    await sup.dispose();
  }
});
