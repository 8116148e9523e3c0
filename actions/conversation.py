"""Greeting, goodbye, thanks, out-of-scope and asking for a person."""

from __future__ import annotations

from actions.base import AnsweringAction, menu_buttons
from actions.turn import Reply, Turn
from bot.core.dialogue import ACTION_FOR_LABEL, ENTITY_FEEDBACK, FEEDBACK_UNHELPFUL, SLOT_TOPIC, Label
from bot.core.privacy.notice import privacy_summary
from bot.core.render import office_contact


def label_answer(turn: Turn, label_id: str) -> str:
    """A conversation label's answer from the pack, in the reply language."""
    label = turn.pack.labels[label_id]
    translation = label.translations.get(turn.lang) or label.translations[turn.pack.default_language]
    return translation.answer or ""


class ActionGreet(AnsweringAction):
    """Greets, says in one line what is kept and how to delete it, and shows the menu of main topics."""

    def name(self) -> str:
        return ACTION_FOR_LABEL[Label.GREET]

    def respond(self, turn: Turn) -> Reply:
        greeting = f"{label_answer(turn, 'greet')}\n\n{privacy_summary(turn.lang)}"
        return Reply(label=Label.GREET, messages=[greeting], buttons=menu_buttons(turn, turn.pack.menu))


class ActionGoodbye(AnsweringAction):
    """Says goodbye."""

    def name(self) -> str:
        return ACTION_FOR_LABEL[Label.GOODBYE]

    def respond(self, turn: Turn) -> Reply:
        return Reply(label=Label.GOODBYE, messages=[turn._("Goodbye, and good luck! Write again any time.")])


class ActionThanks(AnsweringAction):
    """Answers thanks."""

    def name(self) -> str:
        return ACTION_FOR_LABEL[Label.THANKS]

    def respond(self, turn: Turn) -> Reply:
        return Reply(label=Label.THANKS, messages=[turn._("You are welcome! Is there anything else I can help with?")])


class ActionOutOfScope(AnsweringAction):
    """Politely refuses and says what the assistant can help with."""

    def name(self) -> str:
        return ACTION_FOR_LABEL[Label.OUT_OF_SCOPE]

    def respond(self, turn: Turn) -> Reply:
        return Reply(
            label=Label.OUT_OF_SCOPE, messages=[label_answer(turn, Label.OUT_OF_SCOPE)], buttons=menu_buttons(turn, turn.pack.menu)
        )


class ActionAskHuman(AnsweringAction):
    """Tells how to reach a person: the office of the last topic, or the general one.

    Also the answer to "this did not help" under an answer (a button payload with
    the feedback entity): it says so, and the question stays in the conversation
    store, where the staff app's inbox finds it.
    """

    def name(self) -> str:
        return ACTION_FOR_LABEL[Label.ASK_HUMAN]

    def respond(self, turn: Turn) -> Reply:
        topic = turn.pack.topics.get(turn.tracker.get_slot(SLOT_TOPIC) or "")
        candidates = [o for o in (topic.offices if topic else ()) if o in turn.pack.offices]
        reachable = [o for o in candidates if turn.pack.offices[o].phone or turn.pack.offices[o].email]
        office = turn.pack.offices[reachable[0] if reachable else turn.pack.general_office]
        text = turn._("I am an automatic assistant. You can talk to a person here:") + "\n\n" + office_contact(office, turn.lang)
        if turn.entity(ENTITY_FEEDBACK) == FEEDBACK_UNHELPFUL:
            text = turn._("Sorry that this did not help. The team that writes the answers will see your question.") + "\n\n" + text
        return Reply(label=Label.ASK_HUMAN, messages=[text], offices=[office.id], sources=list(office.sources))
