"""faster-whisper peer of the dictation benchmark: load the model once, then transcribe each phrase file as
dictation would (greedy, no VAD: the phrase is already cut) and print the seconds each took, as JSON.
Usage: fw_phrases.py <model_dir> <threads> <language> <phrase.wav>...
"""
import json
import sys
import time

from faster_whisper import WhisperModel

model_dir, threads, language, files = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
model = WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=threads, num_workers=1)
model.transcribe(files[0], language=language, beam_size=1)  # warm-up, as our engine warms up at load
out = []
for f in files:
    t0 = time.perf_counter()
    segments, _ = model.transcribe(f, language=language, beam_size=1, condition_on_previous_text=False)
    text = " ".join(s.text.strip() for s in segments)
    out.append({"file": f, "seconds": time.perf_counter() - t0, "text": text})
print(json.dumps(out))
