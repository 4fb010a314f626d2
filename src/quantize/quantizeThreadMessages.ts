// What the quantizer's worker thread (quantizeThread.ts) is given and what it says back to quantizeInWorker.ts.
import type { ErrorInfo } from '../errors';
import type { QuantizeProgress, QuantizeResult } from './quantizeFolder';
import type { QuantizedPrecision } from './recipe';

export interface QuantizeThreadJob {
  dir: string;
  precision: QuantizedPrecision;
}

export type QuantizeThreadMessage =
  | { type: 'progress'; progress: QuantizeProgress }
  | { type: 'log'; line: string }
  | { type: 'done'; result: QuantizeResult }
  /** `stack`: where an internal error was thrown, which would be lost crossing the thread otherwise. */
  | { type: 'error'; error: ErrorInfo; stack?: string };
