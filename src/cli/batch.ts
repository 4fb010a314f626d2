// `transcrevai transcribe a.mp3 b.mp4 folder/ [--out-dir D] [--shard K/N]`: many recordings, one after another
// through one engine (each at the full core budget), one transcript file per input. A file whose transcript exists
// is skipped, so a batch started again after a kill or a reboot finishes the rest without redoing anything; one
// file's failure never stops the others (a missing model or a bad option, which would fail them all, does). With
// --out-dir, a status manifest there (JSON, rewritten after every file) says where each input stands, for whatever
// scheduler runs the shards; the summary at the end says how many were done, skipped and failed, and why.
import * as fs from 'fs';
import * as path from 'path';
import { CancelledError, TranscrevError } from '../errors';
import { renderStageAccounts } from '../engine/audit';
import { expandInputs, planOutputs, shardOf, type BatchItem } from '../batch/plan';
import { writeOutputFile, writtenBesideWarning } from '../files/writeOutput';
import { render } from '../output';
import type { CliCommand } from './arguments';
import { openEngineSession } from './engineSession';
import { cleanUpKilledRuns, errorLine, exitCodeOf, progressPrinter, warningLine } from './reports';

export type BatchStatus = 'pending' | 'done' | 'skipped' | 'failed';

export interface BatchEntry extends BatchItem {
  status: BatchStatus;
  /** Why it was skipped or failed. */
  reason?: string;
  /** Seconds of audio, and of processing, for a file done in this run. */
  audioSeconds?: number;
  seconds?: number;
}

export interface BatchManifest {
  version: 1;
  shard: string;
  format: string;
  started: string;
  updated: string;
  files: BatchEntry[];
}

/** Errors that would fail every file alike: the batch stops at the first. */
const STOPS_THE_BATCH = new Set(['usage', 'model', 'cancelled']);

/** The manifest's name: one per shard, so shards sharing an output folder never write the same file. */
export function manifestName(shard: { index: number; count: number } | undefined): string {
  return shard ? `transcrevai-batch.${shard.index}-of-${shard.count}.json` : 'transcrevai-batch.json';
}

/** Runs the batch; returns the exit code (0 when no file failed, else the first failure's). */
export async function batchCommand(cmd: Extract<CliCommand, { kind: 'batch' }>): Promise<number> {
  if (cmd.outDir) fs.mkdirSync(cmd.outDir, { recursive: true });
  const all = expandInputs(cmd.inputs);
  if (!all.length) throw new TranscrevError('usage', `no media files (${cmd.inputs.join(', ')}): looked for .wav, .mp3, .mp4, .m4a, .ogg, .webm, .flac, .mkv`);
  const items = planOutputs(shardOf(all, cmd.shard), cmd.format, cmd.outDir);
  const shardText = cmd.shard ? `${cmd.shard.index}/${cmd.shard.count}` : '1/1';
  const now = () => new Date().toISOString();
  const manifest: BatchManifest = { version: 1, shard: shardText, format: cmd.format, started: now(), updated: now(), files: [] };
  manifest.files = items.map((item) => ({ ...item, status: 'pending' }));
  // Beside the transcripts when they have a folder of their own; a batch writing beside its inputs has no one
  // place for it (and its transcripts are the record), so it only prints the summary.
  const manifestFile = cmd.outDir ? path.join(cmd.outDir, manifestName(cmd.shard)) : undefined;
  const save = () => {
    manifest.updated = now();
    if (manifestFile) writeOutputFile(manifestFile, JSON.stringify(manifest, null, 2) + '\n', []);
  };
  process.stderr.write(
    `transcrevai: batch of ${items.length} file${items.length === 1 ? '' : 's'}` +
      (cmd.shard ? ` (shard ${shardText} of ${all.length} inputs)` : '') +
      (manifestFile ? `; status in ${manifestFile}` : '') +
      '\n',
  );
  save();
  cleanUpKilledRuns(cmd.verbose);

  const todo = manifest.files.filter((entry) => {
    if (cmd.overwrite || !fs.existsSync(entry.output)) return true;
    entry.status = 'skipped';
    entry.reason = 'transcript exists';
    return false;
  });
  let stopped: unknown;
  let firstFailure: unknown;
  if (todo.length) {
    const session = openEngineSession({ inProcess: cmd.inProcess, diarize: cmd.params.diarize });
    const showProgress = cmd.progress || !!process.stderr.isTTY;
    try {
      for (const [n, entry] of todo.entries()) {
        process.stderr.write(`transcrevai: [${n + 1}/${todo.length}] ${entry.input}\n`);
        const printer = progressPrinter(!!process.stderr.isTTY);
        const started = Date.now();
        try {
          const transcript = await session.engine.transcribe(
            { ...cmd.params, input: entry.input },
            {
              signal: session.signal,
              onProgress: showProgress ? (e) => printer.update(e) : undefined,
              onWarning: (m) => {
                printer.end();
                process.stderr.write(warningLine(m));
              },
            },
          );
          printer.end();
          if (cmd.verbose) process.stderr.write(renderStageAccounts(transcript.audit ?? []));
          fs.mkdirSync(path.dirname(entry.output), { recursive: true });
          const written = writeOutputFile(entry.output, render(transcript, cmd.format, { wordCues: cmd.wordCues }), [entry.input], { besideIfHeld: true });
          const beside = writtenBesideWarning(entry.output, written);
          if (beside) {
            process.stderr.write(warningLine(beside));
            entry.output = written;
          }
          entry.status = 'done';
          entry.audioSeconds = round(transcript.duration);
          entry.seconds = round((Date.now() - started) / 1000);
        } catch (err) {
          printer.end();
          const e = session.signal.aborted ? new CancelledError('cancelled') : err;
          entry.status = 'failed';
          firstFailure ??= e;
          entry.reason = errorLine(e).replace(/^transcrevai: (error: )?/, '');
          process.stderr.write(`transcrevai: ${path.basename(entry.input)} failed: ${entry.reason}\n`);
          if (e instanceof TranscrevError && STOPS_THE_BATCH.has(e.kind)) stopped = e;
        }
        save();
        if (stopped) break;
      }
    } finally {
      await session.dispose();
    }
  }
  save();
  process.stderr.write(summary(manifest.files));
  if (stopped) throw stopped;
  return firstFailure === undefined ? 0 : exitCodeOf(firstFailure);
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

/** "batch: 3 done, 1 skipped (transcript exists), 1 failed: bad.mp3 (why)". */
export function summary(files: readonly BatchEntry[]): string {
  const count = (s: BatchStatus) => files.filter((f) => f.status === s).length;
  const failed = files.filter((f) => f.status === 'failed');
  const pending = count('pending');
  return (
    `transcrevai: batch: ${count('done')} done, ${count('skipped')} skipped (transcript exists), ${failed.length} failed` +
    (pending ? `, ${pending} not started` : '') +
    (failed.length ? `: ${failed.map((f) => `${path.basename(f.input)} (${f.reason})`).join('; ')}` : '') +
    '\n'
  );
}
