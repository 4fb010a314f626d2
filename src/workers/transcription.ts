// Transcription child: journal → speech regions (Silero VAD) → Whisper segments, and live phrases. Models stay
// loaded between requests; a restarted child loads them again (its `load` request is idempotent).
import { transcriptionHandlers } from '../engine/stages/transcription';
import { serveWorker } from './serve';

serveWorker('transcription', transcriptionHandlers);
