"""Edits of a topic file (``topics/<topic>.yml``): its facts, review date and text per language, its own or an entry's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.staff import yamledit


def set_topic_facts(data: Any, offices: list[str], sources: list[str], reviewed: str) -> None:
    """A topic's offices (a flow list), sources and review date; a fact that did not change keeps its text."""
    yamledit.assign(data, "offices", yamledit.flow_list(offices))
    yamledit.assign(data, "sources", sources)
    yamledit.assign(data, "reviewed", yamledit.a_date(reviewed))


def set_reviewed(mapping: Any, day: date) -> None:
    """The review date of a topic's overview or of an entry (``mapping``), after its sources when new."""
    yamledit.set_or_drop(mapping, "reviewed", day, after="sources")


@dataclass(frozen=True)
class TextWritten:
    """What ``write_language_text`` did beside the text."""

    #: the fingerprint of the source text the language's translation follows, "" when none
    follows: str
    #: after a minor edit of the source text, the languages kept up to date; None when the save was not one
    kept: list[str] | None

    def recorded(self) -> dict[str, Any]:
        """The stamp as a save's values record it (and the form shows it): ``translated_from``, ``minor_edit_kept``."""
        return {"translated_from": self.follows or None, **({"minor_edit_kept": self.kept} if self.kept is not None else {})}


def write_language_text(
    mapping: Any, lang: str, source_language: str, values: dict[str, Any], *, minor_edit: bool, up_to_date: bool
) -> TextWritten:
    """Writes a language's title, answer and examples into a topic file or an entry (``mapping``), with their stamp.

    A translation marked ``up_to_date`` ("matches the current source text")
    records the source's fingerprint. The source language's text carries none;
    saved as a ``minor_edit``, the translations that followed its old text
    follow the new one (their languages are ``kept``).
    """
    old_source = yamledit.source_fingerprint(mapping, source_language)
    tr = yamledit.set_translation(mapping, lang, values)
    kept = None
    if lang == source_language:
        tr.pop("translated_from", None)
        new_source = yamledit.source_fingerprint(mapping, source_language)
        if minor_edit and new_source != old_source:
            kept = yamledit.keep_up_to_date(mapping, source_language, old_source, new_source)
    elif up_to_date:
        yamledit.stamp(tr, yamledit.source_fingerprint(mapping, source_language))
    return TextWritten(follows=yamledit.follows(tr), kept=kept)
