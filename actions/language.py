"""Switching the reply language on request."""

from __future__ import annotations

from actions.base import AnsweringAction
from actions.turn import Button, Reply, Turn
from bot.core.dialogue import ACTION_FOR_LABEL, ENTITY_LANGUAGE, Label
from bot.core.payloads import button_payload


class ActionChangeLanguage(AnsweringAction):
    """Confirms the new language, or asks which one when it was not named."""

    def name(self) -> str:
        return ACTION_FOR_LABEL[Label.CHANGE_LANGUAGE]

    def respond(self, turn: Turn) -> Reply:
        if turn.choice.reason == "request":
            return Reply(label=Label.CHANGE_LANGUAGE, messages=[turn._("Okay, from now on I will answer in English.")])
        buttons = [
            Button(lang.name, button_payload(Label.CHANGE_LANGUAGE, **{ENTITY_LANGUAGE: code}))
            for code, lang in turn.pack.languages.items()
        ]
        return Reply(label=Label.CHANGE_LANGUAGE, messages=[turn._("Which language would you like me to use?")], buttons=buttons)
