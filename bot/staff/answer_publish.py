"""Publishing answer-only changes, and rolling back to the content before the last publish.

An answer-only change (a fee, an address, opening hours, a source) leaves
Rasa's training data and domain as they are: the action server reads answers,
offices and branches from the published pack and reloads it when a file
changes, so copying the draft's files over the published ones puts them live
with no training, no model load and no restart. Whether a change is
answer-only is decided by building Rasa's data and domain (``bot.content.build``)
from the published pack and from the draft and comparing them byte for byte.

Changes that need training (new ways of asking, titles on buttons), and
changes of interface strings (the action server caches its catalogs), are
refused here with the reason: training, evaluation and the zero-wait model
switch are designed in docs/staff-publish.md and not built yet.
"""

from __future__ import annotations

import asyncio
import filecmp
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.content.build import build
from bot.content.loader import load_pack
from bot.settings import Settings
from bot.staff import audit
from bot.staff.db import publishes
from bot.staff.draft import Draft


class PublishRefused(ValueError):
    """The draft cannot be published this way; the message says why."""


@dataclass(frozen=True)
class Outcome:
    """What a publish wrote, and where the content before it is kept."""

    files: list[str]  # pack files written, relative to the data folder
    snapshot: Path


def _content_files(data_dir: Path, pack: str) -> dict[str, Path]:
    """languages.yml and every pack file, by path relative to the data folder."""
    files = {"languages.yml": data_dir / "languages.yml"}
    for path in sorted((data_dir / "packs" / pack).rglob("*.yml")):
        files[path.relative_to(data_dir).as_posix()] = path
    return files


def _rasa_inputs_differ(published: Path, draft: Path, pack: str) -> bool:
    """True when the draft's Rasa training data or domain differ from the published content's."""
    with tempfile.TemporaryDirectory(prefix="staff-build-") as tmp:
        outputs = []
        for name, data_dir in (("published", published), ("draft", draft)):
            out = build(load_pack(Settings(data_dir=data_dir, pack=pack, database_url="")), Path(tmp) / name)
            outputs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.yml"))})
        return outputs[0] != outputs[1]


def _strings_differ(published_locales: Path, draft_locales: Path) -> bool:
    published = {p.relative_to(published_locales): p for p in published_locales.rglob("*.po")}
    draft = {p.relative_to(draft_locales): p for p in draft_locales.rglob("*.po")}
    return published.keys() != draft.keys() or any(not filecmp.cmp(published[k], draft[k], shallow=False) for k in published)


def _copy_in(sources: dict[str, Path], target_dir: Path) -> list[str]:
    """Writes each file that differs, atomically (readers see the old or the new file)."""
    written = []
    for relative, source in sources.items():
        target = target_dir / relative
        if target.exists() and filecmp.cmp(source, target, shallow=False):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".publishing")
        shutil.copyfile(source, partial)
        os.replace(partial, target)
        written.append(relative)
    return written


def _publish_answers(draft: Draft, published: Path, published_locales: Path, snapshots: Path) -> Outcome:
    pack = draft.pack_name
    if _strings_differ(published_locales, draft.root / "locales"):
        raise PublishRefused("the draft changes interface strings: they need an action server restart, which publishing does not do yet")
    if _rasa_inputs_differ(published, draft.root, pack):
        raise PublishRefused(
            "the draft changes ways of asking or titles: that needs a new model (training, evaluation, switch), which is not built yet"
        )
    snapshot = Path(tempfile.mkdtemp(prefix=time.strftime("%Y%m%dT%H%M%S-", time.gmtime()), dir=snapshots))
    _copy_in(_content_files(published, pack), snapshot)
    return Outcome(files=_copy_in(_content_files(draft.root, pack), published), snapshot=snapshot)


async def publish_answers(
    draft: Draft, engine: AsyncEngine, actor: str, published: Path, published_locales: Path, snapshots: Path
) -> Outcome:
    """Validates the draft and puts an answer-only change live; raises PublishRefused with the reason."""
    state = await draft.state()
    if state.blocking():
        raise PublishRefused("the draft has errors: " + "; ".join(sorted(state.blocking())[:5]))
    snapshots.mkdir(parents=True, exist_ok=True)
    async with draft.lock:
        outcome = await asyncio.to_thread(_publish_answers, draft, published, published_locales, snapshots)
    async with engine.begin() as conn:
        row = {"at": time.time(), "actor": actor, "kind": "answers", "snapshot": str(outcome.snapshot), "files": "\n".join(outcome.files)}
        await conn.execute(publishes.insert().values(**row))
        await audit.record(conn, actor, "publish.answers", "published content", None, {"files": outcome.files})
    return outcome


async def rollback(engine: AsyncEngine, actor: str, published: Path, pack: str) -> list[str]:
    """Puts back the published content as it was before the last publish; raises PublishRefused when there is none."""
    async with engine.connect() as conn:
        last = (
            (await conn.execute(select(publishes).where(publishes.c.kind == "answers").order_by(publishes.c.id.desc()).limit(1)))
            .mappings()
            .first()
        )
    if last is None:
        raise PublishRefused("nothing has been published from the staff app yet")
    snapshot = Path(last["snapshot"])
    written = await asyncio.to_thread(_copy_in, _content_files(snapshot, pack), published)
    async with engine.begin() as conn:
        await conn.execute(
            publishes.insert().values(at=time.time(), actor=actor, kind="rollback", snapshot=str(snapshot), files="\n".join(written))
        )
        await audit.record(conn, actor, "publish.rollback", "published content", {"publish": last["id"]}, {"files": written})
    return written


async def history(engine: AsyncEngine, limit: int = 50) -> list[dict]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(publishes).order_by(publishes.c.id.desc()).limit(limit))).mappings().all()
    return [dict(r) for r in rows]
