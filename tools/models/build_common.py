"""What every model build script shares: where models and the build cache live, and file digests."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path


def default_models_dir() -> Path:
    """$TRANSCREVAI_MODELS (when set and not empty), else ~/.cache/transcrevai/models (the CLI's rule too)."""
    env = os.environ.get("TRANSCREVAI_MODELS")
    return Path(env) if env else Path.home() / ".cache" / "transcrevai" / "models"


def default_cache_dir() -> Path:
    return Path.home() / ".cache" / "transcrevai" / "build"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def operators(model) -> set[str]:
    """Every op_type of an onnx ModelProto, inside If branches too (the merged decoder keeps its layers there)."""
    import onnx

    ops: set[str] = set()

    def visit(g) -> None:
        for n in g.node:
            ops.add(n.op_type)
            for a in n.attribute:
                if a.type == onnx.AttributeProto.GRAPH:
                    visit(a.g)

    visit(model.graph)
    return ops
