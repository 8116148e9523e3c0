"""Edits of an office (``offices.yml``) and of a branch (``branches/<office>.yml``): names, contacts, hours, sources."""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap

from bot.core.offices.hours import WEEKDAYS
from bot.staff import yamledit


def _write_names_and_fields(raw: Any, values: dict[str, Any], fields: tuple[str, ...]) -> str:
    """Writes an office's or branch's names per language and its contact fields; returns the last key written."""
    names = raw.setdefault("name", CommentedMap())
    for lang, name in values["name"].items():
        if name:
            names[lang] = name
        else:
            names.pop(lang, None)
    previous = "name"
    for field in fields:
        value = yamledit.quoted(values[field]) if field == "phone" and values[field] else values[field]  # "+371..." stays text
        yamledit.set_or_drop(raw, field, value, after=previous)
        previous = field if field in raw else previous
    return previous


def _write_sources_and_reviewed(raw: Any, values: dict[str, Any], after: str) -> None:
    yamledit.set_or_drop(raw, "sources", values["sources"], after=after)
    yamledit.set_or_drop(raw, "reviewed", yamledit.a_date(values["reviewed"]) if values["reviewed"] else None, after="sources")


def _hours_yaml(hours: dict[str, str]) -> CommentedMap | None:
    """Opening hours as written in the pack (flow lists of quoted intervals per weekday); None when no day has any.

    ``hours`` holds each weekday's intervals as a form gives them: separated by commas.
    """
    if not any(hours.values()):
        return None
    mapping = CommentedMap()
    for day in WEEKDAYS:
        mapping[day] = yamledit.flow_list([yamledit.quoted(i.strip()) for i in hours[day].split(",") if i.strip()])
    return mapping


def write_office(raw: Any, values: dict[str, Any], fields: tuple[str, ...]) -> None:
    """Writes an office's names, contact ``fields``, sources and review date; an empty one is removed."""
    previous = _write_names_and_fields(raw, values, fields)
    _write_sources_and_reviewed(raw, values, after=previous)


def write_branch(raw: Any, values: dict[str, Any], fields: tuple[str, ...]) -> None:
    """Writes a branch's names, contact ``fields``, opening hours, sources and review date; an empty one is removed."""
    previous = _write_names_and_fields(raw, values, fields)
    yamledit.set_or_drop(raw, "hours", _hours_yaml(values["hours"]), after=previous)
    _write_sources_and_reviewed(raw, values, after="hours" if "hours" in raw else previous)
