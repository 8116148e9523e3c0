"""Copies content between the draft, the published data folder and snapshots, one file at a time atomically.

The published content is ``languages.yml`` and ``packs/<pack>/**/*.yml`` of the
data folder (what ``bot.content.loader`` reads). Each file is written under a
temporary name and renamed over the old one, so the action server's
``ContentStore`` reads the old or the new file, never half of one; a file the
source does not have is removed. The interface strings (``locales/``) are not
published here: the action server caches them until it restarts.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def content_files(root: Path, pack: str) -> dict[str, Path]:
    """The published files under a data folder, by path relative to it."""
    files = {"languages.yml": root / "languages.yml"} if (root / "languages.yml").exists() else {}
    pack_dir = root / "packs" / pack
    for path in sorted(pack_dir.rglob("*.yml")) if pack_dir.exists() else []:
        files[path.relative_to(root).as_posix()] = path
    return files


def changed_files(source: Path, target: Path, pack: str) -> list[str]:
    """Relative paths that differ (added, changed or removed) between two data folders."""
    new, old = content_files(source, pack), content_files(target, pack)
    return sorted(p for p in new.keys() | old.keys() if p not in new or p not in old or new[p].read_bytes() != old[p].read_bytes())


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.publishing")
    partial.write_bytes(data)
    os.replace(partial, path)


def install(source: Path, target: Path, pack: str) -> list[str]:
    """Makes ``target``'s content equal ``source``'s; returns the relative paths changed."""
    changed = changed_files(source, target, pack)
    new = content_files(source, pack)
    for relative in changed:
        if relative in new:
            _write_atomic(target / relative, new[relative].read_bytes())
        else:
            (target / relative).unlink(missing_ok=True)
    return changed


def snapshot(source: Path, folder: Path, pack: str) -> Path:
    """Copies the content of a data folder into a new snapshot ``folder``."""
    if folder.exists():
        shutil.rmtree(folder)
    for relative, path in content_files(source, pack).items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, folder / relative)
    return folder
