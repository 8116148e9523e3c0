"""``action_city_reply``: the city the last reply asked for (the rule of ``inform_city`` with ``awaiting_city`` set)."""

from __future__ import annotations

from actions.answers import fallback
from actions.base import AnsweringAction
from actions.state import awaited_answer
from actions.turn import Reply, Turn
from bot.core.dialogue import ACTION_CITY_REPLY


class ActionCityReply(AnsweringAction):
    """Only "where to go" for the waiting answer, in the city named (actions/state.py's state machine)."""

    def name(self) -> str:
        return ACTION_CITY_REPLY

    def respond(self, turn: Turn) -> Reply:
        # the rules send only an awaited city here; anything else (rules edited by hand) gets the fallback
        return awaited_answer(turn) or fallback(turn)
