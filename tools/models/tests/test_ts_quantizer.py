"""The TypeScript quantizer (src/quantize, run on users' machines without Python) writes the files the build
toolchain writes (whisper_build.quantize_folder) from the same float graphs.

A plain optimum export of each model's Hugging Face checkpoint (the build's, ~/.cache/transcrevai/build/hf/<model>)
is cached under ~/.cache/transcrevai/build/plain-export/<model>; two copies of its float graphs are quantized, one by
Python, one by `node --import tsx test/fixtures/quantizeFolder.ts`, for int8 and q4, and every graph is compared with
the onnx library (opsets, inputs, outputs, nodes with their attributes and subgraphs, initializers with their values),
then byte for byte. The block arithmetic is also compared on small matrices made to hit its edge cases.

    tools/models/.venv/bin/python -m pytest tools/models/tests/test_ts_quantizer.py -q
"""
from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(HERE.parent))
import whisper_build as wb  # noqa: E402
from build_common import default_cache_dir, sha256_file  # noqa: E402

MODELS = ["tiny.en", "base"]
GRAPHS = ["encoder_model", "decoder_model_merged"]
PRECISIONS = list(wb.QUANTIZED)
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None or not (REPO / "node_modules" / "tsx").exists(), reason="node and npm ci needed")


# ---------------------------------------------------------------- inputs
def plain_export(model: str) -> Path:
    """encoder_model.onnx, decoder_model_merged.onnx and config.json of an optimum export of the build's checkpoint,
    made once per checkpoint (a stamp holds the checkpoint's sha256)."""
    hf = default_cache_dir() / "hf" / model
    if not (hf / "model.safetensors").exists():
        pytest.skip(f"{hf} missing: run bash tools/models/prepare.sh first")
    dest = default_cache_dir() / "plain-export" / model
    stamp = dest / ".export.json"
    want = {"checkpoint_sha256": sha256_file(hf / "model.safetensors"), "opset": wb.OPSET}
    if stamp.exists() and json.loads(stamp.read_text()) == want:
        return dest
    work = dest.with_name(dest.name + ".work")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    wb.export_onnx(model, hf, work / "export")
    for f in [f"{g}.onnx" for g in GRAPHS] + ["config.json"]:
        shutil.move(work / "export" / f, work / f)
    shutil.rmtree(work / "export")
    (work / ".export.json").write_text(json.dumps(want))
    shutil.rmtree(dest, ignore_errors=True)
    work.rename(dest)
    return dest


def model_folder(dest: Path, export: Path) -> Path:
    """A model folder holding the export's float graphs (hard links: neither quantizer writes them)."""
    (dest / "onnx").mkdir(parents=True)
    shutil.copy(export / "config.json", dest / "config.json")
    for g in GRAPHS:
        try:
            os.link(export / f"{g}.onnx", dest / "onnx" / f"{g}.onnx")
        except OSError:
            shutil.copy(export / f"{g}.onnx", dest / "onnx" / f"{g}.onnx")
    return dest


def ts_quantize(folder: Path, precision: str) -> dict:
    run = subprocess.run([NODE, "--import", "tsx", "test/fixtures/quantizeFolder.ts", str(folder), precision], cwd=REPO,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


# ---------------------------------------------------------------- comparison
def assert_same_tensor(a, b, where: str) -> None:
    from onnx import numpy_helper

    assert (a.name, list(a.dims), a.data_type) == (b.name, list(b.dims), b.data_type), where
    x, y = numpy_helper.to_array(a), numpy_helper.to_array(b)
    assert x.dtype == y.dtype and x.shape == y.shape, where
    assert x.tobytes() == y.tobytes(), f"{where}: values differ at {np.flatnonzero(x.ravel() != y.ravel())[:10]}"


def assert_same_attribute(a, b, where: str) -> None:
    from onnx import AttributeProto, helper

    assert (a.name, a.type) == (b.name, b.type), where
    if a.type == AttributeProto.GRAPH:
        assert_same_graph(a.g, b.g, f"{where}.{a.name}")
    elif a.type == AttributeProto.GRAPHS:
        assert len(a.graphs) == len(b.graphs), where
        for i, (x, y) in enumerate(zip(a.graphs, b.graphs)):
            assert_same_graph(x, y, f"{where}.{a.name}[{i}]")
    elif a.type == AttributeProto.TENSOR:
        assert_same_tensor(a.t, b.t, f"{where}.{a.name}")
    else:
        x, y = helper.get_attribute_value(a), helper.get_attribute_value(b)
        assert np.array_equal(np.asarray(x), np.asarray(y)), f"{where}.{a.name}: {x} != {y}"


def assert_same_graph(a, b, where: str) -> None:
    assert [v.SerializeToString() for v in a.input] == [v.SerializeToString() for v in b.input], f"{where}: inputs"
    assert [v.SerializeToString() for v in a.output] == [v.SerializeToString() for v in b.output], f"{where}: outputs"
    assert [v.SerializeToString() for v in a.value_info] == [v.SerializeToString() for v in b.value_info], f"{where}: value_info"
    assert len(a.node) == len(b.node), f"{where}: {len(a.node)} nodes against {len(b.node)}"
    for i, (x, y) in enumerate(zip(a.node, b.node)):
        at = f"{where} node {i} ({x.name or x.op_type})"
        assert (x.op_type, x.domain, x.name, list(x.input), list(x.output)) == (y.op_type, y.domain, y.name, list(y.input), list(y.output)), at
        assert [t.name for t in x.attribute] == [t.name for t in y.attribute], at
        for p, q in zip(x.attribute, y.attribute):
            assert_same_attribute(p, q, at)
    assert [t.name for t in a.initializer] == [t.name for t in b.initializer], f"{where}: initializer names or order"
    for x, y in zip(a.initializer, b.initializer):
        assert_same_tensor(x, y, f"{where} initializer {x.name}")


def assert_same_files(python_graph: Path, ts_graph: Path) -> None:
    import onnx

    a, b = onnx.load(str(python_graph)), onnx.load(str(ts_graph))
    assert [(o.domain, o.version) for o in a.opset_import] == [(o.domain, o.version) for o in b.opset_import]
    assert (a.ir_version, a.producer_name, a.producer_version) == (b.ir_version, b.producer_name, b.producer_version)
    assert_same_graph(a.graph, b.graph, python_graph.name)
    # Equal as models; the files themselves are equal too (same field order, same external data layout).
    for suffix in ("", "_data"):
        x, y = Path(f"{python_graph}{suffix}"), Path(f"{ts_graph}{suffix}")
        assert filecmp.cmp(x, y, shallow=False), f"{y} differs from {x} in its bytes"


# ---------------------------------------------------------------- tests
@pytest.fixture(scope="module", params=MODELS)
def quantized(request, tmp_path_factory) -> tuple[str, Path, Path]:
    """(model, the Python folder, the TypeScript folder), each with its int8 and q4 graphs."""
    model = request.param
    export = plain_export(model)
    root = tmp_path_factory.mktemp(model)
    py, ts = model_folder(root / "py", export), model_folder(root / "ts", export)
    for precision in PRECISIONS:
        counts = wb.quantize_folder(py, precision)
        # A plain export: the fusion and the slicing ran (else the comparison would not test them).
        assert counts["fused_attention"] > 0 and counts["sliced_projections"] == 2 and counts["embedding_lookups"] > 0, counts
        result = ts_quantize(ts, precision)
        suffix = wb.QUANTIZED[precision][0]
        assert sorted(result["written"]) == sorted(f"onnx/{g}{suffix}.onnx{x}" for g in GRAPHS for x in ("", "_data"))
    return model, py, ts


@pytest.mark.parametrize("precision", PRECISIONS)
@pytest.mark.parametrize("graph", GRAPHS)
def test_ts_quantizer_writes_the_toolchains_graph(quantized, precision: str, graph: str) -> None:
    _model, py, ts = quantized
    name = f"{graph}{wb.QUANTIZED[precision][0]}.onnx"
    assert_same_files(py / "onnx" / name, ts / "onnx" / name)


@pytest.mark.parametrize("quantized", MODELS[:1], indirect=True)
def test_ts_quantizer_reads_float_weights_from_external_data(quantized, tmp_path) -> None:
    """The hub's large models keep their float weights in <graph>.onnx_data: the same output from there."""
    import onnx

    _model, py, _ts = quantized
    ext = tmp_path / "ext"
    (ext / "onnx").mkdir(parents=True)
    shutil.copy(py / "config.json", ext / "config.json")
    for g in GRAPHS:
        onnx.save_model(onnx.load(str(py / "onnx" / f"{g}.onnx")), str(ext / "onnx" / f"{g}.onnx"), save_as_external_data=True,
                        all_tensors_to_one_file=True, location=f"{g}.onnx_data", size_threshold=1024)
    ts_quantize(ext, "int8")
    for g in GRAPHS:
        assert_same_files(py / "onnx" / f"{g}_int8.onnx", ext / "onnx" / f"{g}_int8.onnx")


def test_block_arithmetic_matches_onnxruntime_and_numpy(tmp_path) -> None:
    """quantize_matmul_4bits/8bits and embedding_blocks against the TypeScript arithmetic on matrices made for the edge
    cases: K not a multiple of the block (odd K too), one row, all-zero and negative-only columns, exact halves."""
    from onnxruntime.quantization.matmul_nbits_quantizer import DefaultWeightOnlyQuantConfig, DefaultWeightOnlyQuantizer

    rng = np.random.default_rng(26)

    def matrix(k: int, n: int, kind: int) -> np.ndarray:
        if kind == 0:
            w = rng.normal(size=(k, n))
        elif kind == 1:  # multiples of 1/16: many values land on .5 after scaling
            w = rng.integers(-8, 8, size=(k, n)) / 16.0
        elif kind == 2:
            w = -np.abs(rng.normal(size=(k, n)))
        else:
            w = rng.normal(size=(k, n)) * 1e-3
            w[:, 0] = 0
        return w.astype(np.float32)

    cases, expected = [], {}
    for i, (k, n) in enumerate((k, n) for k in (1, 2, 3, 15, 16, 17, 33, 64, 100, 129, 257) for n in (1, 2, 5, 33)):
        w = matrix(k, n, i % 4)
        for bits, block in ((4, 16), (4, 32), (4, 128), (8, 16), (8, 64), (8, 128)):
            out = tmp_path / f"m{i}_{bits}_{block}"
            w.tofile(f"{out}.in")
            cases.append({"input": f"{out}.in", "rows": k, "columns": n, "kind": f"matmul{bits}", "block": block, "output": str(out)})
            q = DefaultWeightOnlyQuantizer(DefaultWeightOnlyQuantConfig(block_size=block, is_symmetric=False, bits=bits))
            expected[str(out)] = q.qbits_block_quant(w)
    for i, (vocab, dim, block) in enumerate(((7, 64, 64), (5, 192, 64), (3, 64, 16))):
        table = matrix(vocab, dim, i)
        out = tmp_path / f"e{i}"
        table.tofile(f"{out}.in")
        cases.append({"input": f"{out}.in", "rows": vocab, "columns": dim, "kind": "embedding", "block": block, "output": str(out)})
        expected[str(out)] = wb.embedding_blocks(table, block)
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    run = subprocess.run([NODE, "--import", "tsx", "test/fixtures/quantizeArrays.ts", str(tmp_path / "cases.json")], cwd=REPO,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    for c in cases:
        values, scales, zero_points = expected[c["output"]]
        assert np.fromfile(c["output"] + ".packed", dtype=np.uint8).tobytes() == values.tobytes(), c
        assert np.fromfile(c["output"] + ".scales", dtype=np.float32).tobytes() == scales.tobytes(), c
        assert np.fromfile(c["output"] + ".zero_points", dtype=np.uint8).tobytes() == zero_points.tobytes(), c
