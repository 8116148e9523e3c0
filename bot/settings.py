"""Settings read from the environment, in one place.

Every variable has the prefix ``MIGRANT_BOT_``. Defaults suit a local start;
``.env.example`` lists them all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PREFIX = "MIGRANT_BOT_"


def _env(name: str, default: str) -> str:
    return os.environ.get(PREFIX + name, default)


@dataclass(frozen=True)
class Settings:
    """What the project reads from the environment."""

    data_dir: Path
    pack: str
    database_url: str
    #: the Rasa server speed-ups of bot/rasa_speedups.py (off only to measure what they bring)
    rasa_speedups: bool = True
    #: keep recent conversations in the Rasa server's memory (bot/tracker_cache.py); only safe
    #: when one Rasa server writes the database: off when two servers share it (zero-downtime publishing)
    tracker_cache: bool = True
    #: the interface strings' catalogs (``<lang>/LC_MESSAGES/messages.po``); the staff app publishes into it
    locales_dir: Path = PROJECT_ROOT / "locales"

    @property
    def pack_dir(self) -> Path:
        """The folder of the selected content pack."""
        return self.data_dir / "packs" / self.pack

    @property
    def languages_file(self) -> Path:
        """The list of languages the assistant speaks."""
        return self.data_dir / "languages.yml"


def load_settings() -> Settings:
    """Reads the settings from the environment (cheap; call when needed)."""
    return Settings(
        data_dir=Path(_env("DATA_DIR", str(PROJECT_ROOT / "data"))),
        pack=_env("PACK", "latvia"),
        database_url=_env("DATABASE_URL", f"sqlite:///{PROJECT_ROOT / 'var' / 'tracker.db'}"),
        rasa_speedups=_env("RASA_SPEEDUPS", "1") != "0",
        tracker_cache=_env("TRACKER_CACHE", "1") != "0",
        locales_dir=Path(_env("LOCALES_DIR", str(PROJECT_ROOT / "locales"))),
    )
