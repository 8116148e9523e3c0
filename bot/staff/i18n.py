"""The staff app's own interface in English and Latvian: gettext catalogs read with Babel.

Strings are English in the code and templates; ``locales/<lang>/LC_MESSAGES/messages.po``
translates them (``make staff-messages`` extracts new ones). The language is the
visitor's choice (a cookie), else the browser's Accept-Language, else English.
"""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from aiohttp import web
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = Path(__file__).parent / "locales"
UI_LANGUAGES = {"en": "English", "lv": "Latviešu"}
DEFAULT = "en"
COOKIE = "staff_lang"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalog of ``lang`` (English: the strings as written)."""
    po = LOCALES / lang / "LC_MESSAGES" / "messages.po"
    if lang == DEFAULT or not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = BytesIO()
    write_mo(buffer, catalog)  # fuzzy entries are left out
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def pick_language(request: web.Request) -> str:
    chosen = request.cookies.get(COOKIE)
    if chosen in UI_LANGUAGES:
        return chosen
    for part in request.headers.get("Accept-Language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in UI_LANGUAGES:
            return code
    return DEFAULT
