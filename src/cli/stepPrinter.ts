// Progress of a long step on stderr: a bar rewritten in place on a terminal; otherwise one line when a step starts
// and one when it ends (logs and CI keep a readable record, not thousands of carriage returns).
import { formatBytes } from '../models/catalog';

const BAR = 24;

export interface StepPrinter {
  /** A message of its own (a log line): clears the bar first. */
  line(text: string): void;
  progress(step: string, done: number, total: number | null, label: string): void;
  end(): void;
}

export function stepPrinter(tty: boolean, write: (s: string) => void = (s) => process.stderr.write(s)): StepPrinter {
  let drawn = false;
  let current = '';
  let lastPercent = -1;
  const clear = () => {
    if (drawn) write('\r\x1b[2K');
    drawn = false;
  };
  const amount = (done: number, total: number | null) => (total ? `${formatBytes(done)} of ${formatBytes(total)}` : formatBytes(done));
  return {
    line(text) {
      clear();
      write(`transcrevai: ${text}\n`);
    },
    progress(step, done, total, label) {
      const percent = total ? Math.min(100, Math.floor((done / total) * 100)) : 0;
      if (tty) {
        if (step === current && percent === lastPercent && drawn) return;
        current = step;
        lastPercent = percent;
        const filled = Math.round((percent / 100) * BAR);
        write(`\r\x1b[2K[${'#'.repeat(filled)}${' '.repeat(BAR - filled)}] ${String(percent).padStart(3)} % ${amount(done, total)}  ${label}`);
        drawn = true;
        return;
      }
      if (step !== current) {
        current = step;
        write(`transcrevai: ${label}\n`);
      }
    },
    end() {
      clear();
    },
  };
}
