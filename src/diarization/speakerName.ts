// SPEAKER_3 → "Speaker 3": the display name of a speaker id. Its own module, free of the speaker model, so the
// extension host can name speakers without loading onnxruntime.
export function speakerName(id: string): string {
  const m = /^SPEAKER_(\d+)$/.exec(id);
  return m ? `Speaker ${m[1]}` : id;
}
