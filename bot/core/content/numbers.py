"""The numbers a text states (amounts, days, phone numbers, times), written the same way in every language.

A translation must state the numbers its source states: a fee of EUR 78,100
is "78 100 EUR" in Latvian and "78 100 евро" in Russian, and all three give
``78100``. Thousands separators (comma, point, space, no-break space) before a
group of exactly three digits are dropped; a decimal comma becomes a point;
leading zeros go and a time's colon is a point ("09:00", "9:00" and "9.00" are the same time).
"""

from __future__ import annotations

import re

_URL = re.compile(r"\b(?:https?://|www\.)\S+|\b[\w.-]+@[\w.-]+\.\w+|\b[\w-]+(?:\.[\w-]+)*\.(?:lv|eu|com|org|net)\b", re.IGNORECASE)
_GROUPED = re.compile(r"(?<![\d.,])\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+(?![\d]|[.,]\d)")
_PHONE = re.compile(r"\+?\d[\d ]{6,}\d")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)?")


def _ungroup(match: re.Match[str]) -> str:
    return re.sub(r"[^\d]", "", match.group())


def _normal(token: str) -> str:
    whole, _, fraction = re.sub(r"[,:]", ".", token).partition(".")
    whole = whole.lstrip("0") or "0"
    return f"{whole}.{fraction}" if fraction else whole


def numbers_in(text: str) -> frozenset[str]:
    """The set of numbers ``text`` states, normalised (see the module docstring)."""
    text = _URL.sub(" ", text)
    text = _PHONE.sub(lambda m: m.group().replace(" ", ""), text)
    text = _GROUPED.sub(_ungroup, text)
    return frozenset(_normal(t) for t in _NUMBER.findall(text))
