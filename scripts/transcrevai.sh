#!/usr/bin/env bash
# The main job from a source checkout: set up on first run (cached afterwards), then run the CLI.
#   bash scripts/transcrevai.sh transcribe recording.mp3 --language pt --format md
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/setup.sh" >&2
exec node "$root/dist/cli.js" "$@"
