"""Proofs for the test hub's files (tools/models/hub_replica.py, tools/models/standin.py), issue #26.

The replica must be made as the hub makes it: the int8 graphs dynamically quantized as transformers.js's
quantize.py does (DynamicQuantizeLinear + MatMulInteger, one scale per weight tensor, the full int8 range), the q4
graphs MatMulNBits in symmetric 4-bit blocks of 32, the float graphs named as src/whisper/inference.ts expects. A
stand-in must have its model's published shapes. Quick: the tiny.en replica only (built here from the checkpoint
`npm run models` keeps, about 25 s, when it is missing), the stand-ins' configs and tokenizers without an export, and
the graphs of a stand-in only when one was built (python tools/models/standin.py small).

    tools/models/.venv/bin/python -m pytest tools/models/tests/test_hub_replica.py -v
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import hub_replica as hr  # noqa: E402
import standin as st  # noqa: E402

MODEL = "tiny.en"
CACHE = hr.default_cache_dir()


def all_nodes(graph):
    import onnx

    for n in graph.node:
        yield n
        for a in n.attribute:
            if a.type == onnx.AttributeProto.GRAPH:
                yield from all_nodes(a.g)


def initializers(model) -> dict:
    import onnx

    out = {t.name: t for t in model.graph.initializer}
    for n in all_nodes(model.graph):
        for a in n.attribute:
            if a.type == onnx.AttributeProto.GRAPH:
                out.update({t.name: t for t in a.g.initializer})
    return out


@pytest.fixture(scope="module")
def replica() -> Path:
    folder = hr.replica_dir(MODEL, CACHE)
    if not hr.is_current(folder, hr.RECIPE):
        hf = CACHE / "hf" / MODEL
        if not (hf / "model.safetensors").exists():
            pytest.skip(f"no {MODEL} checkpoint in {hf} (run npm run models)")
        hr.build_replica(MODEL, CACHE)
    return folder


def load(folder: Path, name: str):
    import onnx

    return onnx.load(str(folder / "onnx" / name))


def test_layout_and_stamp(replica: Path) -> None:
    names = {f["path"] for f in json.loads((replica / hr.STAMP).read_text())["files"]}
    assert names == set(hr.JSON_FILES) | set(hr.graph_files()), names
    # A second run is a no-op: the stamp answers.
    t = time.time()
    hr.build_replica(MODEL, CACHE)
    assert time.time() - t < 2


@pytest.mark.parametrize("graph", hr.GRAPHS)
def test_int8_is_dynamic_per_tensor_full_range(replica: Path, graph: str) -> None:
    import onnx
    from onnx import numpy_helper

    model = load(replica, f"{graph}_int8.onnx")
    ops = {n.op_type for n in all_nodes(model.graph)}
    assert {"DynamicQuantizeLinear", "MatMulInteger"} <= ops, ops
    assert "MatMulNBits" not in ops
    inits = initializers(model)
    weights = [n.input[1] for n in all_nodes(model.graph) if n.op_type == "MatMulInteger" and n.input[1] in inits]
    assert weights, "no MatMulInteger reads a constant weight"
    for w in weights:
        t = inits[w]
        assert t.data_type == onnx.TensorProto.INT8, f"{w} is not QInt8"
        scale = inits.get(w.replace("_quantized", "_scale"))
        assert scale is not None and numpy_helper.to_array(scale).size == 1, f"{w}: not one scale per tensor"
    # reduce_range=False: symmetric int8 over the whole range, so each tensor's largest weight is ±127 (7 bits: ±63)
    peak = [int(np.abs(numpy_helper.to_array(inits[w]).astype(np.int16)).max()) for w in weights]
    assert max(peak) == 127 and min(peak) > 64, peak


def test_quantized_is_uint8_where_a_conv_is(replica: Path) -> None:
    import onnx

    for graph, want in (("encoder_model", onnx.TensorProto.UINT8), ("decoder_model_merged", onnx.TensorProto.INT8)):
        model = load(replica, f"{graph}_quantized.onnx")
        inits = initializers(model)
        types = {inits[n.input[1]].data_type for n in all_nodes(model.graph) if n.op_type in ("MatMulInteger", "ConvInteger") and n.input[1] in inits}
        assert types == {want}, (graph, types)


@pytest.mark.parametrize("graph", hr.GRAPHS)
def test_q4_is_symmetric_matmulnbits_blocks_of_32(replica: Path, graph: str) -> None:
    from onnx import helper

    model = load(replica, f"{graph}_q4.onnx")
    nbits = [n for n in all_nodes(model.graph) if n.op_type == "MatMulNBits"]
    assert nbits
    for n in nbits:
        attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
        assert attrs["bits"] == 4 and attrs["block_size"] == 32, attrs
        # inputs: A, B, scales[, zero_points[, g_idx[, bias]]]: symmetric blocks have no zero points
        assert len(n.input) == 3 or (len(n.input) > 3 and n.input[3] == ""), list(n.input)


def test_fp32_names_are_what_inference_ts_reads(replica: Path) -> None:
    import onnxruntime as ort

    config = json.loads((replica / "config.json").read_text())
    layers = config["decoder_layers"]
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    enc = ort.InferenceSession(str(replica / "onnx" / "encoder_model.onnx"), opts)
    assert [i.name for i in enc.get_inputs()] == ["input_features"]
    hidden = enc.run(None, {"input_features": np.zeros((1, config["num_mel_bins"], 3000), np.float32)})[0]
    assert hidden.shape == (1, 1500, config["d_model"])
    dec = ort.InferenceSession(str(replica / "onnx" / "decoder_model_merged.onnx"), opts)
    past = [f"past_key_values.{i}.{part}.{kv}" for i in range(layers) for part in ("decoder", "encoder") for kv in ("key", "value")]
    assert [i.name for i in dec.get_inputs()] == ["input_ids", "encoder_hidden_states", *past, "use_cache_branch"]
    assert [o.name for o in dec.get_outputs()] == ["logits", *[p.replace("past_key_values.", "present.") for p in past]]
    heads = config["decoder_attention_heads"]
    empty = np.zeros((1, heads, 0, config["d_model"] // heads), np.float32)
    feeds = {"input_ids": np.array([[50257, 50362]], np.int64), "encoder_hidden_states": hidden,
             "use_cache_branch": np.array([False]), **{p: empty for p in past}}
    logits = dec.run(["logits"], feeds)[0]
    # The hub's decoder returns the logits of every fed position (ours keeps the last few only).
    assert logits.shape == (1, 2, config["vocab_size"])


# ---------------------------------------------------------------- stand-ins
@pytest.fixture(scope="module")
def base_checkpoint() -> Path:
    hf = CACHE / "hf" / "base"
    if not (hf / "tokenizer.json").exists():
        pytest.skip(f"no base checkpoint in {hf} (run npm run models)")
    return hf


@pytest.mark.parametrize("model", st.MODELS)
def test_standin_config_and_tokens(model: str, base_checkpoint: Path, tmp_path: Path) -> None:
    ids = st.write_json_files(model, tmp_path, CACHE)
    arch = st.ARCH[model]
    config = st.whisper_config(model, ids)
    for key, value in arch.items():
        assert getattr(config, key) == value, key
    assert json.loads((tmp_path / "preprocessor_config.json").read_text())["feature_size"] == arch["num_mel_bins"]
    gen = json.loads((tmp_path / "generation_config.json").read_text())
    tok = json.loads((tmp_path / "tokenizer.json").read_text())
    assert max(t["id"] for t in tok["added_tokens"]) == arch["vocab_size"] - 1
    assert all(layer < arch["decoder_layers"] and head < arch["decoder_attention_heads"] for layer, head in gen["alignment_heads"])
    if model == "large-v3-turbo":
        # large-v3's token ids: <|yue|> after <|su|>, every later special token one higher
        assert (ids["<|su|>"], ids["<|yue|>"], ids["<|translate|>"], ids["<|transcribe|>"]) == (50357, 50358, 50359, 50360)
        assert (ids["<|startofprev|>"], ids["<|nospeech|>"], ids["<|notimestamps|>"]) == (50362, 50363, 50364)
        assert (ids["<|0.00|>"], ids["<|30.00|>"]) == (50365, 51865)
        assert gen["no_timestamps_token_id"] == 50364 and gen["task_to_id"] == {"transcribe": 50360, "translate": 50359}
        assert gen["suppress_tokens"][-6:] == [50258, 50359, 50360, 50361, 50362, 50363]
        assert gen["lang_to_id"]["<|yue|>"] == 50358 and len(gen["lang_to_id"]) == 100
        from tokenizers import Tokenizer

        t = Tokenizer.from_file(str(tmp_path / "tokenizer.json"))
        assert t.encode("hi").ids[:2] == [50258, 50364]  # the post-processor's ids moved too
    else:
        assert (tmp_path / "tokenizer.json").read_bytes() == (base_checkpoint / "tokenizer.json").read_bytes()
        assert gen["no_timestamps_token_id"] == 50363 and len(gen["lang_to_id"]) == 99


def test_standin_text_ends_within_64_positions(base_checkpoint: Path, tmp_path: Path) -> None:
    """The shaped embeddings: confident steps and <|endoftext|> at position 63 (one layer each, for speed)."""
    import torch
    from transformers import WhisperForConditionalGeneration

    ids = st.write_json_files("small", tmp_path, CACHE)
    config = st.whisper_config("small", ids)
    config.encoder_layers = config.decoder_layers = 1
    torch.manual_seed(st.SEED)
    model = WhisperForConditionalGeneration(config).eval()
    model.tie_weights()
    st.shape_embeddings(model, ids["<|endoftext|>"])
    encoded = torch.randn(1, 1500, config.d_model)
    tokens = [ids["<|startoftranscript|>"], ids["<|en|>"], ids["<|transcribe|>"]]
    logprobs = []
    past, feed = None, tokens
    with torch.no_grad():
        while tokens[-1] != ids["<|endoftext|>"] and len(tokens) < 100:
            out = model(encoder_outputs=(encoded,), decoder_input_ids=torch.tensor([feed]), past_key_values=past, use_cache=True)
            lp = torch.log_softmax(out.logits[0, -1], -1)
            past, feed = out.past_key_values, [int(lp.argmax())]
            tokens.append(feed[0])
            logprobs.append(float(lp.max()))
    assert len(tokens) == st.EOT_PERIOD + 1, len(tokens)  # <|endoftext|> predicted at position 63
    assert len(set(tokens[3:-1])) > 50  # no loop
    assert np.mean(logprobs) > -1.0  # no temperature fallback (logprob threshold -1)


@pytest.mark.parametrize("model", st.MODELS)
def test_built_standin_graphs_have_the_shapes(model: str) -> None:
    import onnx

    folder = st.standin_dir(model, CACHE)
    if not st.hr.is_current(folder, st.RECIPE, st.STAMP):
        pytest.skip(f"stand-in {model} not built (python tools/models/standin.py {model})")
    arch = st.ARCH[model]
    enc = onnx.load(str(folder / "onnx" / "encoder_model.onnx"), load_external_data=False)
    dims = [d.dim_value or d.dim_param for d in enc.graph.input[0].type.tensor_type.shape.dim]
    assert enc.graph.input[0].name == "input_features" and dims[1] == arch["num_mel_bins"], dims
    dec = onnx.load(str(folder / "onnx" / "decoder_model_merged.onnx"), load_external_data=False)
    past = [i.name for i in dec.graph.input if i.name.startswith("past_key_values.")]
    assert len(past) == 4 * arch["decoder_layers"]
    logits = next(o for o in dec.graph.output if o.name == "logits")
    assert logits.type.tensor_type.shape.dim[2].dim_value == arch["vocab_size"]
    stamp = json.loads((folder / st.STAMP).read_text())
    assert stamp["standin"] is True and "noise" in stamp["note"]
    for f in stamp["files"]:  # a graph above 2 GiB keeps its weights beside it, as optimum writes them
        if f["path"].endswith(".onnx"):
            assert f["bytes"] < 2**31 or any(g["path"] == f["path"] + "_data" for g in stamp["files"])
