"""Reference log-mel values for test/unit/whisper-mel.test.ts.

Computes Whisper features with transformers' numpy WhisperFeatureExtractor (no torch needed) for
jfk.wav, 80 and 128 bins, and stores a slice of frames plus the filterbank rows as JSON.

    python3 -m venv /tmp/refvenv && /tmp/refvenv/bin/pip install numpy transformers
    /tmp/refvenv/bin/python tools/reference/mel_reference.py /work/shared/testdata/en/jfk.wav \
        test/fixtures/whisper/mel-jfk.json
"""
import json
import sys
import wave

import numpy as np
from transformers import WhisperFeatureExtractor


def read_wav16k(path: str) -> np.ndarray:
    with wave.open(path, "rb") as w:
        assert w.getframerate() == 16000 and w.getnchannels() == 1 and w.getsampwidth() == 2
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return pcm.astype(np.float32) / 32768.0


def main() -> None:
    wav_path, out_path = sys.argv[1], sys.argv[2]
    audio = read_wav16k(wav_path)
    out = {"source": wav_path, "samples": int(len(audio)), "sets": []}
    # Frames compared: 200 from the start (80 bins) and 50 from the middle (128 bins) keep the file small.
    for n_mels, first, count in ((80, 0, 200), (128, 400, 50)):
        fe = WhisperFeatureExtractor(feature_size=n_mels)
        feats = fe(audio, sampling_rate=16000, return_tensors="np").input_features[0]  # [n_mels, 3000]
        out["sets"].append(
            {
                "nMels": n_mels,
                "firstFrame": first,
                "frames": count,
                # row-major [mel][frame]
                "values": [round(float(v), 7) for v in feats[:, first : first + count].reshape(-1)],
                # a few filterbank rows (librosa slaney), as [freq][mel] in HF → stored per mel
                "filterRows": {
                    str(m): [float(v) for v in fe.mel_filters[:, m]] for m in (0, n_mels // 2, n_mels - 1)
                },
            }
        )
    with open(out_path, "w") as f:
        json.dump(out, f)
    print(f"wrote {out_path}")


if __name__ == "__main__":
    main()
