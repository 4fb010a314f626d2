// Analysis windows, by their definitions in the references each front end reproduces.
export type WindowType = 'povey' | 'hamming' | 'hanning' | 'rectangular';

/** Periodic Hann window (torch.hann_window(n) default, scipy 'hann' with sym=False, librosa's default). */
export function hannPeriodic(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

/** Kaldi's (torchaudio.compliance.kaldi) symmetric windows: povey = hann^0.85, hamming, hanning, rectangular. */
export function kaldiWindow(type: WindowType, n: number): Float64Array {
  const w = new Float64Array(n);
  const a = (2 * Math.PI) / (n - 1);
  for (let i = 0; i < n; i++) {
    switch (type) {
      case 'povey':
        w[i] = Math.pow(0.5 - 0.5 * Math.cos(a * i), 0.85);
        break;
      case 'hamming':
        w[i] = 0.54 - 0.46 * Math.cos(a * i);
        break;
      case 'hanning':
        w[i] = 0.5 - 0.5 * Math.cos(a * i);
        break;
      default:
        w[i] = 1;
    }
  }
  return w;
}
