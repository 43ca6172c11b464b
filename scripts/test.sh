#!/usr/bin/env bash
# Install the project with its test extras and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install -q -e '.[test]'
.venv/bin/ruff check rag ui tests eval
.venv/bin/python -m pytest -q "$@"
