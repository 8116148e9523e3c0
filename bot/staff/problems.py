"""A save's problems in plain words, in the staff member's interface language, each with the field it belongs to.

The content checks (``bot.core.content.check``, ``bot.core.content.loader``,
``bot.core.translations_check``) word their findings for developers, in English,
with file names and YAML keys ("topics/banking.yml: 'lv' answer has 812
characters; at most 700 fit a messenger"): the same text ``make
content-check`` prints. The staff pages show this module's sentence instead,
next to the field to fix (``answer``, ``title``, ``examples``, ``reviewed``,
``sources``, ``offices``, or an interface string's field), and keep the
checker's text only for problems it does not know.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

Gettext = Callable[[str], str]


@dataclass(frozen=True)
class Problem:
    """One problem as a staff member reads it."""

    text: str
    field: str | None = None  # the form field it belongs to; None: the page as a whole


def _numbers(what: str) -> dict[str, str]:
    lacks = re.search(r"lacks (.+?)(?: and adds |$)", what)
    adds = re.search(r"adds (.+)$", what)
    return {"missing": lacks.group(1) if lacks else "", "extra": adds.group(1) if adds else ""}


def _numbers_text(_: Gettext, found: re.Match[str]) -> str:
    parts = _numbers(found.group("what"))
    text = _("The numbers differ from the source text.")
    if parts["missing"]:
        text += " " + _("Missing here: %(numbers)s.") % {"numbers": parts["missing"]}
    if parts["extra"]:
        text += " " + _("Not in the source text: %(numbers)s.") % {"numbers": parts["extra"]}
    return text + " " + _("Fees, days and phone numbers must be the same in every language.")


#: (pattern on the checker's message, field, the sentence) — the sentence gets the pattern's named groups.
_RULES: list[tuple[re.Pattern[str], str | None, Callable[[Gettext, re.Match[str]], str]]] = [
    (
        re.compile(r"'\w+' answer has (?P<count>\d+) characters; at most (?P<max>\d+) fit a messenger"),
        "answer",
        lambda _, m: _("The answer has %(count)s characters; at most %(max)s fit in a messenger message. Shorten it.") % m.groupdict(),
    ),
    (re.compile(r"'\w+' has no answer"), "answer", lambda _, m: _("Write the answer.")),
    (re.compile(r"'\w+' has no title"), "title", lambda _, m: _("Write a title.")),
    (
        re.compile(r"'\w+' title is longer than (?P<max>\d+) characters"),
        "title",
        lambda _, m: _("The title is longer than %(max)s characters: it has to fit on a button.") % m.groupdict(),
    ),
    (
        re.compile(r"'\w+' has (?P<count>\d+) examples; at least (?P<min>\d+) are needed"),
        "examples",
        lambda _, m: _("There are %(count)s ways of asking; at least %(min)s are needed, one per line.") % m.groupdict(),
    ),
    (
        re.compile(r"example (?P<example>'.+'|\".+\") is also used for '(?P<other>[^']+)'"),
        "examples",
        lambda _, m: (
            _("The question %(example)s is already a way of asking “%(other)s”: each question belongs to one answer.") % m.groupdict()
        ),
    ),
    (
        re.compile(r"example (?P<example>'.+'|\".+\") is a held-out question"),
        "examples",
        lambda _, m: (
            _("The question %(example)s is one of the test questions, which are never used for learning. Word it differently.")
            % m.groupdict()
        ),
    ),
    (re.compile(r"'\w+' answer's numbers differ from the '\w+' answer: it (?P<what>.+)$"), "answer", _numbers_text),
    (
        re.compile(r"'reviewed' must be a date like [\d-]+, not '(?P<value>.*)'"),
        "reviewed",
        lambda _, m: _("“%(value)s” is not a date. Choose the date in the calendar or write it as 05.12.2026.") % m.groupdict(),
    ),
    (
        re.compile(r"source '(?P<url>.+)' is not a valid https:// address"),
        "sources",
        lambda _, m: _("“%(url)s” is not a web address starting with https://.") % m.groupdict(),
    ),
    (re.compile(r"no source URL"), "sources", lambda _, m: _("Give at least one official page (https://…) the answer comes from.")),
    (
        re.compile(r"office '(?P<office>.+)' does not exist in offices.yml"),
        "offices",
        lambda _, m: _("The office “%(office)s” is not in the list of offices.") % m.groupdict(),
    ),
    (re.compile(r"'\w+' translation is missing"), None, lambda _, m: _("A language has no text yet.")),
    (
        re.compile(r"'\w+' does not follow the current '\w+' text"),
        None,
        lambda _, m: _("The translation is out of date: the source text changed since."),
    ),
    (
        re.compile(r"(?P<msgid>'.*'|\".*\"): the translation must keep the placeholders \[(?P<names>.*)\]$"),
        "string",
        lambda _, m: _("Keep the placeholders %(names)s exactly as they are, braces included.") % m.groupdict(),
    ),
    (re.compile(r"(?P<msgid>'.*'|\".*\"): not translated$"), "string", lambda _, m: _("Translate this text.")),
]


def explain(_: Gettext, problem: str) -> Problem:
    """``problem`` (a checker's finding, possibly prefixed with its file) in plain words, with its field."""
    for pattern, field, sentence in _RULES:
        found = pattern.search(problem)
        if found:
            return Problem(sentence(_, found), field)
    return Problem(problem)


def string_id(problem: str) -> str | None:
    """The message id an interface-string problem is about (``'Hello {name}'`` in the checker's repr), or None."""
    found = re.search(r"LC_MESSAGES/messages\.po: (?P<msgid>'.*'|\".*\"): ", problem)
    if not found:
        return None
    text = found.group("msgid")[1:-1]
    return text.encode("latin-1", "backslashreplace").decode("unicode_escape") if "\\" in text else text


class Shown(str):
    """A problem as a page shows it: the plain sentence (the string itself), the checker's words and the field."""

    raw: str
    field: str | None

    def __new__(cls, text: str, raw: str, field: str | None) -> Shown:
        shown = super().__new__(cls, text)
        shown.raw, shown.field = raw, field
        return shown


def shown(_: Gettext, problems: list[str]) -> list[Shown]:
    """Each problem in plain words with its field (``string:<msgid>`` for an interface string) and the checker's words."""
    found = []
    for raw in problems:
        problem = explain(_, raw)
        field = problem.field
        if field == "string":
            msgid = string_id(raw)
            field = f"string:{msgid}" if msgid is not None else None
        found.append(Shown(problem.text, raw, field))
    return found
