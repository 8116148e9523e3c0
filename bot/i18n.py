"""Interface strings through gettext catalogs in ``locales/<lang>/LC_MESSAGES/messages.po``.

English text is the message id. Catalogs are read with Babel on first use
and cached; a string missing from a catalog falls back to English (the
translation check, ``make messages-check``, fails CI before that can ship).
"""

from __future__ import annotations

from functools import cache
from typing import Any, Callable

from babel.messages.pofile import read_po

from bot.settings import PROJECT_ROOT

LOCALES_DIR = PROJECT_ROOT / "locales"
Translate = Callable[[str], str]


@cache
def _catalog(lang: str) -> dict[str, str]:
    path = LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    return {m.id: m.string for m in catalog if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}


def translator(lang: str) -> Translate:
    """The gettext function for ``lang``."""
    catalog = _catalog(lang)

    def gettext(message: str) -> str:
        return catalog.get(message) or message

    return gettext


def translator_for_metadata(metadata: Any) -> Translate:
    """The gettext function for a client's ``metadata.lang``, English otherwise."""
    lang = metadata.get("lang") if isinstance(metadata, dict) else None
    return translator(lang if isinstance(lang, str) and lang.isalpha() and len(lang) <= 3 else "en")
