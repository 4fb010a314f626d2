// Progress is reported per component so the UI can show decode, transcription and diarization apart.

export type Component = 'load' | 'decode' | 'vad' | 'transcription' | 'diarization';

export interface ProgressEvent {
  component: Component;
  /** 0–100 for this component. */
  percent: number;
  message?: string;
}

export type ProgressListener = (event: ProgressEvent) => void;
