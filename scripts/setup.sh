#!/usr/bin/env bash
# Idempotent set-up: a virtualenv in .venv with what serving needs (requirements.txt); with --test also the test
# tools (requirements-dev.txt) and Debian's Chromium for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
install() {  # install requirements file $1 unless this exact content is already installed
  local stamp
  stamp=.venv/.installed-$1-$(sha256sum "$1" requirements.txt | sha256sum | cut -c1-16)
  if [ ! -f "$stamp" ]; then
    .venv/bin/pip install -q --upgrade pip
    .venv/bin/pip install -q -r "$1"
    touch "$stamp"
  fi
}
install requirements.txt
if [ "${1:-}" != "--test" ]; then
  exit 0
fi
install requirements-dev.txt
# Debian packages the tests drive: Chromium (browser tests), nginx (the deployment test), pg_dump and pg_restore
# (the backup test; Debian's postgresql-client is the version of Debian's server).
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
