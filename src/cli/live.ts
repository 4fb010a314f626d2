// `transcrevai dictate` and `transcrevai meeting`: a live session on the same supervised children as
// `transcribe` (capture, transcription, diarization), run by this process. Dictation prints each phrase as a
// line the moment it is final; a meeting prints the speaker-labelled transcript when it stops. --events prints
// every event and the result as JSON lines instead (for scripts and tests). Ctrl-C stops gracefully: phrases
// already spoken are still transcribed; a second Ctrl-C leaves at once (the recording stays on disk).
import { CancelledError } from '../errors';
import { writeOutputFile, writtenBesideWarning } from '../files/writeOutput';
import { render } from '../output';
import { renderMeetingNotes } from '../output/meetingNotes';
import type { LiveEvent } from '../protocol/client';
import type { CliCommand } from './arguments';
import { cleanUpKilledRuns, debugEvent, errorLine, resourceReport, warningLine, writeStdout } from './reports';

export async function liveCommand(cmd: Extract<CliCommand, { kind: 'live' }>): Promise<void> {
  cleanUpKilledRuns(cmd.verbose);
  const { LiveSession } = require('../engine/live') as typeof import('../engine/live');
  const { Supervisor } = require('../engine/supervisor') as typeof import('../engine/supervisor');
  const supervisor = new Supervisor({ distDir: __dirname, onEvent: debugEvent });
  supervisor.start().catch(() => undefined);
  let stopRequested!: () => void;
  const stopped = new Promise<void>((resolve) => (stopRequested = resolve));
  const print = (line: string) => void writeStdout(line + '\n');
  const onEvent = (event: LiveEvent) => {
    if (cmd.events) {
      if (event.kind !== 'level' || process.env.TRANSCREVAI_LEVELS) print(JSON.stringify({ event }));
    } else if (event.kind === 'final' && cmd.params.mode === 'dictation') {
      print(event.segment.text);
    } else if (event.kind === 'gap') {
      process.stderr.write(warningLine(`${event.gap.duration.toFixed(2)} s of audio lost at ${event.gap.start.toFixed(2)} s (capture restarted)`));
    }
    if (event.kind === 'ended') stopRequested();
  };
  const session = new LiveSession(`cli-${process.pid}`, cmd.params, supervisor, onEvent);
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts === 1) stopRequested();
    else {
      process.stderr.write(errorLine(new CancelledError(`cancelled; the recording is at ${session.journal}`)) + '\n');
      process.exit(5);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await session.start();
    process.stderr.write(
      `transcrevai: ${cmd.params.mode === 'meeting' ? 'recording the meeting' : 'listening'}${cmd.seconds ? ` for ${cmd.seconds} s` : ''} (Ctrl-C stops)\n`,
    );
    const timer = cmd.seconds ? setTimeout(stopRequested, cmd.seconds * 1000) : undefined;
    await stopped;
    clearTimeout(timer);
    const result = await session.stop();
    for (const w of result.transcript.warnings ?? []) if (!cmd.events) process.stderr.write(warningLine(w));
    if (cmd.verbose) process.stderr.write(resourceReport(supervisor.status()));
    if (cmd.events) print(JSON.stringify({ result }));
    // A meeting in Markdown is meeting notes (front matter, participants); other formats render the transcript.
    const asNotes = cmd.params.mode === 'meeting' && cmd.format === 'md';
    const text = asNotes
      ? renderMeetingNotes(result.transcript, { startedAt: new Date(result.startedAt), recording: result.recording, notesPath: cmd.out })
      : cmd.params.mode === 'meeting' || cmd.out
        ? render(result.transcript, cmd.format)
        : '';
    if (cmd.out) {
      const written = writeOutputFile(cmd.out, text, result.recording ? [result.recording] : [], { besideIfHeld: true });
      const beside = writtenBesideWarning(cmd.out, written);
      if (beside) process.stderr.write(warningLine(beside));
    } else if (text && !cmd.events) await writeStdout(text);
    if (result.recording && !cmd.events) process.stderr.write(`transcrevai: recording kept at ${result.recording}\n`);
  } finally {
    await supervisor.dispose();
  }
}
