// Whisper's repetition signal: how well the decoded text compresses. A hallucination loop
// ("Obrigado. Obrigado. Obrigado. ...") compresses far better than speech; openai/whisper rejects a
// window whose ratio exceeds 2.4 and retries at a higher temperature.
import { deflateSync } from 'zlib';

/** len(utf8 bytes) / len(zlib.compress(bytes)) exactly as openai/whisper's compression_ratio. */
export function compressionRatio(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length === 0) return 0;
  // Python's zlib.compress default level (-1 → 6) with the zlib wrapper, as Node's deflateSync.
  return bytes.length / deflateSync(bytes).length;
}
