// How a loaded Whisper model is named: a cache key, and a label for status lines. No onnxruntime here, so the
// engine process can name the models its children hold without loading it.
/** Cache key and display label ("base/int8×2") of a model load. */
export function modelKey(dir: string, precision: string, threads: number): string {
  return `${dir}|${precision}|${threads}`;
}

export function modelLabel(key: string): string {
  const [dir, precision, threads] = key.split('|');
  return `${dir.split(/[\\/]/).pop()}/${precision}×${threads}`;
}
