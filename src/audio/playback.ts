// What the transcript panel plays: the recording itself when the webview can play it (VS Code's Chromium has no
// AAC or H.264 and no Matroska), else a playback copy, Opus in Ogg at 32 kbit/s mono (14 MB per hour), made once
// per version of the recording (its path, size and time in the copy's name) in a folder the caller owns.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { TranscrevError } from '../errors';
import type { MediaProbe } from '../vocabulary';
import { findFfmpeg } from './ffmpeg';
import { mediaInputArgs } from './ffmpegInput';
import { probeMedia, runFfmpeg, summarizeFfmpegError } from './decode';

/** Containers and codecs Chromium in VS Code plays without help. */
const PLAYABLE_CONTAINERS = new Set(['.wav', '.mp3', '.ogg', '.oga', '.opus', '.flac', '.webm']);
const PLAYABLE_CODECS = /^(pcm_(s16le|s24le|s32le|f32le|u8)|mp3|vorbis|opus|flac)$/;

export function isWebviewPlayable(file: string, probe: MediaProbe): boolean {
  return PLAYABLE_CONTAINERS.has(path.extname(file).toLowerCase()) && probe.audioStreams.length > 0 && PLAYABLE_CODECS.test(probe.audioStreams[0]);
}

/** The copy's name: one per version of the recording, so an edited recording gets a new copy. */
export function playbackCopyName(file: string): string {
  const st = fs.statSync(file);
  return `${createHash('sha256')
    .update(`${path.resolve(file)}|${st.size}|${st.mtimeMs}`)
    .digest('hex')
    .slice(0, 24)}.ogg`;
}

export interface Playback {
  file: string;
  /** A copy was made (or found) because the webview cannot play the recording. */
  copied: boolean;
}

export async function playbackFor(input: string, folder: string, options: { ffmpegPath?: string; signal?: AbortSignal } = {}): Promise<Playback> {
  const ffmpeg = findFfmpeg({ explicit: options.ffmpegPath });
  const probe = await probeMedia(input, { ffmpeg, signal: options.signal });
  if (isWebviewPlayable(input, probe)) return { file: input, copied: false };
  fs.mkdirSync(folder, { recursive: true });
  const copy = path.join(folder, playbackCopyName(input));
  if (fs.existsSync(copy)) return { file: copy, copied: true };
  const partial = `${copy}.${process.pid}.part.ogg`;
  const args = ['-hide_banner', '-nostdin', '-y', ...mediaInputArgs(input), '-vn', '-ac', '1', '-c:a', 'libopus', '-b:a', '32k', '-f', 'ogg', partial];
  const { code, stderr } = await runFfmpeg(ffmpeg.path, args, options.signal);
  if (code !== 0) {
    fs.rmSync(partial, { force: true });
    throw new TranscrevError('bad-input', `No playback copy of ${input} could be made: ${summarizeFfmpegError(stderr, input)}`);
  }
  fs.renameSync(partial, copy);
  return { file: copy, copied: true };
}
