"""Fixtures of the integration tests."""

from tests.postgres import postgres_url  # noqa: F401 (a fixture used by the tests here)
