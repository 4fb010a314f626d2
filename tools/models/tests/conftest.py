import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def models_dir() -> Path:
    return Path(os.environ.get("TRANSCREVAI_MODELS", Path.home() / ".cache" / "transcrevai" / "models"))


def require(path: Path, what: str) -> Path:
    if not path.exists():
        pytest.skip(f"{what} not prepared: {path} missing (run python tools/models/{what}.py)")
    return path
