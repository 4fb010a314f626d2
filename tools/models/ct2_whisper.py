"""CTranslate2 Whisper model.bin -> Hugging Face WhisperForConditionalGeneration checkpoint.

The reader follows the binary layout written by ctranslate2/specs/model_spec.py
(ModelSpec._serialize, binary version 6):

    u32 version | str spec_name | u32 revision | u32 n_vars
    n_vars x (str name | u8 rank | rank x u32 dim | u8 dtype | u32 nbytes | data)
    u32 n_aliases | n_aliases x (str alias | str target)

with str = u16 length (incl. NUL) + utf-8 bytes + NUL, dtype ids in the order
(float32, int8, int16, int32, float16, bfloat16).

The name mapping is the inverse of ctranslate2/converters/transformers.py
(WhisperLoader + BartLoader): self-attention q/k/v are fused into
``self_attention/linear_0`` ([3d, d], k bias stored as zeros), the cross-attention
query is ``attention/linear_0`` and key/value are fused into ``attention/linear_1``
([2d, d]); ``linear_{-1}`` is out_proj; ``ffn/linear_0|1`` are fc1/fc2; layer norms
are gamma/beta; ``decoder/projection/weight`` is an alias of the token embedding
(HF ties proj_out to embed_tokens).
"""
from __future__ import annotations

import json
import re
import struct
from pathlib import Path

import numpy as np

_DTYPES = ["float32", "int8", "int16", "int32", "float16", "bfloat16"]


def read_model_bin(path: Path) -> tuple[dict[str, np.ndarray], dict[str, str], dict]:
    data = Path(path).read_bytes()
    off = 0

    def u(fmt: str) -> int:
        nonlocal off
        v = struct.unpack_from("<" + fmt, data, off)[0]
        off += struct.calcsize(fmt)
        return v

    def s() -> str:
        nonlocal off
        n = u("H")
        st = data[off : off + n - 1].decode("utf-8")
        off += n
        return st

    version = u("I")
    if version != 6:
        raise ValueError(f"unsupported CTranslate2 binary version {version} (expected 6)")
    spec = s()
    revision = u("I")
    n = u("I")
    variables: dict[str, np.ndarray] = {}
    for _ in range(n):
        name = s()
        rank = u("B")
        shape = [u("I") for _ in range(rank)]
        dtype = np.dtype(_DTYPES[u("B")])
        nbytes = u("I")
        arr = np.frombuffer(data, dtype=dtype, count=nbytes // dtype.itemsize, offset=off).reshape(shape)
        off += nbytes
        variables[name] = arr
    aliases = {}
    for _ in range(u("I")):
        a = s()
        aliases[a] = s()
    if off != len(data):
        raise ValueError(f"trailing bytes in model.bin: parsed {off} of {len(data)}")
    return variables, aliases, {"spec": spec, "revision": revision, "version": version}


def _f32(a: np.ndarray) -> np.ndarray:
    if a.dtype == np.int8:
        raise ValueError("int8 CTranslate2 weights cannot serve as a floating-point source")
    return np.ascontiguousarray(a.astype(np.float32))


def to_hf_state_dict(variables: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], dict]:
    """Returns (state_dict of float32 numpy arrays, dims)."""
    v = variables
    weight_dtypes = {str(a.dtype) for k, a in v.items() if k.endswith("/weight")}
    if weight_dtypes & {"int8", "int16"}:
        raise ValueError(f"quantized CTranslate2 model ({weight_dtypes}); need float16/float32 weights")

    def layers(prefix: str) -> int:
        idx = {int(m.group(1)) for k in v for m in [re.match(prefix + r"/layer_(\d+)/", k)] if m}
        return max(idx) + 1

    enc_layers, dec_layers = layers("encoder"), layers("decoder")
    vocab, d = v["decoder/embeddings/weight"].shape
    dims = {
        "d_model": int(d),
        "vocab_size": int(vocab),
        "encoder_layers": enc_layers,
        "decoder_layers": dec_layers,
        "encoder_attention_heads": int(v["encoder/num_heads"]),
        "decoder_attention_heads": int(v["decoder/num_heads"]),
        "encoder_ffn_dim": int(v["encoder/layer_0/ffn/linear_0/weight"].shape[0]),
        "decoder_ffn_dim": int(v["decoder/layer_0/ffn/linear_0/weight"].shape[0]),
        "num_mel_bins": int(v["encoder/conv1/weight"].shape[1]),
        "max_source_positions": int(v["encoder/position_encodings/encodings"].shape[0]),
        "max_target_positions": int(v["decoder/position_encodings/encodings"].shape[0]),
    }
    sd: dict[str, np.ndarray] = {}
    used: set[str] = set()

    def g(name: str) -> np.ndarray:
        used.add(name)
        return _f32(v[name])

    def ln(dst: str, src: str) -> None:
        sd[f"{dst}.weight"] = g(f"{src}/gamma")
        sd[f"{dst}.bias"] = g(f"{src}/beta")

    def lin(dst: str, src: str, bias: bool = True) -> None:
        sd[f"{dst}.weight"] = g(f"{src}/weight")
        if bias:
            sd[f"{dst}.bias"] = g(f"{src}/bias")

    def split(src: str, parts: list[str], dst: str, k_index: int | None) -> None:
        w, b = g(f"{src}/weight"), g(f"{src}/bias")
        n = len(parts)
        ws, bs = np.split(w, n, axis=0), np.split(b, n, axis=0)
        for i, p in enumerate(parts):
            sd[f"{dst}.{p}.weight"] = np.ascontiguousarray(ws[i])
            if i == k_index:
                # HF Whisper k_proj has no bias; CTranslate2 stores zeros there.
                if np.abs(bs[i]).max() != 0:
                    raise ValueError(f"{src}: non-zero key bias, unexpected for Whisper")
            else:
                sd[f"{dst}.{p}.bias"] = np.ascontiguousarray(bs[i])

    # Encoder
    sd["model.encoder.conv1.weight"] = g("encoder/conv1/weight")
    sd["model.encoder.conv1.bias"] = g("encoder/conv1/bias")
    sd["model.encoder.conv2.weight"] = g("encoder/conv2/weight")
    sd["model.encoder.conv2.bias"] = g("encoder/conv2/bias")
    sd["model.encoder.embed_positions.weight"] = g("encoder/position_encodings/encodings")
    for i in range(enc_layers):
        s, t = f"encoder/layer_{i}", f"model.encoder.layers.{i}"
        split(f"{s}/self_attention/linear_0", ["q_proj", "k_proj", "v_proj"], f"{t}.self_attn", 1)
        lin(f"{t}.self_attn.out_proj", f"{s}/self_attention/linear_1")
        ln(f"{t}.self_attn_layer_norm", f"{s}/self_attention/layer_norm")
        lin(f"{t}.fc1", f"{s}/ffn/linear_0")
        lin(f"{t}.fc2", f"{s}/ffn/linear_1")
        ln(f"{t}.final_layer_norm", f"{s}/ffn/layer_norm")
    ln("model.encoder.layer_norm", "encoder/layer_norm")

    # Decoder
    sd["model.decoder.embed_tokens.weight"] = g("decoder/embeddings/weight")
    sd["model.decoder.embed_positions.weight"] = g("decoder/position_encodings/encodings")
    for i in range(dec_layers):
        s, t = f"decoder/layer_{i}", f"model.decoder.layers.{i}"
        split(f"{s}/self_attention/linear_0", ["q_proj", "k_proj", "v_proj"], f"{t}.self_attn", 1)
        lin(f"{t}.self_attn.out_proj", f"{s}/self_attention/linear_1")
        ln(f"{t}.self_attn_layer_norm", f"{s}/self_attention/layer_norm")
        lin(f"{t}.encoder_attn.q_proj", f"{s}/attention/linear_0")
        split(f"{s}/attention/linear_1", ["k_proj", "v_proj"], f"{t}.encoder_attn", 0)
        lin(f"{t}.encoder_attn.out_proj", f"{s}/attention/linear_2")
        ln(f"{t}.encoder_attn_layer_norm", f"{s}/attention/layer_norm")
        lin(f"{t}.fc1", f"{s}/ffn/linear_0")
        lin(f"{t}.fc2", f"{s}/ffn/linear_1")
        ln(f"{t}.final_layer_norm", f"{s}/ffn/layer_norm")
    ln("model.decoder.layer_norm", "decoder/layer_norm")
    sd["proj_out.weight"] = sd["model.decoder.embed_tokens.weight"]

    # Every float tensor of the CT2 model must have been consumed.
    left = [k for k, a in v.items() if a.ndim > 0 and k not in used]
    if left:
        raise ValueError(f"unmapped CTranslate2 variables: {left[:10]}")
    # Scalars that must match Whisper's architecture.
    for k, want in (("decoder/pre_norm", 1), ("decoder/scale_embeddings", 0), ("decoder/start_from_zero_embedding", 0)):
        if k in v and int(v[k]) != want:
            raise ValueError(f"{k}={int(v[k])}, expected {want} for Whisper")
    return sd, dims


def lang_to_id(tokenizer_json: Path, lang_ids: list[int]) -> dict[str, int]:
    tok = json.loads(Path(tokenizer_json).read_text())
    by_id = {t["id"]: t["content"] for t in tok["added_tokens"]}
    return {by_id[i]: i for i in lang_ids}
