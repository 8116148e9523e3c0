"""What a publish changes for users, in words: per answer and language, offices, and the other files.

The publish page and its confirmation show this instead of file paths, so a
publisher sees that Russian and Ukrainian users will keep the old fee when
only the English text changed and their translations are out of date. Pure
functions over two loaded packs (the draft's and the published one) and the
list of changed files; the page supplies names in the interface language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.core.content.loader import ContentError, load_pack
from bot.core.content.model import Answer, Pack
from bot.core.settings import Settings
from bot.staff.publish_content import LOCALES

#: What users in one language get for one answer after the publish.
NEW = "new"  # the text in their language changed
STALE = "stale"  # the source text changed, their translation did not: they keep the old text
MISSING = "missing"  # no translation: they get the source language's text
SAME = "same"  # nothing they read changes
ADDED = "added"  # a new answer
REMOVED = "removed"  # the answer is gone


@dataclass
class AnswerChange:
    """One changed answer (a topic's overview or an entry)."""

    answer_id: str
    file: str  # the content file that holds it, relative to the data folder
    cells: dict[str, str]  # language -> NEW | STALE | MISSING | SAME | ADDED | REMOVED
    asking_changed: bool = False  # ways of asking changed: a new model is trained
    facts_changed: bool = False  # offices, sources or the review date changed

    @property
    def keeps_old_text(self) -> list[str]:
        """Languages whose users keep the old text although the source changed."""
        return [lang for lang, cell in self.cells.items() if cell == STALE]


@dataclass
class Summary:
    """Everything a publish of some files changes."""

    answers: list[AnswerChange] = field(default_factory=list)
    offices: list[str] = field(default_factory=list)  # office ids whose details changed
    catalogs: list[str] = field(default_factory=list)  # languages whose interface strings changed
    other_files: list[str] = field(default_factory=list)  # plan, labels, cities, ... (relative paths)
    unreadable: str = ""  # why the packs could not be compared (then only files are known)

    @property
    def needs_training(self) -> bool:
        return any(a.asking_changed for a in self.answers)


def read_pack(data_dir: Path, pack: str) -> Pack:
    """The pack of a content copy (draft, published or snapshot)."""
    return load_pack(Settings(data_dir=data_dir, pack=pack, database_url=""))


def _text(answer: Answer, lang: str) -> tuple[str | None, str | None] | None:
    translation = answer.translations.get(lang)
    return (translation.title, translation.answer) if translation else None


def _examples(answer: Answer) -> dict[str, tuple[str, ...]]:
    return {lang: t.examples for lang, t in answer.translations.items()}


def _cell(new: Answer, old: Answer, lang: str) -> str:
    now, before = _text(new, lang), _text(old, lang)
    if now is None:
        source_changed = _text(new, new.source_language) != _text(old, old.source_language)
        return MISSING if source_changed else SAME
    if now != before:
        return NEW
    if lang != new.source_language and new.is_stale(lang) and _text(new, new.source_language) != _text(old, old.source_language):
        return STALE
    return SAME


def _answer_files(pack: Pack) -> dict[str, str]:
    return {answer.id: f"packs/{pack.id}/topics/{answer.id.split('.')[0]}.yml" for answer in pack.answers()}


def compare_answers(new: Pack, old: Pack, languages: list[str]) -> list[AnswerChange]:
    """The answers whose text, ways of asking or facts differ between the two packs."""
    new_answers = {a.id: a for a in new.answers()}
    old_answers = {a.id: a for a in old.answers()}
    files = {**_answer_files(old), **_answer_files(new)}
    changes = []
    for answer_id in sorted(new_answers.keys() | old_answers.keys()):
        now, before = new_answers.get(answer_id), old_answers.get(answer_id)
        if now is None or before is None:
            cells = {lang: ADDED if before is None else REMOVED for lang in languages}
            changes.append(AnswerChange(answer_id, files[answer_id], cells, asking_changed=True))
            continue
        cells = {lang: _cell(now, before, lang) for lang in languages}
        asking = _examples(now) != _examples(before)
        facts = (now.offices, now.sources, now.reviewed) != (before.offices, before.sources, before.reviewed)
        if asking or facts or any(cell != SAME for cell in cells.values()):
            changes.append(AnswerChange(answer_id, files[answer_id], cells, asking_changed=asking, facts_changed=facts))
    return changes


def summarize(new_dir: Path, old_dir: Path, pack: str, changed: list[str]) -> Summary:
    """What publishing ``changed`` (relative paths) from ``new_dir`` over ``old_dir`` changes for users."""
    summary = Summary(
        catalogs=sorted(p.removeprefix(LOCALES).split("/")[0] for p in changed if p.startswith(LOCALES)),
    )
    try:
        new, old = read_pack(new_dir, pack), read_pack(old_dir, pack)
    except ContentError as error:
        summary.unreadable = str(error)[:300]
        summary.other_files = [p for p in changed if not p.startswith(LOCALES)]
        return summary
    wanted = set(changed)
    summary.answers = [a for a in compare_answers(new, old, list(new.languages)) if a.file in wanted]
    offices_file = f"packs/{pack}/offices.yml"
    if offices_file in wanted:
        summary.offices = sorted(k for k in new.offices.keys() | old.offices.keys() if new.offices.get(k) != old.offices.get(k))
    explained = {a.file for a in summary.answers} | {offices_file}
    summary.other_files = [p for p in changed if not p.startswith(LOCALES) and p not in explained]
    return summary
