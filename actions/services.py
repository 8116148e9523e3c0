"""Shared services of the action server, created once on first use.

rasa-sdk builds actions without arguments, so actions reach their services
through this module. Tests replace them with ``use(...)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from bot.core.content.model import Pack
from bot.core.content.rebuild import Rebuilt
from bot.core.content.store import ContentStore, default_store
from bot.core.language.detect import LanguageDetector
from bot.core.offices.places import PlaceResolver


def _places_of(pack: Pack) -> tuple[Any, ...]:
    directory = pack.directory
    return (directory.cities, directory.not_places, directory.abroad_forms)


@dataclass
class Services:
    """What actions need from outside themselves.

    The detector and the place resolver are built from the pack once, and again
    only when what they are built from changes (a changed answer keeps both), in
    the background: a user never waits for a rebuild after a publish.
    """

    store: ContentStore
    _detectors: Rebuilt[Any, LanguageDetector] = field(
        default_factory=lambda: Rebuilt(lambda key: LanguageDetector(key[0], key[1]), "language detector")
    )
    _resolvers: Rebuilt[Any, PlaceResolver] = field(
        default_factory=lambda: Rebuilt(lambda key: PlaceResolver(list(key[0].values()), key[1], key[2]), "place resolver")
    )
    _keys: dict[str, tuple[Pack, Any]] = field(default_factory=dict)

    def pack(self) -> Pack:
        """The current content pack."""
        return self.store.pack()

    def _key(self, name: str, pack: Pack, key_of: Callable[[Pack], Any]) -> Any:
        """``key_of(pack)``, worked out once per pack (comparing all examples on every message would cost)."""
        known = self._keys.get(name)
        if known is None or known[0] is not pack:
            known = self._keys[name] = (pack, key_of(pack))
        return known[1]

    def places(self) -> PlaceResolver:
        """The place resolver for the current pack's cities."""
        return self._resolvers.get(self._key("places", self.pack(), _places_of))

    def now(self) -> datetime:
        """The current time (tests replace the services to fix it)."""
        return datetime.now(timezone.utc)

    def detector(self) -> LanguageDetector:
        """A language detector trained on the current pack's ways of asking (about 0.6 s to build)."""
        key = self._key("detector", self.pack(), lambda pack: (pack.languages, pack.examples_by_language()))
        return self._detectors.get(key)

    def settle(self) -> None:
        """Waits for rebuilds under way (tests)."""
        self.store.settle()
        self._detectors.settle()
        self._resolvers.settle()


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
