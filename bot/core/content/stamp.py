"""Marks translations as brought up to date with their source text.

A translator who has updated the Latvian answer after the English one
changed runs ``make content-stamp LANG_CODE=lv TOPIC=residence_permit``; the
topic's overview and its entries are stamped, and the file keeps its layout
and comments (ruamel's round trip). Fingerprints are written in quotes: an
unquoted ``5e432802`` reads as a number.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from bot.core.content.model import Answer, Pack


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True  # type: ignore[assignment]  # (ruamel types these attributes as None)
    yaml.width = 4096  # type: ignore[assignment]
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _stamp_translations(translations: Any, answer: Answer, lang: str | None, missing_only: bool) -> int:
    """Writes ``answer``'s source fingerprint into its translations (a ruamel mapping); returns how many changed."""
    fingerprint = answer.source_fingerprint()
    changed = 0
    for code, translation in (translations or {}).items():
        if code == answer.source_language or (lang and code != lang):
            continue
        if missing_only and translation.get("translated_from"):
            continue
        if translation.get("translated_from") != fingerprint:
            value = DoubleQuotedScalarString(fingerprint)
            if "translated_from" in translation:
                translation["translated_from"] = value
            else:
                position = list(translation).index("title") + 1 if "title" in translation else 0
                translation.insert(position, "translated_from", value)
            changed += 1
    return changed


def stamp(pack: Pack, lang: str | None = None, topic: str | None = None, missing_only: bool = False) -> int:
    """Writes the source fingerprint into translations of topics and their entries; returns how many changed."""
    changed = 0
    for path in (Path(f) for f in pack.files):
        if path.parent.name != "topics" or (topic and path.stem != topic) or path.stem not in pack.topics:
            continue
        current = pack.topics[path.stem]
        yaml = _yaml()
        data = yaml.load(path.read_text(encoding="utf-8"))
        touched = _stamp_translations(data.get("translations"), current, lang, missing_only)
        for key, raw in (data.get("entries") or {}).items():
            if str(key) in current.entries:
                touched += _stamp_translations(raw.get("translations"), current.entries[str(key)], lang, missing_only)
        if touched:
            with path.open("w", encoding="utf-8") as handle:
                yaml.dump(data, handle)
        changed += touched
    return changed
