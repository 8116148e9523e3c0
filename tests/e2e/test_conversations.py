"""Conversations over HTTP against the trained model and running servers."""

from __future__ import annotations

import pytest

from tests.conftest import real_languages
from tests.e2e.replies import buttons, meta, new_sender, texts
from tests.e2e.test_city_flow import assert_reply_shape, custom

LANGS = real_languages()  # every language of data/languages.yml: a new one without its questions fails here
SOURCE_WORDS = {
    "en": ("Source: ", "Sources: "),
    "lv": ("Avots: ", "Avoti: "),
    "ru": ("Источник: ", "Источники: "),
    "uk": ("Джерело: ", "Джерела: "),
}
TOPICS = sorted(
    "visa_short_stay visa_long_stay residence_permit permanent_residence work_permit blue_card study "
    "family_reunification international_protection qualification_recognition language_courses job_search "
    "address_registration healthcare children_education housing taxes social_support business_startup "
    "citizenship anti_discrimination integration_programmes emergency driving_licence banking".split()
)
QUESTION = {
    "en": "How do I get a residence permit in Latvia?",
    "lv": "Kā saņemt uzturēšanās atļauju Latvijā?",
    "ru": "Как получить вид на жительство в Латвии?",
    "uk": "Як отримати посвідку на проживання в Латвії?",
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("topic", TOPICS)
def test_every_topic_is_answered_in_every_language(assistant, pack, topic, lang):
    question = pack.topics[topic].translations[lang].examples[0]
    messages = assistant.send(new_sender(), question, metadata={"lang": lang})
    got = meta(messages)
    # the overview, or the entry of the topic the question is about ("how do I get a residence permit": how to apply)
    answer = pack.entry(got["entry"]) if got["entry"] else pack.topics[topic]
    assert got == {"label": topic, "entry": got["entry"], "lang": lang, "offices": list(answer.offices), "sources": list(answer.sources)}
    assert texts(messages)[0] == answer.translations[lang].answer
    # the reply contract's shape: the answer, where to go (or the city question), one line of sources
    assert_reply_shape(messages)
    assert any(t.startswith(SOURCE_WORDS[lang]) for t in texts(messages))


@pytest.mark.parametrize("lang", LANGS)
def test_reply_is_in_the_language_of_the_question(assistant, lang):
    got = meta(assistant.send(new_sender(), QUESTION[lang]))
    assert (got["label"], got["lang"]) == ("residence_permit", lang)


def test_language_switch_on_request_sticks(assistant):
    sender = new_sender()
    assert meta(assistant.send(sender, QUESTION["en"]))["lang"] == "en"
    switched = assistant.send(sender, "Можна українською, будь ласка?")
    assert (meta(switched)["label"], meta(switched)["lang"]) == ("change_language", "uk")
    assert "українською" in texts(switched)[0]
    # the explicit choice wins over the language the next question is written in
    assert meta(assistant.send(sender, "What documents do I need for a work permit?"))["lang"] == "uk"
    # a language picked in the client wins over everything said before
    assert meta(assistant.send(sender, "work permit", metadata={"lang": "lv"}))["lang"] == "lv"


def test_writing_in_another_language_switches_the_reply(assistant):
    sender = new_sender()
    assert meta(assistant.send(sender, QUESTION["en"]))["lang"] == "en"
    assert meta(assistant.send(sender, "Kur var apgūt latviešu valodu bez maksas?"))["lang"] == "lv"


def test_unclear_language_keeps_the_conversation_language(assistant):
    sender = new_sender()
    assert meta(assistant.send(sender, QUESTION["ru"]))["lang"] == "ru"
    assert meta(assistant.send(sender, "PMLP?"))["lang"] == "ru"


def test_change_language_without_a_language_offers_each(assistant):
    messages = assistant.send(new_sender(), "change language")
    assert meta(messages)["label"] == "change_language"
    assert [b["title"] for b in buttons(messages)] == ["English", "Latviešu", "Русский", "Українська"]
    chosen = assistant.send(new_sender(), buttons(messages)[3]["payload"])
    assert (meta(chosen)["label"], meta(chosen)["lang"]) == ("change_language", "uk")


@pytest.mark.parametrize(
    ("lang", "follow_up"),
    [("en", "and how much does it cost?"), ("lv", "a kur to var izdarīt?"), ("ru", "а сколько это стоит?"), ("uk", "а де це зробити?")],
)
def test_follow_up_stays_on_the_topic(assistant, pack, lang, follow_up):
    sender = new_sender()
    assert meta(assistant.send(sender, QUESTION[lang]))["label"] == "residence_permit"
    got = meta(assistant.send(sender, follow_up))
    assert (got["label"], got["lang"]) == ("residence_permit", lang)
    # the topic's entry the follow-up asks for (or the overview), with its offices
    answer = pack.entry(got["entry"]) if got["entry"] else pack.topics["residence_permit"]
    assert answer.id.startswith("residence_permit") and got["offices"] == list(answer.offices)


def test_follow_up_without_a_topic_asks_to_choose(assistant):
    messages = assistant.send(new_sender(), "and how much does it cost?")
    assert meta(messages)["label"] == "fallback"
    assert len(buttons(messages)) >= 3


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("en", "what will the weather be like in Riga tomorrow?"),
        ("lv", "kas uzvarēja vakardienas hokeja spēlē?"),
        ("ru", "какая погода будет завтра в Риге?"),
        ("uk", "який курс біткоїна сьогодні?"),
    ],
)
def test_out_of_scope_is_refused_politely(assistant, pack, lang, question):
    messages = assistant.send(new_sender(), question)
    assert meta(messages) == {"label": "out_of_scope", "entry": None, "lang": lang, "offices": [], "sources": []}
    assert texts(messages)[0] == pack.labels["out_of_scope"].translations[lang].answer
    assert buttons(messages), "the refusal offers the topics it can help with"


def test_unsure_understanding_offers_likely_topics_as_buttons(assistant, pack):
    messages = assistant.send(new_sender(), "permit")
    got = meta(messages)
    assert got["label"] == "fallback"
    offered = [b["payload"].lstrip("/") for b in buttons(messages)]
    assert 3 <= len(offered) <= 4 and offered[-1] == "greet"
    assert all(topic in pack.topics for topic in offered[:-1])
    chosen = meta(assistant.send(new_sender(), buttons(messages)[0]["payload"]))
    assert chosen["label"] == offered[0]


def test_greeting_shows_the_menu_in_the_users_language(assistant, pack):
    messages = assistant.send(new_sender(), "Привіт!")
    assert (meta(messages)["label"], meta(messages)["lang"]) == ("greet", "uk")
    assert [b["title"] for b in buttons(messages)] == [pack.topics[t].translations["uk"].title for t in pack.menu]


def test_ask_human_points_to_the_topics_office(assistant, pack):
    sender = new_sender()
    assistant.send(sender, "How do I register as unemployed at NVA?")
    messages = assistant.send(sender, "can I talk to a real person?")
    assert meta(messages)["label"] == "ask_human"
    assert meta(messages)["offices"] == ["nva"]
    assert pack.offices["nva"].phone in "\n".join(texts(messages))


@pytest.mark.parametrize(("question", "office"), [("телефон ПМЛП", "ocma"), ("NVA adrese Rīgā", "nva"), ("VID phone number", "vid")])
def test_office_lookup_names_the_office(assistant, question, office):
    got = meta(assistant.send(new_sender(), question))
    assert (got["label"], got["offices"]) == ("office_lookup", [office])


def test_goodbye_and_thanks(assistant):
    sender = new_sender()
    assert meta(assistant.send(sender, "paldies!"))["label"] == "thanks"
    assert meta(assistant.send(sender, "uz redzēšanos"))["label"] == "goodbye"


@pytest.mark.parametrize(
    ("question", "lang", "branch"),
    [
        ("where is the migration office in Jelgava?", "en", "ocma_jelgava"),
        ("PMLP Daugavpilī darba laiks", "lv", "ocma_daugavpils"),
        ("где находится ПМЛП в Резекне?", "ru", "ocma_rezekne"),
        ("де знаходиться PMLP у Вентспілсі?", "uk", "ocma_ventspils"),
    ],
)
def test_office_lookup_with_a_city_gives_that_citys_branch(assistant, question, lang, branch):
    messages = assistant.send(new_sender(), question)
    assert (meta(messages)["label"], meta(messages)["lang"], meta(messages)["offices"]) == ("office_lookup", lang, ["ocma"])
    (card,) = custom(messages)["office_cards"]
    assert card["id"] == branch and card["map_url"].startswith("https://www.openstreetmap.org/")
    assert custom(messages)["cards_replace_text"] == 0 and len(texts(messages)) == 1


def test_city_is_asked_once_then_the_answer_is_routed(assistant):
    sender = new_sender()
    first = assistant.send(sender, "Як отримати посвідку на проживання?")
    city_buttons = [b["title"] for b in buttons(first)]
    assert "Єлгава" in city_buttons and city_buttons[-1] == "Я ще за кордоном"
    routed = assistant.send(sender, "в Єлгаві")
    assert (meta(routed)["label"], meta(routed)["lang"]) == ("residence_permit", "uk")
    assert custom(routed)["office_cards"][0]["id"] == "ocma_jelgava"
    assert texts(first)[0] not in texts(routed)  # only where to go: the answer was given already
    # the city is remembered: the next office question is routed without asking again
    later = assistant.send(sender, "телефон ПМЛП")
    assert not buttons(later)
    assert [card["id"] for card in custom(later)["office_cards"]] == ["ocma_jelgava"]


def test_still_abroad_gets_the_embassy(assistant):
    sender = new_sender()
    assistant.send(sender, "How do I get a residence permit?")
    got = meta(assistant.send(sender, "I am still abroad"))
    assert got["label"] == "residence_permit" and "mfa_consular" in got["offices"]


def test_this_did_not_help_is_offered_under_an_answer_and_routes_to_a_person(assistant, pack):
    sender = new_sender()
    asked = assistant.send(sender, "Як зареєструватися безробітним у NVA?", metadata={"lang": "uk"})
    assert meta(asked)["label"] == "job_search"
    assert not [b for b in buttons(asked) if b["title"] == "Це не допомогло"]  # not while it asks for the city
    answer = assistant.send(sender, "у Ризі", metadata={"lang": "uk"})
    assert meta(answer)["label"] == "job_search"
    (unhelpful,) = [b for b in buttons(answer) if b["title"] == "Це не допомогло"]
    pressed = assistant.send(sender, unhelpful["payload"], metadata={"lang": "uk"})
    assert (meta(pressed)["label"], meta(pressed)["lang"], meta(pressed)["offices"]) == ("ask_human", "uk", ["nva"])
    assert texts(pressed)[0].startswith("Шкода, що це не допомогло.")
    assert pack.offices["nva"].phone in "\n".join(texts(pressed))
    # typed, the same words are a question, not the button: no slash payload power
    typed = assistant.send(new_sender(), unhelpful["payload"].lstrip("/"), metadata={"lang": "uk"})
    assert not texts(typed)[0].startswith("Шкода")
