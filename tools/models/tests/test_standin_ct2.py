"""The peer's copy of a stand-in (tools/models/standin_ct2.py, issue #27) holds the stand-in's own weights.

bench/standin.ts divides our encoder and decoder times by CTranslate2's on "the same random checkpoint": this proves
that the copy is made from the checkpoint the stand-in's graphs are exported from (standin.write_checkpoint, seed 26),
not from another draw. small, the quickest to make (about 30 s):

    tools/models/.venv/bin/python -m pytest tools/models/tests/test_standin_ct2.py -v
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import ct2_whisper  # noqa: E402
import hub_replica as hr  # noqa: E402
import standin as st  # noqa: E402
import standin_ct2 as sc  # noqa: E402

CACHE = hr.default_cache_dir()
MODEL = "small"


@pytest.fixture(scope="module")
def copies(tmp_path_factory) -> tuple[Path, Path]:
    """(the CT2 copy, the stand-in's checkpoint made again) of small."""
    if not (CACHE / "hf" / "base" / "tokenizer.json").exists():
        pytest.skip("no base checkpoint (run npm run models)")
    work = tmp_path_factory.mktemp("standin-ct2")
    ct2 = sc.build(MODEL, CACHE, dest=work / "ct2")
    ckpt = work / "checkpoint"
    ckpt.mkdir()
    st.make_checkpoint(MODEL, ckpt, CACHE)
    return ct2, ckpt


def test_ct2_copy_holds_the_standin_weights(copies: tuple[Path, Path]) -> None:
    from safetensors.numpy import load_file

    ct2, ckpt = copies
    variables, _, _ = ct2_whisper.read_model_bin(ct2 / "model.bin")
    weights = load_file(str(ckpt / "model.safetensors"))
    # The shaped position rows (normal(0, 20), <|endoftext|> every 64) stay float32 in the copy: equal to the bit.
    np.testing.assert_array_equal(variables["decoder/position_encodings/encodings"], weights["model.decoder.embed_positions.weight"])
    # A quantized matrix: CTranslate2's int8 rows times their scale give the checkpoint's weights back within half a
    # step of each row's scale.
    q = variables["decoder/layer_3/ffn/linear_0/weight"]
    scale = variables["decoder/layer_3/ffn/linear_0/weight_scale"]
    assert q.dtype == np.int8
    restored = q.astype(np.float32) / scale[:, None]
    original = weights["model.decoder.layers.3.fc1.weight"]
    step = 1 / scale[:, None]
    assert np.all(np.abs(restored - original) <= step / 2 + 1e-7)
    # ... and not another random draw of the same shape: the error is far below the weights' own spread.
    assert np.abs(restored - original).mean() < 0.05 * np.abs(original).mean()


def test_ct2_copy_is_cached_by_its_stamp(copies: tuple[Path, Path]) -> None:
    ct2, _ = copies
    stamp = json.loads((ct2 / sc.STAMP).read_text())
    assert stamp["recipe"] == sc.RECIPE and stamp["standin"] is True
    before = (ct2 / "model.bin").stat().st_mtime_ns
    assert sc.build(MODEL, CACHE, dest=ct2) == ct2  # current: not made again
    assert (ct2 / "model.bin").stat().st_mtime_ns == before
