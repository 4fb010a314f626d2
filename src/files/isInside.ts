// Whether a path lies inside a folder, by path.relative rather than a string prefix: "/work/notes-old/a.md"
// starts with "/work/notes" but is not in it, and "/work/notes/../x" is not either.
import * as path from 'path';

export function isInside(folder: string, file: string): boolean {
  const rel = path.relative(path.resolve(folder), path.resolve(file));
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}
