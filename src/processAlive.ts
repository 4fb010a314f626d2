// Whether a process is still running, by its pid (signal 0 checks without sending anything). EPERM means it runs
// under another user: alive, just not ours.
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
