// Packaging: `node scripts/package.mjs linux-x64` makes a .vsix with @vscode/vsce that carries the built
// entries, the catalogue, the VAD, speaker, speaker-segmentation and CAM++ models with their licences, and only linux-x64's onnxruntime, and
// leaves sources, tests, tools and Whisper models out. Installed as a user gets it (only a Whisper folder in the
// models folder, downloaded and quantized by the package's own CLI), it transcribes with its own VAD and speaker
// models, without a warning, with nothing on PATH (no Python, no system ffmpeg).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'child_process';
import { isBuiltin } from 'module';
import * as fs from 'fs';
import * as path from 'path';
import { modelDir, ROOT, tmpDir } from './helpers';
import { TESTDATA } from '../fixtures/shared';
import { hubReplicaDir } from '../fixtures/hubReplica';
import { startLocalHub } from '../fixtures/localHub';

const base = modelDir('base');
const TWO_SPEAKERS = path.join(TESTDATA, 'diarization', 'pyannote_sample.wav');

test('the linux-x64 .vsix holds the extension and its own native binaries only', { timeout: 180_000 }, async () => {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'package.mjs'), 'linux-x64'], { cwd: ROOT, stdio: 'pipe' });
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const vsix = path.join(ROOT, 'dist-vsix', `${pkg.name}-${pkg.version}-linux-x64.vsix`);
  const files = execFileSync('python3', ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', vsix], { encoding: 'utf8' })
    .trim()
    .split('\n');
  for (const f of [
    'extension/package.json',
    'extension/dist/extension.js',
    'extension/dist/engine.js',
    'extension/dist/worker-capture.js',
    'extension/dist/worker-transcription.js',
    'extension/dist/worker-diarization.js',
    'extension/dist/speech-thread.js',
    'extension/models/catalog.json',
    'extension/LICENSE.txt',
    'extension/models/vad/silero_vad.onnx',
    'extension/models/vad/vad.json',
    'extension/models/vad/LICENSE',
    'extension/models/speaker/model.onnx',
    'extension/models/speaker/frontend.json',
    'extension/models/speaker/LICENSE',
    'extension/models/segmentation/model.onnx',
    'extension/models/segmentation/segmentation.json',
    'extension/models/segmentation/LICENSE',
    'extension/models/speaker-campplus/model.onnx',
    'extension/models/speaker-campplus/frontend.json',
    'extension/models/speaker-campplus/LICENSE',
  ]) {
    assert.ok(files.includes(f), `${f} missing`);
  }
  assert.ok(files.some((f) => f.includes('onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node')));
  assert.ok(
    files.some((f) => f.startsWith('extension/node_modules/node-record-lpcm16/recorders/')),
    'the recorders (loaded by path) are kept',
  );
  const foreign = files.filter((f) => /napi-v6\/(win32|darwin|linux\/arm64)/.test(f));
  assert.deepEqual(foreign, []);
  const shipped = [
    'extension/models/vad/silero_vad.onnx',
    'extension/models/speaker/model.onnx',
    'extension/models/segmentation/model.onnx',
    'extension/models/speaker-campplus/model.onnx',
  ];
  const leaked = files.filter(
    (f) =>
      /^extension\/(src|test|bench|tools|scripts|docs)\//.test(f) ||
      (/\.ts$/.test(f) && !f.endsWith('.d.ts')) ||
      (/\.onnx$/.test(f) && !shipped.includes(f)) ||
      /\.prepared\.json$/.test(f),
  );
  assert.deepEqual(leaked, []);
  // Staged for packaging only: the checkout is left as it was.
  assert.equal(fs.existsSync(path.join(ROOT, 'models', 'vad')), false);

  const unpacked = tmpDir('vsix');
  execFileSync('python3', ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', vsix, unpacked]);
  const extension = path.join(unpacked, 'extension');

  // Lean: node_modules holds the packages the bundles load and what those load, with their licences, and no
  // install scripts, docs, examples or tests.
  const packages = files
    .filter((f) => /^extension\/node_modules\/(.+\/)?package\.json$/.test(f) && !/\/dist\/(cjs|esm)\/package\.json$/.test(f))
    .map((f) => f.slice('extension/'.length, -'/package.json'.length))
    .sort();
  assert.deepEqual(packages, [
    'node_modules/ffmpeg-static',
    'node_modules/node-record-lpcm16',
    'node_modules/node-record-lpcm16/node_modules/debug',
    'node_modules/node-record-lpcm16/node_modules/ms',
    'node_modules/onnxruntime-common',
    'node_modules/onnxruntime-node',
  ]);
  const clutter = files.filter((f) => /^extension\/node_modules\/.*(\/README[^/]*|\/examples?\/.*|\/script\/.*|\/install\.js|\/test\/.*|\/\.[^/]+)$/i.test(f));
  assert.deepEqual(clutter, []);
  assert.ok(files.includes('extension/node_modules/node-record-lpcm16/node_modules/ms/license.md'), 'licences stay');
  // Complete: every module a shipped bundle requires (outside Node's own) loads from the unpacked package.
  const bundles = fs.readdirSync(path.join(extension, 'dist')).filter((f) => f.endsWith('.js'));
  const required = new Set<string>();
  for (const b of bundles) {
    for (const m of fs.readFileSync(path.join(extension, 'dist', b), 'utf8').matchAll(/require\("([^"]+)"\)/g)) {
      if (!isBuiltin(m[1]) && m[1] !== 'vscode') required.add(m[1]);
    }
  }
  assert.deepEqual([...required].sort(), ['ffmpeg-static', 'node-record-lpcm16', 'onnxruntime-node']);
  const load = spawnSync(process.execPath, ['-e', `for (const m of ${JSON.stringify([...required])}) require(m)`], {
    cwd: path.join(extension, 'dist'),
    encoding: 'utf8',
    env: { ...process.env, NODE_PATH: '' },
  });
  assert.equal(load.status, 0, load.stderr);

  // As a user has it: the package's own CLI downloads base from a local stand-in for the hub (files made as the hub
  // makes them, at the catalogue's pinned commit) and makes its int8 graphs, with no Python and nothing on PATH; the
  // models folder then holds that Whisper model and nothing else.
  const replica = hubReplicaDir('base');
  if (base && replica) {
    const models = path.join(unpacked, 'user-models');
    const entry = JSON.parse(fs.readFileSync(path.join(extension, 'models', 'catalog.json'), 'utf8')).models.base;
    const hub = await startLocalHub([{ repo: entry.hf_repo, revision: entry.revision, dir: replica }]);
    const cli = path.join(extension, 'dist', 'cli.js');
    const programs = path.join(unpacked, 'programs');
    fs.mkdirSync(programs);
    const ffmpeg = spawnSync('sh', ['-c', 'command -v ffmpeg'], { encoding: 'utf8' }).stdout.trim();
    if (ffmpeg) fs.symlinkSync(ffmpeg, path.join(programs, 'ffmpeg'));
    const userEnv = { HOME: unpacked, PATH: programs, TRANSCREVAI_MODELS: models };
    // The replica's bytes are not the hub's: its listing is the truth here, so the catalogue's recorded sizes are left out.
    const catalog = JSON.parse(fs.readFileSync(path.join(extension, 'models', 'catalog.json'), 'utf8'));
    catalog.models.base.files = catalog.models.base.files.map((f: string | { path: string }) => (typeof f === 'string' ? f : f.path));
    fs.writeFileSync(path.join(unpacked, 'catalog.json'), JSON.stringify(catalog));
    try {
      const download = spawn(process.execPath, [cli, 'download', 'base'], {
        env: { ...userEnv, HF_ENDPOINT: hub.url, NODE_EXTRA_CA_CERTS: hub.caFile, TRANSCREVAI_CATALOG: path.join(unpacked, 'catalog.json') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      download.stdout.on('data', (d) => (output += d));
      download.stderr.on('data', (d) => (output += d));
      const code = await new Promise<number | null>((resolve) => download.on('exit', resolve));
      assert.equal(code, 0, output);
      assert.match(output, /base \(int8\) installed in .*int8 made in [\d.]+ s/);
    } finally {
      await hub.close();
    }
    assert.deepEqual(fs.readdirSync(models), ['base']);
    const r = spawnSync(
      process.execPath,
      [cli, 'transcribe', TWO_SPEAKERS, '--model', 'base', '--language', 'en', '--diarize', '--verbose', '--format', 'json'],
      {
        encoding: 'utf8',
        env: userEnv,
        timeout: 120_000,
      },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /warning/, 'no degraded mode');
    assert.match(r.stderr, /stage vad: kept [\d.]+ s, set aside [\d.]+ s — .* judged silence by Silero VAD/);
    const j = JSON.parse(r.stdout);
    // The shipped overlap-aware models, not a fallback.
    assert.equal(j.diarization.method, 'overlap-aware', j.diarization.reason);
    assert.equal(j.speakers.length, 2);
  }
  const mb = fs.statSync(vsix).size / 1e6;
  console.log(`# linux-x64 vsix: ${mb.toFixed(1)} MB, ${files.length} files`);
  // 44.5 MB on 2026-12-07: 25.7 MB before, plus the overlap-aware method's segmentation (5.9 MB) and CAM++ (14.8 MB) models.
  assert.ok(mb < 48, `${mb} MB`);
});
