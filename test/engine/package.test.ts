// Packaging: `node scripts/package.mjs linux-x64` makes a .vsix with @vscode/vsce that carries the built
// entries, the catalogue and only linux-x64's onnxruntime, and leaves sources, tests, tools and models out.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from './helpers';

test('the linux-x64 .vsix holds the extension and its own native binaries only', { timeout: 180_000 }, () => {
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
  const leaked = files.filter(
    (f) => /^extension\/(src|test|bench|tools|scripts|docs)\//.test(f) || (/\.ts$/.test(f) && !f.endsWith('.d.ts')) || /\.onnx$/.test(f),
  );
  assert.deepEqual(leaked, []);
  const mb = fs.statSync(vsix).size / 1e6;
  console.log(`# linux-x64 vsix: ${mb.toFixed(1)} MB, ${files.length} files`);
  assert.ok(mb < 40, `${mb} MB`);
});
