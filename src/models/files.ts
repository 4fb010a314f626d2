// What is on disk, without throwing: a file's size (null when it is not a regular file), whether a folder exists.
import * as fs from 'fs';

export function fileSize(p: string): number | null {
  try {
    const s = fs.statSync(p);
    return s.isFile() ? s.size : null;
  } catch {
    return null;
  }
}

export function isFile(p: string): boolean {
  return fileSize(p) !== null;
}

export function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
