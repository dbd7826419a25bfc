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
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "warning: could not install chromium; browser tests will not run" >&2
  else
    echo "note: /usr/bin/chromium is missing; install Debian's chromium package for the browser tests" >&2
  fi
fi
