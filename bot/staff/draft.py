"""The staff's working copy of the content pack, validated with the same checks as ``make content-check``.

The draft is a folder with the data folder's layout (``languages.yml`` and
``packs/<pack>/``), started as a copy of the published content. The assistant
keeps reading the published folder until a publish copies the draft over.

A save writes the changed file into a throw-away copy of the draft, loads it
with ``bot.core.content.loader.load_pack`` and checks it with
``bot.core.content.check.check_pack``; only when it brings no new error is the file
written into the draft, with a version row and an audit row in the same
database transaction.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, AsyncIterator, Callable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.content.check import check_pack
from bot.core.content.loader import ContentError, load_pack
from bot.core.content.model import Pack, fingerprint
from bot.core.i18n import LOCALES_DIR
from bot.core.settings import Settings
from bot.core.translations_check import find_problems
from bot.core.yaml_fast import safe_load
from bot.staff import audit
from bot.staff.db import content_versions


@dataclass(frozen=True)
class SaveResult:
    """What a save did: wrote the files, found nothing to write (``unchanged``), or was refused.

    Refused: someone else saved one of the files since the editor opened it
    (``conflict``), or the check found ``problems`` (messages for
    ``bot.staff.problems``). Nothing is written when refused or unchanged.
    """

    problems: tuple[str, ...] = ()
    conflict: bool = False
    unchanged: bool = False

    @property
    def refused(self) -> bool:
        return self.conflict or bool(self.problems)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class DraftState:
    """The draft as loaded: the pack (None when it cannot be loaded) and its problems."""

    pack: Pack | None
    problems: list[str] = field(default_factory=list)  # loader (structural) problems
    errors: list[str] = field(default_factory=list)  # check_pack errors
    warnings: list[str] = field(default_factory=list)  # check_pack warnings (stale translations)

    def blocking(self) -> set[str]:
        return {*self.problems, *self.errors}


def check_draft(root: Path, pack_name: str) -> DraftState:
    """Loads and checks the pack and the interface strings under ``root``.

    The same checks as ``make content-check`` and ``make messages-check``; paths
    in messages are made relative to the pack (pack files) or to ``root``.
    """

    def relative(message: str) -> str:
        return message.replace(f"{root / 'packs' / pack_name}/", "").replace(f"{root}/", "")

    strings = [relative(p) for p in find_problems(root / "locales", root / "languages.yml")]
    try:
        pack = load_pack(Settings(data_dir=root, pack=pack_name, database_url=""))
    except ContentError as error:
        return DraftState(pack=None, problems=[relative(p) for p in error.problems] + strings)
    findings = check_pack(pack)
    return DraftState(
        pack=pack,
        errors=[str(f).removeprefix("error: ") for f in findings if f.severity == "error"] + strings,
        warnings=[str(f).removeprefix("warning: ") for f in findings if f.severity == "warning"],
    )


@dataclass(frozen=True)
class FileChange:
    """One file of a save: its new text, the hash it was edited from, and what the audit log keeps."""

    relative: str  # relative to the draft root
    text: str
    base_hash: str
    label: str  # how messages, versions and the audit log name it
    before: Any = None
    after: Any = None


class Draft:
    """The working copy on disk, its cached state, and validated saves (one at a time)."""

    def __init__(
        self, root: Path, published_root: Path, pack_name: str, engine: AsyncEngine, published_locales: Path = LOCALES_DIR
    ) -> None:
        self.root = root
        self.published_root = published_root
        self.published_locales = published_locales
        self.pack_name = pack_name
        self.engine = engine
        self.lock = asyncio.Lock()  # one save or publish at a time
        self._state: DraftState | None = None

    @property
    def pack_dir(self) -> Path:
        return self.root / "packs" / self.pack_name

    def ensure(self) -> None:
        """Starts the draft as a copy of the published content (pack and interface strings) when there is none yet."""
        if not (self.root / "languages.yml").exists():
            self.root.mkdir(parents=True, exist_ok=True)
            shutil.copy2(self.published_root / "languages.yml", self.root / "languages.yml")
            shutil.copytree(self.published_root / "packs" / self.pack_name, self.pack_dir, dirs_exist_ok=True)
        if not (self.root / "locales").exists():
            shutil.copytree(self.published_locales, self.root / "locales")

    async def state(self) -> DraftState:
        if self._state is None:
            self._state = await asyncio.to_thread(check_draft, self.root, self.pack_name)
        return self._state

    async def pack(self) -> Pack:
        state = await self.state()
        if state.pack is None:
            raise RuntimeError("the draft content cannot be loaded: " + "; ".join(state.problems))
        return state.pack

    def pack_file(self, relative: str) -> str:
        """A pack file's path relative to the draft root."""
        return f"packs/{self.pack_name}/{relative}"

    def read(self, relative: str) -> str:
        """A pack file's text (``relative`` to the pack)."""
        return self.read_file(self.pack_file(relative))

    def read_file(self, relative: str) -> str:
        """Any draft file's text (``relative`` to the draft root)."""
        return (self.root / relative).read_text(encoding="utf-8")

    def _candidate(self, texts: dict[str, str]) -> DraftState:
        with tempfile.TemporaryDirectory(prefix="staff-draft-") as tmp:
            copy = Path(tmp) / "data"
            shutil.copytree(self.root, copy)
            for relative, text in texts.items():
                (copy / relative).write_text(text, encoding="utf-8")
            return check_draft(copy, self.pack_name)

    async def save(
        self,
        relative: str,
        text: str,
        base_hash: str,
        actor: str,
        summary: str,
        before: Any,
        after: Any,
        scope: tuple[str, ...] | None = None,
        tolerate: Callable[[str], bool] | None = None,
    ) -> SaveResult:
        """Validates and writes one pack file (``relative`` to the pack); see ``save_files``."""
        change = FileChange(self.pack_file(relative), text, base_hash, relative, before, after)
        return await self.save_files([change], actor, summary, scope=scope, tolerate=tolerate)

    async def save_file(
        self, relative: str, text: str, base_hash: str, actor: str, summary: str, before: Any, after: Any, label: str | None = None
    ) -> SaveResult:
        """Validates and writes one draft file (``relative`` to the draft root); see ``save_files``."""
        return await self.save_files([FileChange(relative, text, base_hash, label or relative, before, after)], actor, summary)

    async def save_files(
        self,
        changes: list[FileChange],
        actor: str,
        summary: str,
        scope: tuple[str, ...] | None = None,
        tolerate: Callable[[str], bool] | None = None,
    ) -> SaveResult:
        """Validates and writes draft files together; returns whether they were written (``SaveResult``).

        All or nothing: the files are checked together in one copy of the
        draft, and written with their version and audit rows in one
        transaction. A save is refused when a file it writes has any error,
        or when it brings a new error anywhere else (e.g. an example now used
        twice). Each change's ``base_hash`` is the file's hash when the editor
        opened it: a save over someone else's newer change is refused instead
        of silently undoing it.

        ``scope``: the message prefixes whose errors refuse the save even when
        they were there before (default: the written files'; an entry's save
        passes ``()``, so that a new entry's languages still to be written do
        not stop the others). ``tolerate``: new check errors (never loading
        problems) that do not refuse it, e.g. a new entry's missing languages.
        When the files already hold the new text, nothing is written (and no
        version): the result is ``unchanged``, so that a page can say "Nothing
        changed" rather than "Saved".
        """
        async with self.lock:
            current_texts = {c.relative: self.read_file(c.relative) for c in changes}
            if any(text_hash(current_texts[c.relative]) != c.base_hash for c in changes):
                return SaveResult(conflict=True)
            changes = [c for c in changes if c.text != current_texts[c.relative]]
            if not changes:
                return SaveResult(unchanged=True)
            current = await self.state()
            candidate = await asyncio.to_thread(self._candidate, {c.relative: c.text for c in changes})
            prefixes = tuple(p for c in changes for p in (f"{c.label}:", f"{Path(c.label).stem}:")) if scope is None else scope
            about_these_files = {p for p in candidate.blocking() if prefixes and p.startswith(prefixes)}
            added = candidate.blocking() - current.blocking()
            if tolerate is not None:
                added = {p for p in added if p in candidate.problems or not tolerate(p)}
            new_problems = sorted(added | about_these_files)
            if new_problems:
                return SaveResult(problems=tuple(new_problems))
            async with self.engine.begin() as conn:
                for c in changes:
                    version = {"at": time.time(), "actor": actor, "path": c.label, "summary": summary}
                    await conn.execute(content_versions.insert().values(**version, before=current_texts[c.relative], after=c.text))
                    await audit.record(conn, actor, "content.save", c.label, c.before, c.after)
                for c in changes:
                    target = self.root / c.relative
                    partial = target.with_name(target.name + ".saving")
                    partial.write_text(c.text, encoding="utf-8")
                    os.replace(partial, target)  # atomic per file: readers see the old or the new file
            self._state = candidate
            return SaveResult()


async def versions(engine: AsyncEngine, limit: int = 200) -> list[Any]:
    query = select(
        content_versions.c.id, content_versions.c.at, content_versions.c.actor, content_versions.c.path, content_versions.c.summary
    )
    async with engine.connect() as conn:
        return list((await conn.execute(query.order_by(content_versions.c.id.desc()).limit(limit))).mappings().all())


async def later_versions(engine: AsyncEngine, path: str, version_id: int) -> int:
    """How many saved changes of ``path`` came after version ``version_id``."""
    query = select(func.count()).select_from(content_versions).where(content_versions.c.path == path, content_versions.c.id > version_id)
    async with engine.connect() as conn:
        return int((await conn.execute(query)).scalar() or 0)


async def version(engine: AsyncEngine, version_id: int) -> Any:
    async with engine.connect() as conn:
        return (await conn.execute(select(content_versions).where(content_versions.c.id == version_id))).mappings().first()


async def file_history(engine: AsyncEngine, path: str, batch: int = 20) -> AsyncIterator[Any]:
    """A file's versions (id, before, after), newest first, read a few at a time (each holds the whole file twice)."""
    last: int | None = None
    while True:
        query = select(content_versions.c.id, content_versions.c.before, content_versions.c.after).where(content_versions.c.path == path)
        if last is not None:
            query = query.where(content_versions.c.id < last)
        async with engine.connect() as conn:
            rows = (await conn.execute(query.order_by(content_versions.c.id.desc()).limit(batch))).mappings().all()
        if not rows:
            return
        for row in rows:
            yield row
        last = rows[-1]["id"]


@dataclass(frozen=True)
class SourceText:
    """An answer's source-language title and answer as they were in one version of its file."""

    title: str
    answer: str


@lru_cache(maxsize=64)
def _source_texts(text: str) -> dict[str | None, SourceText]:
    """Every answer's source text in one version of a topic file: the overview (key None) and each entry (its key)."""
    try:
        data = safe_load(text)
    except Exception:  # an old version that no longer parses has no source text to offer
        return {}
    if not isinstance(data, dict):
        return {}
    lang = str(data.get("source_language", "en"))
    mappings: dict[str | None, Any] = {None: data}
    entries = data.get("entries")
    if isinstance(entries, dict):
        mappings.update({str(key): raw for key, raw in entries.items() if isinstance(raw, dict)})
    found = {}
    for key, mapping in mappings.items():
        source = (mapping.get("translations") or {}).get(lang) if isinstance(mapping.get("translations"), dict) else None
        if isinstance(source, dict):
            title, answer = ("" if source.get(f) is None else str(source.get(f)).strip() for f in ("title", "answer"))
            found[key] = SourceText(title, answer)
    return found


def _match(texts: list[str], key: str | None, wanted: str) -> SourceText | None:
    for text in texts:
        source = _source_texts(text).get(key)
        if source is not None and fingerprint(source.title, source.answer) == wanted:
            return source
    return None


async def followed_source(engine: AsyncEngine, path: str, key: str | None, wanted: str | None) -> SourceText | None:
    """The source text a translation followed: the newest version of ``path`` whose source fingerprint is ``wanted``.

    ``key`` names the answer (None: the topic's overview, else an entry's key).
    Walks the versions newest first, each one's text after and then before the
    save; None when no version holds it (the history was imported, or the
    translation was never marked as following a source text).
    """
    if not wanted:
        return None
    async for row in file_history(engine, path):
        texts = [t for t in (row["after"], row["before"]) if t is not None]
        found = await asyncio.to_thread(_match, texts, key, wanted)
        if found is not None:
            return found
    return None
