#!/usr/bin/env bash
# The whole test suite: lint, format check, security checks (bandit, pip-audit), then pytest (SQLite and PostgreSQL,
# sockets, browser, the platforms' client installed into a fresh virtualenv).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
bash scripts/services.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .

# Bandit logs "nosec encountered (BXXX), but no failed test" for every other node on a waived line: only that is hidden.
.venv/bin/bandit -c pyproject.toml -r hub client/directive_hub_client -q 2> >(grep -v 'nosec encountered' >&2)

# pip-audit asks a vulnerability service about each installed package: PyPI's per-release JSON, or OSV. Where neither
# answers (a mirror without the JSON API, no route to OSV) the audit is skipped with the reason on one line.
service=$(.venv/bin/python - <<'PY'
import json
import urllib.request
from importlib.metadata import version

query = {"package": {"name": "pip", "ecosystem": "PyPI"}, "version": version("pip")}
probes = {
    "pypi": urllib.request.Request(f"https://pypi.org/pypi/pip/{version('pip')}/json"),
    "osv": urllib.request.Request("https://api.osv.dev/v1/query", data=json.dumps(query).encode()),
}
reasons = []
for name, request in probes.items():
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            json.load(response)
    except Exception as exc:  # any failure means: this service cannot be used from here
        reasons.append(f"{request.host}: {exc}")
        continue
    print(name)
    break
else:
    print("none: " + "; ".join(reasons))
PY
)
if [ "${service%%:*}" = none ]; then
  echo "pip-audit skipped: no vulnerability database reachable (${service#none: })"
else
  .venv/bin/pip-audit --local --vulnerability-service "$service" --progress-spinner off
fi

# Two workers (pytest-xdist): the suite waits on hubs, browsers and databases more than on the CPU. Give -n 0 to run
# it in one process.
exec .venv/bin/pytest -n 2 "$@"
