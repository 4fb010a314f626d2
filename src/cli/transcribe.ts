// `transcrevai transcribe`: one media file through the engine (supervised children, or this process with
// --in-process), the result to stdout or --out. Ctrl-C cancels (exit 5); a second Ctrl-C leaves at once.
import * as fs from 'fs';
import * as path from 'path';
import { CancelledError, TranscrevError } from '../errors';
import { renderStageAccounts } from '../engine/audit';
import { writeOutputFile } from '../files/writeOutput';
import { render } from '../output';
import type { CliCommand } from './arguments';
import { cleanUpKilledRuns, debugEvent, errorLine, progressPrinter, resourceReport, warningLine, writeStdout } from './reports';

export async function transcribeCommand(cmd: Extract<CliCommand, { kind: 'transcribe' }>): Promise<void> {
  if (cmd.out) {
    const dir = path.dirname(cmd.out);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new TranscrevError('usage', `--out: folder does not exist: ${dir}`);
    if (fs.existsSync(cmd.out) && fs.statSync(cmd.out).isDirectory()) throw new TranscrevError('usage', `--out is a folder, not a file: ${cmd.out}`);
  }
  cleanUpKilledRuns(cmd.verbose);
  // Lazily required so --help, --version and status do not load onnxruntime.
  const { Engine } = require('../engine/engine') as typeof import('../engine/engine');
  const { Supervisor } = require('../engine/supervisor') as typeof import('../engine/supervisor');
  const supervisor = cmd.inProcess ? undefined : new Supervisor({ distDir: __dirname, onEvent: debugEvent });
  // Fork the children now: their start-up (Node + onnxruntime) overlaps the engine's checks and media probe.
  supervisor?.start(cmd.params.diarize ? undefined : ['capture', 'transcription']).catch(() => undefined);
  const engine = new Engine({ supervisor });
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts === 1) {
      controller.abort();
      // If the job does not wind down promptly, leave anyway with the cancelled code.
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
  const showProgress = cmd.progress || !!process.stderr.isTTY;
  const printer = progressPrinter(!!process.stderr.isTTY);
  try {
    const transcript = await engine.transcribe(cmd.params, {
      signal: controller.signal,
      onProgress: showProgress ? (e) => printer.update(e) : undefined,
      onWarning: (m) => {
        printer.end();
        process.stderr.write(warningLine(m));
      },
    });
    printer.end();
    if (cmd.verbose) {
      process.stderr.write(renderStageAccounts(transcript.audit ?? []));
      process.stderr.write(resourceReport(supervisor?.status() ?? []));
    }
    const text = render(transcript, cmd.format);
    if (cmd.out) writeOutputFile(cmd.out, text, [cmd.params.input]);
    else await writeStdout(text);
  } catch (err) {
    printer.end();
    if (controller.signal.aborted && !(err instanceof CancelledError)) throw new CancelledError('cancelled');
    throw err;
  } finally {
    await supervisor?.dispose();
  }
}
