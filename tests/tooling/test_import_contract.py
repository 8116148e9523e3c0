"""The import contract ([tool.importlinter] in pyproject.toml) passes on the code and fails on a forbidden import.

Each case runs lint-imports, as scripts/test.sh does, on a copy of bot/ and
actions/ with the project's own configuration; the failing cases add one
module with a forbidden import to the copy.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("contract")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("bot", "actions"):
        shutil.copytree(ROOT / package, copy / package, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def lint_imports(where: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=where, capture_output=True, text=True, timeout=300)


def test_the_code_keeps_the_contract(tree: Path) -> None:
    result = lint_imports(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "source", "importer"),
    [
        ("bot/core/_probe.py", "from bot.staff import app\n", "bot.core._probe"),
        ("bot/core/_probe.py", "import rasa.core.agent\n", "bot.core._probe"),
        ("bot/switch/_probe.py", "from actions import base\n", "bot.switch._probe"),
        ("actions/_probe.py", "import bot.rasa_server.serve\n", "actions._probe"),
        ("bot/rasa_server/_probe.py", "def later():\n    import bot.staff\n", "bot.rasa_server._probe"),
    ],
)
def test_a_forbidden_import_breaks_it(tree: Path, module: str, source: str, importer: str) -> None:
    probe = tree / module
    probe.write_text(source, encoding="utf-8")
    try:
        result = lint_imports(tree)
    finally:
        probe.unlink()
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout and importer in result.stdout, result.stdout
