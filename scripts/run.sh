#!/usr/bin/env bash
# Set up (first time only) and serve the hub: SQLite under instance/, demo data, http://127.0.0.1:5000/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python app.py "$@"
