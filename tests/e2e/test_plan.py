"""The plan of a move over HTTP: the interview in four languages, and the plans it builds for eight kinds of person.

Each conversation asks for a plan in the person's language, answers the
interview with the buttons offered (or typed words, or "skip"), and reads the
plan from the widget's checklist (``custom.plan``). Asserted: every turn is
labelled ``plan`` in the person's language, the steps each person must and
must not get, their order, the office for the person's city, and that each
step carries its entry's short answer (the key fact) with its sources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
import requests

from bot.core.dialogue import PLAN_QUESTIONS
from tests.conftest import real_languages
from tests.e2e.platforms import next_id, post_telegram, telegram_button_press, telegram_message
from tests.e2e.replies import buttons, meta, new_sender, texts

LANGS = real_languages()  # every language of data/languages.yml: a new one without its questions fails here
ASK_FOR_A_PLAN = {
    "en": "Can you make me a step by step plan for moving to Latvia?",
    "lv": "Lūdzu, sastādi man plānu pārcelšanās uz Latviju",
    "ru": "Составь мне план переезда в Латвию по шагам",
    "uk": "Склади мені план переїзду до Латвії крок за кроком",
}


@dataclass(frozen=True)
class Person:
    """Who asks: the interview's answers (option ids, a city id, None to skip) and what their plan must hold."""

    name: str
    answers: dict[str, str | None]
    present: tuple[str, ...]
    absent: tuple[str, ...] = ()
    order: tuple[tuple[str, str], ...] = ()  # (earlier, later)
    offices_in: dict[str, str] = field(default_factory=dict)  # step id -> the city its office card is in


def _answers(*values: str | None) -> dict[str, str | None]:
    """The interview's answers in the order asked (location, citizenship, purpose, city, family, when)."""
    return dict(zip(PLAN_QUESTIONS, values, strict=False))


PEOPLE = [
    Person(
        "software engineer from India to Riga with a spouse",
        _answers("abroad", "third_country", "work", "riga", "spouse", "within_half_year"),
        present=(
            "vacancy_registration",
            "permit_application",
            "permit_processing_time",  # coming within half a year: how long PMLP takes
            "family_members",
            "personal_code",
            "address",
            "bank_account",
            "family_doctor",
        ),
        absent=("temporary_protection", "school", "apply_asylum", "student_permit"),
        order=(("vacancy_registration", "permit_application"), ("personal_code", "bank_account"), ("personal_code", "family_doctor")),
        offices_in={"collect_card": "riga", "vacancy_registration": "riga"},
    ),
    Person(
        "Ukrainian mother with two children already in Daugavpils",
        _answers("in_latvia", "ukraine_tp", "protection", "daugavpils", "children", None),
        present=("temporary_protection", "personal_code", "address", "school", "kindergarten", "ukrainian_benefits"),
        absent=("vacancy_registration", "permit_application", "apply_asylum", "student_permit"),
        order=(("address", "school"), ("temporary_protection", "ukrainian_benefits")),
        offices_in={"temporary_protection": "daugavpils", "school": "daugavpils"},
    ),
    Person(
        "student from Uzbekistan in Jelgava",
        _answers("abroad", "third_country", "study", "jelgava", "alone", "within_month"),
        present=("student_permit", "personal_code", "address"),
        absent=("vacancy_registration", "school", "temporary_protection", "board_member_permit"),
    ),
    Person(
        "EU citizen moving to Liepāja",
        _answers("abroad", "eu", "work", "liepaja", "alone", "within_month"),
        present=("personal_code", "address"),
        absent=("vacancy_registration", "permit_application", "student_permit", "collect_card", "temporary_protection"),
    ),
    Person(
        "seasonal worker who skips the city",
        _answers("abroad", "third_country", "work", None, "alone", "within_month"),
        present=("vacancy_registration", "permit_application", "personal_code"),
        absent=("school", "family_members"),
        order=(("vacancy_registration", "permit_application"),),
    ),
    Person(
        "someone starting a company in Riga",
        _answers("abroad", "third_country", "business", "riga", "alone", "later"),
        present=("board_member_permit", "permit_application"),
        absent=("vacancy_registration", "student_permit", "permit_processing_time"),  # comes "later"
        order=(("board_member_permit", "permit_application"),),
    ),
    Person(
        "a spouse joining a resident, with children",
        _answers("abroad", "third_country", "family", "jelgava", "spouse_and_children", None),
        present=("family_call", "permit_application", "school"),
        absent=("vacancy_registration", "board_member_permit"),
        order=(("family_call", "permit_application"), ("address", "school")),
        offices_in={"school": "jelgava"},
    ),
    Person(
        "an asylum seeker in Riga",
        _answers("in_latvia", "third_country", "protection", "riga", "alone", None),
        present=("apply_asylum", "asylum_decision"),
        absent=("vacancy_registration", "permit_application", "temporary_protection", "school"),
        order=(("apply_asylum", "asylum_decision"),),
    ),
]


def _button_for(pack, question_id: str, value: str | None, lang: str) -> str:
    plan = pack.plan
    if value is None:
        return plan.texts["skip"][lang]
    if question_id == "city":
        return pack.directory.cities[value].name_in(lang)
    return plan.question(question_id).option(value).label[lang]


def _plan_of(messages: list[dict]) -> dict:
    plans = [m["custom"]["plan"] for m in messages if isinstance(m.get("custom"), dict) and "plan" in m["custom"]]
    assert len(plans) == 1, messages
    return plans[0]


def interview(assistant, pack, lang: str, answers: dict[str, str | None], sender: str | None = None) -> list[dict]:
    """Asks for a plan and answers each question the assistant asks with its button; the last reply."""
    sender = sender or new_sender()
    messages = assistant.send(sender, ASK_FOR_A_PLAN[lang], {"lang": lang})
    asked: list[str] = []
    for _ in range(len(PLAN_QUESTIONS) + 1):
        got = meta(messages)
        assert (got["label"], got["lang"]) == ("plan", lang), messages
        if any("plan" in (m.get("custom") or {}) for m in messages):
            return messages
        question = next(q for q in pack.plan.questions if q.text[lang] in texts(messages))
        asked.append(question.id)
        offered = [b["title"] for b in buttons(messages)]
        answer = _button_for(pack, question.id, answers.get(question.id), lang)
        assert answer in offered, (question.id, offered)
        messages = assistant.send(sender, answer, {"lang": lang})
    raise AssertionError(f"no plan after the questions {asked}")


@pytest.mark.parametrize("person", PEOPLE, ids=[p.name for p in PEOPLE])
@pytest.mark.parametrize("lang", LANGS)
def test_a_plan_for_each_kind_of_person_in_each_language(assistant, pack, person, lang):
    messages = interview(assistant, pack, lang, person.answers)
    plan = _plan_of(messages)
    steps = [step for phase in plan["phases"] for step in phase["steps"]]
    ids = [step["id"] for step in steps]
    assert set(person.present) <= set(ids), (person.present, ids)
    assert not set(person.absent) & set(ids), ids
    for earlier, later in person.order:
        assert ids.index(earlier) < ids.index(later), (earlier, later, ids)
    phases = [phase["id"] for phase in plan["phases"]]
    assert phases == sorted(phases, key=["before_leaving", "first_week", "first_month", "first_year"].index)
    if person.answers["location"] == "in_latvia":
        assert "before_leaving" not in phases
    for phase in plan["phases"]:
        assert phase["title"] == pack.plan.phases[phase["id"]][lang]
    for step in steps:  # the key fact: the entry's own short answer and sources, in the person's language
        entry = pack.entry(step["entry"])
        assert step["answer"] == entry.translations[lang].answer and step["title"] == entry.translations[lang].title
        assert step["sources"] == list(entry.sources) and step["checked"]
    branches = {branch.id: branch for branch in pack.directory.branches}
    for step_id, city in person.offices_in.items():  # the office's branch in the person's city
        office = next(step["office"] for step in steps if step["id"] == step_id)
        assert office and branches[office["id"]].city == city, office


def test_the_plan_is_in_the_conversation_language_and_links_to_a_printable_page(assistant, pack):
    messages = interview(assistant, pack, "lv", PEOPLE[0].answers)
    plan = _plan_of(messages)
    assert plan["link"].startswith("/widget/plan/") and plan["pdf"] == plan["link"] + ".pdf"
    page = requests.get(f"{assistant.url}{plan['link']}", timeout=30)
    assert page.status_code == 200 and 'lang="lv"' in page.text
    first = plan["phases"][0]["steps"][0]
    assert first["title"] in page.text
    for value in ("third_country", "riga", "spouse", "work"):  # no answer of the person's in the link
        assert value not in plan["link"]
    pdf = requests.get(f"{assistant.url}{plan['pdf']}", timeout=30)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf.headers["Content-Type"] == "application/pdf"
    assert b"/Lang (lv)" in pdf.content  # the document's language, for screen readers and hyphenation
    assert requests.get(f"{assistant.url}/widget/plan/not-a-token", timeout=30).status_code in (404, 410)


FREE_TEXT = {
    # the interview answered in the person's own words instead of buttons
    "en": ["I'm already in Latvia", "I am from Ukraine", "we fled the war", "I live in Daugavpils", "with my two kids"],
    "lv": ["jau esmu Latvijā", "no Ukrainas", "bēgām no kara", "Daugavpilī", "ar bērniem"],
    "ru": ["я уже в Латвии", "я из Украины", "мы бежали от войны", "в Даугавпилсе", "с детьми"],
    "uk": ["я вже в Латвії", "я з України", "ми втекли від війни", "у Даугавпілсі", "з дітьми"],
}


@pytest.mark.parametrize("lang", LANGS)
def test_the_interview_understands_answers_typed_in_words(assistant, pack, lang):
    sender = new_sender()
    messages = assistant.send(sender, ASK_FOR_A_PLAN[lang], {"lang": lang})
    for text in FREE_TEXT[lang]:
        messages = assistant.send(sender, text, {"lang": lang})
    plan = _plan_of(messages)
    ids = [step["id"] for phase in plan["phases"] for step in phase["steps"]]
    assert {"temporary_protection", "school", "ukrainian_benefits"} <= set(ids), ids
    assert "before_leaving" not in [phase["id"] for phase in plan["phases"]]


WHY = {"en": "why do you ask?", "lv": "kāpēc jūs to jautājat?", "ru": "зачем вы спрашиваете?", "uk": "навіщо ви питаєте?"}
STOP = {"en": "stop", "lv": "beigt", "ru": "стоп", "uk": "зупинити"}


@pytest.mark.parametrize("lang", LANGS)
def test_why_is_answered_and_the_question_asked_again_and_stop_ends_it(assistant, pack, lang):
    sender = new_sender()
    assistant.send(sender, ASK_FOR_A_PLAN[lang], {"lang": lang})
    location = pack.plan.question("location")
    messages = assistant.send(sender, WHY[lang], {"lang": lang})
    assert texts(messages)[:2] == [location.why[lang], location.text[lang]], texts(messages)
    messages = assistant.send(sender, STOP[lang], {"lang": lang})
    assert meta(messages)["label"] == "plan"
    assert not any("plan" in (m.get("custom") or {}) for m in messages)
    assert all(question.text[lang] not in texts(messages) for question in pack.plan.questions)
    messages = assistant.send(sender, "sveiki" if lang == "lv" else "hello", {"lang": lang})  # the interview is over
    assert meta(messages)["label"] == "greet"


def test_a_question_in_the_middle_of_the_interview_is_answered_and_the_interview_goes_on(assistant, pack):
    sender = new_sender()
    assistant.send(sender, ASK_FOR_A_PLAN["en"], {"lang": "en"})
    messages = assistant.send(sender, "How much does a residence permit cost?", {"lang": "en"})
    assert meta(messages)["label"] == "residence_permit", messages
    assert texts(messages)[-1] == pack.plan.question("location").text["en"]
    messages = assistant.send(sender, _button_for(pack, "location", "abroad", "en"), {"lang": "en"})
    assert pack.plan.question("citizenship").text["en"] in texts(messages)


def test_a_new_request_for_a_plan_forgets_the_earlier_answers(assistant, pack):
    sender = new_sender()
    interview(assistant, pack, "en", PEOPLE[0].answers, sender=sender)
    messages = assistant.send(sender, ASK_FOR_A_PLAN["en"], {"lang": "en"})
    assert pack.plan.question("location").text["en"] in texts(messages)


def _keyboard(sent: list[dict]) -> dict[str, str]:
    """The last inline keyboard Telegram was sent: button title -> callback data."""
    markup = next(s["reply_markup"] for s in reversed(sent) if s.get("reply_markup"))
    return {row[0]["text"]: row[0]["callback_data"] for row in markup["inline_keyboard"]}


def test_in_telegram_the_plan_is_a_numbered_list_and_its_steps_come_one_by_one(assistant, fake_platform, pack):
    chat, lang = next_id(), "uk"
    post_telegram(assistant.url, telegram_message(chat, ASK_FOR_A_PLAN[lang], language_code=lang))
    for question in pack.plan.questions:
        if question.id == "when" and PEOPLE[1].answers["location"] == "in_latvia":
            continue
        keyboard = _keyboard(fake_platform.telegram_sent(chat))
        title = _button_for(pack, question.id, PEOPLE[1].answers.get(question.id), lang)
        post_telegram(assistant.url, telegram_button_press(chat, keyboard[title], language_code=lang))
    sent = fake_platform.telegram_sent(chat)
    summary = sent[-1]["text"]
    assert summary.startswith(pack.plan.texts["intro"][lang]) and "1. " in summary, summary
    assert not any("custom" in s or "plan_step" in s["text"] for s in sent)  # no JSON in a messenger
    heading = pack.plan.phases["first_week"][lang]
    assert heading in summary and pack.plan.phases["before_leaving"][lang] not in summary
    link = re.search(r'href="([^"]+/widget/plan/[^"]+)"', summary) or re.search(r"(http\S+/widget/plan/\S+)", summary)
    assert link and link.group(1).startswith(assistant.url), summary  # the printable plan, under MIGRANT_BOT_PUBLIC_URL
    page = requests.get(link.group(1), timeout=30)
    assert page.status_code == 200 and 'lang="uk"' in page.text
    first_title = summary.split("1. ", 1)[1].splitlines()[0]
    post_telegram(assistant.url, telegram_button_press(chat, _keyboard(sent)[pack.plan.texts["first_step"][lang]], language_code=lang))
    step = fake_platform.telegram_sent(chat)[len(sent) :]
    shown = re.sub(r"<[^>]+>", "", step[0]["text"])  # Telegram HTML: the number and title in bold
    assert shown.startswith("1/") and first_title in shown, step
    assert pack.plan.texts["next_step"][lang] in _keyboard(step)
