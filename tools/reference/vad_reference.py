"""Reference Silero VAD probabilities and speech regions for test/unit/vad.test.ts.

Uses the streaming recipe and get_speech_timestamps port of tools/models/vad.py (the model preparer's
reference: 64-sample context, state carried, last window zero-padded) with Python onnxruntime.

    /tmp/refvenv/bin/pip install numpy onnxruntime
    /tmp/refvenv/bin/python tools/reference/vad_reference.py ~/.cache/transcrevai/models/vad \
        /work/shared/testdata/en/jfk.wav test/fixtures/whisper/vad-jfk.json
"""
import json
import os
import sys
import wave

import numpy as np
import onnxruntime as ort

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "models"))
from vad import probabilities, speech_timestamps  # noqa: E402


def read_wav16k(path: str) -> np.ndarray:
    with wave.open(path, "rb") as w:
        assert w.getframerate() == 16000 and w.getnchannels() == 1 and w.getsampwidth() == 2
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return pcm.astype(np.float32) / 32768.0


def main() -> None:
    vad_dir, wav_path, out_path = os.path.expanduser(sys.argv[1]), sys.argv[2], sys.argv[3]
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    sess = ort.InferenceSession(os.path.join(vad_dir, "silero_vad.onnx"), opts, providers=["CPUExecutionProvider"])
    audio = read_wav16k(wav_path)
    probs = probabilities(sess, audio)
    regions = speech_timestamps(probs, len(audio))
    with open(out_path, "w") as f:
        json.dump({"source": wav_path, "probs": [round(float(p), 6) for p in probs], "regions": regions}, f)
    print(f"wrote {out_path}: {len(probs)} windows, {len(regions)} regions")


if __name__ == "__main__":
    main()
