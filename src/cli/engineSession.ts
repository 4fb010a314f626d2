// The engine of one CLI run, for one file or a batch: supervised children, forked at once so their start-up
// (Node + onnxruntime) overlaps the checks and the media probe, or this process (--in-process); and Ctrl-C as
// cancellation: the first cancels the job (and leaves with exit 5 if it has not wound down within 3 s), a second
// leaves at once.
import { CancelledError } from '../errors';
import type { Engine } from '../engine/engine';
import type { Supervisor } from '../engine/supervisor';
import { debugEvent, errorLine } from './reports';

export interface EngineSession {
  engine: Engine;
  supervisor?: Supervisor;
  /** Aborted by the first Ctrl-C or SIGTERM. */
  signal: AbortSignal;
  dispose(): Promise<void>;
}

export function openEngineSession(options: { inProcess?: boolean; diarize?: boolean }): EngineSession {
  // Lazily required so --help, --version and status do not load onnxruntime.
  const { Engine } = require('../engine/engine') as typeof import('../engine/engine');
  const { Supervisor } = require('../engine/supervisor') as typeof import('../engine/supervisor');
  const supervisor = options.inProcess ? undefined : new Supervisor({ distDir: __dirname, onEvent: debugEvent });
  supervisor?.start(options.diarize ? undefined : ['capture', 'transcription']).catch(() => undefined);
  const engine = new Engine({ supervisor });
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts === 1) {
      controller.abort();
      setTimeout(() => {
        process.stderr.write(errorLine(new CancelledError('cancelled')) + '\n');
        process.exit(5);
      }, 3000).unref();
    } else {
      process.exit(5);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    engine,
    supervisor,
    signal: controller.signal,
    dispose: async () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await supervisor?.dispose();
    },
  };
}
