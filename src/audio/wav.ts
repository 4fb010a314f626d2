// Minimal WAV (RIFF) reader/writer for PCM int16 and IEEE float32, any rate and channel count.
// Used by tests, fixtures and journals; real inputs go through ffmpeg (decode.ts).

export type WavFormat = 'int16' | 'float32';

export interface WavData {
  sampleRate: number;
  format: WavFormat;
  /** One Float32Array per channel, samples in [-1, 1]. */
  channels: Float32Array[];
}

const PCM = 1;
const IEEE_FLOAT = 3;
const EXTENSIBLE = 0xfffe;

/** Parses a WAV file (chunks in any order, WAVE_FORMAT_EXTENSIBLE included). Throws on anything else. */
export function readWav(data: Uint8Array): WavData {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  let offset = 12;
  let fmt: { tag: number; channels: number; rate: number; bits: number } | undefined;
  let body: Buffer | undefined;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    let size = buf.readUInt32LE(offset + 4);
    const start = offset + 8;
    if (id === 'data' && (size === 0xffffffff || start + size > buf.length)) size = buf.length - start; // streamed/truncated
    if (id === 'fmt ') {
      let tag = buf.readUInt16LE(start);
      if (tag === EXTENSIBLE && size >= 26) tag = buf.readUInt16LE(start + 24);
      fmt = { tag, channels: buf.readUInt16LE(start + 2), rate: buf.readUInt32LE(start + 4), bits: buf.readUInt16LE(start + 14) };
    } else if (id === 'data') {
      body = buf.subarray(start, start + size);
    }
    offset = start + size + (size & 1);
  }
  if (!fmt) throw new Error('WAV has no fmt chunk');
  if (!body) throw new Error('WAV has no data chunk');
  let format: WavFormat;
  if (fmt.tag === PCM && fmt.bits === 16) format = 'int16';
  else if (fmt.tag === IEEE_FLOAT && fmt.bits === 32) format = 'float32';
  else throw new Error(`unsupported WAV encoding (format tag ${fmt.tag}, ${fmt.bits} bits): only int16 PCM and float32`);
  const nch = fmt.channels;
  if (nch < 1) throw new Error('WAV has no channels');
  const bytes = format === 'int16' ? 2 : 4;
  const frames = Math.floor(body.length / (bytes * nch));
  const channels = Array.from({ length: nch }, () => new Float32Array(frames));
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < nch; c++) {
      const at = (i * nch + c) * bytes;
      channels[c][i] = format === 'int16' ? body.readInt16LE(at) / 32768 : body.readFloatLE(at);
    }
  }
  return { sampleRate: fmt.rate, format, channels };
}

/** Averages channels into one. */
export function toMono(wav: WavData): Float32Array {
  if (wav.channels.length === 1) return wav.channels[0];
  const n = wav.channels[0].length;
  const out = new Float32Array(n);
  for (const ch of wav.channels) for (let i = 0; i < n; i++) out[i] += ch[i];
  for (let i = 0; i < n; i++) out[i] /= wav.channels.length;
  return out;
}

/** Encodes samples (mono array or one array per channel) as a WAV file. int16 clips to [-1, 1). */
export function writeWav(samples: Float32Array | Float32Array[], sampleRate: number, format: WavFormat = 'int16'): Buffer {
  const channels = Array.isArray(samples) ? samples : [samples];
  const nch = channels.length;
  const frames = nch ? channels[0].length : 0;
  if (channels.some((c) => c.length !== frames)) throw new Error('all channels must have the same length');
  const bytes = format === 'int16' ? 2 : 4;
  const dataSize = frames * nch * bytes;
  const out = Buffer.alloc(44 + dataSize);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + dataSize, 4);
  out.write('WAVE', 8, 'ascii');
  out.write('fmt ', 12, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(format === 'int16' ? PCM : IEEE_FLOAT, 20);
  out.writeUInt16LE(nch, 22);
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * nch * bytes, 28);
  out.writeUInt16LE(nch * bytes, 32);
  out.writeUInt16LE(bytes * 8, 34);
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(dataSize, 40);
  let at = 44;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < nch; c++) {
      const v = channels[c][i];
      if (format === 'int16') out.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(v * 32768))), at);
      else out.writeFloatLE(v, at);
      at += bytes;
    }
  }
  return out;
}
