#!/usr/bin/env bash
# Install the project with its test extras and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install -q -e '.[test,engine]'
.venv/bin/ruff check rag ui tests eval docs
if ! command -v chromium >/dev/null && [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; fi
.venv/bin/python -m pytest -q "$@"
