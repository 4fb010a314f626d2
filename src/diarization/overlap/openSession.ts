// The onnxruntime session of a diarization model, opened the same way for both: CPU, the caller's threads, and no
// arena or memory pattern (inputs change length from call to call, and an arena keeps every peak, as for Whisper's
// sessions in src/whisper/session.ts). A missing or unloadable file is a 'model' error that names it.
import * as fs from 'fs';
import * as ort from 'onnxruntime-node';
import { TranscrevError } from '../../errors';

/** `what`: the model as the user is told about it ("speaker segmentation model"). */
export async function openSession(file: string, what: string, threads: number): Promise<ort.InferenceSession> {
  if (!fs.existsSync(file)) throw new TranscrevError('model', `${what[0].toUpperCase()}${what.slice(1)} not found: ${file}`);
  try {
    return await ort.InferenceSession.create(file, {
      intraOpNumThreads: Math.max(1, threads),
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionProviders: ['cpu'],
      enableCpuMemArena: false,
      enableMemPattern: false,
    });
  } catch (err) {
    throw new TranscrevError('model', `Could not load the ${what} ${file}: ${(err as Error).message}`, { cause: err });
  }
}
