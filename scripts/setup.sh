#!/usr/bin/env bash
# Installs what vitals needs on a fresh Debian machine (or a Raspberry Pi OS box):
# pnpm, the workspace's dependencies (native addons built from source), and, with
# --browser, Chromium and socat from Debian for the browser and serial tests.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
if [[ "${1:-}" == "--browser" ]]; then
  [[ -x /usr/bin/chromium ]] || need_apt+=(chromium)
  # Japanese glyphs for the dashboard in screenshots and browser tests.
  [[ -e /usr/share/fonts/opentype/ipafont-gothic ]] || need_apt+=(fonts-ipafont-gothic)
fi
command -v socat >/dev/null 2>&1 || need_apt+=(socat)
if (( ${#need_apt[@]} )); then
  echo "setup: installing ${need_apt[*]} from Debian"
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! command -v pnpm >/dev/null 2>&1; then
  echo "setup: installing pnpm 10"
  npm install -g pnpm@10 >/dev/null 2>&1 || npm install -g pnpm@10
fi

echo "setup: installing dependencies (first time builds native addons: about 2 minutes)"
if [[ -n "${CI:-}" ]]; then
  # The native builds' compiler chatter is filtered; pnpm's own exit status still decides.
  pnpm install --frozen-lockfile --reporter=append-only 2>&1 \
    | { grep -vE "^\.\.\./.*(gyp info|make:|  CXX|  CC|  SOLINK|  COPY|  AR|  TOUCH|  ACTION)" || true; }
  status=${PIPESTATUS[0]}
else
  pnpm install --reporter=silent
  status=$?
fi
if (( status != 0 )); then
  echo "setup: pnpm install failed (exit $status); see the messages above" >&2
  exit 1
fi
