"""One trained model and one pair of running servers for the whole test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.settings import PROJECT_ROOT
from bot.tools.train import ensure_model
from tests.e2e.platforms import FakePlatform
from tests.e2e.servers import Assistant


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def model() -> Path:
    """The model for the current content and config.yml (trained once, then reused)."""
    return ensure_model(PROJECT_ROOT / "config.yml", PROJECT_ROOT / "models")


@pytest.fixture(scope="session")
def fake_platform() -> FakePlatform:
    """The messenger platforms' APIs, recording what the assistant sends."""
    platform = FakePlatform().start()
    yield platform
    platform.stop()


@pytest.fixture(scope="session")
def assistant(model, tmp_path_factory, fake_platform) -> Assistant:
    """The assistant with every channel on: REST, socket.io, and the messengers against ``fake_platform``."""
    running = Assistant(model=model, workdir=tmp_path_factory.mktemp("assistant"), extra_env=fake_platform.channel_env())
    try:
        running.start_actions()
        running.start_rasa()
        yield running
    finally:
        running.stop_all()
