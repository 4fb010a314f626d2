// How every ffmpeg we run opens the user's media: as a local file and as an audio or video container, nothing
// else. Without this, ffmpeg opens whatever the input names: a path that spells a protocol ("concat:", "subfile,")
// or a file whose content is a playlist (HLS, ffconcat) that sends it to other files or, in some builds, the
// network. The "file:" prefix makes the path only a path; the protocol whitelist keeps nested opens to files;
// the format whitelist admits the demuxers of the media a user transcribes and refuses playlists and scripts.
import * as path from 'path';

/** Demuxers TranscrevAI opens (ffmpeg's short names: "mov" covers mp4/m4a/3gp, "matroska" covers mkv/webm). */
export const MEDIA_DEMUXERS = [
  'wav',
  'w64',
  'mp3',
  'mov',
  'mp4',
  'm4a',
  'ogg',
  'matroska',
  'webm',
  'flac',
  'aac',
  'aiff',
  'caf',
  'amr',
  'asf',
  'avi',
  'mpeg',
  'mpegts',
  'flv',
  'au',
  'wv',
];

/** How ffmpeg is told the input's name, and so how its messages name the input. */
export function ffmpegInputName(file: string): string {
  return `file:${path.resolve(file)}`;
}

/** ffmpeg arguments that open `file` (before any output options). */
export function mediaInputArgs(file: string): string[] {
  return ['-protocol_whitelist', 'file', '-format_whitelist', MEDIA_DEMUXERS.join(','), '-i', ffmpegInputName(file)];
}

/** ffmpeg's complaint when the input was refused by the format whitelist, in words; undefined otherwise. */
export function refusedFormat(stderr: string): string | undefined {
  const m = /\[(\w+) @ [^\]]+\] Format not on whitelist/.exec(stderr);
  return m ? `its format (${m[1]}) is a playlist or a container TranscrevAI does not open` : undefined;
}
