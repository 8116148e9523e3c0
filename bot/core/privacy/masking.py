"""Replaces personal data in a user's message with tags, before anything keeps or reads it.

Users write their names, phones, personal codes, passport and account numbers
into the chat. Every incoming message goes through ``mask_personal_data``
before Rasa, the tracker store, the logs, the staff inbox or the training data
see it; ``[name]``, ``[phone]``, ``[e-mail]``, ``[personal code]``,
``[document]``, ``[account]``, ``[card]``, ``[date of birth]`` and
``[address]`` stand in for what was removed.

Why regular expressions and word lists, not spaCy's rule matchers or a
named-entity model: spaCy is not installed in either venv (and downloads are
not allowed), and its multilingual entity models tag the assistant's own
vocabulary (PMLP, Rīga, "Uzturēšanās Atļauja") as names as readily as people,
so they would need the same lexicon of words to keep anyway. Numbers have
shapes a pattern says exactly (a Luhn check for cards, mod 97 for IBANs, the
date inside a Latvian personal code: the pack's ``settings.personal_code``), and names in these messages come
either after a cue ("my name is", "mani sauc", "меня зовут", a signature, "my
wife") or as capitalised words the assistant does not know. The known words
come from the content pack (every example, title, answer, office and place,
in every language), so a question about the assistant's subjects is left as
it is; places, offices, countries, nationalities and months are never names,
and an address, phone or e-mail the pack itself publishes (an office's) stays.
The masker runs in the Rasa venv and the staff venv with the standard library
only, and takes about 0.2 ms per message (``benchmarks/masking.py`` measures
recall on ``tests/data/privacy/personal.jsonl`` and false changes on the
held-out questions). Every repetition a user can make a pattern retry is
bounded, so a hostile 4096-character message takes tens of milliseconds.

What it misses: a name with no cue that the assistant happens to know as a
word or month ("Це Марта Ковальська": Марта is March), a lone first name
outside the built-in list of common ones, and foreign place or brand names
written like names ("San Francisco", "Toyota Corolla") are masked as names.

Order matters: the most specific shape goes first (an IBAN contains a number
that looks like a phone, a card number is digits like a personal code), and
each step leaves a tag that no later step can match, so masking a masked text
changes nothing.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.content.model import Answer, Label, PersonalCode

logger = logging.getLogger(__name__)

#: The kinds of personal data, each replaced by ``[kind]``.
KINDS = ("name", "phone", "e-mail", "personal code", "document", "account", "card", "date of birth", "address")
_TAG_OF = {kind: f"[{kind}]" for kind in KINDS}
#: A tag the masking leaves; group 1 is its kind.
TAGS = re.compile(r"\[(" + "|".join(re.escape(k) for k in KINDS) + r")\]")


@dataclass(frozen=True)
class Masked:
    """A message with its personal data replaced by tags."""

    text: str  # the message with personal data replaced by tags
    kinds: tuple[str, ...]  # the kinds found, in order of first appearance, no duplicates, e.g. ("name", "phone")


# ---------------------------------------------------------------------------
# Word lists. Compared on "folded" words: lowercase, Latin letters without
# diacritics (people type Latvian without them), Cyrillic letters as they are.
# ---------------------------------------------------------------------------

_APOSTROPHES = str.maketrans({c: "'" for c in "\u2019\u2018\u02bc\u02b9`\u00b4"})


@lru_cache(maxsize=8192)
def fold(word: str) -> str:
    """Lowercase, apostrophes unified, diacritics removed from Latin letters (not from й, ё, ї)."""
    word = word.lower().translate(_APOSTROPHES)
    if word.isascii():
        return word
    out: list[str] = []
    for char in word:
        if char < "\u0250":  # Latin: ā → a, š → s
            out.extend(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
        else:
            out.append(char)
    return "".join(out)


def _words(text: str) -> tuple[str, ...]:
    return tuple(fold(w) for w in text.split())


#: Countries, nationalities, languages, regions: beginnings of their words (folded), in en/lv/ru/uk.
#: Chosen not to begin a common first name ("литв" would catch Литвиненко, "рус" Руслан).
_COUNTRY_STEMS = _words("""
    ukrain latvi lettland lithuan lietuv eston igaun russia kriev baltkriev belarus polish poland polij
    german vacij french france francij francu spain spanish spanij ital india indian indij indies pakistan bangladesh nepal
    china chinese kinas kinie vietnam vjetnam philippin filipin indones japan korea turkey turkish turcij
    turkmen uzbek tajik tadzik kazakh kazah kyrgyz kirgiz azerbaij azerbaidz armenia gruzij georgian moldov
    syria sirij iraq irak iranian afghan afgan egypt egipt morocc marok nigeria nigerij ghana kenya kenij
    zimbabw africa afrik america amerik canad kanad brazil mexic meksik colombia ireland irish irij
    britain british england english scotland scottish lielbritan anglij angli swed zviedr norw norveg
    finland finnish somij denmark danish danij netherland dutch holland niderland belgi austria austrij
    switzerland swiss sveic czech cehij slovak hungar ungarij romania rumanij bulgar serbia serbij croat
    horvat greece greek griek portug israel izrael europ eirop schengen sengen baltic baltij asia asian azij
    arab scandinav skandinav republic republik federation federacij emirat latvij latvies
    украин латви латыш литовск литовц эстон росси русск белорус беларус польш польск германи немец немецк
    франц испан итали индия индии индию индийск индиец пакистан бангладеш непал китай вьетнам филиппин индонез
    япони японск корейск турци турец туркмен узбек таджик казах кыргыз киргиз азербайдж армени армян грузи
    молдов молдав афган египт египет марокк нигери африк америк канад бразил мексик ирланд британ англи
    шотланд швеци шведск норвеги норвеж финлянд финск датск нидерланд голланд бельги австри швейцар чехи
    чешск словак венгр румын болгар серби хорват греци греческ португал израил европ евросоюз шенген
    балти азиат араб скандинав федерац республик эмират
    україн латві латиш литовськ естон росі російськ білорус польщ польськ німеч німецьк франці французьк
    іспан італі індія індії індію індійськ пакистан китаї китайськ в'єтнам філіппін індонез япон корейськ
    туреч турц туркмен узбек таджик казах киргиз азербайдж вірмен грузі молдов афган єгипт марокк нігері
    африк америк канад бразил мексик ірланд британ англі шотланд швеці шведськ норвег фінлянд фінськ данськ
    нідерланд голланд бельгі австрі швейцар чехі чеськ словач угорщ румун болгар сербі хорват греці грецьк
    португал ізраїл європ євросоюз шенген балті араб скандинав федераці республік емірат
""")
#: Whole words for countries whose beginnings would also begin names or ordinary words (Литва, Литвиненко).
_COUNTRY_WORDS = frozenset(
    _words("""
    uk usa us eu es ee lv lt ua iran cuba peru chad mali oman laos сша ес єс
    литва литвы литве литву литвой литви литві китая китае китаю корея кореи корею кореї дания дании данию данія
    данії сирия сирии сирию сирія сирії ирак ирака ираке иран ирана ирану иране ірак іран азия азии азию азія азії
""")
)

#: A month in any form in en/lv/ru/uk (dates of birth in words; never a name).
_MONTH = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?"
    r"|nov(?:ember)?|dec(?:ember)?"
    r"|janv[āa]r(?:is|a|[īi])|febru[āa]r(?:is|a|[īi])|mart(?:s|a|[āa]|u)|apr[īi]l(?:is|a|[īi])|maij(?:s|a|[āa]|u)"
    r"|j[ūu]nij(?:s|a|[āa]|u)|j[ūu]lij(?:s|a|[āa]|u)|august(?:s|a|[āa]|u)|septembr(?:is|a|[īi])|oktobr(?:is|a|[īi])"
    r"|novembr(?:is|a|[īi])|decembr(?:is|a|[īi])"
    r"|январ[ьяеюё]м?|феврал[ьяеюё]м?|март[аеуо]?м?|апрел[ьяеюё]м?|ма[йяеюё]м?|июн[ьяеюё]м?|июл[ьяеюё]м?"
    r"|август[аеуо]?м?|сентябр[ьяеюё]м?|октябр[ьяеюё]м?|ноябр[ьяеюё]м?|декабр[ьяеюё]м?"
    r"|січ(?:ень|ня|ні)|лют(?:ий|ого|ому)|берез(?:ень|ня|ні)|квіт(?:ень|ня|ні)|трав(?:ень|ня|ні)|черв(?:ень|ня|ні)"
    r"|лип(?:ень|ня|ні)|серп(?:ень|ня|ні)|верес(?:ень|ня|ні)|жовт(?:ень|ня|ні)|листопад(?:а|і|у)?|груд(?:ень|ня|ні)"
)
_MONTH_WORD = re.compile(rf"(?:{_MONTH})\.?", re.IGNORECASE)
_WEEKDAY_STEMS = _words("""
    monday tuesday wednesday thursday friday saturday sunday pirmdien otrdien tresdien ceturtdien piektdien
    sestdien svetdien понедельник вторник сред четверг пятниц суббот воскресен понеділ вівтор серед четвер
    п'ятниц субот неділ
""")

#: Common first names (folded) of the people who write to the assistant: Latvian, Russian, Ukrainian,
#: Central and South Asian, Arabic, African and English ones. A capitalised word here counts as a name
#: even when the pack uses it as an ordinary word, and declined forms (Annu, Ивана, Ludmilu) count too.
_FIRST_NAMES = frozenset(
    _words("""
    janis andris juris martins edgars karlis peteris arturs aivars armands gints raimonds roberts kristaps
    maris valdis uldis guntis ainars normunds oskars rihards davis markuss gatis aigars viesturs kaspars
    ilze anna liga inese dace kristine laura liene santa zane ieva elina agnese linda sanita evija baiba inga
    gunta daiga ruta iveta ilona jolanta sandra vija dzintra aija ligita madara signe elza alise katrina
    sofija emilija ilga marta anastasija valentina tamara nina natalija viktorija jelena olga irina
    ivan sergei sergey dmitry dmitri dmitrijs alexei alexey alexander aleksandrs andrei andriy andrii
    oleksandr oleksii mykola mykhailo taras bohdan yaroslav vitalii volodymyr yurii vasyl petro stepan
    olena elena natalia natalya iryna oksana svitlana svetlana tatiana tetiana yulia julia maria mariia
    kateryna ekaterina victoria anastasia sofia sofiia khrystyna solomiia halyna lyudmila liudmyla larysa
    nadiya nadia daria darya polina alina karina veronika kristina diana marina galina
    иван алексей сергей дмитрий андрей александр николай владимир михаил павел евгений виктор юрий игорь
    олег максим артём артем роман денис антон вадим константин станислав георгий василий пётр петр борис
    григорий тимур руслан рустам фарид ахмед абдулла анатолий валерий геннадий леонид аркадий эдуард
    ольга елена наталья наталия татьяна ирина светлана анна мария екатерина анастасия юлия марина людмила
    галина оксана валентина надежда вера ксения дарья полина алина виктория алиса карина софия вероника
    кристина лариса тамара зинаида нина алла жанна эльвира гульнара зарина диана елизавета любовь раиса
    іван олександр андрій дмитро сергій тарас богдан микола василь петро юрій ярослав віталій степан назар
    остап орест євген данило володимир михайло олексій ігор
    олена ірина наталія тетяна юлія ганна катерина анастасія вікторія христина соломія мілана злата софія
    дарина вероніка надія мар'яна уляна людмила оксана галина лариса
    mohammed muhammad mohamed mohammad ahmed ahmad ali hassan hussein omar fatima aisha ayesha mariam amina
    ravi raj rahul amit arjun sanjay vijay priya pooja anjali deepak suresh ramesh rakesh sunil anil manoj
    mohan krishna lakshmi abdul rashid hamid karim yusuf ibrahim khalid tariq bilal imran
    dilshod farhod rustam timur bekzod jasur sardor nodir akmal aziz gulnara dilnoza nilufar zarina malika
    john james david michael peter paul daniel thomas mark george robert richard william joseph mary sarah
    emma grace hannah elizabeth jennifer jessica kwame kofi chinedu emeka tendai tomasz piotr ewa agnieszka
    katarzyna mehmet mustafa ayse fatma maria jose carlos pedro ana
""")
)

#: Words that never start or continue a name even when capitalised: pronouns, articles, prepositions, greetings.
_STOPWORDS = frozenset(
    _words("""
    i im i'm a an the and or but from in at to of for with my me is am are was not no yes hi hello dear please thanks
    un vai ar uz es mes ir esmu mans mana man ludzu paldies sveiki labdien
    и или а но из в на с со у к по о я мы мне мой моя это не да нет привет спасибо пожалуйста здравствуйте
    і й та або з зі до ми мені мій моя це ні так дякую будь вітаю привіт
""")
)


# ---------------------------------------------------------------------------
# Numbers: e-mail, account, card, personal code, document, date of birth, phone.
# ---------------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{0,63}\w@[\w-]{1,63}(?:\.[\w-]{1,63}){0,5}\.[^\W\d_]{2,24}")

#: IBAN length per country, for an IBAN typed with a wrong digit (its check digits then fail).
_IBAN_LENGTHS = {
    "LV": 21,
    "LT": 20,
    "EE": 20,
    "UA": 29,
    "DE": 22,
    "PL": 28,
    "GB": 22,
    "FI": 18,
    "SE": 24,
    "NO": 15,
    "DK": 18,
    "FR": 27,
    "ES": 24,
    "IT": 27,
    "NL": 18,
    "BE": 16,
    "AT": 20,
    "CZ": 24,
    "SK": 24,
    "IE": 22,
    "GE": 22,
    "MD": 24,
    "BY": 28,
    "AZ": 28,
    "KZ": 20,
    "TR": 26,
    "PT": 25,
    "CH": 21,
    "RO": 24,
    "BG": 22,
}
_IBAN = re.compile(r"(?<!\w)[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,8}(?: ?[A-Za-z0-9]{1,3})?(?!\w)")
_CARD = re.compile(r"(?<![\w+])[2-6]\d{3}(?:[ -]?\d){9,15}(?!\w)")
#: The names of a personal code ("personal code", "personas kods", "персональний код"), before its digits. How the
#: code itself is written is the country's: the pack's ``settings.personal_code`` (``PersonalCodeShape``).
_PERSONAL_CODE_CUE = (
    r"(?i)(?<!\w)(?:personal code|personas kod\w*|person\w* kod\w*|персональн\w* код\w*|личн\w* код\w*"
    r"|особист\w* код\w*|p\.?\s?k\.)[^\d\[\n]{0,12}?"
)


@dataclass(frozen=True)
class PersonalCodeShape:
    """A country's personal code as compiled regular expressions (from the pack's ``settings.personal_code``).

    ``alone`` finds a code anywhere (its boundaries included); ``after_cue``
    finds its digits in any grouping after its name ("мій персональний код
    3241 0712 345"), group ``code`` being the digits.
    """

    alone: re.Pattern[str]
    after_cue: re.Pattern[str]

    @classmethod
    def compile(cls, pattern: str, after_cue: str) -> PersonalCodeShape:
        """Compiles the pack's two patterns (``after_cue``: the digits only; the cue words are added here)."""
        return cls(re.compile(pattern), re.compile(rf"{_PERSONAL_CODE_CUE}(?P<code>{after_cue})(?![\w-])"))


#: Passport, ID and residence card numbers that need no cue: LV1234567, lv1234567, FE123456, ЕК 451209.
_DOCUMENT = re.compile(r"(?<![\w-])(?:[A-Z]{2} ?\d{6,7}|[a-z]{2}\d{6,7}|[А-ЯЁІЇЄҐ]{2} ?\d{6})(?![\w-])")
#: Words after which the next number is a document's ("passport 4510 123456", "ID karte 001488923").
_DOCUMENT_CUE = re.compile(
    r"(?i)(?<!\w)(?:passport\w*|pass|pase\w*|pasi|загранпаспорт\w*|паспорт\w*|id[- ]?(?:card|kart\w*|карт\w*)"
    r"|residence card|permit card|kart[eīi]\w*|посвідк\w*|серия|серии|серія|серії|series|внж"
    r"|document number|dokumenta numurs|номер документа)(?!\w)"
)
_DOCUMENT_NUMBER = re.compile(r"\d{2} ?\d{2} ?№ ?\d{6}(?!\d)|\d{2}[A-Za-z]{2}\d{5}(?!\w)|[^\W\d_]{0,3}-?\d(?: ?\d){5,11}(?![\w])")
_DOCUMENT_WINDOW = 40

_DATE_NUMERIC = r"\d{4}-\d{1,2}-\d{1,2}(?!\d)|\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})(?![\d.]\d)"
_DATE_WORDS = (
    rf"\d{{4}}\.?\s*(?:gada|g\.)\s*\d{{1,2}}\.?\s*(?:{_MONTH})(?!\w)"  # 1985. gada 4. martā
    rf"|\d{{1,2}}(?:\.|st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTH})\.?,?\s+\d{{4}}(?:\s*(?:г\.|года|року|р\.|gada|gadā|g\.))?"  # 3 March 1979
    rf"|(?:{_MONTH})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"  # March 3, 1979
)
_DOB_CUE = (
    r"(?<!\w)(?:born|birth\w*|d\.?o\.?b\.?|dzim\w*\.?|dz\.|родил(?:ся|ась|ись)|рожд\w*\.?|народи(?:вся|лася|лися)"
    r"|народж\w*\.?|нар\.)"
)
_DATE_OF_BIRTH = re.compile(
    rf"(?i){_DOB_CUE}[^\d\n.!?]{{0,15}}?(?P<date>{_DATE_WORDS}|{_DATE_NUMERIC}|(?:19|20)\d{{2}}(?!\d))"
    rf"|(?P<after>(?:{_DATE_WORDS}|{_DATE_NUMERIC}|(?:19|20)\d{{2}}(?!\d))\s*"
    r"(?:г\.\s?р\.|р\.\s?н\.|года рождения|року народження|dzim\.))"
)

#: Up to 15 digits with spaces, hyphens and brackets between them (bounded: no slow backtracking on "1 1 1 …").
_PHONE = re.compile(r"(?<![\w+/.,-])\(?\+?\d(?:[ ()\-\u00a0]{0,3}\d){1,14}(?![\w/]|[.,]\d)")
_PHONE_CUE = re.compile(
    r"(?i)(?:tel|phone|t[āa]lr|telef|mob|number|nr\.|numur|номер|тел|call|zvan|whatsapp|viber|telegram|звон|дзвон|телефон)"
)
_MONEY_AFTER = re.compile(r"\s*(?:€|eur|euro|eiro|евро|євро|руб|грн|usd|\$)", re.IGNORECASE)
_MONEY_BEFORE = re.compile(r"(?:€|eur|\$)\s*$", re.IGNORECASE)
_DIGIT_GROUP = re.compile(r"\d+")
_YEAR = re.compile(r"(?:19|20)\d{2}")
_DATE_LIKE = re.compile(r"\d{1,2}-\d{1,2}-\d{2,4}|\d{4}-\d{1,2}-\d{1,2}")


def _iban_ok(compact: str) -> bool:
    """An IBAN's check digits are right, or it has about its country's length (a digit mistyped, missing or doubled)."""
    if not 15 <= len(compact) <= 34 or sum(c.isdigit() for c in compact) < 8:
        return False
    rearranged = compact[4:] + compact[:4]
    if int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1:
        return True
    expected = _IBAN_LENGTHS.get(compact[:2])
    return expected is not None and abs(expected - len(compact)) <= 1


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = int(char) * (2 if i % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _card_ok(number: str) -> bool:
    digits = re.sub(r"\D", "", number)
    return 13 <= len(digits) <= 19 and _luhn_ok(digits)


def _longest_prefix(match: re.Match[str], ok: Callable[[str], bool], tag: str) -> str:
    """The match with its longest valid part (cut at a space or hyphen) replaced by ``tag``."""
    text = match.group()
    cuts = [len(text)] + [i for i in range(len(text) - 1, 0, -1) if text[i] in " -" and text[i - 1] not in " -"]
    for cut in cuts:
        if ok(text[:cut]):
            return tag + text[cut:]
    return text


def _mask_iban(text: str) -> str:
    return _IBAN.sub(lambda m: _longest_prefix(m, lambda s: _iban_ok(s.replace(" ", "").upper()), _TAG_OF["account"]), text)


def _mask_card(text: str) -> str:
    return _CARD.sub(lambda m: _longest_prefix(m, _card_ok, _TAG_OF["card"]), text)


def _mask_personal_code(text: str, shape: PersonalCodeShape | None) -> str:
    """Masks personal codes as the pack writes them: alone, then after their name; nothing without a shape."""
    if shape is None:
        return text
    text = shape.alone.sub(_TAG_OF["personal code"], text)
    return shape.after_cue.sub(lambda m: m.group()[: m.start("code") - m.start()] + _TAG_OF["personal code"], text)


def _mask_document_after_cue(text: str) -> str:
    """Masks the first number within a few words after a document word; one pass, right to left."""
    spans: list[tuple[int, int]] = []
    for cue in _DOCUMENT_CUE.finditer(text):
        window_end = min(len(text), cue.end() + _DOCUMENT_WINDOW)
        digit = next((i for i in range(cue.end(), window_end) if text[i].isdigit()), None)
        if digit is None or "[" in text[cue.end() : digit] or any(c in "\n!?" for c in text[cue.end() : digit]):
            continue
        start = digit
        while start > cue.end() and digit - start < 3 and text[start - 1].isalpha():
            start -= 1
        number = _DOCUMENT_NUMBER.match(text, start)
        if number and not _MONEY_AFTER.match(text, number.end()) and (not spans or start >= spans[-1][1]):
            spans.append((start, number.end()))
    for start, end in reversed(spans):
        text = text[:start] + _TAG_OF["document"] + text[end:]
    return text


def _mask_date_of_birth(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group("after") is not None:
            return _TAG_OF["date of birth"]
        start = match.start("date") - match.start()
        return match.group()[:start] + _TAG_OF["date of birth"]

    return _DATE_OF_BIRTH.sub(replace, text)


def _phone_ok(number: str, cue: bool) -> bool:
    """Whether digits with spaces, hyphens and brackets are a phone number (by count and first digits)."""
    digits = re.sub(r"\D", "", number)
    count = len(digits)
    if number.lstrip("(").startswith("+"):
        return 8 <= count <= 15
    groups = _DIGIT_GROUP.findall(number)
    if all(len(g) == 4 and _YEAR.fullmatch(g) for g in groups) or _DATE_LIKE.fullmatch(number.strip("() ")):
        return False  # 2008-2010, 22-01-2007
    if digits.startswith("00"):
        return 10 <= count <= 15
    if count == 8 and digits.startswith(("80", "90")):
        return False  # Latvian toll-free and service numbers (8000 8989): an office's, not a person's
    return (
        (count == 8 and digits[0] in "26")  # Latvian mobile and landline numbers
        or (count in (10, 11) and digits[0] == "0")  # Ukrainian 0XX XXX XX XX, British 07XXX XXXXXX
        or (count == 11 and digits[0] in "78")  # Russian 8 9XX XXX XX XX
        or (count == 11 and digits.startswith("371"))
        or (count == 12 and digits.startswith(("380", "375", "998", "992", "996", "994", "995")))
        or (cue and 7 <= count <= 15)
    )


def _phone_key(number: str) -> str:
    """The last eight digits: how an office's number is recognised however it is written."""
    return re.sub(r"\D", "", number)[-8:]


def _mask_phone(text: str, public: frozenset[str] = frozenset()) -> str:
    """Masks phone numbers, except the ``public`` ones (by ``_phone_key``): an office's number is not personal."""

    def replace(match: re.Match[str]) -> str:
        found = match.group()
        if _MONEY_AFTER.match(text, match.end()) or _MONEY_BEFORE.search(text, max(0, match.start() - 8), match.start()):
            return found
        if _phone_key(found) in public:
            return found
        cue = bool(_PHONE_CUE.search(text, max(0, match.start() - 25), match.start()))
        bounds = [0] + [i + 1 for i, c in enumerate(found) if c == " "]
        for first in bounds:  # the longest phone number inside: "phone 29123456 2 times"
            for end in [len(found)] + [i for i in range(len(found) - 1, first, -1) if found[i] == " "]:
                part = found[first:end].rstrip(" -(")
                start = first + 1 if part.startswith("(") and ")" not in part else first
                part = found[start : first + len(part)]
                if part and part[-1].isdigit() and part[0] in "+(0123456789" and _phone_ok(part, cue):
                    return found[:start] + _TAG_OF["phone"] + found[start + len(part) :]
        return found

    return _PHONE.sub(replace, text)


# ---------------------------------------------------------------------------
# Addresses.
# ---------------------------------------------------------------------------

_FLAT = (
    r"(?:,?\s*(?:dz\.|dz|dz[īi]v\.|dz[īi]vok[ļl](?:is|[īi])|apt\.?|apartment|flat|кв\.?|квартир[аеуі]|кв-ра)"
    r"\s*(?:nr\.?|№)?\s*\d{1,4}[a-zа-я]?(?!\w))?"
)
_HOUSE = r"\d{1,4}[A-Za-zА-Яа-я]?(?:\s?k[-.]?\s?\d{1,2})?(?:\s?[-/]\s?\d{1,4}(?![\d.,]\d))?(?![\w.,]\d|\w)"
_STREET_WORD = r"[^\W\d_][\w'’-]{0,40}\.?"
_STREET_AFTER = (
    r"(?:iel[aāu]|ielas|gatv[eē]|gatves|bulv[āa]r(?:is|[īi])|bulv\.|prospekt(?:s|[āa]|u)|prosp\.|laukum(?:s|[āa]|u)"
    r"|[šs]osej(?:a|[āa])|alej(?:a|[āa])|krastmal(?:a|[āa])|dambis|damb[īi]|street|str\.|st\.|road|rd\.|avenue|ave\."
    r"|lane|boulevard|blvd\.?|улица|вулиця|иела|иелу|гатве|бульварис|проспектс|дамбис|аллея|аллее|алея|шосея)"
)
#: "Brīvības iela 12-5", "Гертрудес улица 40-7".
_ADDRESS_AFTER = re.compile(
    rf"(?<![\w.])(?P<name>(?:{_STREET_WORD}\s+){{1,3}}){_STREET_AFTER}\s*,?\s*(?:nr\.?\s*)?{_HOUSE}{_FLAT}", re.IGNORECASE
)
#: "ул. Ленина 5", "вул. Шевченка 10, кв. 4", "на улице Маскавас 244".
_ADDRESS_BEFORE = re.compile(
    rf"(?i)(?<!\w)(?:(?:ул|вул|пр|просп|бульв|пер|ul)\.|(?:ул|вул|пр-т|б-р)(?!\w)|(?-i:улиц[аеуы]|вулиц[яіює]|проспект[еіау]?"
    rf"|бульвар[еіау]?|переул(?:ок|ке)|провул(?:ок|ку)|шоссе|ulica)\s+(?=[А-ЯЁІЇЄҐA-Z]))"
    rf"\s*(?P<name>(?:{_STREET_WORD},?\s+){{1,3}}?)(?:д\.\s*|дом\s+|буд\.\s*)?{_HOUSE}{_FLAT}"
)
#: "12 Brivibas street, apt 4".
_ADDRESS_NUMBER_FIRST = re.compile(
    rf"(?<![\w.])(?:(?:flat|apt\.?|apartment)\s*\d{{1,4}},?\s+)?\d{{1,4}}[A-Za-z]?(?:[-/]\d{{1,4}})?,?\s+"
    rf"(?P<name>(?:{_STREET_WORD}\s+){{1,2}})"
    rf"(?:street|st\.|road|rd\.|avenue|ave\.|iela|lane|boulevard|blvd\.?)(?!\w){_FLAT}",
    re.IGNORECASE,
)
#: "my address is Lāčplēša 20-4", "adrese: Lāčplēša 20-4", "dzīvoju Lāčplēša 20-4".
_ADDRESS_CUE = re.compile(
    r"(?i)(?<!\w)(?:address(?:\s+is)?|adrese(?:\s+ir)?|adresi|адрес(?:у)?|адреса|адресою|i live at|i'm at|i am at"
    rf"|dz[īi]voju|dz[īi]vojam|живу|живем|живём|живемо)\s*[:\-–—]?\s*(?P<name>(?:{_STREET_WORD},?\s+){{1,3}}?){_HOUSE}{_FLAT}"
)
#: Words that may stand before a street's name without being part of it ("Dzīvoju Brīvības ielā 5").
_ADDRESS_LEAD = frozenset(
    _words("""
    dzivoju dzivojam dzivo live living lives at on in uz es mes we i im i'm is ir my the and un flat adrese address
    живу живем живём живемо на по адресу адресою за в у адрес адреса и і
""")
)


_STREET_KEYWORD = re.compile(rf"(?i){_STREET_AFTER}|ул|вул|пр|просп|бульв|пер|ul|улиц[аеуы]|вулиц[яіює]|dzīvoju|dzivoju")


_ADDRESS_PATTERNS = (_ADDRESS_AFTER, _ADDRESS_BEFORE, _ADDRESS_NUMBER_FIRST, _ADDRESS_CUE)


def _address_key(address: str) -> str | None:
    """The street's (last) name word, cut to five letters, and the house number: "valde38" for "K. Valdemāra iela 38"."""
    number = re.search(r"\d+", address)
    if number is None:
        return None
    words = [w for w in _WORD.findall(address[: number.start()]) if not _STREET_KEYWORD.fullmatch(w)]
    return fold(words[-1])[:5] + number.group() if words else None


# ---------------------------------------------------------------------------
# Names.
# ---------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+(?:['’ʼ-][^\W\d_]+)*")
#: Cues after which the next words are a name in any letter case ("my name is ivan petrov").
_STRONG_CUE = re.compile(
    r"(?i)(?<!\w)(?:my name is|my name's|my full name is|name is|full name|first name|last name|surname|family name|name"
    r"|mani sauc|mans v[āa]rds(?:\s+ir)?|v[āa]rds,?\s+uzv[āa]rds|v[āa]rds|uzv[āa]rds"
    r"|меня зовут|мо[её] имя|имя|фамилия|фио|мои данные|menya zovut|menia zovut"
    r"|мене звати|мене звуть|мо[єї] ім'я|ім'я|прізвище|піб|мої дані|mene zvaty|mene zvut)(?!\w)[\s:,\-–—]*"
)
#: Cues after which a capitalised word is a name ("I am Olena", "я — Дмитрий", "my wife Fatima").
_WEAK_CUE = re.compile(
    r"(?i)(?<!\w)(?:i am|i'm|i’m|im|this is|it's|it is|es esmu|esmu|es|šeit|я|это|я есть|це"
    r"|mr|mrs|ms|miss|dr|г-н|г-жа|господин|госпожа|пан|пані|account holder|recipient|sa[ņn][ēe]m[ēe]js|получатель|отримувач"
    r"|(?:my |mana |mans |manu |savu |sava |мо[йяюеё] |мі[йя] |мою |моєї |моего |моей )?"
    r"(?:wife|husband|son|daughter|mother|mom|mum|father|dad|brother|sister|friend|colleague|boss|employer|landlord"
    r"|landlady|neighbou?r|child|kid|partner|fianc[ée]e?|girlfriend|boyfriend|cousin|uncle|aunt|grandmother|grandfather"
    r"|grandson|granddaughter|nephew|niece|baby"
    r"|siev(?:a|u|as|ai)|v[īi]r(?:s|u|a|am)|d[ēe]l(?:s|u|a|am)|meit(?:a|u|as|ai)|m[āa]t(?:e|i|es|ei)|mamm(?:a|u|as|ai)"
    r"|t[ēe]v(?:s|u|a|am)|br[āa]l(?:is|i|im|a)|m[āa]s(?:a|u|as|ai)|draug(?:s|u|a|am)|draudzen(?:e|i|es|ei)"
    r"|kol[ēe][ģg](?:is|i|im|a|e|es|ei)|kaimi[ņn](?:[šs]|u|am|a|iene|ieni|ienei|ienes)|b[ēe]rn(?:s|u|a|am)"
    r"|жен[аеуыо]й?|муж[аеу]?|сын[аеу]?|доч[ьк]\w{0,2}|дочер\w{0,2}|мам[аеуы]|мать|матер\w{0,2}|отец|отц[аеу]|пап[аеуы]"
    r"|брат[аеу]?|сестр[аеуы]|друг[аеу]?|подруг[аеуи]|коллег[аеуи]|сосед\w{0,2}|ребен\w{0,2}|ребён\w{0,2}|бабушк\w"
    r"|дедушк\w|племянни\w{1,2}|начальни\w{1,2}|хозя\w{1,3}"
    r"|дружин[аіу]|чолові\w{0,2}|син[аау]?|донь\w{1,2}|доньк\w|донечк\w|дочк\w|мам[аиу]|мати|батьк\w|тат[оа]"
    r"|сестр[аиу]|подруг\w|колег\w|сусід\w{0,2}|дитин[аиу]|бабус\w|дідус\w|онук\w{0,2}|племінни\w{1,2}|господар\w{0,2}))"
    r"(?:'s)?(?!\w)[\s:,\-–—]*"
)
_SIGNATURE_CUE = re.compile(
    r"(?i)(?<!\w)(?:(?:kind |best |warm )?regards|thanks?(?: a lot| you(?: very much)?)?|cheers|(?:yours )?sincerely"
    r"|yours faithfully|best wishes|respectfully|ar cie[ņn]u|ar labiem v[ēe]l[ēe]jumiem|ar sveicieniem|paldies"
    r"|с уважением|спасибо|заранее спасибо|благодар\w*|всего доброго|с наилучшими пожеланиями"
    r"|з повагою|дякую|заздалегідь дякую|щиро дякую|вдячн\w*|заздалегідь вдячн\w*|з найкращими побажаннями)"
    r"[ \t]*(?:[,!.]+\s*|\n\s*)"
)
#: Small words inside names: "Nguyen van Minh", "Maria de Souza", "Omar al Rashid".
_NAME_PARTICLES = frozenset(_words("van von de del der den da di dos das du la le al el bin ibn bint ter"))
_HERE = re.compile(r"[ \t]+here(?!\w)", re.IGNORECASE)
_PAIR_GAP = re.compile(r"[ \t\u00a0]+")
_SEGMENT_END = re.compile(r"[.!?\n]\s*|$")
_MAX_NAME_WORDS = 4


class Masker:
    """Masks personal data, knowing which words are the assistant's own (never a name)."""

    def __init__(
        self,
        known_words: Iterable[str] = (),
        places: Iterable[str] = (),
        public_texts: Iterable[str] = (),
        personal_code: PersonalCodeShape | None = None,
    ) -> None:
        """Builds a masker.

        Args:
            known_words: words of the assistant's content (a capitalised known word is not a name).
            places: names of places and offices (never masked).
            public_texts: what the assistant publishes (answers, offices' addresses, phones, e-mails): an
                address, phone number or e-mail found there is not personal ("Raiņa bulvāris 15 office hours"
                must still reach the office).
            personal_code: how the country's personal code is written (the pack's ``settings.personal_code``);
                None: no personal code is masked by its shape.
        """
        self._personal_code = personal_code
        self._places = frozenset(fold(w) for place in places for w in _WORD.findall(place))
        self._known = frozenset(fold(w) for w in known_words) | self._places
        texts = [t for t in public_texts if t]
        self._public_emails = frozenset(m.group().lower() for t in texts for m in _EMAIL.finditer(t))
        self._public_phones = frozenset(_phone_key(m.group()) for t in texts for m in _PHONE.finditer(t) if _phone_ok(m.group(), cue=True))
        self._public_addresses = frozenset(
            key
            for t in texts
            for key in [_address_key(t.split(",")[0]), *(_address_key(m.group()) for p in _ADDRESS_PATTERNS for m in p.finditer(t))]
            if key
        )

    # -- what a word is ------------------------------------------------------
    def is_known(self, word: str) -> bool:
        """The word is in the assistant's vocabulary."""
        return fold(word) in self._known

    def is_protected(self, word: str) -> bool:
        """A place, office, country, nationality, month or weekday: never a name."""
        folded = fold(word)
        return (
            folded in self._places
            or folded in _COUNTRY_WORDS
            or folded.startswith(_COUNTRY_STEMS)
            or folded.startswith(_WEEKDAY_STEMS)
            or _MONTH_WORD.fullmatch(word) is not None
        )

    @staticmethod
    def is_first_name(word: str) -> bool:
        """A common first name, in any case form (Анна, Анну, Gints, Gintu)."""
        folded = fold(word)
        if folded in _FIRST_NAMES:
            return True
        for cut in (1, 2, 3):
            stem = folded[:-cut]
            if len(stem) >= 4 and any(stem + end in _FIRST_NAMES for end in _NOMINATIVE_ENDINGS):
                return True
        return False

    def _name_like(self, word: str) -> bool:
        """A capitalised word that can be part of a name found without a cue."""
        return (
            len(word) > 1
            and word[0].isupper()
            and not word.isupper()
            and fold(word) not in _STOPWORDS
            and not self.is_protected(word)
            and (not self.is_known(word) or self.is_first_name(word))
        )

    # -- masking -------------------------------------------------------------
    def mask(self, text: str) -> Masked:
        """``text`` with every kind of personal data replaced by its tag."""
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        before = [m.group(1) for m in TAGS.finditer(text)]
        for step in (
            lambda t: _EMAIL.sub(lambda m: m.group() if m.group().lower() in self._public_emails else _TAG_OF["e-mail"], t),
            _mask_iban,
            _mask_card,
            lambda t: _mask_personal_code(t, self._personal_code),
            lambda t: _DOCUMENT.sub(self._document, t),
            _mask_date_of_birth,
            lambda t: _mask_phone(t, self._public_phones),
            _mask_document_after_cue,
            self._mask_addresses,
            self._mask_names,
        ):
            text = step(text)
        found = [m.group(1) for m in TAGS.finditer(text)]
        return Masked(text=text, kinds=tuple(dict.fromkeys(k for k in found if found.count(k) > before.count(k))))

    def _document(self, match: re.Match[str]) -> str:
        if _MONEY_AFTER.match(match.string, match.end()):
            return match.group()
        return _TAG_OF["document"]

    # -- addresses -----------------------------------------------------------
    def _mask_addresses(self, text: str) -> str:
        replacers: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
            (_ADDRESS_AFTER, self._street_named_before),
            (_ADDRESS_BEFORE, lambda m: _TAG_OF["address"]),
            (_ADDRESS_NUMBER_FIRST, self._street_with_name),
            (_ADDRESS_CUE, self._street_after_cue),
        )
        for pattern, replace in replacers:
            text = pattern.sub(self._unless_public(replace), text)
        return text

    def _unless_public(self, replace: Callable[[re.Match[str]], str]) -> Callable[[re.Match[str]], str]:
        """``replace``, except that an address the assistant itself publishes (an office's) stays as it is."""

        def masked(match: re.Match[str]) -> str:
            return match.group() if _address_key(match.group()) in self._public_addresses else replace(match)

        return masked

    def _street_named_before(self, match: re.Match[str]) -> str:
        """Masks a street's name, number and flat; keeps the words before the name ("Dzīvoju", "снимаю на").

        The name is the word before "iela" / "street" / "улица" and the capitalised words or
        abbreviations before it ("Krišjāņa Barona", "Kr. Valdemāra"), but not a city or "Dzīvoju".
        """
        words = list(re.finditer(r"\S+", match.group("name")))
        first = len(words) - 1
        while first > 0:
            word = words[first - 1].group()
            bare = word.strip(".,")
            if fold(bare) in _ADDRESS_LEAD or fold(bare) in self._places or not (word[:1].isupper() or word.endswith(".")):
                break
            first -= 1
        return match.group()[: match.start("name") - match.start() + words[first].start()] + _TAG_OF["address"]

    def _street_with_name(self, match: re.Match[str]) -> str:
        """Masks "12 Brivibas street" but not "5 years on the street": a street's name is capitalised or unknown."""
        words = match.group("name").split()
        if all(w[:1].isupper() or not self.is_known(w) for w in words):
            return _TAG_OF["address"]
        return match.group()

    def _street_after_cue(self, match: re.Match[str]) -> str:
        """Masks what follows "my address is" when it looks like a street: not a city, not ordinary words."""
        words = [w.strip(",.") for w in match.group("name").split()]
        if not words or any(fold(w) in _STOPWORDS or self.is_protected(w) for w in words):
            return match.group()
        if not all(w[:1].isupper() or not self.is_known(w) for w in words):
            return match.group()
        return match.group()[: match.start("name") - match.start()] + _TAG_OF["address"]

    # -- names ---------------------------------------------------------------
    def _mask_names(self, text: str) -> str:
        words = [(m.start(), m.end()) for m in _WORD.finditer(text) if not _inside_tag(text, m.start())]
        spans: list[tuple[int, int]] = []
        spans += self._after_cues(text, words, _STRONG_CUE, self._strong_first, self._strong_next)
        spans += self._after_cues(text, words, _WEAK_CUE, self._weak_first, self._weak_next, pairs=True)
        spans += self._signatures(text, words)
        spans += self._before_here(text, words)
        spans += self._capitalised_runs(text, words)
        spans += self._name_only_segments(text, words)
        return _replace_spans(text, spans, _TAG_OF["name"])

    def _strong_first(self, word: str) -> bool:
        if fold(word) in _STOPWORDS or self.is_protected(word) or (word.isupper() and self.is_known(word)):
            return False
        return word[0].isupper() or not self.is_known(word) or self.is_first_name(word)

    def _strong_next(self, word: str) -> bool:
        if fold(word) in _STOPWORDS or self.is_protected(word):
            return False
        return word[0].isupper() or not self.is_known(word)

    def _weak_first(self, word: str) -> bool:
        if fold(word) in _STOPWORDS or self.is_protected(word) or word.isupper():
            return False
        if word[0].isupper():
            return not self.is_known(word) or self.is_first_name(word)
        return self.is_first_name(word) and not self.is_known(word)  # "i am anna"

    def _weak_next(self, word: str) -> bool:
        return word[0].isupper() and not word.isupper() and fold(word) not in _STOPWORDS and not self.is_protected(word)

    def _after_cues(
        self,
        text: str,
        words: list[tuple[int, int]],
        cue: re.Pattern[str],
        first: Callable[[str], bool],
        following: Callable[[str], bool],
        pairs: bool = False,
    ) -> list[tuple[int, int]]:
        """The words after each cue that ``first`` and then ``following`` accept.

        With ``pairs``, also two capitalised words of which the second is unknown ("I am Li Wei").
        """
        spans = []
        starts = {start: i for i, (start, _) in enumerate(words)}
        for match in cue.finditer(text):
            i = starts.get(match.end())
            if i is None:
                continue
            if first(text[slice(*words[i])]):
                end = i + 1
            elif pairs and self._unknown_pair(text, words, i):
                end = i + 2
            else:
                continue
            while end < len(words) and end - i < _MAX_NAME_WORDS and _PAIR_GAP.fullmatch(text, words[end - 1][1], words[end][0]):
                word = text[slice(*words[end])]
                if following(word):
                    end += 1
                elif fold(word) in _NAME_PARTICLES and end + 1 < len(words) and following(text[slice(*words[end + 1])]):
                    end += 2  # "nguyen van minh", "Omar al Rashid"
                else:
                    break
            spans.append((words[i][0], _with_initial(text, words[end - 1][1])))
        return spans

    def _before_here(self, text: str, words: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """The name before "here": "Hi, Samuel here", "Yaw Boateng here"."""
        spans = []
        ends = {end: k for k, (_, end) in enumerate(words)}
        for match in _HERE.finditer(text):
            i = ends.get(match.start())
            if i is None or not self._weak_first(text[slice(*words[i])]):
                continue
            first = i
            while first > 0 and i - first < _MAX_NAME_WORDS - 1 and _PAIR_GAP.fullmatch(text, words[first - 1][1], words[first][0]):
                if not (self._weak_next(text[slice(*words[first - 1])]) and self._weak_first(text[slice(*words[first - 1])])):
                    break
                first -= 1
            spans.append((words[first][0], words[i][1]))
        return spans

    def _unknown_pair(self, text: str, words: list[tuple[int, int]], i: int) -> bool:
        """Words ``i`` and ``i + 1`` are capitalised, side by side, and the second is unknown."""
        if i + 1 >= len(words) or not _PAIR_GAP.fullmatch(text, words[i][1], words[i + 1][0]):
            return False
        second = text[slice(*words[i + 1])]
        return self._weak_next(text[slice(*words[i])]) and self._name_like(second) and not self.is_known(second)

    def _signatures(self, text: str, words: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """The name after "Regards," / "Ar cieņu," / "С уважением,": any capitalised words when they end the line."""
        spans = []
        starts = {start: i for i, (start, _) in enumerate(words)}
        for match in _SIGNATURE_CUE.finditer(text):
            i = starts.get(match.end())
            if i is None:
                continue
            end = i
            while (
                end < len(words)
                and end - i < _MAX_NAME_WORDS
                and (end == i or _PAIR_GAP.fullmatch(text, words[end - 1][1], words[end][0]))
                and _signature_word(text[slice(*words[end])])
                and not (self.is_protected(text[slice(*words[end])]) and not _MONTH_WORD.fullmatch(text[slice(*words[end])]))
            ):
                end += 1
            if end == i:
                continue
            names = [text[slice(*w)] for w in words[i:end]]
            rest = text[words[end - 1][1] :]
            at_end = re.match(r"[\s,.!]*(?:$|\n|\[|\+|\d|[^\W\d_]+\.?\s*[:\d+])", rest) is not None
            if at_end or any(self._name_like(n) for n in names):
                spans.append((words[i][0], _with_initial(text, words[end - 1][1])))
        return spans

    def _shouted_name_like(self, word: str) -> bool:
        """A word in capitals that can be part of a name ("ALEKSANDR MOROZOV"), not an acronym (PMLP, FOP)."""
        return (
            len(word) >= 4
            and word.isupper()
            and any(c in "AEIOUYАЕЁИОУЫЭЮЯІЇЄ" for c in word)
            and not self.is_known(word)
            and not self.is_protected(word)
        )

    def _capitalised_runs(self, text: str, words: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Two or more capitalised words the assistant does not know, side by side: "Olena Kovalchuk", "IVAN PETROV"."""
        spans = []
        run: list[tuple[int, int]] = []
        shouted = False
        for start, end in words:
            word = text[start:end]
            joined = run and _PAIR_GAP.fullmatch(text, run[-1][1], start)
            fits = self._shouted_name_like(word) if joined and shouted else self._name_like(word) or self._shouted_name_like(word)
            if not joined or not fits:
                if len(run) >= 2:
                    spans.append((run[0][0], run[-1][1]))
                run = []
                fits = self._name_like(word) or self._shouted_name_like(word)
            if fits:
                shouted = shouted if run else word.isupper()
                run.append((start, end))
        if len(run) >= 2:
            spans.append((run[0][0], run[-1][1]))
        singles = [
            (start, end)
            for start, end in words
            if self._name_like(text[start:end]) and self.is_first_name(text[start:end]) and not self.is_known(text[start:end])
        ]
        return spans + singles

    def _name_only_segments(self, text: str, words: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """A line or sentence that is only a name: "… Paldies! Dace Zariņa" (one word only when a first name: "Правильно?" stays)."""
        spans = []
        segment_start = 0
        next_word = 0
        for end_match in _SEGMENT_END.finditer(text):
            first_word = next_word
            while next_word < len(words) and words[next_word][0] < end_match.start():
                next_word += 1
            inside = [w for w in words[first_word:next_word] if w[0] >= segment_start]
            rest = text[segment_start : end_match.start()]
            if (
                segment_start > 0
                and 1 <= len(inside) <= 3
                and re.fullmatch(r"[\s\-–—]*" + r"[ \t]+".join(re.escape(text[slice(*w)]) for w in inside) + r"[\s,]*", rest)
                and all(self._name_like(text[slice(*w)]) for w in inside)
                and (len(inside) > 1 or self.is_first_name(text[slice(*inside[0])]))
            ):
                spans.append((inside[0][0], inside[-1][1]))
            segment_start = end_match.end()
            if end_match.end() >= len(text):
                break
        return spans


#: Endings of declined first names: Анну → Анна, Ивана → Иван, Gintu → Gints, Ludmilu → Ludmila.
_NOMINATIVE_ENDINGS = ("", "a", "s", "is", "e", "я", "а", "й", "ь", "о", "і", "ій", "ия", "ія")


def _signature_word(word: str) -> bool:
    return len(word) > 1 and word[0].isupper() and not word.isupper() and fold(word) not in _STOPWORDS


def _inside_tag(text: str, start: int) -> bool:
    return start > 0 and text[start - 1] == "[" and TAGS.match(text, start - 1) is not None


def _with_initial(text: str, end: int) -> int:
    """Extends a name over a following initial: "Anna K."."""
    initial = re.match(r" [A-ZА-ЯЁІЇЄҐĀČĒĢĪĶĻŅŠŪŽ]\.", text[end : end + 3])
    return end + 3 if initial else end


def _replace_spans(text: str, spans: list[tuple[int, int]], tag: str) -> str:
    """``text`` with every span (overlapping ones merged) replaced by ``tag``."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in reversed(merged):
        text = text[:start] + tag + text[end:]
    return text


# ---------------------------------------------------------------------------
# The default masker: the content pack's words, loaded once on first use.
# ---------------------------------------------------------------------------


def personal_code_shape(rule: PersonalCode | None) -> PersonalCodeShape | None:
    """The pack's personal-code setting, compiled (None when the pack sets none)."""
    return PersonalCodeShape.compile(rule.pattern, rule.after_cue) if rule else None


def _settings_only_masker() -> Masker:
    """Without the pack's vocabulary, but with its personal code when ``pack.yml`` alone can be read."""
    try:
        from bot.core.content.loader import load_pack_settings

        return Masker(personal_code=personal_code_shape(load_pack_settings().personal_code))
    except Exception:
        logger.exception("pack.yml could not be read either; masking personal data without its personal code")
        return Masker()


@cache
def default_masker() -> Masker:
    """The masker with the content pack's vocabulary, places, offices and personal code (read on first use, then kept)."""
    try:
        from bot.core.content.store import default_store

        pack = default_store().pack()
    except Exception:  # masking must work even when the content cannot be read; it then only masks more
        logger.exception("the content pack could not be read; masking personal data without its vocabulary")
        return _settings_only_masker()
    texts: list[str] = []
    public: list[str] = []  # what the assistant itself publishes, not what users wrote (examples)
    learnt: list[Answer | Label] = [*pack.answers(), *pack.labels.values()]
    for item in learnt:
        for translation in item.translations.values():
            texts += translation.examples
            public += [translation.title or "", translation.answer or ""]
    texts += public
    places: list[str] = []
    for office in pack.offices.values():
        places += [*office.name.values(), office.short, *office.aliases]
        public += [office.address or "", office.phone or "", office.email or ""]
    for branch in pack.directory.branches:
        places += list(branch.name.values())
        public += [branch.address or "", branch.phone or "", branch.email or ""]
    for city in pack.directory.cities.values():
        places += [*city.name.values(), *city.forms, city.id]
    words = {w for t in texts for w in _WORD.findall(t)}
    return Masker(known_words=words, places=places, public_texts=public, personal_code=personal_code_shape(pack.settings.personal_code))


def mask_personal_data(text: str) -> Masked:
    """``text`` with names, phones, e-mails, personal codes, documents, accounts, cards, birth dates and addresses tagged."""
    return default_masker().mask(text)
