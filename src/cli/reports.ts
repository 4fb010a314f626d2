// What the CLI writes besides the result: the one-line error, exit codes, progress on stderr, and the
// `--verbose` report of every process's resources.
import * as os from 'os';
import { TranscrevError } from '../errors';
import { removeStaleJobFolders } from '../files/jobFolders';
import type { ProgressEvent } from '../progress';
import type { ChildStatus } from '../protocol/worker';

/** One line per failure: `transcrevai: error: …`. */
export function errorLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const text = message.replace(/\s*\n\s*/g, ' ').trim();
  const hint = err instanceof TranscrevError && err.kind === 'usage' ? ' (see transcrevai --help)' : '';
  return `transcrevai: error: ${text}${hint}`;
}

export function exitCodeOf(err: unknown): number {
  return err instanceof TranscrevError ? err.exitCode : 1;
}

export function writeStdout(text: string): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(text)) resolve();
    else process.stdout.once('drain', resolve);
  });
}

/** The supervisor's events (restarts, pinning) on stderr when TRANSCREVAI_DEBUG is set. */
export function debugEvent(message: string): void {
  if (process.env.TRANSCREVAI_DEBUG) process.stderr.write(`transcrevai: ${message}\n`);
}

export function warningLine(message: string): string {
  return `transcrevai: warning: ${message.replace(/\s*\n\s*/g, ' ')}\n`;
}

const COMPONENT_LABEL: Record<ProgressEvent['component'], string> = {
  load: 'loading model',
  decode: 'decoding audio',
  vad: 'finding speech',
  transcription: 'transcribing',
  diarization: 'labelling speakers',
};

/** Progress on stderr: one rewritten line on a terminal, else a line per component and 10 % step. */
export function progressPrinter(tty: boolean): { update(e: ProgressEvent): void; end(): void } {
  let last = '';
  let lastStep = -1;
  let lastComponent = '';
  let drawn = false;
  return {
    update(e) {
      const line = `transcrevai: ${COMPONENT_LABEL[e.component]} ${Math.round(e.percent)}%`;
      if (tty) {
        if (line === last) return;
        last = line;
        process.stderr.write(`\r\x1b[2K${line}`);
        drawn = true;
        return;
      }
      const step = Math.floor(e.percent / 10);
      if (e.component === lastComponent && step === lastStep) return;
      lastComponent = e.component;
      lastStep = step;
      process.stderr.write(line + '\n');
    },
    end() {
      if (tty && drawn) process.stderr.write('\r\x1b[2K');
    },
  };
}

/** `--verbose`: one line per process (this one, then the children), peak RSS from the kernel / heartbeats. */
export function resourceReport(children: ChildStatus[]): string {
  const mb = (bytes: number) => `${Math.round(bytes / 1e6)} MB`;
  const self = process.resourceUsage();
  const lines = [
    `transcrevai: process engine pid ${process.pid}: peak RSS ${mb(self.maxRSS * 1024)}, CPU ${((self.userCPUTime + self.systemCPUTime) / 1e6).toFixed(1)} s`,
  ];
  let total = self.maxRSS * 1024;
  for (const c of children) {
    if (!c.peakRss) continue;
    total += c.peakRss;
    lines.push(`transcrevai: process ${c.kind}: peak RSS ${mb(c.peakRss)}, restarts ${c.restarts}${c.affinity ? `, affinity ${c.affinity}` : ''}`);
  }
  lines.push(`transcrevai: all processes: at most ${mb(total)} (sum of peaks); system memory free ${mb(os.freemem())} of ${mb(os.totalmem())}`);
  return lines.join('\n') + '\n';
}

/** Removes the job folders killed runs left behind (jobFolders.ts); says so with --verbose. */
export function cleanUpKilledRuns(verbose: boolean | undefined): void {
  const stale = removeStaleJobFolders();
  if (verbose && stale.length) process.stderr.write(`transcrevai: removed ${stale.length} job folder(s) left by killed runs: ${stale.join(', ')}\n`);
}
