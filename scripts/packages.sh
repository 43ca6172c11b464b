#!/usr/bin/env bash
# Install the Debian packages named (e.g. tesseract-ocr) whose program is missing, when
# this user may (root, or sudo without a password); otherwise say how.
# Usage: scripts/packages.sh PROGRAM=PACKAGE[,PACKAGE] ...
set -euo pipefail
missing=""
for pair in "$@"; do
    command -v "${pair%%=*}" >/dev/null || missing="$missing ${pair#*=}"
done
missing="${missing//,/ }"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq $missing
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo apt-get update -qq && sudo apt-get install -y -qq $missing
else
    echo "not installed:$missing (install with: sudo apt-get install$missing)" >&2
fi
