#!/usr/bin/env bash
# Builds TranscrevAI's offline models (Whisper base + tiny.en ONNX FP32+INT8, speaker (GE2E), speaker
# segmentation, CAM++, VAD) into
# $TRANSCREVAI_MODELS (default ~/.cache/transcrevai/models), and the test hub's replicas of onnx-community/whisper-base
# and -tiny.en (tools/models/hub_replica.py, under ~/.cache/transcrevai/build/hub; about 80 s the first time).
# Idempotent: a warm re-run takes seconds.
#   bash tools/models/prepare.sh [--models base,tiny.en] [--force] [--skip-extras]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$HERE/.venv"
PY="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
  echo "[models] creating venv $VENV"
  "$PY" -m venv "$VENV"
fi

# Re-run pip only when a requirements file changed (keeps the warm path fast).
REQS=("$HERE/requirements.txt")
[ -f "$HERE/requirements-speaker.txt" ] && REQS+=("$HERE/requirements-speaker.txt")
STAMP="$VENV/.requirements.sha256"
WANT="$(cat "${REQS[@]}" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null || true)" != "$WANT" ]; then
  echo "[models] installing pinned requirements into $VENV"
  args=()
  for r in "${REQS[@]}"; do args+=(-r "$r"); done
  "$VENV/bin/pip" install --disable-pip-version-check -q "${args[@]}"
  echo "$WANT" > "$STAMP"
fi

exec "$VENV/bin/python" "$HERE/prepare.py" "$@"
