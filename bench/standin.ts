// The large models end to end, with stand-ins (issue #26): no package carries the weights of Whisper small, medium or
// large-v3-turbo, so tools/models/standin.py makes a STAND-IN of each: the published architecture (mel bins, layers,
// heads, vocabulary, token ids), random weights, the plain optimum export the hub serves (fp32; >2 GiB graphs with
// their .onnx_data). Its text is noise; what this bench shows is that every stage takes the real shapes and what
// they cost:
//   1. the stand-in is built if missing (cached under ~/.cache/transcrevai/build/hub/standin/whisper-<model>/);
//   2. it is served by the local stand-in for the hub (test/fixtures/localHub.ts) under the catalogue's entry for
//      the model (models/catalog.json; a made-up pinned commit for medium, which the catalogue does not offer),
//      reached as a user's machine reaches a mirror: HF_ENDPOINT, NODE_EXTRA_CA_CERTS;
//   3. src/models/download.ts downloadModel fetches it into a temporary models root and, for int8/q4, makes those
//      graphs from the float ones (src/quantize, quantizeModelFolder): download and quantize seconds are its own;
//   4. the CLI transcribes the 330 s AMI meeting (the 11 shared excerpts joined), then the PT-BR clips joined, with
//      that folder (and --diarize with it), and the whole process tree's resident memory is sampled every 50 ms
//      (bench/processTree.ts), as bench/run.ts does; the line's peak is the larger of the two, its rtf the meeting's.
// Decoding is bounded by the stand-in itself (the CLI has no option to cap it): its embeddings end every window's
// text at the next multiple of 64 positions, 0-63 tokens, confidently, so no window runs to the 224-token limit or
// through the temperature fallback (standin.py says how).
//   5. our encoder window and decoder token are timed in this process (bench/stepTimes.ts) and divided by
//      CTranslate2's on its int8 copy of the same random checkpoint, same threads (tools/models/standin_ct2.py).
// Prints one line per run:
//   <model> <precision>[ --diarize]: peak <N> MB, rtf <R>, encoder <x>× ct2, decoder <y>× ct2, pt-br peak <N> MB rtf <R>,
//   download <s> s, quantize <s> s, mel bins <m>, decoder layers <l>
//   npm run bench:standin -- <small|medium|large-v3-turbo> [int8|q4|fp32] [--threads 2] [--diarize] [--keep] [--in-process]
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'node:util';
import { findModel, loadCatalog } from '../src/models/catalog';
import { downloadModel } from '../src/models/download';
import { PRECISIONS, type Precision } from '../src/vocabulary';
import { amiExcerpts, ptbrClips } from '../test/fixtures/clips';
import { startLocalHub } from '../test/fixtures/localHub';
import { decodeWithPauses, writeJoined } from './joinAudio';
import { runTree } from './processTree';
import { measureStepTimes } from './stepTimes';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const PYTHON = path.join(ROOT, 'tools', 'models', '.venv', 'bin', 'python');
const STANDINS = ['small', 'medium', 'large-v3-turbo'];
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { threads: { type: 'string' }, keep: { type: 'boolean' }, 'in-process': { type: 'boolean' }, diarize: { type: 'boolean' } },
});
const [MODEL, PRECISION = 'int8'] = positionals;
const THREADS = Number(values.threads ?? 2);
const DIARIZE = values.diarize === true;

interface Built {
  dir: string;
  repo: string;
  seconds: Record<string, number>;
  files: { path: string; bytes: number }[];
}

/** tools/models/standin.py: builds the stand-in unless its stamp is current; its last stdout line says where. */
function buildStandin(model: string): Built & { wall: number } {
  if (!fs.existsSync(PYTHON)) throw new Error(`${PYTHON} missing: run npm run models first (it makes the venv and the base checkpoint)`);
  const t0 = performance.now();
  const r = spawnSync(PYTHON, [path.join(ROOT, 'tools', 'models', 'standin.py'), model], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`standin.py ${model} failed (exit ${r.status})`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return { ...(JSON.parse(last) as Built), wall: (performance.now() - t0) / 1000 };
}

interface PeerStepTimes {
  encoder_ms: number;
  encoder_runs_ms: number[];
  decoder_ms_per_token: number;
  decoder_slopes_ms: number[];
  tokens: [number, number];
  ctranslate2: string;
}

/** tools/models/standin_ct2.py: CTranslate2's int8 copy of the stand-in (made once) and its step times. */
function ct2StepTimes(model: string, threads: number): PeerStepTimes {
  const r = spawnSync(PYTHON, [path.join(ROOT, 'tools', 'models', 'standin_ct2.py'), model, '--threads', String(threads)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`standin_ct2.py ${model} failed (exit ${r.status})`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as PeerStepTimes;
}

/** A catalogue holding one entry for `model`: the shipped one (its hf_repo, pinned commit, file list), or for a model
 * the catalogue does not offer an entry of the same layout under a made-up commit. */
function catalogueFor(model: string, repo: string, dir: string): { file: string; repo: string; revision: string } {
  const shipped = JSON.parse(fs.readFileSync(path.join(ROOT, 'models', 'catalog.json'), 'utf8')) as {
    layout: { files: string[] };
    models: Record<string, { hf_repo: string; revision: string; files: string[] }>;
  };
  const entry = shipped.models[model] ?? {
    hf_repo: repo,
    revision: crypto.createHash('sha1').update(`stand-in ${model}`).digest('hex'),
    files: shipped.layout.files,
  };
  const file = path.join(dir, 'catalog.json');
  const description = `Whisper ${model} STAND-IN (random weights, published shapes): its text is noise`;
  fs.writeFileSync(file, JSON.stringify({ ...shipped, models: { [model]: { ...entry, description, local_build: null } } }, null, 1));
  return { file, repo: entry.hf_repo, revision: entry.revision };
}

interface Recording {
  name: string;
  files: string[];
  pauseSeconds: number;
  language: string;
}

/** One recording, joined, through the CLI with the downloaded folder, the whole process tree sampled every 50 ms. */
async function transcribeJoined(work: string, modelDir: string, precision: Precision, recording: Recording): Promise<{ peakMB: number; rtf: number }> {
  const parts = await decodeWithPauses(recording.files, recording.pauseSeconds);
  const wav = path.join(work, `${recording.name}-joined.wav`);
  const seconds = writeJoined(wav, parts, 'int16');
  const args = [CLI, 'transcribe', wav, '--model', modelDir, '--language', recording.language, '--format', 'json'];
  args.push('--threads', String(THREADS), '--precision', precision, '--progress', '--verbose');
  // --in-process: one process, no supervisor. The supervised transcription child is killed when it misses 10
  // heartbeats (20 s), and onnxruntime-node's run() holds the child's event loop for a whole encoder run: on 2 cores
  // large-v3-turbo int8's took 22 s a window (load average 4), medium's 23 s at load 6 (issue #26), so those need
  // this to finish at all there.
  if (values['in-process']) args.push('--in-process');
  // The budget holds with speakers too: the diarization child runs beside the transcription child.
  if (DIARIZE) args.push('--diarize');
  // The folder is named with --model; the VAD and speaker models come from the usual models folder, as for a user.
  const loadBefore = os.loadavg()[0];
  const run = await runTree(process.execPath, args, { readyMarker: /loading model 100%/ });
  const loadAfter = os.loadavg()[0];
  if (values.keep) fs.writeFileSync(path.join(work, `${recording.name}.stderr`), run.stderr);
  if (run.code !== 0) throw new Error(`transcrevai transcribe failed (exit ${run.code}):\n${run.stderr.slice(-3000)}`);
  if (/warning/i.test(run.stderr))
    console.error(
      run.stderr
        .split('\n')
        .filter((l) => /warning/i.test(l))
        .join('\n'),
    );
  const result = JSON.parse(run.stdout) as { precision: string; segments: { text: string }[]; timing: Record<string, number>; rtf: number };
  if (result.precision !== precision) throw new Error(`the CLI ran ${result.precision}, not ${precision} (a fallback?)`);
  const verbose = run.stderr
    .split('\n')
    .filter((l) => /^transcrevai: (stage |process |all processes)/.test(l))
    .map((l) => l.replace(/^transcrevai: /, ''));
  console.error(`  ${recording.name}:`);
  if (verbose.length) console.error(verbose.map((l) => `  ${l.trim()}`).join('\n'));
  console.error(
    `  ${seconds.toFixed(0)} s of audio: wall ${run.wall.toFixed(1)} s (start-up ${run.startup.toFixed(1)} s), engine rtf ${result.rtf}, ` +
      `load average ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)} on ${os.availableParallelism()} cores, ` +
      `timing ${JSON.stringify(result.timing)}, ${result.segments.length} segments of noise (a stand-in), ` +
      `peaks by process ${JSON.stringify(run.peaksByProcess)}`,
  );
  if (values['in-process']) console.error('  (--in-process: the CLI ran every stage in one process, without its supervisor)');
  return { peakMB: run.peakMB, rtf: run.wall / seconds };
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

async function main(): Promise<void> {
  if (!STANDINS.includes(MODEL ?? '')) throw new Error(`usage: npm run bench:standin -- <${STANDINS.join('|')}> [${PRECISIONS.join('|')}]`);
  if (!(PRECISIONS as readonly string[]).includes(PRECISION)) throw new Error(`precision must be one of ${PRECISIONS.join(', ')}`);
  const precision = PRECISION as Precision;
  if (!fs.existsSync(CLI)) throw new Error('dist/cli.js missing: npm run build');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'transcrevai-bench-standin-'));
  try {
    // 1. The stand-in.
    const built = buildStandin(MODEL);
    const graphs = built.files.filter((f) => f.path.startsWith('onnx/'));
    console.error(
      `stand-in ${MODEL}: ${built.dir} (${built.wall.toFixed(1)} s; built in ${built.seconds.total_s} s): ` +
        graphs.map((f) => `${f.path.slice(5)} ${mb(f.bytes)} MB`).join(', '),
    );

    // 2. Served as the hub serves it, under the catalogue's entry.
    const catalogue = catalogueFor(MODEL, built.repo, work);
    const hub = await startLocalHub([{ repo: catalogue.repo, revision: catalogue.revision, dir: built.dir }]);
    const root = path.join(work, 'models');
    fs.mkdirSync(root);
    let download: Awaited<ReturnType<typeof downloadModel>>;
    let downloadWall: number;
    let quantizePeakMB: number;
    try {
      process.env.HF_ENDPOINT = hub.url;
      process.env.NODE_EXTRA_CA_CERTS = hub.caFile;
      const entry = findModel(loadCatalog(catalogue.file), MODEL);
      if (!entry) throw new Error(`catalogue ${catalogue.file} has no ${MODEL}`);

      // 3. Download (and, for int8/q4, the quantization downloadModel does after it).
      const t0 = performance.now();
      download = await downloadModel(entry, { modelsRoot: root, precision, log: (line) => console.error(`  download: ${line}`) });
      downloadWall = (performance.now() - t0) / 1000;
      // The download and the quantizer run in this process: its peak resident memory (the CLI's tree is sampled below).
      quantizePeakMB = Math.round(process.resourceUsage().maxRSS / 1024);
    } finally {
      await hub.close();
    }
    const downloadSeconds = downloadWall - download.quantizeSeconds;
    console.error(
      `downloaded ${mb(download.received)} MB in ${downloadSeconds.toFixed(1)} s, quantized in ${download.quantizeSeconds.toFixed(1)} s ` +
        `(this process's peak ${quantizePeakMB} MB): ${fs.readdirSync(path.join(download.dir, 'onnx')).join(', ')}`,
    );

    // 4. The meeting and the PT-BR clips, each joined, through the CLI, with the downloaded folder.
    const meeting = await transcribeJoined(work, download.dir, precision, { name: 'meeting', files: amiExcerpts(), pauseSeconds: 0, language: 'en' });
    const ptbr = await transcribeJoined(work, download.dir, precision, {
      name: 'pt-br',
      files: ptbrClips().map((c) => c.wav),
      pauseSeconds: 0.7,
      language: 'pt',
    });
    const config = JSON.parse(fs.readFileSync(path.join(download.dir, 'config.json'), 'utf8')) as { num_mel_bins: number; decoder_layers: number };
    // preprocessor_config.json is optional (the catalogue does not fetch it for every model); where it came, it agrees.
    const preprocessor = path.join(download.dir, 'preprocessor_config.json');
    const features = fs.existsSync(preprocessor) ? (JSON.parse(fs.readFileSync(preprocessor, 'utf8')) as { feature_size: number }) : undefined;
    if (features && features.feature_size !== config.num_mel_bins)
      throw new Error(`feature_size ${features.feature_size} != num_mel_bins ${config.num_mel_bins}`);

    // 5. Encoder window and decoder token against CTranslate2's int8 copy of the same random checkpoint, same threads.
    const peer = ct2StepTimes(MODEL, THREADS);
    const ours = await measureStepTimes(download.dir, { precision, threads: THREADS, runs: 3, tokens: peer.tokens });
    const encoderRatio = ours.encoderMs / peer.encoder_ms;
    const decoderRatio = ours.decoderMsPerToken / peer.decoder_ms_per_token;
    console.error(
      `  encoder window: ours ${ours.encoderMs} ms ${JSON.stringify(ours.encoderRunsMs)}, CTranslate2 ${peer.encoder_ms} ms ${JSON.stringify(peer.encoder_runs_ms)}; ` +
        `decoder token (slope ${peer.tokens.join(' → ')} tokens): ours ${ours.decoderMsPerToken} ms ${JSON.stringify(ours.decoderSlopesMs)}, ` +
        `CTranslate2 ${peer.decoder_ms_per_token} ms ${JSON.stringify(peer.decoder_slopes_ms)} (ctranslate2 ${peer.ctranslate2} int8, ${THREADS} threads)`,
    );
    console.log(
      `${MODEL} ${precision}${DIARIZE ? ' --diarize' : ''}: peak ${Math.max(meeting.peakMB, ptbr.peakMB)} MB, rtf ${meeting.rtf.toFixed(3)}, ` +
        `encoder ${encoderRatio.toFixed(2)}× ct2, decoder ${decoderRatio.toFixed(2)}× ct2, ` +
        `pt-br peak ${ptbr.peakMB} MB rtf ${ptbr.rtf.toFixed(3)}, download ${downloadSeconds.toFixed(1)} s, quantize ${download.quantizeSeconds.toFixed(1)} s, ` +
        `mel bins ${config.num_mel_bins}, decoder layers ${config.decoder_layers}`,
    );
  } finally {
    if (values.keep) console.error(`kept ${work}`);
    else fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
