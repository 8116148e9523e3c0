"""Fixtures shared by unit and end-to-end tests."""

from __future__ import annotations

import pytest

from bot.core.content.loader import load_pack
from bot.core.content.model import Pack


@pytest.fixture(scope="session")
def pack() -> Pack:
    """The real content pack (tests read it, never write it)."""
    return load_pack()
