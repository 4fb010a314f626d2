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

// The models every user needs and no user should have to build: Silero VAD (MIT), the GE2E speaker embedder
// (Apache-2.0), the pyannote segmentation-3.0 model (MIT, 6 MB) and the CAM++ speaker embedder (Apache-2.0,
// 15-28 MB), with their licences. Shipped in models/<name>, where the engine looks when the models folder has none
// (src/models/paths.ts auxiliaryModelDir). They come from `npm run models`.
const SHIPPED = {
  vad: ['silero_vad.onnx', 'vad.json', 'LICENSE', 'README.md'],
  speaker: ['model.onnx', 'frontend.json', 'LICENSE', 'README.md'],
  segmentation: ['model.onnx', 'segmentation.json', 'LICENSE', 'README.md'],
  'speaker-campplus': ['model.onnx', 'frontend.json', 'LICENSE', 'README.md'],
};
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

// A lean package: node_modules keeps what the bundles load at run time and nothing else. The roots are the
// packages esbuild.js leaves external (native or path-sensitive); their dependencies are followed as Node resolves
// them, except the ones only their install scripts use (downloads of binaries this package already carries).
// @huggingface/tokenizers is bundled, so it stays out too. The package test requires every external of every
// shipped bundle from the unpacked package, so a missing runtime dependency fails there.
const RUNTIME_ROOTS = ['onnxruntime-node', 'ffmpeg-static', 'node-record-lpcm16'];
const INSTALL_ONLY = new Set(['adm-zip', 'global-agent', '@derhuerst/http-basic', 'https-proxy-agent', 'progress', 'env-paths']);
function runtimeClosure() {
  const keep = new Set();
  const resolveFrom = (dir, name) => {
    for (let d = dir; d.startsWith(root); d = path.dirname(d)) {
      const candidate = path.join(d, 'node_modules', name);
      if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
      if (d === root) break;
    }
    throw new Error(`package: cannot resolve ${name} from ${path.relative(root, dir) || '.'}`);
  };
  const visit = (dir) => {
    if (keep.has(dir)) return;
    keep.add(dir);
    const deps = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).dependencies ?? {};
    for (const name of Object.keys(deps)) if (!INSTALL_ONLY.has(name)) visit(resolveFrom(dir, name));
  };
  for (const name of RUNTIME_ROOTS) visit(resolveFrom(root, name));
  return keep;
}
/** Every installed package folder (nested ones too), relative to the root with forward slashes. */
function installedPackages(dir = path.join(root, 'node_modules'), out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.name.startsWith('@')) installedPackages(full, out);
    else if (fs.existsSync(path.join(full, 'package.json'))) {
      out.push(full);
      installedPackages(path.join(full, 'node_modules'), out);
    }
  }
  return out;
}
const runtime = runtimeClosure();
const rel = (p) => path.relative(root, p).split(path.sep).join('/');
const LEAN = [
  '# lean: packages the shipped code never loads',
  ...installedPackages()
    .filter((p) => !runtime.has(p))
    .map((p) => `${rel(p)}/**`),
  '# lean: what a kept package carries besides its code (docs, examples, install and build scripts, dotfiles)',
  'node_modules/**/*.md',
  'node_modules/**/*.markdown',
  'node_modules/**/.*',
  'node_modules/**/example*',
  'node_modules/**/examples/**',
  'node_modules/**/test/**',
  'node_modules/**/tests/**',
  'node_modules/**/*.d.ts',
  'node_modules/**/karma.conf.js',
  'node_modules/**/Makefile',
  'node_modules/**/component.json',
  'node_modules/**/CHANGELOG*',
  'node_modules/onnxruntime-node/script/**',
  'node_modules/ffmpeg-static/install.js',
  // …but every kept package's licence stays, whatever its name (LICENSE, license.md, LICENCE).
  ...[...runtime].map((p) => `!${rel(p)}/[Ll][Ii][Cc][Ee][Nn][CcSs][Ee]*`),
  '# lean: the project tool configuration',
  'eslint.config.mjs',
  '.prettierignore',
  '.prettierrc*',
];
const host = `${process.platform}-${process.arch}`;
for (const target of wanted) {
  const own = TARGETS[target];
  if (!own) throw new Error(`unknown target ${target}: one of ${Object.keys(TARGETS).join(', ')}`);
  const ignore = [base, ...LEAN, `# per target (${target})`, ...ALL.filter((p) => p !== own).map((p) => `${ORT}/${p}/**`)];
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
