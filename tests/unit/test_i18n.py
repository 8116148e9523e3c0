"""Interface strings: read from the configured catalogs, and read again when a catalog file changes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bot.core import i18n
from bot.core.i18n import LOCALES_DIR, Catalogs

PLEASE = "You are welcome! Is there anything else I can help with?"


@pytest.fixture
def locales(tmp_path: Path) -> Path:
    return Path(shutil.copytree(LOCALES_DIR, tmp_path / "locales"))


def _rewrite(locales: Path, lang: str, old: str, new: str) -> None:
    path = locales / lang / "LC_MESSAGES" / "messages.po"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    stat = path.stat()  # a later mtime even on a coarse clock
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_a_changed_catalog_is_read_again_after_the_check_interval(locales, monkeypatch):
    catalogs = Catalogs(locales)
    before = catalogs.strings("lv")[PLEASE]
    _rewrite(locales, "lv", before, "Lūdzu! Vai vēl kaut ko?")
    assert catalogs.strings("lv")[PLEASE] == before  # looked at no more than every two seconds
    monkeypatch.setattr(i18n, "_CHECK_EVERY_SECONDS", 0.0)
    assert catalogs.strings("lv")[PLEASE] == "Lūdzu! Vai vēl kaut ko?"


def test_a_broken_catalog_keeps_the_strings_read_before(locales, monkeypatch):
    monkeypatch.setattr(i18n, "_CHECK_EVERY_SECONDS", 0.0)
    catalogs = Catalogs(locales)
    before = catalogs.strings("uk")[PLEASE]
    path = locales / "uk" / "LC_MESSAGES" / "messages.po"
    path.write_bytes(b'msgid "unterminated\n\xff\xfe')
    assert catalogs.strings("uk")[PLEASE] == before


def test_an_unknown_language_falls_back_to_english(locales):
    assert Catalogs(locales).strings("xx") == {}


def test_the_catalogs_folder_comes_from_the_settings(locales, monkeypatch):
    goodbye = 'msgid "Goodbye, and good luck! Write again any time."\nmsgstr "'
    _rewrite(locales, "ru", goodbye, goodbye + "[test] ")
    monkeypatch.setenv("MIGRANT_BOT_LOCALES_DIR", str(locales))
    monkeypatch.setattr(i18n, "_catalogs", None)
    assert i18n.translator("ru")("Goodbye, and good luck! Write again any time.").startswith("[test] ")
