"""The staff app's interface is fully translated, and the app runs without Rasa on a current aiohttp."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from bot.core.settings import PROJECT_ROOT
from bot.staff.i18n import LOCALES, UI_LANGUAGES

_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def test_every_interface_string_is_translated(tmp_path: Path):
    pot = tmp_path / "messages.pot"
    extract = [
        sys.executable,
        "-m",
        "babel.messages.frontend",
        "extract",
        "-F",
        "bot/staff/babel.cfg",
        "-o",
        str(pot),
        "--no-location",
        ".",
    ]
    subprocess.run(extract, cwd=PROJECT_ROOT, check=True, capture_output=True, timeout=120)
    with pot.open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    assert len(wanted) > 50
    for lang in set(UI_LANGUAGES) - {"en"}:
        with (LOCALES / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            catalog = read_po(handle, locale=lang)
        have = {m.id: m for m in catalog if m.id}
        untranslated = sorted(str(i) for i in wanted if i not in have or not all(_forms(have[i].string)) or have[i].fuzzy)
        assert not untranslated, f"{lang}: run make staff-messages and translate: {untranslated}"
        for msgid in wanted:
            expected = {tuple(sorted(_PLACEHOLDER.findall(form))) for form in _forms(msgid)}
            for form in _forms(have[msgid].string):  # every plural form names the placeholders of the English ones
                assert tuple(sorted(_PLACEHOLDER.findall(form))) in expected, (lang, msgid, form)


def _forms(text: str | tuple[str, ...]) -> tuple[str, ...]:
    """A message's forms: one, or the plural forms (a tuple)."""
    return text if isinstance(text, tuple) else (text,)


def test_the_staff_app_imports_no_rasa_and_runs_on_a_current_aiohttp():
    code = (
        "import sys, importlib, pkgutil, aiohttp, bot.staff\n"
        "for m in pkgutil.walk_packages(bot.staff.__path__, 'bot.staff.'): importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('rasa', 'rasa_sdk', 'tensorflow', 'sanic'))\n"
        "print(aiohttp.__version__, bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, check=True, capture_output=True, text=True, timeout=120).stdout
    version, bad = out.strip().split(" ", 1)
    assert bad == "[]"
    assert tuple(int(p) for p in version.split(".")[:2]) >= (3, 12)
