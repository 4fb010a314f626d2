import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from build_common import default_models_dir  # noqa: E402


def models_dir() -> Path:
    return default_models_dir()


def require(path: Path, what: str) -> Path:
    if not path.exists():
        pytest.skip(f"{what} not prepared: {path} missing (run python tools/models/{what}.py)")
    return path
