"""Names for codes, in the staff member's interface language: the pages show names, codes only as secondary text."""

from __future__ import annotations

from aiohttp import web


def language_names(request: web.Request, codes: list[str]) -> dict[str, str]:
    """Content languages by name in the interface language (the code for a language without a name here)."""
    _ = request["_"]
    names = {"en": _("English"), "lv": _("Latvian"), "ru": _("Russian"), "uk": _("Ukrainian")}
    return {code: names.get(code, code) for code in codes}
