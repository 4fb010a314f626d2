"""faster-whisper side of the accuracy benchmark (bench/accuracy.ts): one model load, then every job of the JSON
list on stdin, printed as one JSON line each. Settings as faster-whisper's defaults (vad_filter=True with its own
Silero VAD and VadOptions, temperature fallback, best_of 5, condition_on_previous_text) except the beam size,
which each job gives, `hotwords` when a job has them (bench/vocabulary.ts), and `word_timestamps` when a job asks
for "words" (bench/words.ts: each word's start, end, text and probability are printed too). Usage: fw_accuracy.py <ct2_model_dir> <threads>  < jobs.json
"""
import json
import sys
import time

from faster_whisper import WhisperModel

model_dir, threads = sys.argv[1], int(sys.argv[2])
model = WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=threads, num_workers=1)
for job in json.load(sys.stdin):
    t0 = time.perf_counter()
    segments, info = model.transcribe(job["file"], language=job["language"], beam_size=job["beam"], vad_filter=True,
                                      hotwords=job.get("hotwords"), word_timestamps=bool(job.get("words")))
    segments = list(segments)  # the generator runs the decoding
    seconds = time.perf_counter() - t0
    out = {"id": job["id"], "text": " ".join(s.text.strip() for s in segments), "seconds": seconds}
    if job.get("words"):
        out["words"] = [{"start": w.start, "end": w.end, "text": w.word, "probability": w.probability}
                        for s in segments for w in (s.words or [])]
    print(json.dumps(out), flush=True)
