"""Masking of personal data: every kind in every language, what must stay, idempotence, and the measured test set."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from benchmarks.masking import FALSE_CHANGE_TARGET, RECALL_TARGET, read_ordinary, read_personal, score
from bot.core.content.model import Pack
from bot.core.privacy.masking import KINDS, Masked, Masker, default_masker, mask_personal_data
from bot.core.settings import PROJECT_ROOT
from tests.conftest import real_languages

# (message, what it becomes), per kind and language
CASES = [
    # names after a cue, in any letter case
    ("my name is ivan petrov and i need a personal code", "my name is [name] and i need a personal code"),
    ("Hello, I am Olena Kovalchuk from Ukraine", "Hello, I am [name] from Ukraine"),
    ("Labdien, mani sauc Ilze Kalniņa, kur deklarēt dzīvesvietu?", "Labdien, mani sauc [name], kur deklarēt dzīvesvietu?"),
    ("mans vārds ir juris", "mans vārds ir [name]"),
    ("меня зовут ольга смирнова, я из Украины", "меня зовут [name], я из Украины"),
    ("Я — Дмитрий Соколов, где семейный врач?", "Я — [name], где семейный врач?"),
    ("мене звати тарас бондаренко, шукаю роботу", "мене звати [name], шукаю роботу"),
    ("моє ім'я Юлія, прізвище Савчук", "моє ім'я [name], прізвище [name]"),
    ("menya zovut sergei ivanov, kak poluchit personas kods?", "menya zovut [name], kak poluchit personas kods?"),
    # signatures
    ("Where is the NVA office? Regards, Priya Sharma", "Where is the NVA office? Regards, [name]"),
    ("Vai ārsts var atteikt?\nAr cieņu, Jānis Bērziņš", "Vai ārsts var atteikt?\nAr cieņu, [name]"),
    ("Где сдать экзамен? С уважением, Иван", "Где сдать экзамен? С уважением, [name]"),
    ("Де відділення NVA? З повагою, Богдан Кравченко", "Де відділення NVA? З повагою, [name]"),
    # relatives and capitalised pairs without a cue
    ("My wife Fatima needs a family doctor", "My wife [name] needs a family doctor"),
    ("мой муж Алексей Лебедев гражданин Латвии", "мой муж [name] гражданин Латвии"),
    ("Sveiki, Yaw Boateng here, can I renew online?", "Sveiki, [name] here, can I renew online?"),
    ("Здравствуйте, Артур Григорян, ищу работу через NVA", "Здравствуйте, [name], ищу работу через NVA"),
    # phones
    ("My phone is +371 26345781", "My phone is [phone]"),
    ("zvaniet 26 77 41 09 pēc pusdienām", "zvaniet [phone] pēc pusdienām"),
    ("позвоните 8 916 555 12 34", "позвоните [phone]"),
    ("мій номер +380 (67) 412-55-89", "мій номер [phone]"),
    ("UK number +44 7700 900123 please", "UK number [phone] please"),
    ("call me back on 29817364?", "call me back on [phone]?"),
    # e-mails
    ("write to olena.k84@gmail.com", "write to [e-mail]"),
    ("пишите на s.kuznetsov88@mail.ru.", "пишите на [e-mail]."),
    # personal codes, old and new form, with or without the hyphen
    ("personas kods 120389-12764", "personas kods [personal code]"),
    ("My personal code is 32054711823", "My personal code is [personal code]"),
    ("персональний код 322072-11956", "персональний код [personal code]"),
    ("мій персональний код 3241 0712 345", "мій персональний код [personal code]"),
    # documents
    ("passport LV1234567 expires", "passport [document] expires"),
    ("pases numurs lv9920114", "pases numurs [document]"),
    ("паспорт FE219384 закінчився", "паспорт [document] закінчився"),
    ("паспорт серии 4510 123456 выдан в Москве", "паспорт серии [document] выдан в Москве"),
    ("Passport no. AB1273645, expiry next month", "Passport no. [document], expiry next month"),
    ("ID karte 001488923", "ID karte [document]"),
    # accounts
    ("IBAN LV80BANK0000435195001 please", "IBAN [account] please"),
    ("konts LV39 LHVB 6030 8246 2819 4, paldies", "konts [account], paldies"),
    # cards (Luhn-checked)
    ("card 4525 3888 5393 3635 was charged twice", "card [card] was charged twice"),
    # dates of birth, after a cue only
    ("I was born on 14.07.1991 in Kharkiv", "I was born on [date of birth] in Kharkiv"),
    ("DOB: 1988-05-23", "DOB: [date of birth]"),
    ("Esmu dzimusi 1985. gada 4. martā", "Esmu dzimusi [date of birth]"),
    ("родился 1 апреля 1951 года", "родился [date of birth]"),
    ("дата народження 14 березня 1983 р., питання", "дата народження [date of birth], питання"),
    ("Мой сын 2010 г.р. хочет работать", "Мой сын [date of birth] хочет работать"),
    # addresses
    ("Dzīvoju Brīvības ielā 88-12, Rīgā", "Dzīvoju [address], Rīgā"),
    ("I live at 12 Brivibas street, apt 4, in Riga", "I live at [address], in Riga"),
    ("адрес: ул. Ленина 5, Рига", "адрес: [address], Рига"),
    ("живу на вул. Шевченка 10, кв. 4", "живу на [address]"),
    ("My address is Lāčplēša 20-4, Rīga", "My address is [address], Rīga"),
    ("квартиру снимаю на Гертрудес улица 40-7", "квартиру снимаю на [address]"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_personal_data_is_replaced_by_its_tag(text: str, expected: str) -> None:
    assert mask_personal_data(text).text == expected


# Messages routing needs as they are: places, offices, countries, months, amounts, years, days, dates, levels.
KEEP = [
    "my appointment is on 12.03.2026",
    "I have an appointment at PMLP on 12.03.2026 at 10:30",
    "The fee is EUR 52 or 52 eiro, pay to the State Revenue Service",
    "Can I get the B1 level certificate from VISC in May?",
    "My residence permit expires on 15 June 2026",
    "Сколько стоит ВНЖ на 5 лет? 2024 год",
    "Я живу в Риге 3 года, приехал из Харькова 24 февраля 2022 года",
    "Dzīvoju Rīgā jau 5 gadus, strādāju Liepājā",
    "Where is the Brīvības iela office?",
    "I came from India in March 2024 with my wife",
    "Моя жена украинка, можно ли ей работать?",
    "My wife is Ukrainian, can she work?",
    "Мене звати не важливо, скажіть як отримати посвідку",
    "Hi, I'm new here",
    "Thanks, PMLP helped a lot",
    "Thank you, Latvia!",
    "Which documents do Російської Федерації або Республіки Білорусь citizens need?",
    "Rīgas siltums – 8000 и 8989, кто отвечает?",
    "how does the 90/180 rule work in 2008-2010?",
    "Do I need form 1-11 or form 2 for NVA, AIC, LVA, NVD or OCMA?",
    "Is the NVA office at Krišjāņa Valdemāra iela 38 open on Saturday?",
    "Call PMLP on +371 67209400 or write to pmlp@pmlp.gov.lv?",
    "My salary is 1500 EUR, the contract is for 2 years",
    "Kā aizpildīt veidlapu Nr. 1?",
    "How many days can I stay? I arrived 01.02.2025",
]


@pytest.mark.parametrize("text", KEEP)
def test_what_routing_needs_is_never_masked(text: str) -> None:
    assert mask_personal_data(text) == Masked(text=text, kinds=())


def test_every_city_and_office_of_the_pack_is_kept(pack: Pack) -> None:
    for city in pack.directory.cities.values():
        for name in {*city.name.values(), *(form.title() for form in city.forms)}:
            assert mask_personal_data(f"Ivan lives in {name}").text == "[name] lives in " + name
    for office in pack.offices.values():
        assert mask_personal_data(f"Where is {office.short} in Riga?").kinds == ()


def test_kinds_are_listed_once_in_order_of_first_appearance() -> None:
    masked = mask_personal_data("Call 29123456 or 29123457, I am Olena Kovalchuk, olena@example.com")
    assert masked.kinds == ("phone", "name", "e-mail")
    assert set(masked.kinds) <= set(KINDS)


def test_a_card_number_must_pass_the_luhn_check() -> None:
    assert mask_personal_data("card 4525 3888 5393 3635").text == "card [card]"
    assert "[card]" not in mask_personal_data("order 4525 3888 5393 3636").text


def test_an_iban_with_a_mistyped_or_missing_digit_is_still_masked() -> None:
    assert mask_personal_data("konts LV66AIZK2601815908302").text == "konts [account]"  # check digits fail
    assert mask_personal_data("konts LV66AIZK260181590830").text == "konts [account]"  # one digit missing


def test_a_plain_date_is_not_a_date_of_birth() -> None:
    assert mask_personal_data("my appointment is on 12.03.2026").kinds == ()
    assert mask_personal_data("I was born on 12.03.1986").kinds == ("date of birth",)


def test_known_words_decide_what_a_capitalised_pair_is() -> None:
    text = "What is the European Blue Card?"
    assert Masker().mask(text).text == "What is the European [name]?"  # without the pack's words: two unknown words
    assert Masker(known_words=["blue", "card"]).mask(text).text == text


def test_an_office_address_published_by_the_pack_is_kept() -> None:
    masker = Masker(public_texts=["Offices in Riga (Raiņa bulvāris 15), phone +371 26959706"])
    assert masker.mask("Raiņa bulvāris 15 office hours").kinds == ()
    assert masker.mask("call 26959706").kinds == ()
    assert masker.mask("Raiņa bulvāris 17 is my flat").kinds == ("address",)


def test_masking_twice_changes_nothing() -> None:
    for sample in read_personal():
        once = mask_personal_data(sample.text).text
        assert mask_personal_data(once).text == once
        assert mask_personal_data(once).kinds == ()


def test_the_test_set_is_well_formed() -> None:
    samples = read_personal()
    assert len(samples) >= 240
    for lang in real_languages():
        assert sum(s.lang == lang for s in samples) >= 60
    for sample in samples:
        assert sample.personal
        assert all(item in sample.text for item in (*sample.personal, *sample.keep)), sample.text
    assert len(read_ordinary()) >= 300


def test_recall_and_false_changes_stay_on_target() -> None:
    result = score()
    for lang, lang_score in result.languages.items():
        assert lang_score.recall >= RECALL_TARGET, (lang, lang_score.missed)
        assert lang_score.traceless_recall >= RECALL_TARGET, (lang, lang_score.traces)
    assert result.overall.kept_wrongly == []
    assert result.false_change_rate <= FALSE_CHANGE_TARGET, result.changed


def test_masking_takes_well_under_a_millisecond_per_message() -> None:
    texts = [s.text for s in read_personal()]
    masker = default_masker()
    started = time.perf_counter()
    for text in texts:
        masker.mask(text)
    assert (time.perf_counter() - started) / len(texts) < 0.003  # target 1 ms; slack for a busy shared machine


@pytest.mark.parametrize(
    "text",
    ["1 " * 2048, "born " + "1 " * 2000, "12 34 " * 700 + "x", "a." * 2048, "a.b" * 1300 + "@", "Anna\n" * 800, "Abc iela " * 450],
)
def test_a_long_hostile_message_is_masked_quickly(text: str) -> None:
    started = time.perf_counter()
    mask_personal_data(text[:4096])
    assert time.perf_counter() - started < 1.0  # about 70 ms here; nested unbounded repeats took minutes


def test_importing_the_module_loads_nothing_heavy() -> None:
    code = "import sys, bot.core.privacy.masking; print(sorted(m for m in sys.modules if m.startswith(('bot.core.content', 'yaml'))))"
    loaded = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


def test_the_blind_set_stays_above_its_floor():
    """The set written without seeing the masker (never tuned on): 95-97% per language when measured (docs/privacy.md)."""
    from benchmarks.masking import BLIND, score
    from bot.core.text import normalize_user_text

    result = score(prepare=normalize_user_text, path=BLIND)
    assert {lang: round(s.recall, 3) for lang, s in result.languages.items() if s.recall < 0.93} == {}
    assert not result.overall.kept_wrongly
