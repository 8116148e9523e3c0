"""Copies content between the draft, the published folders and snapshots, one file at a time atomically.

The published content is ``languages.yml`` and ``packs/<pack>/**/*.yml`` of the
data folder (what ``bot.core.content.loader`` reads) and the interface strings'
catalogs, ``<lang>/LC_MESSAGES/messages.po`` of the locales folder (what
``bot.core.i18n`` reads). The draft and the snapshots keep the catalogs in a
``locales/`` folder beside ``languages.yml``. Each file is written under a
temporary name and renamed over the old one, so the action server reads the
old or the new file, never half of one; a file the source does not have is
removed.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from bot.staff.config import StaffConfig

LOCALES = "locales/"  # the catalogs' relative paths start with this
TEMPLATE = "messages.pot"  # the message ids, extracted from the code by developers


@dataclass(frozen=True)
class ContentTree:
    """One copy of the content: a data folder and a locales folder."""

    data_dir: Path
    locales_dir: Path
    pack: str

    @classmethod
    def within(cls, root: Path, pack: str) -> ContentTree:
        """The draft's and the snapshots' layout: the catalogs in ``root/locales``."""
        return cls(root, root / "locales", pack)

    @classmethod
    def published(cls, config: StaffConfig) -> ContentTree:
        """What users get: the assistant's data folder and catalogs."""
        return cls(config.published_data_dir, config.published_locales_dir, config.pack)

    @classmethod
    def draft(cls, config: StaffConfig) -> ContentTree:
        """The staff's working copy."""
        return cls.within(config.draft_dir, config.pack)


def content_files(tree: ContentTree) -> dict[str, Path]:
    """The content's files by relative path (catalogs as ``locales/<lang>/LC_MESSAGES/messages.po``)."""
    root = tree.data_dir
    files = {"languages.yml": root / "languages.yml"} if (root / "languages.yml").exists() else {}
    pack_dir = root / "packs" / tree.pack
    for path in sorted(pack_dir.rglob("*.yml")) if pack_dir.exists() else []:
        files[path.relative_to(root).as_posix()] = path
    for path in sorted(tree.locales_dir.glob("*/LC_MESSAGES/messages.po")) if tree.locales_dir.exists() else []:
        files[LOCALES + path.relative_to(tree.locales_dir).as_posix()] = path
    return files


def _target(tree: ContentTree, relative: str) -> Path:
    if relative.startswith(LOCALES):
        return tree.locales_dir / relative.removeprefix(LOCALES)
    return tree.data_dir / relative


def changed_files(source: ContentTree, target: ContentTree) -> list[str]:
    """Relative paths that differ (added, changed or removed) between two copies.

    A source without a locales folder (a snapshot from before catalogs were
    published) leaves the target's catalogs out of the comparison.
    """
    new, old = content_files(source), content_files(target)
    if not source.locales_dir.exists():
        old = {k: v for k, v in old.items() if not k.startswith(LOCALES)}
    return sorted(p for p in new.keys() | old.keys() if p not in new or p not in old or new[p].read_bytes() != old[p].read_bytes())


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.publishing")
    partial.write_bytes(data)
    os.replace(partial, path)


def install(source: ContentTree, target: ContentTree) -> list[str]:
    """Makes ``target``'s content equal ``source``'s; returns the relative paths changed."""
    changed = changed_files(source, target)
    overlay(source, target, changed)
    return changed


def snapshot(source: ContentTree, folder: Path) -> ContentTree:
    """Copies the content of ``source`` into a new folder (the draft's layout) and returns it."""
    if folder.exists():
        shutil.rmtree(folder)
    copy = ContentTree.within(folder, source.pack)
    copy.locales_dir.mkdir(parents=True)
    for relative, path in content_files(source).items():
        destination = _target(copy, relative)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
    template = source.locales_dir / TEMPLATE
    if template.exists():  # not published (developers extract it), but the translation check reads it
        shutil.copyfile(template, copy.locales_dir / TEMPLATE)
    return copy


def overlay(source: ContentTree, target: ContentTree, relatives: list[str]) -> None:
    """Makes ``relatives`` in ``target`` equal ``source``'s (copied, or removed when ``source`` lacks them)."""
    files = content_files(source)
    for relative in relatives:
        if relative in files:
            _write_atomic(_target(target, relative), files[relative].read_bytes())
        else:
            _target(target, relative).unlink(missing_ok=True)
