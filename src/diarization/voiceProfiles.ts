// Voice profiles: a speaker embedding kept under a person's name (never audio), and the matching of a recording's
// speakers to them. A speaker's voice is the normalised mean of its embeddings (GE2E: its windows', GE2E's utterance
// embedding; CAM++: its 10 s chunks' local speakers'); a profile names the speaker whose voice is most similar to
// it, when the cosine similarity reaches the embedder's threshold (voiceMatchThreshold), and each profile names one
// speaker at most. Voices of two embedding spaces (two models) are never compared.
import type { SpeakerVoices, Transcript, VoiceMatch, VoiceProfile } from '../transcript';
import type { SpeakerEmbedderKind } from '../vocabulary';
import { cosineSimilarity, l2normalize, mean } from './vectors';

/**
 * GE2E's cosine similarity from which a voice is taken for a profile's. Chosen on the shared speakers/ clips
 * (bench/voices.ts, docs/voices.md): different speakers reach 0.685 at most, the same speaker in the same language
 * 0.722 at least; 0.70 sits between. There it makes no false accept in 158 trials and misses 6 of 42, all six a
 * voice remembered in one language and heard in another. A miss costs a "Speaker 2" the person renames; a false
 * accept would put a wrong name on someone.
 */
export const VOICE_MATCH_THRESHOLD = 0.7;
/**
 * CAM++'s, chosen the same way on the same trials (bench/voices.ts, docs/voices.md): different speakers reach 0.607
 * at most, the same speaker in the same language 0.684 at least; 0.65 sits between (anything from 0.61 to 0.68
 * gives the same counts). No false accept in 158 trials, 6 misses in 42, the same six across languages (0.28 to 0.37).
 */
export const VOICE_MATCH_THRESHOLD_CAMPPLUS = 0.65;

/** The threshold for voices of this embedder (absent: GE2E, as in voices files written before CAM++). */
export const voiceMatchThreshold = (kind: SpeakerEmbedderKind | undefined): number =>
  kind === 'campplus' ? VOICE_MATCH_THRESHOLD_CAMPPLUS : VOICE_MATCH_THRESHOLD;

/** Each label's voice: the normalised mean of its rows (rows are window embeddings, labels their speakers). */
export function voicesOf(embeddings: Float32Array[], labels: readonly string[], space: string, embedder: SpeakerEmbedderKind): SpeakerVoices {
  const rows = new Map<string, Float32Array[]>();
  embeddings.forEach((e, i) => {
    const list = rows.get(labels[i]);
    if (list) list.push(e);
    else rows.set(labels[i], [e]);
  });
  const bySpeaker: Record<string, number[]> = {};
  for (const [label, list] of rows) bySpeaker[label] = Array.from(l2normalize(mean(list)), (x) => Math.round(x * 1e6) / 1e6);
  return { space, embedder, bySpeaker };
}

/**
 * The speakers the profiles name: pairs taken from the most similar down, each speaker and each profile once, only
 * at the voices' embedder's threshold or above, only in the same embedding space.
 */
export function matchVoices(voices: SpeakerVoices, profiles: readonly VoiceProfile[], threshold = voiceMatchThreshold(voices.embedder)): VoiceMatch[] {
  const pairs: VoiceMatch[] = [];
  for (const [speaker, voice] of Object.entries(voices.bySpeaker)) {
    for (const p of profiles) {
      if (p.space !== voices.space || p.embedding.length !== voice.length) continue;
      const similarity = cosineSimilarity(Float32Array.from(voice), Float32Array.from(p.embedding));
      if (similarity >= threshold) pairs.push({ speaker, name: p.name, similarity });
    }
  }
  pairs.sort((a, b) => b.similarity - a.similarity || a.speaker.localeCompare(b.speaker));
  const taken = new Set<string>();
  const named = new Set<string>();
  const out: VoiceMatch[] = [];
  for (const m of pairs) {
    if (taken.has(m.speaker) || named.has(m.name)) continue;
    taken.add(m.speaker);
    named.add(m.name);
    out.push(m);
  }
  return out.sort((a, b) => a.speaker.localeCompare(b.speaker, undefined, { numeric: true }));
}

/** Puts the profiles' names on the transcript's speakers they match (its own `voices`), and records the matches. */
export function nameKnownVoices(transcript: Transcript, profiles: readonly VoiceProfile[] | undefined): VoiceMatch[] {
  if (!profiles?.length || !transcript.voices || !transcript.speakers) return [];
  const matches = matchVoices(transcript.voices, profiles);
  for (const m of matches) {
    const speaker = transcript.speakers.find((s) => s.id === m.speaker);
    if (speaker) speaker.name = m.name;
  }
  transcript.voiceMatches = matches;
  return matches;
}
