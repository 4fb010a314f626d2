// The file of remembered voices: `{"version": 1, "profiles": [...]}`, in the extension's global storage (never in a
// workspace), read by the CLI with --voices. It holds embeddings and names, never audio; a profile's optional
// `embedder` ("campplus" or "ge2e") says which model made it (absent in files written before CAM++: GE2E). Written
// whole through a temporary file and a rename, so a crash leaves the old list or the new one.
import * as fs from 'fs';
import * as path from 'path';
import { TranscrevError } from '../errors';
import type { VoiceProfile } from '../transcript';
import { writeOutputFile } from './writeOutput';

export const VOICE_FILE_NAME = 'voices.json';

/** The profiles of a voices file; none when it does not exist. A file that is not one is an error that says so. */
export function readVoiceProfiles(file: string): VoiceProfile[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new TranscrevError('usage', `Cannot read the voices file ${file}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new TranscrevError('usage', `The voices file ${file} is not JSON.`);
  }
  const profiles = (data as { profiles?: unknown })?.profiles;
  if (!Array.isArray(profiles) || !profiles.every(isVoiceProfile)) {
    throw new TranscrevError(
      'usage',
      `The voices file ${file} is not a list of voice profiles ({"version": 1, "profiles": [{name, space, embedding, created}]}).`,
    );
  }
  return profiles;
}

export function writeVoiceProfiles(file: string, profiles: readonly VoiceProfile[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Created private once; writeOutputFile keeps the mode of the file it replaces.
  if (!fs.existsSync(file)) fs.closeSync(fs.openSync(file, 'wx', 0o600));
  writeOutputFile(file, JSON.stringify({ version: 1, profiles }, null, 1) + '\n');
}

/** Profiles sent to the engine (a file job or a meeting) are checked before any work, as a usage error. */
export function checkVoiceProfiles(voices: unknown): void {
  if (voices !== undefined && !(Array.isArray(voices) && voices.every(isVoiceProfile))) {
    throw new TranscrevError('usage', 'voices must be a list of voice profiles ({name, space, embedding, created})');
  }
}

/** A profile as the engine accepts it over the wire or from a file. */
export function isVoiceProfile(p: unknown): p is VoiceProfile {
  const v = p as VoiceProfile;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.name === 'string' &&
    v.name.trim().length > 0 &&
    typeof v.space === 'string' &&
    (v.embedder === undefined || v.embedder === 'campplus' || v.embedder === 'ge2e') &&
    Array.isArray(v.embedding) &&
    v.embedding.length > 0 &&
    v.embedding.every((x) => typeof x === 'number' && Number.isFinite(x)) &&
    typeof v.created === 'string'
  );
}
