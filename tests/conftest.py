"""Fixtures shared by unit and end-to-end tests."""

from __future__ import annotations

import pytest

from bot.content.loader import load_pack
from bot.content.model import Pack


@pytest.fixture(scope="session")
def pack() -> Pack:
    """The real content pack (tests read it, never write it)."""
    return load_pack()
