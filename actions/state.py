"""The conversation's state: what the slots remember and how each turn changes them.

Rasa's rules map every intent to one action (generated, ``bot.core.dialogue``);
everything a conversation remembers lives in the slots of
``bot.core.dialogue.SLOTS``, set here after every answer (``slot_events``):

- ``language`` / ``chosen_language``: the reply language so far, and one the
  user picked (``bot.core.language.choose`` decides with them);
- ``topic``: the topic answered last, for follow-ups ("and how much?");
- ``city``: the city the user named last (or ``abroad``), for routing;
- ``awaiting_city`` / ``city_asked``: the one question the assistant asks
  back. The state machine, one turn long::

      (any state) --an answer whose main office is in several cities,
                    the city unknown and never asked--> AWAITING CITY
          reply: the answer, its sources, "In which city are you?" + city buttons
      AWAITING CITY --a city reply (is_city_reply)--> no city awaited
          reply: ONLY "where to go" for that city (routing.office_message),
          never the answer again, in the conversation's language (a place
          name says nothing about the language: "Liepāja" is not Latvian)
      AWAITING CITY --anything else--> no city awaited
          reply: what Rasa predicted, as for any message: a new question is
          answered as one (routed to the city it names, if any); nonsense,
          an emoji or a lone letter gets the usual fallback

  The awaited answer is dropped after any other message, nonsense included:
  the state lasts exactly one turn, so a later "Riga" can never pull an old
  answer back into a conversation that has moved on. The city is asked once
  per conversation (``city_asked``); later answers use the ``city`` slot, or
  list the offices' national contacts.

``is_city_reply`` is the one rule that tells a city from a question. A
message is a city reply when, besides the place it names, it has only filler
words ("I live in", "es dzīvoju", "я живу в", "у", "please"): a city button
(its payload is the city's name, or "I am still abroad") and a typed "Rīgā",
"в Риге", "у Ризі", "in Riga" are; "как записать ребенка в школу в Риге?"
is not. The classifier is not asked: on a bare place name it guesses
anything ("es dzīvoju Rīgā" is permanent_residence at 0.75, "NVA Rīgā" job
search at 0.91), and a message with words beyond the place is a question
whatever it guessed.
"""

from __future__ import annotations

import re

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.routing import office_message, place_named
from actions.services import services
from actions.turn import Reply, Turn
from bot.core.content.model import Pack
from bot.core.dialogue import SLOT_AWAITING_CITY, SLOT_CHOSEN_LANGUAGE, SLOT_CITY, SLOT_CITY_ASKED, SLOT_LANGUAGE, SLOT_TOPIC
from bot.core.offices.places import plain

#: Words that may stand beside a place in an answer to "In which city are you?":
#: prepositions, "I live / am / stay", "city", "still", politeness; written as typed,
#: compared without diacritics (``plain``). Closed-class grammar words, not content.
FILLER_WORDS = {
    "en": "i im am we are were in at near from to the city town of my now currently still live living stay staying based "
    "it its is and yet yes ok okay please pls thanks thank you hi hello",
    "lv": "es esmu mēs esam dzīvoju dzīvojam atrodos atrodamies uzturos pilsēta pilsētā no uz pie netālu tuvumā tagad šobrīd "
    "pašlaik vēl un jā labi lūdzu paldies sveiki",
    "ru": "я мы в во у из с под около рядом город городе г живу живём живем нахожусь находимся сейчас пока ещё еще уже а и "
    "да пожалуйста спасибо здравствуйте привет тут здесь v vo u iz ya zhivu",
    "uk": "я ми в у з із зі під біля поруч місто місті м живу живемо мешкаю перебуваю зараз поки ще вже а і та так "
    "будь ласка дякую привіт тут",
}
_FILLER = frozenset(plain(word) for words in FILLER_WORDS.values() for word in words.split())
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def place_only(text: str, pack: Pack) -> str | None:
    """The place ``text`` names (a city id of cities.yml, or ``routing.ABROAD``) when it has only filler words beside it."""
    if text.startswith("/"):  # a button payload ("/topic...") is never a place
        return None
    place = place_named(text)
    if place is None:
        return None
    words = f" {' '.join(_WORD.findall(plain(text)))} "
    for form in pack.directory.abroad_forms:  # "I am still abroad": the phrase is the place
        words = words.replace(f" {' '.join(_WORD.findall(plain(form)))} ", "  ")
    places = services().places()
    rest = [word for word in words.split() if word not in _FILLER and places.find(word) is None]
    return None if rest else place


def is_city_reply(turn: Turn) -> str | None:
    """The city (an id of cities.yml, or ``routing.ABROAD``) when this message is essentially a place; None otherwise.

    A place name, possibly with filler words, or a city button (see the module docstring).
    """
    return place_only(turn.text, turn.pack)


def city_awaited(tracker: Tracker) -> str | None:
    """The answer (topic or entry id) waiting for the user's city, if the last reply asked for it."""
    return tracker.get_slot(SLOT_AWAITING_CITY)


def awaited_answer(turn: Turn) -> Reply | None:
    """The reply to a city given while one is awaited: only "where to go" for it; None when this turn is no such reply."""
    waiting = city_awaited(turn.tracker)
    city = is_city_reply(turn) if waiting else None
    return office_message(turn, waiting, city) if city else None


def slot_events(tracker: Tracker, turn: Turn, reply: Reply) -> list[EventType]:
    """The slots this turn sets (see the module docstring); the city awaited is cleared unless this reply asks again."""
    events: list[EventType] = [SlotSet(SLOT_LANGUAGE, turn.lang)]
    if turn.choice.reason in ("request", "client") and tracker.get_slot(SLOT_CHOSEN_LANGUAGE) != turn.lang:
        events.append(SlotSet(SLOT_CHOSEN_LANGUAGE, turn.lang))
    if reply.topic:
        events.append(SlotSet(SLOT_TOPIC, reply.topic))
    if reply.city and tracker.get_slot(SLOT_CITY) != reply.city:
        events.append(SlotSet(SLOT_CITY, reply.city))
    if reply.awaiting_city:
        events += [SlotSet(SLOT_AWAITING_CITY, reply.awaiting_city), SlotSet(SLOT_CITY_ASKED, "yes")]
    elif tracker.get_slot(SLOT_AWAITING_CITY):
        events.append(SlotSet(SLOT_AWAITING_CITY, None))
    return events
