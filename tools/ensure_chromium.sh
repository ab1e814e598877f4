#!/usr/bin/env bash
# Make Debian's Chromium (the browser tests, the handouts) and poppler's pdftotext (the
# handouts' text check) available; install what is missing when running as root.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium fonts-dejavu-core)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
if [ ${#missing[@]} = 0 ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} for the browser tests and the handouts ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
msg="${missing[*]} not installed: the slide tests and the handouts need them (sudo apt-get install ${missing[*]})."
if [ "${CI:-}" = true ]; then echo "error: $msg" >&2; exit 1; fi
echo "warning: $msg The browser tests will be skipped." >&2
