#!/usr/bin/env bash
# Install the project with its test extras and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install -q -e '.[test,engine]'
.venv/bin/ruff check rag ui tests eval docs
missing=""
command -v chromium >/dev/null || missing="chromium"
command -v tesseract >/dev/null || missing="$missing tesseract-ocr tesseract-ocr-eng"
if [ -n "$missing" ] && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq $missing
fi
.venv/bin/python -m pytest -q "$@"
