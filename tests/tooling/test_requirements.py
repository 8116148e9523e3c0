"""The lock files: every release hashed, every direct pin kept, test tools alike in both environments."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCKS = ["requirements", "requirements-dev", "requirements-staff", "requirements-staff-dev"]
# test tools installed in both .venv and .venv-staff: the same release in each
SHARED_TOOLS = ["pytest", "pytest-asyncio", "playwright", "axe-playwright-python"]


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def entries(lock: str) -> dict[str, tuple[str, list[str]]]:
    """Map each name to (version, hashes) in a lock file (pip's requirements format with backslash continuations)."""
    text = (ROOT / f"{lock}.txt").read_text(encoding="utf-8").replace("\\\n", " ")
    found = {}
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^]]*\])?==(\S+)(.*)", line)
        assert match, f"{lock}.txt: not a pinned requirement: {line!r}"
        found[normal(match[1])] = (match[2], re.findall(r"--hash=sha256:([0-9a-f]{64})", match[3]))
    return found


def direct_pins(source: str) -> dict[str, str]:
    found = {}
    for line in (ROOT / f"{source}.in").read_text(encoding="utf-8").splitlines():
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^]]*\])?==([^\s;#]+)", line)
        if match:
            found[normal(match[1])] = match[2]
    return found


@pytest.mark.parametrize("lock", LOCKS)
def test_every_release_is_pinned_with_hashes(lock: str) -> None:
    locked = entries(lock)
    assert locked
    assert [name for name, (_version, hashes) in locked.items() if not hashes] == []


@pytest.mark.parametrize("lock", LOCKS)
def test_the_lock_keeps_the_direct_pins(lock: str) -> None:
    locked = entries(lock)
    wrong = {name: version for name, version in direct_pins(lock).items() if locked.get(name, ("",))[0] != version}
    assert wrong == {}, f"{lock}.txt is older than {lock}.in: run make lock / make staff-lock"


@pytest.mark.parametrize(("runtime", "dev"), [("requirements", "requirements-dev"), ("requirements-staff", "requirements-staff-dev")])
def test_tools_never_move_a_runtime_package(runtime: str, dev: str) -> None:
    base, tools = entries(runtime), entries(dev)
    assert {name: (base[name][0], version) for name, (version, _h) in tools.items() if name in base and base[name][0] != version} == {}


def test_test_tools_are_the_same_release_in_both_environments() -> None:
    assistant, staff = entries("requirements-dev"), entries("requirements-staff-dev")
    assert {tool: (assistant[tool][0], staff[tool][0]) for tool in SHARED_TOOLS if assistant[tool][0] != staff[tool][0]} == {}


def test_shared_runtime_packages_are_the_same_release_in_both_environments() -> None:
    assistant, staff = direct_pins("requirements"), direct_pins("requirements-staff")
    assert {name: (assistant[name], staff[name]) for name in ["babel", "holidays"] if assistant[name] != staff[name]} == {}
