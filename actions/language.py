"""Switching the reply language on request."""

from __future__ import annotations

from actions.base import AnsweringAction
from actions.turn import Button, Reply, Turn
from bot.core.dialogue import ACTION_FOR_LABEL, ENTITY_LANGUAGE
from bot.core.payloads import button_payload


class ActionChangeLanguage(AnsweringAction):
    """Confirms the new language, or asks which one when it was not named."""

    def name(self) -> str:
        return ACTION_FOR_LABEL["change_language"]

    def respond(self, turn: Turn) -> Reply:
        if turn.choice.reason == "request":
            return Reply(label="change_language", messages=[turn._("Okay, from now on I will answer in English.")])
        buttons = [
            Button(lang.name, button_payload("change_language", **{ENTITY_LANGUAGE: code})) for code, lang in turn.pack.languages.items()
        ]
        return Reply(label="change_language", messages=[turn._("Which language would you like me to use?")], buttons=buttons)
