// `npm run package`: one .vsix per platform with @vscode/vsce, each carrying only its own onnxruntime binaries
// (the other platforms' are left out through a per-target ignore file) and the VAD and speaker models. ffmpeg: ffmpeg-static fetches the binary
// of the platform it is installed on, so a package carries the packaging machine's ffmpeg only when it matches
// the target; otherwise the extension finds ffmpeg on PATH or in the transcrevai.ffmpegPath setting.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const ORT = 'node_modules/onnxruntime-node/bin/napi-v6';
const TARGETS = { 'linux-x64': 'linux/x64', 'win32-x64': 'win32/x64', 'darwin-arm64': 'darwin/arm64' };
const ALL = ['linux/x64', 'linux/arm64', 'win32/x64', 'win32/arm64', 'darwin/arm64', 'darwin/x64'];
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(TARGETS);
const outDir = path.join(root, 'dist-vsix');
fs.mkdirSync(outDir, { recursive: true });
const base = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8');

// The models every user needs and no user should have to build: Silero VAD (MIT) and the speaker embedder
// (Apache-2.0), 8 MB together, with their licences. Shipped in models/vad and models/speaker, where the engine
// looks when the models folder has none (src/models/paths.ts auxiliaryModelDir). They come from `npm run models`.
const SHIPPED = { vad: ['silero_vad.onnx', 'vad.json', 'LICENSE', 'README.md'], speaker: ['model.onnx', 'frontend.json', 'LICENSE', 'README.md'] };
const modelsRoot = process.env.TRANSCREVAI_MODELS || path.join(os.homedir(), '.cache', 'transcrevai', 'models');
const staged = [];
for (const [name, files] of Object.entries(SHIPPED)) {
  const from = path.join(modelsRoot, name);
  const to = path.join(root, 'models', name);
  const missing = files.filter((f) => !fs.existsSync(path.join(from, f)));
  if (missing.length) throw new Error(`package: ${from} lacks ${missing.join(', ')}: run "npm run models" first`);
  fs.mkdirSync(to, { recursive: true });
  staged.push(to);
  for (const f of files) fs.copyFileSync(path.join(from, f), path.join(to, f));
}
process.on('exit', () => staged.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
const host = `${process.platform}-${process.arch}`;
for (const target of wanted) {
  const own = TARGETS[target];
  if (!own) throw new Error(`unknown target ${target}: one of ${Object.keys(TARGETS).join(', ')}`);
  const ignore = [base, `# per target (${target})`, ...ALL.filter((p) => p !== own).map((p) => `${ORT}/${p}/**`)];
  if (target !== host) ignore.push('node_modules/ffmpeg-static/ffmpeg', 'node_modules/ffmpeg-static/ffmpeg.exe');
  const file = path.join(os.tmpdir(), `transcrevai-vscodeignore-${target}`);
  fs.writeFileSync(file, ignore.join('\n') + '\n');
  const out = path.join(outDir, `${pkg.name}-${pkg.version}-${target}.vsix`);
  execFileSync(
    path.join(root, 'node_modules', '.bin', 'vsce'),
    ['package', '--target', target, '--ignoreFile', file, '--out', out, '--allow-missing-repository', '--no-rewrite-relative-links'],
    { cwd: root, stdio: 'inherit' },
  );
  console.log(`${target}: ${out} ${(fs.statSync(out).size / 1e6).toFixed(1)} MB`);
}
