// Diarization child: journal + speech regions → speaker turns, and, for live sessions, "when is there speech":
// streaming Silero VAD over the growing recording (segmentation belongs with diarization, as in pyannote, and
// here it never waits behind a Whisper run, which blocks the transcription child's event loop for ~300 ms at a
// time), and one speaker embedding per phrase. A missing or failing speaker model falls back to MFCC (reported).
import { diarizationHandlers } from '../engine/stages/diarization';
import { serveWorker } from './serve';

serveWorker('diarization', diarizationHandlers);
