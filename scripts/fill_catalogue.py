"""Fill untranslated entries of a catalogue from a JSON object {msgid: msgstr} (for English: msgid itself), then
compile. Usage: .venv/bin/python scripts/fill_catalogue.py vi new-strings.json | .venv/bin/python ... en"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent


def fill(lang: str, table: dict[str, str]) -> list[str]:
    path = ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalogue = read_po(fh, locale=lang)
    missing = []
    for message in catalogue:
        if not message.id or message.string:
            continue
        text = table.get(message.id) or (message.id if lang == "en" else None)
        if text:
            message.string = text
        else:
            missing.append(message.id)
    with path.open("wb") as fh:
        write_po(fh, catalogue, width=120)
    return missing


if __name__ == "__main__":
    language = sys.argv[1]
    strings = json.loads(Path(sys.argv[2]).read_text(encoding="utf-8")) if len(sys.argv) > 2 else {}
    left = fill(language, strings)
    if left:
        print("untranslated:", *left, sep="\n  ")
        sys.exit(1)
