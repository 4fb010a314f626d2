// node-record-lpcm16 ships no types: the part of its API the capture child uses.
declare module 'node-record-lpcm16' {
  import type { ChildProcess } from 'child_process';
  import type { Readable } from 'stream';
  interface RecordOptions {
    sampleRate?: number;
    channels?: number;
    audioType?: 'wav' | 'raw';
    recorder?: 'sox' | 'rec' | 'arecord';
    device?: string;
    threshold?: number;
    endOnSilence?: boolean;
  }
  interface Recording {
    process: ChildProcess;
    stream(): Readable;
    stop(): void;
    pause(): void;
    resume(): void;
  }
  export function record(options?: RecordOptions): Recording;
}
