#!/usr/bin/env bash
# Idempotent set-up: a virtualenv in .venv with the dependencies; with --test also the test tools and Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=.venv/.installed-$(cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -r requirements-dev.txt
  touch "$stamp"
fi
# Debian packages the tests drive: Chromium (browser tests), nginx (the deployment test), pg_dump and pg_restore
# (the backup test; Debian's postgresql-client is the version of Debian's server).
if [ "${1:-}" = "--test" ]; then
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v pg_dump >/dev/null || missing+=(postgresql-client)
  if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null) \
        || echo "warning: could not install ${missing[*]}; the tests that need them will not run" >&2
    else
      echo "note: missing Debian packages for the tests: ${missing[*]} (apt-get install them)" >&2
    fi
  fi
fi
