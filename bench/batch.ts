// Throughput of a batch (docs/scale.md): a folder of natural recordings (the AMI meeting excerpts and the PT-BR
// read-speech clips of ../shared/testdata) through `transcrevai transcribe <folder> --out-dir`: one worker with 1
// thread, one with all the cores, and one worker per core (`--shard K/N`, 1 thread each, at once). Reports seconds
// of audio per second of wall time, per core, from the batches' own manifests. Not a timed test: figures for the docs.
//   npm run build && node --import tsx bench/batch.ts [model]
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TESTDATA } from '../test/fixtures/shared';

const ROOT = path.resolve(__dirname, '..');
const model = process.argv[2] ?? 'base';

function recordings(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'transcrevai-bench-batch-'));
  const ami = path.join(TESTDATA, 'diarization', 'ami');
  for (const f of fs.readdirSync(ami).filter((f) => f.endsWith('.wav') && f !== 'empty.wav')) fs.copyFileSync(path.join(ami, f), path.join(dir, `ami-${f}`));
  for (const sub of ['lapsbm', 'ufpalign']) {
    const from = path.join(TESTDATA, 'ptbr', sub);
    for (const f of fs.readdirSync(from).filter((f) => f.endsWith('.wav'))) fs.copyFileSync(path.join(from, f), path.join(dir, `ptbr-${f}`));
  }
  return dir;
}

/** `workers` shards of the folder at once, `threads` each; seconds of audio done and the wall time. */
async function run(input: string, workers: number, threads: number): Promise<{ files: number; audio: number; wall: number }> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'transcrevai-bench-batch-out-'));
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from(
      { length: workers },
      (_, k) =>
        new Promise<void>((resolve, reject) => {
          const args = [
            path.join(ROOT, 'dist', 'cli.js'),
            'transcribe',
            input,
            '--out-dir',
            out,
            '--model',
            model,
            '--language',
            'auto',
            '--threads',
            String(threads),
          ];
          if (workers > 1) args.push('--shard', `${k + 1}/${workers}`);
          const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
          let stderr = '';
          child.stderr.on('data', (d) => (stderr += d));
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(stderr))));
        }),
    ),
  );
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  let files = 0;
  let audio = 0;
  for (const f of fs.readdirSync(out).filter((f) => /^transcrevai-batch.*\.json$/.test(f))) {
    const manifest = JSON.parse(fs.readFileSync(path.join(out, f), 'utf8')) as { files: { audioSeconds?: number }[] };
    files += manifest.files.length;
    audio += manifest.files.reduce((s, e) => s + (e.audioSeconds ?? 0), 0);
  }
  fs.rmSync(out, { recursive: true, force: true });
  return { files, audio, wall };
}

async function main(): Promise<void> {
  const input = recordings();
  const cores = os.cpus().length;
  const rows: string[] = [];
  for (const [workers, threads] of [
    [1, 1],
    [1, cores],
    [cores, 1],
  ]) {
    const { files, audio, wall } = await run(input, workers, threads);
    const used = workers * threads;
    rows.push(
      `| ${workers} × ${threads} | ${files} | ${audio.toFixed(0)} | ${wall.toFixed(1)} | ${(audio / wall).toFixed(1)} | ${(audio / wall / used).toFixed(1)} |`,
    );
  }
  fs.rmSync(input, { recursive: true, force: true });
  console.log(`model ${model}, ${os.cpus()[0].model}, ${cores} cores\n`);
  console.log('| workers × threads | files | audio (s) | wall (s) | audio s per wall s | per core |\n|---|---|---|---|---|---|');
  console.log(rows.join('\n'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
