"""Fails when an interface string lacks a translation: ``python -m bot.core.translations_check``.

For every language in data/languages.yml, every message of
``locales/messages.pot`` must have a translation that is not empty, not
fuzzy, and keeps the same ``{placeholders}``. Without this check a missing
string silently shows English.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import cast

from babel.messages.pofile import read_po

from bot.core.content.loader import _Problems, load_languages
from bot.core.i18n import LOCALES_DIR
from bot.core.settings import load_settings

_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def find_problems(locales_dir: Path = LOCALES_DIR, languages_file: Path | None = None) -> list[str]:
    """Every missing, empty, fuzzy or broken translation (of the project's catalogs, or of a copy: the staff app's draft)."""
    problems = _Problems()
    languages, _default = load_languages(languages_file or load_settings().languages_file, problems)
    with (locales_dir / "messages.pot").open("rb") as handle:
        template = [m for m in read_po(handle) if m.id]
    found = list(problems.items)
    for code in languages:
        path = locales_dir / code / "LC_MESSAGES" / "messages.po"
        if not path.exists():
            found.append(f"{path}: missing (copy locales/messages.pot and translate it)")
            continue
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=code)
        for message in template:
            entry = catalog.get(message.id)
            where = f"{path}: {message.id!r}"
            if entry is None or not entry.string:
                found.append(f"{where}: not translated")
            elif entry.fuzzy:
                found.append(f"{where}: marked fuzzy; check and unmark it")
            elif sorted(_PLACEHOLDER.findall(cast(str, entry.string))) != sorted(_PLACEHOLDER.findall(cast(str, message.id))):
                found.append(f"{where}: the translation must keep the placeholders {_PLACEHOLDER.findall(cast(str, message.id))}")
    return found


def main() -> int:
    problems = find_problems()
    for problem in problems:
        print(problem)
    print(f"interface strings: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
