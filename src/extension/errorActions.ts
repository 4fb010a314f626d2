// Which action fixes which failure (pure, unit-tested): the error message box in ui.ts offers these.
export type ErrorAction = 'download' | 'folder' | 'ffmpegSettings' | 'log';

/** The actions that can fix an error, most useful first. */
export function actionsFor(kind: string | undefined, message: string): ErrorAction[] {
  if (/ffmpeg/i.test(message)) return ['ffmpegSettings', 'log'];
  if (kind === 'model') {
    // A broken user folder is fixed by choosing another folder first; a missing catalogue model by downloading.
    return /folder/i.test(message) && !/not installed/i.test(message) ? ['folder', 'download'] : ['download', 'folder'];
  }
  return ['log'];
}
