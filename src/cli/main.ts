// The `transcrevai` command line (dist/cli.js). The contract is exact (scripts depend on it): commands and
// flags in help.ts (written from the option records), exit codes 0 ok, 1 internal, 2 usage, 3 bad or unreadable
// input, 4 model missing or broken, 5 cancelled, 6 no recorder program or no input device. The result goes to
// stdout or --out; progress to stderr when it is a terminal or with --progress; errors are one line on stderr.
// The CLI runs the same engine as the engine process: in supervised child processes, or in this one
// (--in-process).
import { CancelledError } from '../errors';
import { parseCli } from './arguments';
import { usage } from './help';
import { errorLine, exitCodeOf, writeStdout } from './reports';
import { statusText, VERSION } from './status';
import { transcribeCommand } from './transcribe';

export async function main(argv: string[]): Promise<number> {
  try {
    const cmd = parseCli(argv);
    switch (cmd.kind) {
      case 'help':
        await writeStdout(usage() + '\n');
        return 0;
      case 'version':
        await writeStdout(VERSION + '\n');
        return 0;
      case 'status':
        await writeStdout(statusText(cmd.ffmpegPath) + '\n');
        return 0;
      case 'transcribe':
        await transcribeCommand(cmd);
        return 0;
      case 'batch': {
        const { batchCommand } = require('./batch') as typeof import('./batch');
        return await batchCommand(cmd);
      }
      case 'download': {
        const { downloadCommand } = require('./modelCommands') as typeof import('./modelCommands');
        await downloadCommand(cmd.model, cmd.precision, cmd.keepFloat, cmd.lines);
        return 0;
      }
      case 'models': {
        const { modelsCommand } = require('./modelCommands') as typeof import('./modelCommands');
        await modelsCommand();
        return 0;
      }
      case 'quantize': {
        const { quantizeCommand } = require('./modelCommands') as typeof import('./modelCommands');
        await quantizeCommand(cmd.dir, cmd.precision, cmd.lines);
        return 0;
      }
      case 'live': {
        const { liveCommand } = require('./live') as typeof import('./live');
        await liveCommand(cmd);
        return 0;
      }
    }
  } catch (err) {
    const e = err instanceof CancelledError ? new CancelledError('cancelled') : err;
    process.stderr.write(errorLine(e) + '\n');
    if (process.env.TRANSCREVAI_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    return exitCodeOf(e);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(errorLine(err) + '\n');
      process.exit(1);
    },
  );
}
