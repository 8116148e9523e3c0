"""Interface strings through gettext catalogs in ``locales/<lang>/LC_MESSAGES/messages.po``.

English text is the message id. Catalogs are read with Babel on first use and
kept; a catalog whose file changed (the staff app published new strings) is
read again, looked at no more than every two seconds, so a running server
uses new strings from the next message on without a restart. A string missing
from a catalog falls back to English (the translation check,
``make messages-check``, fails CI before that can ship).

The catalogs are read from ``MIGRANT_BOT_LOCALES_DIR`` (default ``locales/``).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from babel.messages.pofile import read_po

from bot.core.settings import PROJECT_ROOT, load_settings

#: The repository's catalogs (what the translation tools extract into and check).
LOCALES_DIR = PROJECT_ROOT / "locales"
Translate = Callable[[str], str]
_CHECK_EVERY_SECONDS = 2.0
logger = logging.getLogger(__name__)


@dataclass
class _Loaded:
    strings: dict[str, str]
    stamp: tuple[int, int]  # (mtime_ns, size) of the file read; (0, 0): no file
    checked_at: float


def _stamp(path: Path) -> tuple[int, int]:
    try:
        info = path.stat()
    except OSError:
        return (0, 0)
    return (info.st_mtime_ns, info.st_size)


def _read(path: Path, lang: str) -> dict[str, str]:
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    return {m.id: m.string for m in catalog if m.id and isinstance(m.id, str) and m.string and isinstance(m.string, str) and not m.fuzzy}


class Catalogs:
    """The catalogs of one locales folder, each re-read when its file changes."""

    def __init__(self, locales_dir: Path) -> None:
        self.locales_dir = locales_dir
        self._loaded: dict[str, _Loaded] = {}
        self._lock = threading.Lock()

    def strings(self, lang: str) -> dict[str, str]:
        """Message id -> translation for ``lang`` (empty for an unknown language)."""
        now = time.monotonic()
        loaded = self._loaded.get(lang)
        if loaded is not None and now - loaded.checked_at < _CHECK_EVERY_SECONDS:
            return loaded.strings
        with self._lock:
            path = self.locales_dir / lang / "LC_MESSAGES" / "messages.po"
            stamp = _stamp(path)
            if loaded is None or stamp != loaded.stamp:
                try:
                    loaded = _Loaded(_read(path, lang), stamp, now)
                except Exception:  # a broken catalog: keep what was read before (English if nothing was)
                    logger.exception("reading %s failed; the strings read before stay in use", path)
                    loaded = _Loaded(loaded.strings if loaded else {}, stamp, now)
            else:
                loaded.checked_at = now
            self._loaded[lang] = loaded
            return loaded.strings


_catalogs: Catalogs | None = None


def catalogs() -> Catalogs:
    """The process's catalogs, from the configured locales folder (settings read on first use)."""
    global _catalogs
    if _catalogs is None:
        _catalogs = Catalogs(load_settings().locales_dir)
    return _catalogs


def translator(lang: str) -> Translate:
    """The gettext function for ``lang``."""
    catalog = catalogs().strings(lang)

    def gettext(message: str) -> str:
        return catalog.get(message) or message

    return gettext


def translator_for_metadata(metadata: Any) -> Translate:
    """The gettext function for a client's ``metadata.lang``, English otherwise."""
    lang = metadata.get("lang") if isinstance(metadata, dict) else None
    return translator(lang if isinstance(lang, str) and lang.isalpha() and len(lang) <= 3 else "en")
