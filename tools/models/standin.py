#!/usr/bin/env python3
"""Exact-shape stand-ins for the Whisper models no package carries (small, medium, large-v3-turbo), issue #26.

No registry package carries the weights of Whisper small, medium or large-v3-turbo, so nothing here can test a
download, a quantization or a transcription of those models with their real weights. A stand-in has everything
else the hub's onnx-community/whisper-<model> has: the published architecture (transformers' WhisperConfig with the
values of openai/whisper-<model>'s config.json), the same plain optimum export as tools/models/hub_replica.py
(fp32 only; graphs above 2 GiB keep their weights in ``<graph>.onnx_data`` as optimum writes them), and the JSON
files with the model's own token ids, in the onnx-community layout. Its weights are random (fixed seed): a
stand-in is ALWAYS called a stand-in, and its text is noise. What it proves is that every stage takes the real
shapes (mel bins, layers, heads, vocabulary, external data) and what they cost in time and memory.

Published configs (openai/whisper-<model> config.json on the hub; the search tool found them on copies whose
config names the original in _name_or_path, byte-identical for small):
  small           d_model 768,  12 encoder / 12 decoder layers, 12 heads, ffn 3072, 80 mels, vocab 51865
                  (https://huggingface.co/openai/whisper-small/blob/main/config.json; a copy:
                   https://huggingface.co/showgan/community-events/blame/09b13b3c3ce7beb97c6ee9f6fbca52207c0d078b/config.json)
  medium          d_model 1024, 24 / 24 layers, 16 heads, ffn 4096, 80 mels, vocab 51865
                  (https://huggingface.co/openai/whisper-medium/blob/main/config.json; a copy:
                   https://huggingface.co/Scrya/whisper-medium-ms-augmented/blame/d8e962a6b7a89fd3ced921db91961be83eb13b4f/config.json)
  large-v3-turbo  d_model 1280, 32 / 4 layers, 20 heads, ffn 5120, 128 mels, vocab 51866
                  (https://huggingface.co/openai/whisper-large-v3-turbo/blob/main/config.json; a copy:
                   https://huggingface.co/JSWOOK/FINE_TUNING/blame/c86a1c660d61d6559404861653832b91d9712ca1/config.json)
Tokens: small and medium use base's tokenizer (the multilingual vocabulary of 51865). large-v3(-turbo) adds
<|yue|> after <|su|> (id 50358), so every later special token moves up by one: <|translate|> 50359, <|transcribe|>
50360, <|startoflm|> 50361, <|startofprev|> 50362, <|nospeech|> 50363, <|notimestamps|> 50364, timestamps
<|0.00|> 50365 .. <|30.00|> 51865 (openai/whisper-large-v3's generation_config: no_timestamps_token_id 50364,
task_to_id {translate 50359, transcribe 50360}, suppress_tokens ending 50258, 50359 .. 50363; its config:
timestamp_start_token 50365, timestamp_end_token 51865). Alignment heads: ctranslate2's list for small and medium,
the hub's generation_config for large-v3-turbo.

Decoding random weights would run every 30-second window to the decoder's limit (224 tokens) and then through every
temperature of the fallback. So the stand-in's token and position embeddings are shaped (the rest stays as
transformers initialises it, normal(0, 0.02)): token rows normal(0, 0.85) and position rows normal(0, 20), which
makes every step's most likely token a confident one (a text token set by the position), and the position rows
p = 63, 127, 191, ... point at <|endoftext|> only. Each window's text thus ends at the next multiple of 64 positions:
0 to 63 tokens, as a real model's window of speech has, decoded greedily without a fallback.

    tools/models/.venv/bin/python tools/models/standin.py small [--force]
      -> ~/.cache/transcrevai/build/hub/standin/whisper-small/ ; the last stdout line is JSON (dir, repo, files)
"""
from __future__ import annotations

import argparse
import copy
import gc
import json
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import hub_replica as hr  # noqa: E402
from build_common import default_cache_dir  # noqa: E402

SEED = 26
RECIPE = "standin-v2 (published config, seed 26, shaped embeddings: eot every 64 positions; optimum opset 17 fp32)"
STAMP = ".standin.json"
# Token rows: logits of a normalised hidden state (norm √d) against them have a spread of about 0.85·√d, enough
# for the best token to lead the next by several nats. Position rows: 20× larger than a token row, so the position
# decides the next token (the sequence does not repeat itself); dimension 0 is kept for <|endoftext|>.
TOKEN_STD = 0.85
POSITION_STD = 20.0
EOT_PERIOD = 64
EOT_WEIGHT = 20.0

# The architecture of each published config (openai/whisper-<model>/config.json).
ARCH: dict[str, dict] = {
    "small": dict(d_model=768, encoder_layers=12, decoder_layers=12, encoder_attention_heads=12, decoder_attention_heads=12,
                  encoder_ffn_dim=3072, decoder_ffn_dim=3072, num_mel_bins=80, vocab_size=51865),
    "medium": dict(d_model=1024, encoder_layers=24, decoder_layers=24, encoder_attention_heads=16, decoder_attention_heads=16,
                   encoder_ffn_dim=4096, decoder_ffn_dim=4096, num_mel_bins=80, vocab_size=51865),
    "large-v3-turbo": dict(d_model=1280, encoder_layers=32, decoder_layers=4, encoder_attention_heads=20, decoder_attention_heads=20,
                           encoder_ffn_dim=5120, decoder_ffn_dim=5120, num_mel_bins=128, vocab_size=51866),
}
ALIGNMENT_HEADS: dict[str, list[list[int]]] = {
    "small": [[5, 3], [5, 9], [8, 0], [8, 4], [8, 7], [8, 8], [9, 0], [9, 7], [9, 9], [10, 5]],
    "medium": [[13, 15], [15, 4], [15, 15], [16, 1], [20, 0], [23, 4]],
    "large-v3-turbo": [[2, 4], [2, 11], [3, 3], [3, 6], [3, 11], [3, 14]],
}
MODELS = list(ARCH)
# large-v3's extra language token and where it goes (after <|su|>, before <|translate|>).
YUE = "<|yue|>"
YUE_ID = 50358


def log(msg: str) -> None:
    print(f"[models] stand-in: {msg}", file=sys.stderr, flush=True)


def standin_dir(model: str, cache_dir: Path | None = None) -> Path:
    return hr.hub_dir(cache_dir) / "standin" / f"whisper-{model}"


def repo_name(model: str) -> str:
    """The hub repository a stand-in stands in for (what the catalogue's hf_repo names)."""
    return f"onnx-community/whisper-{model}"


# ---------------------------------------------------------------- JSON files
def base_checkpoint(cache_dir: Path) -> Path:
    return hr.checkpoint_dir("base", cache_dir)


def large_v3_tokenizer(base_tokenizer: dict) -> dict:
    """base's tokenizer.json with <|yue|> at 50358 and every added token from there on one id higher."""
    tok = copy.deepcopy(base_tokenizer)
    added = []
    for t in tok["added_tokens"]:
        t = dict(t)
        if t["id"] >= YUE_ID:
            t["id"] += 1
        added.append(t)
    su = next(t for t in added if t["content"] == "<|su|>")
    if su["id"] != YUE_ID - 1:
        raise RuntimeError(f"base tokenizer: <|su|> is {su['id']}, expected {YUE_ID - 1}")
    added.append({**su, "id": YUE_ID, "content": YUE})
    added.sort(key=lambda t: t["id"])
    tok["added_tokens"] = added
    ids = {t["content"]: t["id"] for t in added}
    for name, entry in (tok.get("post_processor") or {}).get("special_tokens", {}).items():
        entry["ids"] = [ids[t] for t in entry["tokens"]]
    return tok


def generation_config(model: str, base_gen: dict, ids: dict[str, int]) -> dict:
    """The model's generation_config.json: base's (the multilingual token rules) with this model's token ids."""
    gen = copy.deepcopy(base_gen)
    gen.pop("transformers_version", None)
    if model == "large-v3-turbo":
        shift = lambda i: i + 1 if i >= YUE_ID else i  # noqa: E731
        gen["suppress_tokens"] = [shift(i) for i in base_gen["suppress_tokens"]]
        gen["lang_to_id"] = {**base_gen["lang_to_id"], YUE: YUE_ID}
    gen["lang_to_id"] = dict(sorted(gen["lang_to_id"].items()))
    gen.update(
        alignment_heads=ALIGNMENT_HEADS[model],
        begin_suppress_tokens=[220, ids["<|endoftext|>"]],
        bos_token_id=ids["<|endoftext|>"],
        decoder_start_token_id=ids["<|startoftranscript|>"],
        eos_token_id=ids["<|endoftext|>"],
        pad_token_id=ids["<|endoftext|>"],
        forced_decoder_ids=[[1, None], [2, ids["<|transcribe|>"]]],
        is_multilingual=True,
        no_timestamps_token_id=ids["<|notimestamps|>"],
        prev_sot_token_id=ids["<|startofprev|>"],
        task_to_id={"transcribe": ids["<|transcribe|>"], "translate": ids["<|translate|>"]},
        max_length=448,
    )
    return dict(sorted(gen.items()))


def write_json_files(model: str, out: Path, cache_dir: Path) -> dict[str, int]:
    """config/generation/preprocessor/tokenizer JSON of `model` into out; returns the token ids by content."""
    import whisper_build as wb

    base = base_checkpoint(cache_dir)
    base_tok = json.loads((base / "tokenizer.json").read_text())
    tok = large_v3_tokenizer(base_tok) if model == "large-v3-turbo" else base_tok
    ids = {t["content"]: t["id"] for t in tok["added_tokens"]}
    vocab = ARCH[model]["vocab_size"]
    if max(ids.values()) != vocab - 1 or ids["<|notimestamps|>"] + 1501 != vocab - 1:
        raise RuntimeError(f"{model}: tokenizer ends at {max(ids.values())}, vocabulary {vocab}")
    if tok is base_tok:
        shutil.copy(base / "tokenizer.json", out / "tokenizer.json")
    else:
        (out / "tokenizer.json").write_text(json.dumps(tok, ensure_ascii=False, indent=2) + "\n")
    wb.write_tokenizer_config(out / "tokenizer_config.json", out / "tokenizer.json", 448)
    gen = generation_config(model, json.loads((base / "generation_config.json").read_text()), ids)
    (out / "generation_config.json").write_text(json.dumps(gen, indent=2) + "\n")
    pp = json.loads((base / "preprocessor_config.json").read_text())
    pp["feature_size"] = ARCH[model]["num_mel_bins"]
    (out / "preprocessor_config.json").write_text(json.dumps(pp, indent=2, sort_keys=True) + "\n")
    return ids


def whisper_config(model: str, ids: dict[str, int]):
    from transformers import WhisperConfig

    a = ARCH[model]
    cfg = WhisperConfig(
        **a,
        num_hidden_layers=a["encoder_layers"],
        max_source_positions=1500,
        max_target_positions=448,
        activation_function="gelu",
        scale_embedding=False,
        init_std=0.02,
        bos_token_id=ids["<|endoftext|>"],
        eos_token_id=ids["<|endoftext|>"],
        pad_token_id=ids["<|endoftext|>"],
        decoder_start_token_id=ids["<|startoftranscript|>"],
        # as published: [220, <|endoftext|>]; large-v3-turbo's config.json says 50256 (its generation_config 50257)
        begin_suppress_tokens=[220, 50256 if model == "large-v3-turbo" else ids["<|endoftext|>"]],
        use_cache=True,
        tie_word_embeddings=True,
        median_filter_width=7,
    )
    cfg.architectures = ["WhisperForConditionalGeneration"]
    cfg._name_or_path = f"openai/whisper-{model}"
    return cfg


# ---------------------------------------------------------------- weights
def shape_embeddings(hf_model, eot: int, seed: int = SEED) -> None:
    """Token and position rows as the module docstring says: confident steps, <|endoftext|> every EOT_PERIOD."""
    import torch

    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        emb = hf_model.model.decoder.embed_tokens.weight  # tied to proj_out
        emb.copy_(torch.randn(emb.shape, generator=g) * TOKEN_STD)
        emb[:, 0] = 0.0
        emb[eot] = 0.0
        emb[eot, 0] = EOT_WEIGHT
        pos = hf_model.model.decoder.embed_positions.weight
        pos.copy_(torch.randn(pos.shape, generator=g) * POSITION_STD)
        pos[:, 0] = 0.0
        stops = torch.arange(EOT_PERIOD - 1, pos.shape[0], EOT_PERIOD)
        pos[stops] = 0.0
        pos[stops, 0] = POSITION_STD * pos.shape[1] ** 0.5


def write_checkpoint(model: str, out: Path, ids: dict[str, int]) -> None:
    """Random weights (seed SEED) in the published architecture, saved as a Hugging Face checkpoint in out."""
    import torch
    from transformers import GenerationConfig, WhisperForConditionalGeneration

    torch.manual_seed(SEED)
    hf = WhisperForConditionalGeneration(whisper_config(model, ids))
    hf.tie_weights()
    shape_embeddings(hf, ids["<|endoftext|>"])
    hf.eval()
    hf.generation_config = GenerationConfig(**json.loads((out / "generation_config.json").read_text()))
    hf.save_pretrained(out, safe_serialization=True)
    del hf
    gc.collect()


def make_checkpoint(model: str, ckpt: Path, cache_dir: Path) -> None:
    """The stand-in's Hugging Face checkpoint in ckpt (an empty folder): its JSON files and its random weights, the same
    bytes every time. The exports here and CTranslate2's copy (standin_ct2.py) are both made from it."""
    ids = write_json_files(model, ckpt, cache_dir)
    write_checkpoint(model, ckpt, ids)
    # save_pretrained rewrote generation_config.json; ours (the model's token rules) is the one to serve
    write_json_files(model, ckpt, cache_dir)


# ---------------------------------------------------------------- build
def build_standin(model: str, cache_dir: Path | None = None, force: bool = False) -> dict:
    if model not in ARCH:
        raise SystemExit(f"no stand-in for {model!r}; choose one of {', '.join(MODELS)}")
    cache_dir = Path(cache_dir or default_cache_dir())
    dest = standin_dir(model, cache_dir)
    if not force and (stamp := hr.is_current(dest, RECIPE, STAMP)):
        log(f"whisper-{model} up to date in {dest}, skipped")
        return stamp
    t0 = time.time()
    with hr.building(dest) as work:
        ckpt = work / "checkpoint"
        ckpt.mkdir()
        log(f"whisper-{model}: random weights (seed {SEED}) in the published shape ...")
        t = time.time()
        make_checkpoint(model, ckpt, cache_dir)
        times = {"weights_s": round(time.time() - t, 1)}
        export = work / "export"
        times["export_s"] = round(hr.plain_export(ckpt, export, f"stand-in whisper-{model}"), 1)
        out = work / "repo"
        (out / "onnx").mkdir(parents=True)
        for g in hr.GRAPHS:
            hr.move_graph(export, f"{g}.onnx", out / "onnx")
        for f in hr.JSON_FILES:
            shutil.copy(ckpt / f, out / f)
        shutil.rmtree(export)
        shutil.rmtree(ckpt)
        times["total_s"] = round(time.time() - t0, 1)
        stamp = {
            "repo": repo_name(model),
            "standin": True,
            "note": "random weights (a stand-in): its text is noise",
            "recipe": RECIPE,
            "seed": SEED,
            "architecture": ARCH[model],
            "seconds": times,
            "files": hr.file_entries(out),
        }
        (out / STAMP).write_text(json.dumps(stamp, indent=1) + "\n")
        hr.publish(out, dest)
    sizes = ", ".join(f"{f['path'].removeprefix('onnx/')} {f['bytes'] / 1e6:.1f} MB" for f in stamp["files"] if "/" in f["path"])
    log(f"whisper-{model} ready in {dest} ({times['total_s']:.0f} s): {sizes}")
    return stamp


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", choices=MODELS)
    ap.add_argument("--cache-dir", type=Path, default=default_cache_dir())
    ap.add_argument("--force", action="store_true", help="rebuild even when the stamp matches")
    args = ap.parse_args(argv)
    stamp = build_standin(args.model, args.cache_dir, force=args.force)
    print(json.dumps({"dir": str(standin_dir(args.model, args.cache_dir)), "repo": stamp["repo"], "seconds": stamp["seconds"],
                      "files": stamp["files"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
