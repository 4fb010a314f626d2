// `transcrevai transcribe`: one media file through the engine (supervised children, or this process with
// --in-process), the result to stdout or --out. Ctrl-C cancels (exit 5); a second Ctrl-C leaves at once.
// Several inputs or a folder are a batch (batch.ts).
import * as fs from 'fs';
import * as path from 'path';
import { CancelledError, TranscrevError } from '../errors';
import { renderStageAccounts } from '../engine/audit';
import { writeOutputFile, writtenBesideWarning } from '../files/writeOutput';
import { render } from '../output';
import type { CliCommand } from './arguments';
import { openEngineSession } from './engineSession';
import { cleanUpKilledRuns, progressPrinter, resourceReport, warningLine, writeStdout } from './reports';

export async function transcribeCommand(cmd: Extract<CliCommand, { kind: 'transcribe' }>): Promise<void> {
  if (cmd.out) {
    const dir = path.dirname(cmd.out);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new TranscrevError('usage', `--out: folder does not exist: ${dir}`);
    if (fs.existsSync(cmd.out) && fs.statSync(cmd.out).isDirectory()) throw new TranscrevError('usage', `--out is a folder, not a file: ${cmd.out}`);
  }
  cleanUpKilledRuns(cmd.verbose);
  const { engine, supervisor, signal, dispose } = openEngineSession({ inProcess: cmd.inProcess, diarize: cmd.params.diarize });
  const showProgress = cmd.progress || !!process.stderr.isTTY;
  const printer = progressPrinter(!!process.stderr.isTTY);
  try {
    const transcript = await engine.transcribe(cmd.params, {
      signal,
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
    const text = render(transcript, cmd.format, { wordCues: cmd.wordCues });
    if (cmd.out) {
      const written = writeOutputFile(cmd.out, text, [cmd.params.input], { besideIfHeld: true });
      const beside = writtenBesideWarning(cmd.out, written);
      if (beside) process.stderr.write(warningLine(beside));
    } else await writeStdout(text);
  } catch (err) {
    printer.end();
    if (signal.aborted && !(err instanceof CancelledError)) throw new CancelledError('cancelled');
    throw err;
  } finally {
    await dispose();
  }
}
