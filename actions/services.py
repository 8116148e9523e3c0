"""Shared services of the action server, created once on first use.

rasa-sdk builds actions without arguments, so actions reach their services
through this module. Tests replace them with ``use(...)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from bot.content.model import Pack
from bot.content.store import ContentStore, default_store
from bot.language.detect import LanguageDetector
from bot.offices.places import PlaceResolver


@dataclass
class Services:
    """What actions need from outside themselves."""

    store: ContentStore
    _detector: LanguageDetector | None = None
    _detector_pack: Pack | None = None
    _detector_key: Any = None
    _places: PlaceResolver | None = None
    _places_pack: Pack | None = None
    _places_key: Any = None

    def pack(self) -> Pack:
        """The current content pack."""
        return self.store.pack()

    def places(self) -> PlaceResolver:
        """The place resolver for the current pack's cities."""
        pack = self.pack()
        if self._places is None or self._places_pack is not pack:
            directory = pack.directory
            key = (directory.cities, directory.not_places, directory.abroad_forms)
            if self._places is None or key != self._places_key:  # a changed answer keeps the places
                self._places = PlaceResolver(list(directory.cities.values()), directory.not_places, directory.abroad_forms)
                self._places_key = key
            self._places_pack = pack
        return self._places

    def now(self) -> datetime:
        """The current time (tests replace the services to fix it)."""
        return datetime.now(timezone.utc)

    def detector(self) -> LanguageDetector:
        """A language detector trained on the current pack's examples.

        Rebuilt only when the languages or examples change: building it takes
        about a second on a busy machine, which a user would wait for on the
        first message after every published answer change otherwise.
        """
        pack = self.pack()
        if self._detector is None or self._detector_pack is not pack:
            key = (pack.languages, pack.examples_by_language())
            if self._detector is None or key != self._detector_key:
                self._detector = LanguageDetector(pack.languages, key[1])
                self._detector_key = key
            self._detector_pack = pack
        return self._detector


_services: Services | None = None


def services() -> Services:
    """The action server's services."""
    global _services
    if _services is None:
        _services = Services(store=default_store())
    return _services


def use(replacement: Services) -> None:
    """Replaces the services (tests)."""
    global _services
    _services = replacement
