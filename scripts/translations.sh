#!/usr/bin/env bash
# Refresh the catalogues from the sources and compile them: extract, update vi/en, compile. Translate new entries
# in translations/vi/LC_MESSAGES/messages.po (scripts/fill_catalogue.py helps) before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pybabel extract -F babel.cfg -k _l -k N_ --no-location --sort-output --project "Directive Hub" \
  -o translations/messages.pot .
for lang in vi en; do
  if [ -f "translations/$lang/LC_MESSAGES/messages.po" ]; then
    .venv/bin/pybabel update -i translations/messages.pot -d translations -l "$lang" --no-fuzzy-matching
  else
    .venv/bin/pybabel init -i translations/messages.pot -d translations -l "$lang"
  fi
done
.venv/bin/pybabel compile -d translations --statistics
