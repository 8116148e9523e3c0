"""Plain data classes for the content of a pack."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from bot.core.dialogue import LEARNT_LABELS
from bot.core.dialogue import Label as DialogueLabel
from bot.core.offices.directory import Directory
from bot.core.offices.holidays import Calendar
from bot.core.plan.model import PlanContent

#: Conversation labels of content-scope.md that are not topics, plus the
#: internal ``follow_up`` label ("and how much does it cost?"): the pack teaches each
#: with ways of asking (labels/). Plain strings: they are written into YAML and JSON.
CONVERSATION_LABELS = tuple(label.value for label in LEARNT_LABELS)
FALLBACK_LABEL = DialogueLabel.FALLBACK.value


@dataclass(frozen=True)
class Language:
    """A language the assistant speaks."""

    code: str
    name: str
    direction: str
    script: str
    unique_letters: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Translation:
    """One language's version of a topic or label."""

    examples: tuple[str, ...]
    title: str | None = None
    answer: str | None = None
    translated_from: str | None = None


def fingerprint(title: str | None, answer: str | None) -> str:
    """A short, stable fingerprint of a source text, to tell stale translations."""
    text = f"{title or ''}\n{answer or ''}".strip()
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True)
class Answer:
    """Something the assistant answers: text in every language, with its offices and sources.

    A topic's overview and each of its knowledge-base entries are answers.
    """

    id: str
    offices: tuple[str, ...]
    reviewed: date
    sources: tuple[str, ...]
    source_language: str
    translations: dict[str, Translation]

    def source_fingerprint(self) -> str:
        """Fingerprint of the source-language text that translations follow."""
        source = self.translations.get(self.source_language)
        if source is None:
            return ""
        return fingerprint(source.title, source.answer)

    def is_stale(self, lang: str) -> bool:
        """True when ``lang`` was translated from an older source text."""
        if lang == self.source_language or lang not in self.translations:
            return False
        return self.translations[lang].translated_from != self.source_fingerprint()

    def text_in(self, lang: str) -> Translation:
        """The translation in ``lang``, or the source language's when ``lang`` has none."""
        return self.translations.get(lang) or self.translations[self.source_language]


#: Joins a topic id and an entry key into an entry id (``residence_permit.fee``).
ENTRY_SEPARATOR = "."
#: The key a topic's overview answers under, beside its entries' keys (no entry may use it).
OVERVIEW_KEY = "overview"
#: Joins a topic and a key into the retrieval intent the NLU model learns (``residence_permit/fee``): Rasa's
#: RESPONSE_IDENTIFIER_DELIMITER, written here so that the staff app's environment, which has no Rasa, can use it.
RESPONSE_KEY_SEPARATOR = "/"


@dataclass(frozen=True)
class Entry(Answer):
    """A knowledge-base entry: the answer to one question about a topic.

    ``id`` is ``<topic>.<key>`` (the reply contract's ``entry``).
    """

    topic: str = ""
    key: str = ""


@dataclass(frozen=True)
class Topic(Answer):
    """A topic: its overview answer (for broad questions) and its entries."""

    entries: dict[str, Entry] = field(default_factory=dict)

    def all_answers(self) -> list[Answer]:
        """The overview, then every entry."""
        return [self, *self.entries.values()]


@dataclass(frozen=True)
class Label:
    """A conversation label that is not a topic: only ways of asking."""

    id: str
    translations: dict[str, Translation]


@dataclass(frozen=True)
class Office:
    """An office's national contact details."""

    id: str
    name: dict[str, str]
    short: str
    aliases: tuple[str, ...] = ()
    website: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    #: what helps find the door at ``address`` ("entrance from Strēlnieku iela"), per language; the
    #: address itself stays a plain street address, as a map search needs it
    address_note: dict[str, str] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    reviewed: date | None = None

    def name_in(self, lang: str, fallback: str = "en") -> str:
        """The office's name in ``lang`` (or the fallback language)."""
        return self.name.get(lang) or self.name.get(fallback) or self.short

    def address_note_in(self, lang: str) -> str | None:
        """The note on the address in ``lang``; None rather than another language's."""
        return self.address_note.get(lang)


#: Texts a pack gives per language in ``pack.yml``'s ``texts`` (what names its country): key -> what it is for.
PACK_TEXTS = {
    "widget_title": "the web widget's title",
    "abroad_note": "the line above the consular office's card for someone still abroad",
}
#: Of those, the ones every pack must have (``abroad_note`` only with a ``consular_office``).
REQUIRED_PACK_TEXTS = ("widget_title",)


@dataclass(frozen=True)
class PersonalCode:
    """How the country's personal identity code is written, for masking it (``bot.core.privacy.masking``).

    Both are regular expressions (Python's ``re``): ``pattern`` finds a code
    alone in a message, with the boundaries around it; ``after_cue`` finds the
    code's digits in any grouping right after its name ("personal code",
    "personas kods", "персональний код").
    """

    pattern: str
    after_cue: str


@dataclass(frozen=True)
class PackSettings:
    """What differs from country to country outside the topics: ``pack.yml``'s ``settings`` and ``texts`` (docs/packs.md)."""

    #: the time zone of office hours and the public holidays offices close on
    calendar: Calendar = field(default_factory=Calendar)
    #: the office of the country's embassies and consulates, shown to someone still abroad; None: the pack has none
    consular_office: str | None = None
    #: None: no personal code is masked by its shape (only e-mails, phones, documents etc.)
    personal_code: PersonalCode | None = None
    #: ``PACK_TEXTS`` key -> language -> text
    texts: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def time_zone(self) -> str:
        """The IANA name of the pack's time zone (``Europe/Riga``): office hours, and the day a staff report's day begins."""
        return self.calendar.time_zone

    def text(self, key: str, lang: str, fallback: str = "en") -> str | None:
        """The pack's text ``key`` in ``lang`` (or the fallback language); None when the pack has none."""
        texts = self.texts.get(key) or {}
        return texts.get(lang) or texts.get(fallback) or next(iter(texts.values()), None)


@dataclass(frozen=True)
class Pack:
    """Everything the assistant knows for one country or city."""

    id: str
    name: str
    languages: dict[str, Language]
    default_language: str
    menu: tuple[str, ...]
    general_office: str
    topics: dict[str, Topic]
    labels: dict[str, Label]
    offices: dict[str, Office]
    directory: Directory = field(default_factory=lambda: Directory(branches=[], cities={}), compare=False)
    files: tuple[str, ...] = field(default=(), compare=False)
    #: the personal plan of the move (``plan.yml``, bot.core.plan); None: the pack has no plan and the feature is off
    plan: PlanContent | None = field(default=None, compare=False)
    #: time zone, holidays, consular office, personal codes and texts naming the country (``pack.yml``)
    settings: PackSettings = field(default_factory=PackSettings, compare=False)

    def examples_by_language(self) -> dict[str, list[str]]:
        """Every way of asking (topics, their entries and labels), grouped by language."""
        examples: dict[str, list[str]] = {code: [] for code in self.languages}
        learnt: list[Answer | Label] = [*self.answers(), *self.labels.values()]
        for entry in learnt:
            for lang, translation in entry.translations.items():
                examples.setdefault(lang, []).extend(translation.examples)
        return examples

    def answers(self) -> list[Answer]:
        """Every topic overview and every entry, topic by topic."""
        return [answer for topic in self.topics.values() for answer in topic.all_answers()]

    def entry(self, entry_id: str | None) -> Entry | None:
        """The entry with the id ``<topic>.<key>``, if it exists."""
        topic_id, _, key = (entry_id or "").partition(ENTRY_SEPARATOR)
        topic = self.topics.get(topic_id)
        return topic.entries.get(key) if topic else None

    def topic_and_entry(self, answer_id: str | None) -> tuple[str, Entry | None] | None:
        """The topic id and entry (None for an overview) an answer id names: ``residence_permit`` or ``residence_permit.fee``."""
        if answer_id in self.topics:
            return answer_id, None
        entry = self.entry(answer_id)
        return (entry.topic, entry) if entry else None

    def intents(self) -> list[str]:
        """Every intent the NLU model learns: topics, then conversation labels."""
        return [*sorted(self.topics), *sorted(self.labels)]
