// Capture child: media file → 16 kHz mono journal (ffmpeg), and live audio (microphone or paced file) → the
// growing WAV journal, appended as each chunk arrives, with a level meter about ten times a second.
import { captureHandlers } from '../engine/stages/capture';
import { serveWorker } from './serve';

serveWorker('capture', captureHandlers);
