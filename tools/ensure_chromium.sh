#!/usr/bin/env bash
# Make Debian's Chromium available for the browser tests; install it when running as root.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
  exit 0
fi
msg="Chromium is not installed: the slide tests need it (sudo apt-get install chromium)."
if [ "${CI:-}" = true ]; then echo "error: $msg" >&2; exit 1; fi
echo "warning: $msg The browser tests will be skipped." >&2
