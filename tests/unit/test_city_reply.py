"""A message that is only a place gets the intent inform_city in the Rasa server, and the rules read awaiting_city."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.core.dialogue import ACTION_CITY_REPLY, ACTION_FALLBACK, INTENT_INFORM_CITY, SLOT_AWAITING_CITY
from bot.core.dialogue.rules import domain_data, rules_data
from bot.rasa_server.components.city_reply import CityReplyRecognizer


def _parsed(text: str, guess: str = "residence_permit") -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": guess, "confidence": 0.75})
    message.set(INTENT_RANKING_KEY, [{"name": guess, "confidence": 0.75}, {"name": "greet", "confidence": 0.1}])
    return message


@pytest.mark.parametrize("text", ["Rīgā", "es dzīvoju Rīgā", "я живу в Даугавпилсе", "у Ризі", "in Riga", "Jelgava"])
def test_a_place_alone_is_inform_city_whatever_the_classifier_guessed(pack, text):
    (message,) = CityReplyRecognizer(pack_of=lambda: pack).process([_parsed(text)])
    assert message.get(INTENT) == {"name": INTENT_INFORM_CITY, "confidence": 1.0}
    assert [r["name"] for r in message.get(INTENT_RANKING_KEY)] == [INTENT_INFORM_CITY, "residence_permit", "greet"]


@pytest.mark.parametrize(
    "text", ["как записать ребенка в школу в Риге?", "Kur deklarēt dzīvesvietu Rīgā?", "/residence_permit", "blabla", "NVA Rīgā"]
)
def test_a_question_or_a_payload_keeps_its_intent(pack, text):
    (message,) = CityReplyRecognizer(pack_of=lambda: pack).process([_parsed(text)])
    assert message.get(INTENT)["name"] == "residence_permit"


def test_the_rules_send_inform_city_by_whether_a_city_is_awaited(pack):
    rules = [r for r in rules_data(pack)["rules"] if r["steps"][0] == {"intent": INTENT_INFORM_CITY}]
    assert rules[0]["steps"][-1] == {"slot_was_set": [{SLOT_AWAITING_CITY: None}]}  # the action clears it
    chosen = {next(iter(r["condition"][0]["slot_was_set"][0].values())) is not None: r["steps"][1]["action"] for r in rules}
    assert chosen == {True: ACTION_CITY_REPLY, False: ACTION_FALLBACK}
    domain = domain_data(pack)
    assert INTENT_INFORM_CITY in domain["intents"] and ACTION_CITY_REPLY in domain["actions"]
    # a rule condition is read only from slots that influence the conversation: this one does, the others do not
    assert [name for name, slot in domain["slots"].items() if slot["influence_conversation"]] == [SLOT_AWAITING_CITY]
