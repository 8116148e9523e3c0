"""The safety net: danger phrases that put 112 and the right hotline first, whatever the model understood.

The language model can read "my husband beats me" as a housing question, or
miss a message typed in a mix of languages. For danger, violence, human
trafficking, labour exploitation, self-harm and domestic abuse a miss costs too
much, so a plain list of phrases backs the model up: when one occurs in the
message, the reply starts with the answer of the emergency entry the phrase is
listed under (``AnsweringAction`` calls ``safety_first`` on every reply).

The phrases are content, not code: ``<pack>/safety.yml``, which staff read and
edit like the topics (its format is in docs/content-format.md, "The danger
lexicon"). The file is read again when it changes, as the content store does
with the topics.

Matching is on folded text: lowercase, no diacritics, no apostrophes,
punctuation as spaces (Latvian is often typed without its diacritics, and the
phrase is folded the same way), whole words only, ``*`` at the end of a word
for any ending and ``..`` for up to three words in between.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from actions.routing import answer_topic
from actions.turn import Reply, Turn
from bot.core.offices.places import plain
from bot.core.settings import load_settings
from bot.core.yaml_fast import safe_load

#: The lexicon's file name inside the content pack's folder.
LEXICON_FILE = "safety.yml"
#: A phrase word ending in this matches any ending ("izvaroj*").
ANY_ENDING = "*"
#: A phrase word that allows up to ``GAP_WORDS`` other words in between ("husband .. beat*").
GAP = ".."
GAP_WORDS = 3

logger = logging.getLogger(__name__)

_APOSTROPHES = str.maketrans("", "", "'\u2019\u2018\u02bc\u02b9\u02bb`\u00b4\u2032")
_NOT_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """``text`` as phrases are matched against it: lowercase words without diacritics or apostrophes, one space apart."""
    return " ".join(_NOT_WORD.sub(" ", plain(text.translate(_APOSTROPHES))).split())


def compile_phrase(phrase: str) -> re.Pattern[str]:
    """The pattern of one phrase of the lexicon (see the module docstring).

    Raises:
        ValueError: the phrase is empty, or starts or ends with ``..``, or has ``*`` other than at a word's end.
    """
    tokens = phrase.split()
    if not tokens or GAP in (tokens[0], tokens[-1]):
        raise ValueError(f"phrase {phrase!r}: it must have words, and '{GAP}' only between two words")
    parts: list[str] = []
    for token in tokens:
        if token == GAP:
            parts.append(GAP)
            continue
        core = token[:-1] if token.endswith(ANY_ENDING) else token
        words = fold(core).split()
        if ANY_ENDING in core or not words:
            raise ValueError(f"phrase {phrase!r}: '{ANY_ENDING}' may only end a word, and every word needs letters")
        pattern = r"\s+".join(re.escape(w) for w in words)
        parts.append(pattern + (r"\w*" if token.endswith(ANY_ENDING) else ""))
    body = ""
    for i, part in enumerate(parts):
        if part == GAP:
            body += rf"\s+(?:\w+\s+){{0,{GAP_WORDS}}}"
        else:
            body += part if i == 0 or parts[i - 1] == GAP else r"\s+" + part
    return re.compile(rf"(?<!\w){body}(?!\w)")


@dataclass(frozen=True)
class Phrase:
    """One phrase of the lexicon: as written, its language group, its pattern."""

    text: str
    lang: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class SafetyMatch:
    """The entry a message's danger phrase points to, and the phrase."""

    entry_id: str
    phrase: str
    lang: str


@dataclass(frozen=True)
class Lexicon:
    """The danger phrases of each safety entry, entries in order of priority."""

    topic: str
    entries: tuple[tuple[str, tuple[Phrase, ...]], ...] = ()

    def match(self, text: str) -> SafetyMatch | None:
        """The first entry (in priority order) with a phrase in ``text``, or None."""
        folded = fold(text)
        if not folded:
            return None
        for key, phrases in self.entries:
            for phrase in phrases:
                if phrase.pattern.search(folded):
                    return SafetyMatch(entry_id=f"{self.topic}.{key}", phrase=phrase.text, lang=phrase.lang)
        return None

    def entry_ids(self) -> list[str]:
        """The ids of the entries the lexicon names (``emergency.violence``)."""
        return [f"{self.topic}.{key}" for key, _phrases in self.entries]


EMPTY = Lexicon(topic="")


def parse_lexicon(data: Any) -> Lexicon:
    """The lexicon of a parsed ``safety.yml`` (``topic`` and ``entries: {key: {lang: [phrases]}}``).

    Raises:
        ValueError: with every problem found, one per line.
    """
    if not isinstance(data, dict) or not isinstance(data.get("entries"), dict):
        raise ValueError("safety.yml needs a 'topic' and 'entries' mapping entry keys to phrases by language")
    problems: list[str] = []
    entries = []
    for key, by_lang in data["entries"].items():
        if not isinstance(by_lang, dict):
            problems.append(f"entry {key!r}: map language codes to lists of phrases")
            continue
        phrases = []
        for lang, texts in by_lang.items():
            for text in texts if isinstance(texts, list) else [texts]:
                try:
                    phrases.append(Phrase(text=str(text), lang=str(lang), pattern=compile_phrase(str(text))))
                except ValueError as error:
                    problems.append(f"entry {key!r}, {lang}: {error}")
        entries.append((str(key), tuple(phrases)))
    if problems:
        raise ValueError("\n".join(problems))
    return Lexicon(topic=str(data.get("topic", "")), entries=tuple(entries))


def read_lexicon(path: Path) -> Lexicon:
    """Reads and compiles a lexicon file (a missing file is an empty lexicon).

    Raises:
        ValueError: the file is not valid YAML or a phrase is malformed.
    """
    if not path.exists():
        return EMPTY
    try:
        data = safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ValueError(f"{path} cannot be read: {error}") from error
    return parse_lexicon(data)


#: path -> (modification time, lexicon): the file is read again only when it changes.
_cache: dict[Path, tuple[int, Lexicon]] = {}


def lexicon(path: Path | None = None) -> Lexicon:
    """The current pack's lexicon, read again when the file changes.

    A broken edit keeps the last good lexicon (and logs why); the safety net
    must never take the whole reply down with it.
    """
    path = path or load_settings().pack_dir / LEXICON_FILE
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return EMPTY
    cached = _cache.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    try:
        current = read_lexicon(path)
    except (OSError, ValueError):
        logger.exception("the danger lexicon %s cannot be used; the last good one stays", path)
        return cached[1] if cached else EMPTY
    _cache[path] = (stamp, current)
    return current


def safety_first(turn: Turn, reply: Reply) -> Reply:
    """``reply``, started by the answer of the safety entry a danger phrase in the message points to.

    - no danger phrase (or a button press): ``reply`` as it is;
    - the model chose that entry itself: ``reply`` as it is;
    - the model chose a topic or another entry: the safety answer, then that
      answer (its buttons, city question and office card too); the reply
      contract names the safety entry, and its offices and sources come first;
    - the model chose a conversation label (a greeting, "did you mean?"): the
      safety answer alone.
    """
    found = None if turn.text.startswith("/") else lexicon().match(turn.text)
    entry = turn.pack.entry(found.entry_id) if found else None
    if entry is None:
        return reply
    answer = entry.text_in(turn.lang).answer
    if reply.entry == entry.id and reply.messages[:1] == [answer]:
        return reply
    safety = answer_topic(turn, entry.topic, entry=entry)
    if reply.entry == entry.id or reply.label not in turn.pack.topics:
        return safety
    return replace(
        reply,
        label=safety.label,
        entry=safety.entry,
        messages=safety.messages + reply.messages,
        offices=list(dict.fromkeys([*safety.offices, *reply.offices])),
        sources=list(dict.fromkeys([*safety.sources, *reply.sources])),
        topic=safety.topic,
    )
