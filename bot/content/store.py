"""The loaded content pack, shared by a process and reloaded when files change.

Staff edit the YAML files; a running action server picks up a new answer, fee
or address on the next message without a restart (a changed way of asking
needs retraining, which ``make train`` does).
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from bot.content.loader import load_pack
from bot.content.model import Pack
from bot.settings import Settings, load_settings

_CHECK_EVERY_SECONDS = 2.0
logger = logging.getLogger(__name__)


class ContentStore:
    """Holds the current pack; reloads it when any content file changes."""

    def __init__(self, settings: Settings | None = None) -> None:
        self._settings = settings or load_settings()
        self._lock = threading.Lock()
        self._pack: Pack | None = None
        self._stamp: tuple[float, ...] = ()
        self._checked_at = 0.0

    def _files(self) -> list[Path]:
        root = self._settings.pack_dir
        return [self._settings.languages_file, *sorted(root.rglob("*.yml"))]

    def _current_stamp(self) -> tuple[float, ...]:
        return tuple(p.stat().st_mtime_ns for p in self._files() if p.exists())

    def pack(self) -> Pack:
        """The current pack. A broken edit keeps the last good pack in use."""
        now = time.monotonic()
        if self._pack is not None and now - self._checked_at < _CHECK_EVERY_SECONDS:
            return self._pack
        with self._lock:
            self._checked_at = now
            stamp = self._current_stamp()
            if self._pack is None or stamp != self._stamp:
                try:
                    self._pack = load_pack(self._settings)
                except Exception:
                    if self._pack is None:
                        raise
                    logger.exception("content reload failed; the last good content stays in use")
                self._stamp = stamp
            return self._pack


_default_store: ContentStore | None = None


def default_store() -> ContentStore:
    """The process-wide store, created on first use (nothing loads at import)."""
    global _default_store
    if _default_store is None:
        _default_store = ContentStore()
    return _default_store
