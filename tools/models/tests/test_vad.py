"""Silero VAD: I/O contract, speech vs silence, speech timestamps on jfk.wav."""
import json
from pathlib import Path

import numpy as np
import pytest

import speaker_common as sc
import vad
from conftest import models_dir, require

pytest.importorskip("onnxruntime")
SHARED = sc.SHARED / "testdata"


@pytest.fixture(scope="module")
def folder() -> Path:
    return require(models_dir() / "vad" / "silero_vad.onnx", "vad").parent


@pytest.fixture(scope="module")
def sess(folder):
    return vad.session(folder / "silero_vad.onnx")


def read(path: Path) -> np.ndarray:
    sf = pytest.importorskip("soundfile")
    if not path.exists():
        pytest.skip(f"{path} missing")
    w, sr = sf.read(str(path), dtype="float32", always_2d=True)
    assert sr == 16000
    return w.mean(axis=1)


def test_io_contract(folder, sess):
    doc = json.loads((folder / "vad.json").read_text())
    ins = {i.name: i for i in sess.get_inputs()}
    outs = [o.name for o in sess.get_outputs()]
    assert [i["name"] for i in doc["onnx"]["inputs"]] == ["input", "state", "sr"]
    assert set(ins) == {"input", "state", "sr"}
    assert outs == ["output", "stateN"]
    assert ins["state"].shape[0] == 2 and ins["state"].shape[2] == 128
    assert ins["sr"].type == "tensor(int64)"
    assert doc["window_samples"] == 512 and doc["context_samples"] == 64
    st = doc["speech_timestamps"]
    assert (st["threshold"], st["min_speech_duration_ms"], st["min_silence_duration_ms"], st["speech_pad_ms"]) == (0.5, 250, 100, 30)
    assert abs(st["neg_threshold"] - 0.35) < 1e-9
    p, s = sess.run(None, {"input": np.zeros((1, 576), np.float32), "state": np.zeros((2, 1, 128), np.float32),
                           "sr": np.array(16000, np.int64)})
    assert p.shape == (1, 1) and s.shape == (2, 1, 128)


def test_model_sha(folder):
    assert vad.sha256_file(folder / "silero_vad.onnx") == vad.MODEL_SHA256


def test_silence_is_not_speech(sess):
    assert vad.probabilities(sess, np.zeros(2 * 16000, np.float32)).max() < 0.1
    noise = (np.random.default_rng(0).standard_normal(2 * 16000) * 0.003).astype(np.float32)
    assert vad.probabilities(sess, noise).max() < 0.35


def test_empty_wav_is_not_speech(sess):
    p = vad.probabilities(sess, read(SHARED / "diarization" / "ami" / "empty.wav"))
    assert p.max() < 0.1  # measured 0.0175


def test_jfk_speech(sess):
    w = read(SHARED / "en" / "jfk.wav")
    p = vad.probabilities(sess, w)
    assert (p > 0.5).mean() > 0.5            # measured 0.68
    assert np.percentile(p, 90) > 0.9
    ts = vad.speech_timestamps(p, len(w))
    # measured: 0.32-2.27, 3.27-4.45, 5.38-7.68, 8.16-10.62 s
    assert 3 <= len(ts) <= 6
    assert ts[0]["start"] < 0.6 * 16000 and ts[-1]["end"] > 10.0 * 16000
    speech = sum(t["end"] - t["start"] for t in ts) / len(w)
    assert 0.6 < speech < 0.95
