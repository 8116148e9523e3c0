"""Every string a user sees is in the reply language (issue 15, reply contract point 5).

A reply in one language must not carry text of another: a Latvian address
note in an English office card ("ieeja no Strēlnieku ielas"), "6th entrance"
in Ukrainian, Ukrainian letters in Russian, a month name in the wrong case,
"112 (112)", or a second name for the same office. The check below knows
each language's giveaways (letters, a few unmistakable words, month names,
ordinals) and allows what is meant to stay in Latvian everywhere: street
addresses, office abbreviations ("PMLP"), city names, and the Latvian terms
the English source texts themselves keep on purpose (an e-service's name,
"izsaukums").

It runs on the office data directly (every office and branch, every
language) and over REST against the running assistant: every topic's
overview and a sample of entries, in every language, with the city the
answer asks for, then the office the answer points to.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pytest

from bot.core.content.model import Answer, Pack
from bot.core.offices.render import office_card, office_card_text
from tests.conftest import real_languages
from tests.e2e.replies import buttons, new_sender, texts

LANGS = real_languages()  # every language of data/languages.yml: a new one without its questions fails here

CYRILLIC = re.compile(r"[\u0400-\u04FF]")
UKRAINIAN_ONLY = re.compile(r"[іїєґІЇЄҐ]")
RUSSIAN_ONLY = re.compile(r"[ыэъёЫЭЪЁ]")
LATVIAN_LETTERS = re.compile(r"[āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ]")
#: Latvian words without a diacritic that no English, Russian or Ukrainian text contains (compared without diacritics).
LATVIAN_WORDS = frozenset(
    "ieeja ieejas ielas ielu korpuss stavs stava kabinets nodala nodalas pasvaldiba pasvaldibas darba laiks "
    "pirmdien pirmdiena otrdien otrdiena tresdien tresdiena ceturtdien ceturtdiena piektdien piektdiena "
    "sestdien sestdiena svetdien svetdiena slegts atverts lidz pieraksts gada janvaris februaris aprilis "
    "maijs junijs julijs septembris oktobris novembris decembris".split()
)
ENGLISH_WORDS = (
    "January February March April May June July August September October November December "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday Mon Tue Wed Thu Fri Sat Sun "
    "entrance floor building until nearest Source Sources checked"
).split()
#: English words, phrases of the interface and ordinals ("6th") that no other language's reply contains
ENGLISH_GIVEAWAYS = re.compile(
    r"\b(?:" + "|".join([*ENGLISH_WORDS, "open now", "closed now", "Where to turn"]) + r")\b|\b\d+(?:st|nd|rd|th)\b", re.IGNORECASE
)
#: A day followed by a month in the nominative: the date needs another case in the sentence.
NOMINATIVE_DATE = {
    "lv": re.compile(
        r"\b\d{1,2}\. (?:janvāris|februāris|marts|aprīlis|maijs|jūnijs|jūlijs|augusts|septembris|oktobris|novembris|decembris)\b"
    ),
    "ru": re.compile(r"\b\d{1,2} (?:январь|февраль|март|апрель|май|июнь|июль|август|сентябрь|октябрь|ноябрь|декабрь)\b"),
    "uk": re.compile(r"\b\d{1,2} (?:січень|лютий|березень|квітень|травень|червень|липень|серпень|вересень|жовтень|листопад|грудень)\b"),
}
#: "112 (112)", "pašvaldība (pašvaldība)": a name followed by itself as its abbreviation.
REPEATED = re.compile(r"(?<![\w+])(\w[\w.]*)\s*\(\s*\1\s*\)")
WORD = re.compile(r"[^\W\d_]+(?:['’ʼ][^\W\d_]+)*")
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
ADDRESS_LIKE = re.compile(r"https?://\S+|\S+@\S+|\b[\w.-]+\.(?:lv|com|eu|org|net|gov)\b\S*")


def plain(word: str) -> str:
    """A word in lowercase without diacritics."""
    return "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(c))


@dataclass
class Purity:
    """What may stay in Latvian in any reply, and the office names each language uses."""

    allowed: frozenset[str]
    #: office short ("VISC") -> the office's name per language
    names: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def of(cls, pack: Pack) -> Purity:
        kept: list[str] = []
        for office in pack.offices.values():
            kept += [street(office.address), office.short]
        for branch in pack.directory.branches:
            kept.append(street(branch.address))
        for city in pack.directory.cities.values():
            kept += list(city.name.values())
        for answer in pack.answers():  # Latvian terms the English source keeps on purpose
            kept.append(answer.translations["en"].answer or "")
        allowed = frozenset(w.lower() for text in kept for w in WORD.findall(text) if is_latvian(w))
        names = {o.short: dict(o.name) for o in pack.offices.values() if o.short}
        return cls(allowed=allowed, names=names)

    def problems(self, text: str, lang: str, answer_text: bool = False) -> list[str]:
        """What in ``text`` is not ``lang``; ``answer_text``: a content answer (its office names may be inflected)."""
        text = ADDRESS_LIKE.sub(" ", LINK.sub(r"\1", text))
        found: list[str] = []
        if lang in ("en", "lv") and CYRILLIC.search(text):
            found.append(f"Cyrillic in {lang}: {CYRILLIC.findall(text)[:5]}")
        if lang == "ru" and UKRAINIAN_ONLY.search(text):
            found.append(f"Ukrainian letters in ru: {UKRAINIAN_ONLY.findall(text)[:5]}")
        if lang == "uk" and RUSSIAN_ONLY.search(text):
            found.append(f"Russian letters in uk: {RUSSIAN_ONLY.findall(text)[:5]}")
        if lang != "lv":
            latvian = sorted({w for w in WORD.findall(text) if is_latvian(w) and w.lower() not in self.allowed})
            if latvian:
                found.append(f"Latvian in {lang}: {latvian}")
        if lang != "en":
            english = sorted({m.group(0) for m in ENGLISH_GIVEAWAYS.finditer(text)})
            if english:
                found.append(f"English in {lang}: {english}")
        if lang in NOMINATIVE_DATE and NOMINATIVE_DATE[lang].search(text):
            found.append(f"date in the wrong case in {lang}: {NOMINATIVE_DATE[lang].findall(text)}")
        if REPEATED.search(text):
            found.append(f"repeated: {REPEATED.findall(text)}")
        if not answer_text:
            found += self.name_problems(text, lang)
        return found

    def name_problems(self, text: str, lang: str) -> list[str]:
        """An office written as "<name> (<SHORT>)" uses the office's one name in ``lang``."""
        found = []
        for short, names in self.names.items():
            name = names.get(lang)
            for match in re.finditer(r"\(" + re.escape(short) + r"\)", text):
                line = text[text.rfind("\n", 0, match.start()) + 1 : match.start()]
                line = re.sub(r"^[^\w(]+", "", line.replace("**", "")).rstrip()  # no list bullet, emoji or bold
                if name and line and not line.endswith(name) and line != short:
                    found.append(f"{short} called {line!r} in {lang}, not {name!r}")
        return found


def street(address: str | None) -> str:
    """The street address without a note in brackets ("(ieeja no ...)" is a note, not an address)."""
    return re.sub(r"\([^)]*\)", " ", address or "")


def is_latvian(word: str) -> bool:
    """A word only Latvian would write: Latvian letters, or a Latvian word without them."""
    return bool(LATVIAN_LETTERS.search(word)) or plain(word) in LATVIAN_WORDS


# --- the check itself ---------------------------------------------------------------------------

REPORTED = [
    # (language, text seen in issue 15, what must be found)
    ("en", "Academic Information Centre (AIC)\n📍 Dzirnavu iela 16/k2 (ieeja no Strēlnieku ielas), Rīga, LV-1010", "Latvian in en"),
    ("uk", "Національна служба здоров'я (NVD)\n📍 Cēsu iela 31 k-3, 6th entrance, Rīga, LV-1012", "English in uk"),
    ("uk", "Єдиний номер екстреної допомоги 112 (112)\n☎ 112", "repeated"),
    ("uk", "Національний центр освіти (VISC), перевірка знання державної мови", "VISC called"),
    ("lv", "Avots: https://www.visc.gov.lv/lv/registresanas-parbaudei (pārbaudīts 2026. gada 22. novembris)", "wrong case"),
]
#: Mixtures of the same kinds that were not reported but must not slip through either.
OTHERS = [
    ("ru", "Бюро омбудсмена (Tiesībsargs)\n🕘 Зараз зачинено; відчиниться у понеділок о 09:00", "Ukrainian letters in ru"),
    ("uk", "Куди звертатися: Служба державних доходів (VID), ещё открыто", "Russian letters in uk"),
    ("en", "Open now, until 17:00\nPārbaudīts 22.11.2026.", "Latvian in en"),
    ("lv", "Nodarbinātības valsts aģentūra (NVA)\nОткрыто сейчас", "Cyrillic in lv"),
    ("ru", "Проверено 22 ноябрь 2026 г.", "wrong case"),
    ("lv", "Valsts ieņēmumu dienests (VID)\n📍 Talejas iela 1, 2nd floor", "English in lv"),
    ("lv", "pašvaldība (pašvaldība)", "repeated"),
]


@pytest.fixture(scope="module")
def purity(pack) -> Purity:
    return Purity.of(pack)


@pytest.mark.parametrize(("lang", "text", "finding"), REPORTED + OTHERS, ids=[f"{r[0]}-{r[2]}" for r in REPORTED + OTHERS])
def test_the_check_finds_what_issue_15_reported(purity, lang, text, finding):
    if finding == "VISC called":  # the name the office data had for VISC in Ukrainian then
        purity = Purity(allowed=purity.allowed, names={**purity.names, "VISC": {"uk": "Державний центр змісту освіти"}})
    assert any(finding in problem for problem in purity.problems(text, lang)), purity.problems(text, lang)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Academic Information Centre (AIC)\n📍 Dzirnavu iela 16/k2, Rīga, LV-1010\nEntrance from Strēlnieku iela"),
        ("ru", "Управление по делам гражданства и миграции (PMLP)\n📍 Čiekurkalna 1. līnija 1, k-3, Rīga, LV-1026"),
        ("uk", "Джерело: [pmlp.gov.lv](https://www.pmlp.gov.lv/lv/x) · перевірено 22 листопада 2026 р."),
        ("lv", "Avots: [pmlp.gov.lv](https://www.pmlp.gov.lv/lv/x) · pārbaudīts 22.11.2026."),
    ],
)
def test_the_check_lets_clean_replies_pass(purity, lang, text):
    assert purity.problems(text, lang) == []


# --- the office data, every office and branch in every language --------------------------------

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc)  # a Monday morning: cards show "open now"


@pytest.mark.parametrize("lang", LANGS)
def test_every_office_card_is_in_the_reply_language(pack, purity, lang):
    problems = {}
    for branch in pack.directory.branches:
        # the note on the address is data the card shows (bot/core/offices/render.py), checked here whether or not it does yet
        text = "\n".join([office_card_text(office_card(branch, lang, NOW), lang), branch.address_note_in(lang) or ""])
        if found := purity.problems(text, lang):
            problems[branch.id] = found
    assert problems == {}


@pytest.mark.parametrize("lang", LANGS)
def test_every_office_name_and_address_note_is_in_the_reply_language(pack, purity, lang):
    problems = {}
    for office in pack.offices.values():
        name = f"{office.name_in(lang)} ({office.short})" if office.short else office.name_in(lang)
        text = "\n".join([name, office.address or "", office.address_note_in(lang) or ""])
        if found := purity.problems(text, lang):
            problems[office.id] = found
    assert problems == {}


# --- over REST: topics and entries, with a city and the office they point to ------------------


def sample(pack: Pack) -> list[Answer]:
    """Every topic's overview, and per topic up to two entries, those sending people elsewhere than the overview first."""
    answers: list[Answer] = []
    for topic in pack.topics.values():
        entries = sorted(topic.entries.values(), key=lambda e: e.offices == topic.offices)
        answers += [topic, *entries[:2]]
    return answers


def payload(answer: Answer) -> str:
    topic = getattr(answer, "topic", "") or answer.id
    key = getattr(answer, "key", "")
    return f'/{topic}{{"entry":"{key}"}}' if key else f"/{topic}"


def conversation(assistant, pack: Pack, answer: Answer, lang: str) -> list[tuple[str, bool]]:
    """The texts a user sees: the answer, the answer for Riga when the city is asked for, the office it points to.

    Each text with whether it is the content answer itself (office names there may be inflected).
    """
    sender, meta_lang = new_sender(), {"lang": lang}
    replies = [assistant.send(sender, payload(answer), metadata=meta_lang)]
    riga = pack.directory.cities["riga"].name_in(lang)
    city = next((b for b in buttons(replies[-1]) if b["title"] == riga), None)
    if city:
        replies.append(assistant.send(sender, city["payload"], metadata=meta_lang))
    if answer.offices:
        replies.append(assistant.send(sender, f'/office_lookup{{"office":"{answer.offices[0]}"}}', metadata=meta_lang))
    own = answer.translations[lang].answer or ""
    seen = [t for reply in replies for t in texts(reply)]
    seen += [b["title"] for reply in replies for b in buttons(reply)]
    return [(t, t == own) for t in seen]


@pytest.mark.parametrize("lang", LANGS)
def test_replies_are_in_the_reply_language(assistant, pack, purity, lang):
    problems = {}
    for answer in sample(pack):
        for text, is_answer in conversation(assistant, pack, answer, lang):
            if found := purity.problems(text, lang, answer_text=is_answer):
                problems.setdefault(answer.id, []).append((text[:120], found))
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())
