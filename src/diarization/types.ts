// Shapes shared inside src/diarization. Times in seconds unless a name says otherwise.

/** One speaker's stretch of speech on the media timeline (seconds). */
export interface Turn {
  start: number;
  end: number;
  speaker: string;
}

/** A scored region (UEM line): [start, end) in seconds. */
export interface Region {
  start: number;
  end: number;
}

export type ClusterMethod = 'agglomerative' | 'spectral' | 'hybrid';
/** 'overlap-aware': speaker segmentation + CAM++ (src/diarization/overlap/); the others cluster GE2E windows, or MFCC statistics. */
export type DiarizationMethod = 'overlap-aware' | ClusterMethod | 'fallback-mfcc';

/** How many speakers to look for: exact, bounded, or fully automatic when all are undefined. */
export interface SpeakerCount {
  speakers?: number;
  minSpeakers?: number;
  maxSpeakers?: number;
}
