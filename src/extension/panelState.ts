// The panel's state as live events and job progress arrive: a pure reducer (vscode-free, unit-tested), so the
// host only keeps one PanelState and posts it whole.
import { speakerName } from '../diarization/speakerName';
import { EXPORT_FORMATS, formatSpec } from '../output/formats';
import { isUnsure, suspectSegments } from '../output/confidence';
import type { LiveEvent } from '../protocol/client';
import type { PanelSegment, PanelState } from '../protocol/panel';
import type { Segment, Transcript } from '../transcript';

export function emptyPanelState(title: string): PanelState {
  return { status: 'idle', title, progress: {}, banners: [], speakers: {}, voices: [], segments: [], exports: [] };
}

export function applyLiveEvent(state: PanelState, e: LiveEvent): PanelState {
  switch (e.kind) {
    case 'level':
      return { ...state, status: state.status === 'idle' ? 'recording' : state.status, level: { rms: e.rms, peak: e.peak, seconds: e.seconds } };
    case 'partial':
      return { ...state, partial: { start: e.start, text: e.text } };
    case 'drop':
      return { ...state, partial: undefined };
    case 'final': {
      const speakers = { ...state.speakers };
      const id = e.segment.speaker;
      if (id && !(id in speakers)) speakers[id] = speakerName(id);
      return {
        ...state,
        partial: undefined,
        speakers,
        segments: [...state.segments, { start: e.segment.start, end: e.segment.end, text: e.segment.text, speaker: id }],
      };
    }
    case 'gap':
      return {
        ...state,
        banners: [...state.banners, `${e.gap.duration.toFixed(1)} s of audio were lost at ${e.gap.start.toFixed(1)} s while capture restarted.`],
      };
    case 'ended':
      return e.reason === 'error' ? { ...state, status: 'error', error: e.message ?? 'Live audio stopped.' } : state;
  }
}

/** The finished transcript replaces the live lines: final speakers (re-diarized), warnings as banners. */
export function applyTranscript(state: PanelState, t: Transcript, renames: Record<string, string> = {}): PanelState {
  const speakers: Record<string, string> = {};
  for (const s of t.speakers ?? []) speakers[s.id] = renames[s.id] ?? s.name;
  for (const seg of t.segments) if (seg.speaker && !(seg.speaker in speakers)) speakers[seg.speaker] = renames[seg.speaker] ?? speakerName(seg.speaker);
  return {
    ...state,
    status: state.status === 'error' ? 'error' : 'done',
    level: undefined,
    partial: undefined,
    speakers,
    voices: Object.keys(t.voices?.bySpeaker ?? {}).filter((id) => id in speakers),
    segments: panelSegments(t.segments),
    banners: [...new Set([...state.banners, ...(t.warnings ?? [])])],
    exports: EXPORT_FORMATS.map((format) => ({ format, label: formatSpec(format).label })),
  };
}

/** The transcript's segments as the panel shows them: words with the unsure ones marked, suspect phrases with why. */
export function panelSegments(segments: readonly Segment[]): PanelSegment[] {
  const suspects = new Map(suspectSegments(segments).map((x) => [x.segment, x.reason]));
  return segments.map((s, index) => {
    const out: PanelSegment = { start: s.start, end: s.end, text: s.text, speaker: s.speaker };
    if (s.words?.length)
      out.words = s.words.map((w) => ({
        start: w.start,
        text: w.text,
        ...(isUnsure(w) && { unsure: w.probability }),
      }));
    if (suspects.has(index)) out.suspect = suspects.get(index);
    return out;
  });
}
