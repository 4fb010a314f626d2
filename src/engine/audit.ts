// The stage-by-stage account of a transcription (`--verbose`, and kept on the transcript): how many seconds of
// the media each stage passed on and how many it set aside, with the reason, so speech is never lost silently.
import type { DecodeStats } from '../vocabulary';
import { SPEECH_CHUNK_PAD_SECONDS, SPEECH_MERGE_GAP_SECONDS } from '../whisper/speechMap';
import type { StageAccount } from '../transcript';

const s1 = (x: number) => `${x.toFixed(1)} s`;

/** `vadSkipped`: why the VAD did not run although its model is there (clipped audio), for the account. */
export function stageAccounts(duration: number, stats: DecodeStats | undefined, vadSkipped?: string): StageAccount[] {
  const out: StageAccount[] = [{ stage: 'media', kept: duration, dropped: 0, detail: `${s1(duration)} decoded to 16 kHz mono` }];
  if (!stats) return out;
  if (stats.vadSpeechSeconds !== undefined) {
    const speech = stats.vadSpeechSeconds;
    out.push({
      stage: 'vad',
      kept: speech,
      dropped: Math.max(0, duration - speech),
      detail: `${s1(speech)} of speech in ${stats.vadRegions} region${stats.vadRegions === 1 ? '' : 's'}; ${s1(Math.max(0, duration - speech))} judged silence by Silero VAD`,
    });
  } else {
    out.push({ stage: 'vad', kept: duration, dropped: 0, detail: vadSkipped ?? 'no VAD model: the whole input goes to Whisper' });
  }
  const skipped = stats.digitalSilenceSeconds + stats.noSpeechSeconds;
  out.push({
    stage: 'whisper',
    kept: Math.max(0, stats.decodedSeconds - skipped),
    dropped: skipped,
    detail:
      `${s1(stats.decodedSeconds)} decoded in ${stats.windows} window${stats.windows === 1 ? '' : 's'}` +
      (stats.vadSpeechSeconds !== undefined
        ? ` (speech regions closer than ${SPEECH_MERGE_GAP_SECONDS} s joined, ${SPEECH_CHUNK_PAD_SECONDS} s of context each side)`
        : '') +
      `; ${s1(stats.noSpeechSeconds)} set aside as no speech (P(no speech) high and text unlikely), ${s1(stats.digitalSilenceSeconds)} as digital silence` +
      `; ${stats.fallbacks} temperature fallback${stats.fallbacks === 1 ? '' : 's'}, ${stats.loopsCut} token loop${stats.loopsCut === 1 ? '' : 's'} cut`,
  });
  out.push({ stage: 'text', kept: stats.textSeconds, dropped: 0, detail: `segments cover ${s1(stats.textSeconds)}` });
  return out;
}

/** One line per stage: "stage vad: kept 28.1 s, set aside 1.9 s — …". */
export function stageAccountLines(accounts: readonly StageAccount[]): string[] {
  return accounts.map((a) => `stage ${a.stage}: kept ${s1(a.kept)}${a.dropped > 0 ? `, set aside ${s1(a.dropped)}` : ''} — ${a.detail}`);
}

/** The stage lines for stderr (`--verbose`). */
export function renderStageAccounts(accounts: readonly StageAccount[]): string {
  return stageAccountLines(accounts)
    .map((line) => `transcrevai: ${line}\n`)
    .join('');
}
