"""Edits pack YAML files in place, keeping their layout and comments (ruamel's round trip)."""

from __future__ import annotations

from datetime import date
from io import StringIO
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString


def _yaml() -> YAML:
    yaml = YAML()  # the same settings as bot.content.stamp
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def load(text: str) -> Any:
    return _yaml().load(text)


def dump(data: Any) -> str:
    out = StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def block(text: str) -> str:
    """A multi-line text as a YAML ``|-`` block, a one-line text as is."""
    return LiteralScalarString(text) if "\n" in text else text


def quoted(text: str) -> DoubleQuotedScalarString:
    return DoubleQuotedScalarString(text)


def flow_list(items: list[str]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def a_date(value: str) -> date | str:
    """A valid ISO date as a YAML date; anything else stays text, for the loader to report."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        return value


def set_or_drop(mapping: CommentedMap, key: str, value: Any, after: str | None = None) -> None:
    """Sets ``key`` (inserted after ``after`` when new); an empty value removes it."""
    if value in (None, "", [], ()):
        mapping.pop(key, None)
    elif key in mapping or after is None or after not in mapping:
        mapping[key] = value
    else:
        mapping.insert(list(mapping).index(after) + 1, key, value)


def lines(text: str) -> list[str]:
    """The non-empty lines of a textarea, trimmed."""
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def set_translation(data: Any, lang: str, values: dict[str, Any]) -> Any:
    """Writes ``title``, ``answer`` and ``examples`` (those given) into a topic's ``lang`` translation; returns it."""
    translations = data.setdefault("translations", CommentedMap())
    if translations.get(lang) is None:
        translations[lang] = CommentedMap()
    tr = translations[lang]
    if "title" in values:
        set_or_drop(tr, "title", values["title"])
    if "answer" in values:
        set_or_drop(tr, "answer", block(values["answer"]))
    if "examples" in values:
        tr["examples"] = list(values["examples"])
    return tr


def entry(data: Any, key: str) -> Any:
    """A topic file's entry ``key`` (its mapping), or None when the file has no such entry."""
    entries = data.get("entries")
    return entries.get(key) if isinstance(entries, dict) else None


def answer_mapping(data: Any, key: str | None) -> Any:
    """The mapping that holds an answer's fields: the topic file itself (``key`` None) or one of its entries."""
    return data if key is None else entry(data, key)


def add_entry(data: Any, key: str, reviewed: date, sources: list[str], source_language: str, title: str) -> CommentedMap:
    """Appends a new entry ``key`` to a topic file (reviewed, sources, the source language's title); returns it.

    The entry names no offices: it points to the topic's (the loader's default).
    """
    entries = data.get("entries")
    if not isinstance(entries, CommentedMap):
        entries = data["entries"] = CommentedMap()
    new = CommentedMap()
    new["reviewed"] = reviewed
    new["sources"] = list(sources)
    new["translations"] = CommentedMap()
    if title:
        new["translations"][source_language] = CommentedMap(title=title)
    entries[key] = new
    return new
