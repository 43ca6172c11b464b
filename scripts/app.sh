#!/usr/bin/env bash
# Install the project (and tesseract, for scanned PDFs, where missing) and open the app on
# the bundled papers; the index is built on first use, with progress shown.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/packages.sh tesseract=tesseract-ocr,tesseract-ocr-eng \
    || echo "tesseract could not be installed: scanned pages will be skipped" >&2
python3 -m venv .venv
.venv/bin/pip install -q -e .
exec .venv/bin/streamlit run ui/app.py "$@"
