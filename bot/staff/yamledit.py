"""Edits pack YAML files in place, keeping their layout and comments (ruamel's round trip)."""

from __future__ import annotations

import re
from datetime import date
from io import StringIO
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from bot.core.content.model import fingerprint


def _yaml() -> YAML:
    yaml = YAML()  # the same settings as bot.core.content.stamp
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


_DAY_FIRST = re.compile(r"^\s*(\d{1,2})[./](\d{1,2})[./](\d{4})\.?\s*$")  # 05.12.2026, as Latvians write a date


def a_date(value: str) -> date | str:
    """A valid date as a YAML date: ISO (2026-12-05, what a date picker sends) or day first (05.12.2026).

    Anything else stays text, for the loader to report.
    """
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        pass
    found = _DAY_FIRST.match(value)
    if found:
        day, month, year = (int(part) for part in found.groups())
        try:
            return date(year, month, day)
        except ValueError:
            return value
    return value


def set_or_drop(mapping: CommentedMap, key: str, value: Any, after: str | None = None) -> None:
    """Sets ``key`` (inserted after ``after`` when new); an empty value removes it."""
    if value in (None, "", [], ()):
        mapping.pop(key, None)
    elif key in mapping or after is None or after not in mapping:
        mapping[key] = value
    else:
        mapping.insert(list(mapping).index(after) + 1, key, value)


def assign(mapping: CommentedMap, key: str, value: Any) -> None:
    """Sets ``key`` unless it already holds an equal value.

    Assigning an equal value can still change the file's text (a block list
    written as a flow list, quotes dropped), so an unchanged form would write
    a version with nothing in it; this keeps the text as it was.
    """
    if key not in mapping or mapping[key] != value:
        mapping[key] = value


def _text_value(value: Any) -> str:
    """A title's or answer's text as the content loader reads it (trimmed; a number as text)."""
    return "" if value is None else str(value).strip()


def lines(text: str) -> list[str]:
    """The non-empty lines of a textarea, trimmed."""
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def set_translation(data: Any, lang: str, values: dict[str, Any]) -> Any:
    """Writes ``title``, ``answer`` and ``examples`` (those given) into a topic's ``lang`` translation; returns it."""
    translations = data.setdefault("translations", CommentedMap())
    if translations.get(lang) is None:
        translations[lang] = CommentedMap()
    tr = translations[lang]
    # a field that did not change keeps its text as written (quotes, block style), so an unchanged form changes nothing
    if "title" in values and _text_value(tr.get("title")) != values["title"]:
        set_or_drop(tr, "title", values["title"])
    if "answer" in values and _text_value(tr.get("answer")) != values["answer"]:
        set_or_drop(tr, "answer", block(values["answer"]))
    if "examples" in values and [str(e) for e in tr.get("examples") or []] != list(values["examples"]):
        tr["examples"] = list(values["examples"])
    return tr


def source_fingerprint(mapping: Any, source_language: str) -> str:
    """The fingerprint of an answer's source-language title and answer, as ``Answer.source_fingerprint`` computes it."""
    source = (mapping.get("translations") or {}).get(source_language)
    if not isinstance(source, dict):
        return ""
    return fingerprint(_text_value(source.get("title")), _text_value(source.get("answer")))


def follows(translation: Any) -> str:
    """The fingerprint a translation records as followed (``translated_from``), "" when none."""
    return _text_value(translation.get("translated_from")) if isinstance(translation, dict) else ""


def stamp(translation: Any, source_fingerprint: str) -> None:
    """Marks a translation as following the source text with this fingerprint (quoted: 5e432802 would read as a number)."""
    if follows(translation) != source_fingerprint:
        set_or_drop(translation, "translated_from", quoted(source_fingerprint), after="title")


def keep_up_to_date(mapping: Any, source_language: str, old: str, new: str) -> list[str]:
    """After a minor edit of the source text: the translations that followed ``old`` now follow ``new``; their languages.

    Translations already out of date (following an older text) stay out of date.
    """
    kept = []
    for lang, translation in (mapping.get("translations") or {}).items():
        if lang != source_language and old and follows(translation) == old:
            stamp(translation, new)
            kept.append(str(lang))
    return kept


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


def remove_entry(data: Any, key: str) -> None:
    """Deletes a topic file's entry ``key``, and the ``entries`` mapping when it was the last one."""
    del data["entries"][key]
    if not data["entries"]:
        del data["entries"]


def set_entry_offices(mapping: CommentedMap, offices: list[str]) -> None:
    """An entry's own offices (a flow list), first in the mapping when the entry named none before."""
    if "offices" in mapping:
        assign(mapping, "offices", flow_list(offices))
    else:
        mapping.insert(0, "offices", flow_list(offices))
