"""Language detection and the choice of reply language."""

from __future__ import annotations

import pytest

from actions.services import Services
from bot.core.content.store import ContentStore
from bot.core.language.choose import choose_reply_language
from bot.core.language.detect import Detection, dominant_script


@pytest.fixture(scope="module")
def detector():
    return Services(store=ContentStore()).detector()


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("привіт", "uk"),  # і: only Ukrainian
        ("їжа", "uk"),
        ("підтримка", "uk"),
        ("вы", "ru"),  # ы: only Russian
        ("объявление", "ru"),
        ("vīza", "lv"),  # ī: only Latvian
        ("ārsts", "lv"),
        ("uzturēšanās atļauja", "lv"),
    ],
)
def test_unique_letters_decide_even_one_word(detector, text, lang):
    detection = detector.detect(text)
    assert (detection.lang, detection.reliable, detection.method) == (lang, True, "unique letters")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("How can I get a residence permit in Latvia?", "en"),
        ("Kur var pieteikties latviesu valodas kursiem", "lv"),
        ("Как получить разрешение на работу", "ru"),
        ("skolko stoit vnzh v latvii i skolko zhdat", "ru"),  # Russian typed in Latin letters
        ("skilky chekaty na posvidku na prozhyvannia", "uk"),  # Ukrainian typed in Latin letters
    ],
)
def test_whole_questions_are_told_reliably(detector, text, lang):
    detection = detector.detect(text)
    assert (detection.lang, detection.reliable) == (lang, True)


@pytest.mark.parametrize("text", ["👍", "123", "", "?!"])
def test_no_letters_no_language(detector, text):
    assert detector.detect(text) == Detection(None, False, "no letters")


def test_unknown_script_is_not_guessed(detector):
    detection = detector.detect("你好，我想要签证")
    assert detection.lang is None and not detection.reliable


def test_dominant_script():
    assert dominant_script("ПМЛП pmlp адрес") == "Cyrillic"
    assert dominant_script("abc") == "Latin"


SURE_UK = Detection("uk", True, "unique letters", 1.0)
UNSURE_LV = Detection("lv", False, "statistical", 0.6)
WILD_GUESS = Detection("ru", False, "statistical", 0.4)


@pytest.mark.parametrize(
    ("kwargs", "lang", "reason"),
    [
        ({"requested": "ru", "client": "en", "chosen": "lv", "detection": SURE_UK, "conversation": "lv"}, "ru", "request"),
        ({"requested": None, "client": "en", "chosen": "lv", "detection": SURE_UK, "conversation": "lv"}, "en", "client"),
        ({"requested": None, "client": None, "chosen": "lv", "detection": SURE_UK, "conversation": "en"}, "lv", "chosen"),
        ({"requested": None, "client": None, "chosen": None, "detection": SURE_UK, "conversation": "en"}, "uk", "message"),
        ({"requested": None, "client": None, "chosen": None, "detection": UNSURE_LV, "conversation": "ru"}, "ru", "conversation"),
        ({"requested": None, "client": None, "chosen": None, "detection": UNSURE_LV, "conversation": None}, "lv", "guess"),
        ({"requested": None, "client": None, "chosen": None, "detection": WILD_GUESS, "conversation": None}, "en", "default"),
        ({"requested": None, "client": None, "chosen": None, "detection": None, "conversation": None}, "en", "default"),
    ],
)
def test_reply_language_order(kwargs, lang, reason):
    choice = choose_reply_language(default="en", **kwargs)
    assert (choice.lang, choice.reason) == (lang, reason)
