// Diarization speed and memory on the shared files (not a test): real-time factor (processing time / audio
// duration) of diarize() — embeddings + clustering + turns, VAD excluded and timed apart — and the process's
// peak RSS. Also a long input (all shared diarization files concatenated, repeated) to exercise the
// hybrid path (> SPECTRAL_MAX_POINTS windows).
// Usage: node --import tsx bench/diarization.ts [--threads N] [--repeat R]
import { diarize, loadSpeakerModel } from '../src/diarization/index';
import { auxiliaryModelDir } from '../src/models/paths';
import { amiCases, pyannoteCase, readWav, speechSource } from '../test/fixtures/diarization/harness';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const threads = Number(args[args.indexOf('--threads') + 1]) || 2;
  const repeat = Number(args[args.indexOf('--repeat') + 1]) || 8;
  const vad = await speechSource(1);
  const t0 = performance.now();
  const model = await loadSpeakerModel(auxiliaryModelDir('speaker'), { threads });
  const loadMs = performance.now() - t0;
  const files = [pyannoteCase(), ...amiCases()].map((c) => ({ id: c.id, samples: readWav(c.wav) }));
  let audio = 0;
  let vadMs = 0;
  let diarMs = 0;
  let fallbackMs = 0;
  const rows: string[] = [];
  for (const f of files) {
    const a = performance.now();
    const speech = await vad.detect(f.samples);
    const b = performance.now();
    const r = await diarize(f.samples, speech, { threads, model });
    const c = performance.now();
    await diarize(f.samples, speech, { threads, method: 'fallback-mfcc' });
    const d = performance.now();
    const dur = f.samples.length / 16000;
    audio += dur;
    vadMs += b - a;
    diarMs += c - b;
    fallbackMs += d - c;
    rows.push(`| ${f.id} | ${dur.toFixed(1)} | ${r.windows} | ${r.method} | ${((c - b) / 1000 / dur).toFixed(4)} | ${((d - c) / 1000 / dur).toFixed(4)} |`);
  }
  // Long input: everything concatenated `repeat` times.
  const total = files.reduce((s, f) => s + f.samples.length, 0) * repeat;
  const long = new Float32Array(total);
  let off = 0;
  for (let r = 0; r < repeat; r++)
    for (const f of files) {
      long.set(f.samples, off);
      off += f.samples.length;
    }
  const la = performance.now();
  const longSpeech = await vad.detect(long);
  const lb = performance.now();
  const lr = await diarize(long, longSpeech, { threads, model });
  const lc = performance.now();
  await model.dispose();
  const longDur = long.length / 16000;
  const rssMb = process.resourceUsage().maxRSS / 1024;
  console.log(`threads ${threads}, VAD ${vad.name}, model load ${loadMs.toFixed(0)} ms\n`);
  console.log('| file | seconds | windows | method | RTF neural | RTF fallback |\n|---|---|---|---|---|---|');
  console.log(rows.join('\n'));
  console.log(
    `| **all ${files.length} files** | ${audio.toFixed(0)} | | | **${(diarMs / 1000 / audio).toFixed(4)}** | **${(fallbackMs / 1000 / audio).toFixed(4)}** |`,
  );
  console.log(`\nVAD alone: RTF ${(vadMs / 1000 / audio).toFixed(4)}`);
  console.log(
    `long input: ${(longDur / 60).toFixed(1)} min, ${lr.windows} windows, method ${lr.method}, ${lr.speakers.length} speakers, ` +
      `diarize ${((lc - lb) / 1000).toFixed(1)} s (RTF ${((lc - lb) / 1000 / longDur).toFixed(4)}), VAD ${((lb - la) / 1000).toFixed(1)} s`,
  );
  console.log(`peak RSS of the whole bench process: ${rssMb.toFixed(0)} MB`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
