// Bundles every process entry of TranscrevAI into dist/.
// Native or path-sensitive packages stay external: onnxruntime-node loads a .node binding,
// ffmpeg-static locates its binary relative to its own folder, vscode is provided by the host.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const external = ['vscode', 'onnxruntime-node', 'ffmpeg-static', 'node-record-lpcm16'];

/** Process entries: [source, output name]. Only entries whose source exists are built. */
const nodeEntries = [
  ['src/extension/activate.ts', 'extension'],
  ['src/engine/main.ts', 'engine'],
  ['src/cli/main.ts', 'cli'],
  ['src/workers/capture.ts', 'worker-capture'],
  ['src/workers/transcription.ts', 'worker-transcription'],
  ['src/workers/diarization.ts', 'worker-diarization'],
  ['src/workers/speechThread.ts', 'speech-thread'],
  // The quantizer's worker thread (src/quantize/quantizeInWorker.ts starts it from beside the extension's or CLI's bundle).
  ['src/quantize/quantizeThread.ts', 'quantize-thread'],
].filter(([src]) => fs.existsSync(path.join(__dirname, src)));

const webviewEntries = [['media/src/panel.ts', 'panel']].filter(([src]) => fs.existsSync(path.join(__dirname, src)));

async function main() {
  const common = { bundle: true, minify: production, sourcemap: !production, logLevel: 'info' };
  const contexts = [];
  for (const [src, name] of nodeEntries) {
    contexts.push(
      await esbuild.context({
        ...common,
        entryPoints: { [name]: src },
        outdir: 'dist',
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        external,
        banner: name === 'cli' ? { js: '#!/usr/bin/env node' } : undefined,
      }),
    );
  }
  for (const [src, name] of webviewEntries) {
    contexts.push(
      // Beside its stylesheet in media/: the webview may load from media/ only (localResourceRoots).
      await esbuild.context({ ...common, entryPoints: { [name]: src }, outdir: 'media', platform: 'browser', format: 'iife', target: 'es2022' }),
    );
  }
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  if (fs.existsSync('dist/cli.js')) fs.chmodSync('dist/cli.js', 0o755);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
