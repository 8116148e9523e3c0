"""scripts/check_catalog.py: passes on a template that matches the code, fails when the code marks a new string."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "check_catalog.py"

TEMPLATE = """\
msgid "Hello"
msgstr ""

msgid "one apple"
msgid_plural "{n} apples"
msgstr[0] ""
msgstr[1] ""
"""


def check(project: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(SCRIPT), "babel.cfg", "locales/messages.pot"]
    return subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=120)


def make_project(tmp_path: Path, source: str) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "strings.py").write_text(source, encoding="utf-8")
    (tmp_path / "babel.cfg").write_text("[python: pkg/**.py]\n", encoding="utf-8")
    (tmp_path / "locales").mkdir()
    (tmp_path / "locales" / "messages.pot").write_text(TEMPLATE, encoding="utf-8")
    return tmp_path


SOURCE = 'GREETING = _("Hello")\n\n\ndef apples(n):\n    return ngettext("one apple", "{n} apples", n)\n'


def test_a_matching_template_passes(tmp_path: Path) -> None:
    result = check(make_project(tmp_path, SOURCE))
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_new_string_in_the_code_fails(tmp_path: Path) -> None:
    project = make_project(tmp_path, SOURCE)
    (project / "pkg" / "new.py").write_text('NEW = _("A string nobody extracted")\n', encoding="utf-8")
    result = check(project)
    assert result.returncode == 1
    assert "missing from the template: 'A string nobody extracted'" in result.stdout


def test_a_string_gone_from_the_code_fails(tmp_path: Path) -> None:
    result = check(make_project(tmp_path, 'GREETING = _("Hello")\n'))
    assert result.returncode == 1
    assert "no longer in the code: 'one apple'" in result.stdout


def test_a_changed_plural_fails(tmp_path: Path) -> None:
    source = SOURCE.replace('"{n} apples"', '"{n} apples in all"')
    result = check(make_project(tmp_path, source))
    assert result.returncode == 1
    assert "plural differs for 'one apple'" in result.stdout
