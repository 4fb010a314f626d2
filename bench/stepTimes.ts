// Our encoder's time per 30 s window and our decoder's time per token, measured as tools/models/standin_ct2.py measures
// CTranslate2's on the same stand-in and threads (issue #27), so that the two divide:
//   encoder  a warm-up run, then the median of `runs` runs on one window of features;
//   decoder  the 4-token start sequence, then one token a step (greedy decoding's shape, teacher-forced: the time of a
//            step does not depend on which token it is); the time per token is the slope between a run of `short`
//            and one of `long` tokens (the start sequence and the cross-attention projection cancel out), median of
//            `runs` pairs.
import { loadWhisperModel } from '../src/whisper/model';
import type { Precision } from '../src/vocabulary';

export interface StepTimes {
  encoderMs: number;
  decoderMsPerToken: number;
  encoderRunsMs: number[];
  decoderSlopesMs: number[];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number, digits: number): number => Number(x.toFixed(digits));

export async function measureStepTimes(
  dir: string,
  options: { precision: Precision; threads: number; runs: number; tokens: [short: number, long: number] },
): Promise<StepTimes> {
  const model = await loadWhisperModel(dir, { precision: options.precision, threads: options.threads });
  try {
    const mels = model.config.num_mel_bins;
    // A log-mel-like window (values in Whisper's range): the encoder's time does not depend on them.
    const window = Float32Array.from({ length: mels * 3000 }, (_, i) => Math.sin(i * 0.37) - 0.2 * Math.cos(i * 0.011));
    let encoded = await model.inference.encode(window); // warm-up
    const encoderRunsMs: number[] = [];
    for (let r = 0; r < options.runs; r++) {
      const t = performance.now();
      encoded = await model.inference.encode(window);
      encoderRunsMs.push(performance.now() - t);
    }

    const special = model.tokenizer.special;
    const start = model.tokenizer.sotSequence(true, 'en', 'transcribe');
    const text = (i: number) => 220 + ((i * 7919) % 40000); // text tokens, below every special one
    if (text(0) >= special.eot) throw new Error('text token ids overlap the special ones');
    const decode = async (tokens: number): Promise<number> => {
      const t = performance.now();
      const pass = model.inference.startDecoding(encoded);
      await pass.feed([...start, special.noTimestamps]);
      for (let i = 1; i < tokens; i++) await pass.feedRows([text(i)], [0]);
      return performance.now() - t;
    };
    const [short, long] = options.tokens;
    await decode(short); // warm-up
    const decoderSlopesMs: number[] = [];
    for (let r = 0; r < options.runs; r++) {
      const shortMs = await decode(short);
      const longMs = await decode(long);
      decoderSlopesMs.push((longMs - shortMs) / (long - short));
    }
    return {
      encoderMs: round(median(encoderRunsMs), 1),
      decoderMsPerToken: round(median(decoderSlopesMs), 2),
      encoderRunsMs: encoderRunsMs.map((x) => round(x, 1)),
      decoderSlopesMs: decoderSlopesMs.map((x) => round(x, 2)),
    };
  } finally {
    await model.dispose();
  }
}
