"""Proofs for the Whisper models built by tools/models/prepare.py.

Reads $TRANSCREVAI_MODELS (default ~/.cache/transcrevai/models) and the carrier cache
$TRANSCREVAI_BUILD_CACHE (default ~/.cache/transcrevai/build). Skips only when no Whisper model was
prepared; a prepared model that breaks a promise fails.

    tools/models/.venv/bin/python -m pytest tools/models/tests/test_whisper.py -v
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import whisper_build as wb  # noqa: E402
from build_common import operators  # noqa: E402
import whisper_eval as we  # noqa: E402
import whisper_ort as wo  # noqa: E402

MODELS_DIR = we.models_dir()
CACHE_DIR = we.build_cache_dir()


def prepared_models() -> list[str]:
    manifest = MODELS_DIR / "manifest.json"
    if not manifest.exists():
        return []
    entries = json.loads(manifest.read_text()).get("models", {})
    return sorted(name for name, e in entries.items() if e.get("kind") == "whisper")


MODELS = prepared_models()
SKIP_REASON = (f"Whisper models not prepared: no whisper entry in {MODELS_DIR / 'manifest.json'} "
               "(run bash tools/models/prepare.sh)")
pytestmark = pytest.mark.skipif(not MODELS, reason=SKIP_REASON)
MODEL_PARAMS = MODELS or ["<none>"]


def is_multilingual(model: str) -> bool:
    return json.loads((MODELS_DIR / model / "generation_config.json").read_text()).get("is_multilingual", True)


def clip_params() -> list:
    out = []
    for m in MODELS:
        for c in we.clips(english_only=not is_multilingual(m)):
            out.append(pytest.param(m, c, id=f"{m}:{c['id']}"))
    return out or [pytest.param("<none>", None, id="none")]


def ct2_dir(model: str) -> Path:
    d = CACHE_DIR / "ct2" / model
    assert (d / "model.bin").exists(), f"carrier cache {d} missing although {model} is prepared"
    return d


def manifest_entry(model: str) -> dict:
    return json.loads((MODELS_DIR / "manifest.json").read_text())["models"][model]


# ------------------------------------------------------------------ layout / manifest
@pytest.mark.parametrize("model", MODEL_PARAMS)
def test_layout_and_configs(model):
    d = MODELS_DIR / model
    for f in wb.FILES:
        assert (d / f).is_file(), f"{model}: {f} missing"
    leftovers = sorted(p.name for p in (d / "onnx").iterdir() if p.name not in {Path(f).name for f in wb.ONNX_FILES})
    assert not leftovers, f"unexpected files in onnx/: {leftovers}"
    cfg = json.loads((d / "config.json").read_text())
    gen = json.loads((d / "generation_config.json").read_text())
    pre = json.loads((d / "preprocessor_config.json").read_text())
    assert cfg["model_type"] == "whisper" and cfg["architectures"] == ["WhisperForConditionalGeneration"]
    assert pre["feature_size"] == cfg["num_mel_bins"] == 80
    assert (pre["n_fft"], pre["hop_length"], pre["chunk_length"], pre["sampling_rate"]) == (400, 160, 30, 16000)
    assert pre["nb_max_frames"] == 3000
    tok = json.loads((d / "tokenizer.json").read_text())
    by_content = {t["content"]: t["id"] for t in tok["added_tokens"]}
    assert gen["decoder_start_token_id"] == by_content["<|startoftranscript|>"]
    assert gen["eos_token_id"] == by_content["<|endoftext|>"]
    assert gen["no_timestamps_token_id"] == by_content["<|notimestamps|>"]
    if gen["is_multilingual"]:
        assert cfg["vocab_size"] == 51865
        assert gen["lang_to_id"]["<|en|>"] == by_content["<|en|>"] and gen["lang_to_id"]["<|pt|>"] == by_content["<|pt|>"]
        assert len(gen["lang_to_id"]) == 99
        assert gen["task_to_id"] == {"transcribe": by_content["<|transcribe|>"], "translate": by_content["<|translate|>"]}
    else:
        assert cfg["vocab_size"] == 51864
    from tokenizers import Tokenizer

    # one token per logit, timestamps included (<|0.00|> right after <|notimestamps|>)
    tk = Tokenizer.from_file(str(d / "tokenizer.json"))
    assert tk.get_vocab_size() == cfg["vocab_size"]
    assert tk.id_to_token(gen["no_timestamps_token_id"] + 1) == "<|0.00|>"
    assert tk.id_to_token(cfg["vocab_size"] - 1) == "<|30.00|>"
    tcfg = json.loads((d / "tokenizer_config.json").read_text())
    assert tcfg["tokenizer_class"] == "WhisperTokenizer"


@pytest.mark.parametrize("model", MODEL_PARAMS)
def test_manifest_matches_files(model):
    entry = manifest_entry(model)
    assert entry["kind"] == "whisper"
    listed = {f["path"]: f for f in entry["files"]}
    assert set(listed) == set(wb.FILES)
    for path, f in listed.items():
        p = MODELS_DIR / model / path
        assert p.stat().st_size == f["bytes"], path
        assert wb.sha256_file(p) == f["sha256"], path
    pk = entry["source"]["packages"]
    assert pk and all(p["name"] and p["version"] and len(p["sha256"]) == 64 for p in pk)
    wanted = {(w["name"], w["version"], w["sha256"]) for w in wb.CARRIERS[model]["wheels"]}
    assert {(p["name"], p["version"], p["sha256"]) for p in pk} == wanted
    assert entry["source"]["licence"] == "MIT"


@pytest.mark.parametrize("variant", ["", "_int8", "_q4"])
@pytest.mark.parametrize("model", MODEL_PARAMS)
def test_graph_io_names(model, variant):
    import onnxruntime as ort

    cfg = json.loads((MODELS_DIR / model / "config.json").read_text())
    n = cfg["decoder_layers"]
    enc = ort.InferenceSession(str(MODELS_DIR / model / "onnx" / f"encoder_model{variant}.onnx"),
                               providers=["CPUExecutionProvider"])
    assert [i.name for i in enc.get_inputs()] == ["input_features"]
    assert enc.get_inputs()[0].shape[1:] == [80, 3000]
    assert [o.name for o in enc.get_outputs()] == ["last_hidden_state"]
    dec = ort.InferenceSession(str(MODELS_DIR / model / "onnx" / f"decoder_model_merged{variant}.onnx"),
                               providers=["CPUExecutionProvider"])
    past = [f"past_key_values.{i}.{k}.{kv}" for i in range(n) for k in ("decoder", "encoder") for kv in ("key", "value")]
    present = [f"present.{i}.{k}.{kv}" for i in range(n) for k in ("decoder", "encoder") for kv in ("key", "value")]
    assert [i.name for i in dec.get_inputs()] == ["input_ids", "encoder_hidden_states", *past, "use_cache_branch"]
    assert [o.name for o in dec.get_outputs()] == ["logits", *present]


# ------------------------------------------------------------------ transcripts
@pytest.mark.parametrize("int8", [False, True], ids=["fp32", "int8"])
@pytest.mark.parametrize("model", MODEL_PARAMS)
def test_jfk_matches_reference(model, int8):
    td = we.testdata_dir()
    assert td is not None, "shared/testdata not found"
    toks = we.onnx_tokens(MODELS_DIR / model, int8, td / "en" / "jfk.wav", "en", "hf")
    text = we.decode(MODELS_DIR / model, toks)
    ref = (td / "en" / "jfk.txt").read_text()
    assert wo.normalise(text) == wo.normalise(ref), text


@pytest.mark.parametrize("model,clip", clip_params())
def test_fp32_tokens_equal_faster_whisper(model, clip):
    """Same carrier weights, same log-mel front end: FP32 ONNX must decode token for token like faster-whisper."""
    ours = we.onnx_tokens(MODELS_DIR / model, False, clip["wav"], clip["lang"], "fw")
    ref = we.fw_tokens(ct2_dir(model), "float32", clip["wav"], clip["lang"])
    assert ours == ref, f"onnx {we.decode(MODELS_DIR / model, ours)!r} vs fw {we.decode(MODELS_DIR / model, ref)!r}"


@pytest.mark.parametrize("model", MODEL_PARAMS)
def test_int8_agreement_and_wer(model):
    """INT8 is not bit-exact: report agreement + WER, and hold it to CTranslate2's own int8 as the peer."""
    rows = []
    for clip in we.clips(english_only=not is_multilingual(model)):
        mdir = MODELS_DIR / model
        o8 = we.onnx_tokens(mdir, True, clip["wav"], clip["lang"], "hf")
        f32 = we.fw_tokens(ct2_dir(model), "float32", clip["wav"], clip["lang"])
        f8 = we.fw_tokens(ct2_dir(model), "int8", clip["wav"], clip["lang"])
        rows.append({"id": clip["id"], "agree_fw32": o8 == f32, "agree_fw8": o8 == f8,
                     "wer_onnx8": wo.wer(clip["ref"], we.decode(mdir, o8)),
                     "wer_fw32": wo.wer(clip["ref"], we.decode(mdir, f32)),
                     "wer_fw8": wo.wer(clip["ref"], we.decode(mdir, f8))})
    n = len(rows)
    summary = {k: sum(r[k] for r in rows) / n for k in ("agree_fw32", "agree_fw8", "wer_onnx8", "wer_fw32", "wer_fw8")}
    out = Path(os.environ.get("TRANSCREVAI_TEST_ARTIFACTS", HERE.parents[2] / "test-artifacts"))
    out.mkdir(parents=True, exist_ok=True)
    (out / f"whisper-int8-{model}.json").write_text(json.dumps({"summary": summary, "rows": rows}, indent=1))
    print(f"\n{model} int8: {json.dumps(summary)}")
    # Mean WER of our INT8 may not be worse than CTranslate2 int8 by more than 0.05 absolute.
    assert summary["wer_onnx8"] <= summary["wer_fw8"] + 0.05, summary


# ------------------------------------------------------------------ INT8 recipe
def _op_types(path: Path) -> set[str]:
    import onnx

    return operators(onnx.load(str(path), load_external_data=False))


@pytest.mark.parametrize("suffix", ["_int8", "_q4"])
@pytest.mark.parametrize("part", ["encoder_model", "decoder_model_merged"])
@pytest.mark.parametrize("model", MODEL_PARAMS)
def test_quantized_files_are_weight_only(model, part, suffix):
    """No activation quantization by onnxruntime's dynamic ops: their AVX2 u8 x s8 kernels saturate (CPU-dependent).
    The decoder's token embedding is 8-bit (no float copy of the 51865-row table); the encoder's attention is fused."""
    ops = _op_types(MODELS_DIR / model / "onnx" / f"{part}{suffix}.onnx")
    assert "MatMulNBits" in ops, ops
    assert not ops & {"MatMulInteger", "DynamicQuantizeLinear", "DynamicQuantizeMatMul", "QLinearMatMul"}, ops
    if part == "decoder_model_merged":
        assert "GatherBlockQuantized" in ops, ops
    else:
        assert "MultiHeadAttention" in ops and "Softmax" not in ops, ops
    assert manifest_entry(model)["source"]["recipe"] == wb.QUANT_RECIPE


def _agreement_clips(model: str) -> list[dict]:
    """Every shared clip, jfk with 5/10/20 ms of leading silence and the AMI meeting excerpts (quiet, far-field)."""
    import numpy as np

    td = we.testdata_dir()
    out = [dict(c, audio=wo.load_audio(c["wav"])) for c in we.clips(english_only=not is_multilingual(model))]
    jfk = wo.load_audio(td / "en" / "jfk.wav")
    for ms in (5, 10, 20):
        out.append({"id": f"en/jfk+{ms}ms", "lang": "en", "audio": np.concatenate([np.zeros(16 * ms, np.float32), jfk])})
    for wav in sorted((td / "diarization" / "ami").glob("[dt]*[0-9].wav")):
        out.append({"id": f"ami/{wav.stem}", "lang": "en", "audio": wo.load_audio(wav)})
    return out


def _edits(a: list[int], b: list[int]) -> int:
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i]
        for j in range(1, len(b) + 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])))
        prev = cur
    return prev[-1]


@pytest.mark.parametrize("model", MODEL_PARAMS)
def test_int8_agrees_with_fp32(model):
    """INT8 decodes (greedy, no timestamps) token for token like FP32 on most clips, and nearly so on the rest.

    Measured with base on this recipe: 28/33 clips identical, 1.7 token edits per 100 (the dynamic per-tensor
    recipe it replaced: 17/33 and 20.1 natively, 13/33 and 41.7 on an AVX2-only CPU).
    """
    fp32 = wo.OrtWhisper(MODELS_DIR / model, int8=False)
    int8 = wo.OrtWhisper(MODELS_DIR / model, int8=True)
    same = edits = total = 0
    clips = _agreement_clips(model)
    for c in clips:
        a = int8.transcribe_tokens(c["audio"], c["lang"])
        b = fp32.transcribe_tokens(c["audio"], c["lang"])
        same += a == b
        edits += _edits(a, b)
        total += len(b)
    print(f"\n{model}: INT8 = FP32 on {same}/{len(clips)} clips, {100 * edits / total:.2f} token edits per 100")
    assert same >= 0.7 * len(clips), (same, len(clips))
    assert edits <= 0.05 * total, (edits, total)
