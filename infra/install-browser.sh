#!/usr/bin/env bash
# Installs Debian's Chromium for the browser test (tests/ui), unless it is already there.
# Playwright drives this system browser; `playwright install` (a browser download) is never used.
set -euo pipefail

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    exec sudo --preserve-env=CHROMIUM "$0" "$@"
  fi
  echo "install-browser: $CHROMIUM is missing; run as root: apt-get install -y chromium" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
test -x "$CHROMIUM"
echo "install-browser: $("$CHROMIUM" --version 2>/dev/null || echo chromium) installed"
