#!/usr/bin/env bash
# Install the project with its test extras (and chromium and tesseract where missing) and run
# the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install -q -e '.[test,engine]'
.venv/bin/ruff check rag ui tests eval docs
bash scripts/packages.sh chromium=chromium tesseract=tesseract-ocr,tesseract-ocr-eng
.venv/bin/python -m pytest -q "$@"
