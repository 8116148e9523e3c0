"""The loaded content pack, shared by a process and reloaded when files change.

Staff edit the YAML files; a running action server picks up a new answer, fee
or address on the next message without a restart (a changed way of asking
needs retraining, which ``make train`` does).
"""

from __future__ import annotations

import time
from pathlib import Path

from bot.core.content.loader import load_pack
from bot.core.content.model import Pack
from bot.core.content.rebuild import Rebuilt
from bot.core.settings import Settings, load_settings

_CHECK_EVERY_SECONDS = 2.0


class ContentStore:
    """Holds the current pack; reads it again in the background when any content file changes."""

    def __init__(self, settings: Settings | None = None) -> None:
        self._settings = settings or load_settings()
        self._packs: Rebuilt[tuple[int, ...], Pack] = Rebuilt(lambda _stamp: load_pack(self._settings), "content pack")
        self._stamp: tuple[int, ...] = ()
        self._checked_at = -_CHECK_EVERY_SECONDS

    def _files(self) -> list[Path]:
        root = self._settings.pack_dir
        return [self._settings.languages_file, *sorted(root.rglob("*.yml"))]

    def _current_stamp(self) -> tuple[int, ...]:
        return tuple(p.stat().st_mtime_ns for p in self._files() if p.exists())

    def pack(self) -> Pack:
        """The current pack.

        A changed file is read in the background (the previous pack serves
        meanwhile); a broken edit keeps the last good pack in use.
        """
        now = time.monotonic()
        if now - self._checked_at >= _CHECK_EVERY_SECONDS:
            self._checked_at = now
            self._stamp = self._current_stamp()
        return self._packs.get(self._stamp)

    def settle(self) -> None:
        """Waits until a changed pack being read is in use."""
        self._packs.settle()


_default_store: ContentStore | None = None


def default_store() -> ContentStore:
    """The process-wide store, created on first use (nothing loads at import)."""
    global _default_store
    if _default_store is None:
        _default_store = ContentStore()
    return _default_store
