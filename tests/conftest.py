"""Fixtures shared by unit and end-to-end tests.

Two packs (docs/testing.md): ``pack`` is the real content (data/), for tests whose
subject is that content; ``fixture_pack`` is the tests' own small pack
(tests/data/fixture/), for tests whose subject is the code, so that staff can
rename an entry or change a fee without breaking them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.core.content.loader import load_pack
from bot.core.content.model import Pack
from bot.core.settings import Settings, load_settings

#: The tests' own data folder: languages.yml and packs/fixture/.
FIXTURE_DATA = Path(__file__).parent / "data" / "fixture"
FIXTURE_PACK = "fixture"


def fixture_settings(data_dir: Path = FIXTURE_DATA) -> Settings:
    """Settings that read the fixture pack from ``data_dir`` (no database)."""
    return Settings(data_dir=data_dir, pack=FIXTURE_PACK, database_url="sqlite://")


def real_languages() -> tuple[str, ...]:
    """The codes of the real data/languages.yml, for parametrizing "every language" tests at collection time."""
    data = yaml.safe_load(load_settings().languages_file.read_text(encoding="utf-8"))
    return tuple(str(entry["code"]) for entry in data["languages"])


@pytest.fixture(scope="session")
def pack() -> Pack:
    """The real content pack (tests read it, never write it)."""
    return load_pack()


@pytest.fixture(scope="session")
def fixture_pack() -> Pack:
    """The tests' own pack, tests/data/fixture/ (tests read it, never write it)."""
    return load_pack(fixture_settings())


@pytest.fixture
def fixture_data_copy(tmp_path: Path) -> Settings:
    """A writable copy of the fixture data folder and the settings that point to it."""
    shutil.copytree(FIXTURE_DATA, tmp_path / "data")
    return fixture_settings(tmp_path / "data")
