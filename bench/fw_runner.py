"""faster-whisper side of the benchmark: load a CTranslate2 model, transcribe one file, print JSON.

Prints "transcrevai-bench: loaded" on stderr (flushed) the moment the model is loaded, so the parent
timestamps start-up the same way for both tools. Usage: fw_runner.py <model_dir> <input> <threads> <language> [words]
("words": word_timestamps=True, for bench/words.ts)
"""
import json
import sys
import time

t0 = time.perf_counter()
from faster_whisper import WhisperModel  # noqa: E402

model_dir, media, threads, language = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
words = len(sys.argv) > 5 and sys.argv[5] == "words"
model = WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=threads, num_workers=1)
t_loaded = time.perf_counter()
print("transcrevai-bench: loaded", file=sys.stderr, flush=True)
segments, info = model.transcribe(media, language=language, beam_size=1, vad_filter=True, condition_on_previous_text=True,
                                  word_timestamps=words)
text = " ".join(s.text.strip() for s in segments)  # the generator runs the decoding
t_done = time.perf_counter()
print(json.dumps({
    "duration": info.duration,
    "text": text,
    "load": t_loaded - t0,
    "transcribe": t_done - t_loaded,
}))
