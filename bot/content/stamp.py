"""Marks translations as brought up to date with their source text.

A translator who has updated the Latvian answer after the English one
changed runs ``make content-stamp LANG_CODE=lv TOPIC=residence_permit``; the file
keeps its layout and comments (ruamel's round trip).
"""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML

from bot.content.model import Pack


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def stamp(pack: Pack, lang: str | None = None, topic: str | None = None, missing_only: bool = False) -> int:
    """Writes the source fingerprint into translations; returns how many changed."""
    changed = 0
    for path in (Path(f) for f in pack.files):
        if path.parent.name != "topics" or (topic and path.stem != topic) or path.stem not in pack.topics:
            continue
        current = pack.topics[path.stem]
        fingerprint = current.source_fingerprint()
        yaml = _yaml()
        data = yaml.load(path.read_text(encoding="utf-8"))
        touched = False
        for code, translation in data["translations"].items():
            if code == current.source_language or (lang and code != lang):
                continue
            if missing_only and translation.get("translated_from"):
                continue
            if translation.get("translated_from") != fingerprint:
                position = list(translation).index("title") + 1 if "title" in translation else 0
                if "translated_from" in translation:
                    translation["translated_from"] = fingerprint
                else:
                    translation.insert(position, "translated_from", fingerprint)
                touched = True
                changed += 1
        if touched:
            with path.open("w", encoding="utf-8") as handle:
                yaml.dump(data, handle)
    return changed
