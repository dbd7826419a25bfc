#!/usr/bin/env bash
# The whole test suite: lint, format check, then pytest (SQLite and PostgreSQL, sockets, browser).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
bash scripts/services.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
exec .venv/bin/pytest "$@"
