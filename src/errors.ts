// Typed failures shared by the engine, the CLI and the extension. Each kind maps to one CLI exit
// code (the CLI contract scripts depend on) and carries a one-line message a user can act on.

/** 'device': no recorder program or no input device (the microphone). */
export type ErrorKind = 'usage' | 'bad-input' | 'model' | 'cancelled' | 'internal' | 'device';

export const EXIT_CODES: Record<ErrorKind, number> = {
  internal: 1,
  usage: 2,
  'bad-input': 3,
  model: 4,
  cancelled: 5,
  device: 6,
};

export class TranscrevError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TranscrevError';
  }

  get exitCode(): number {
    return EXIT_CODES[this.kind];
  }
}

export class CancelledError extends TranscrevError {
  constructor(message = 'Cancelled.') {
    super('cancelled', message);
  }
}

/** Throws CancelledError if the signal has fired; call at every loop boundary of long work. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/** Serializable form for crossing process boundaries. */
export interface ErrorInfo {
  kind: ErrorKind;
  message: string;
}

export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof TranscrevError) return { kind: err.kind, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { kind: 'internal', message };
}

export function fromErrorInfo(info: ErrorInfo): TranscrevError {
  return info.kind === 'cancelled' ? new CancelledError(info.message) : new TranscrevError(info.kind, info.message);
}
