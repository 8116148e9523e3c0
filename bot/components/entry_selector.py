"""Chooses the knowledge-base entry that answers a message, within the topic the intent classifier chose.

Rasa's convention for FAQs is a retrieval intent per topic
(``residence_permit/fee``, ``residence_permit/overview``) answered through a
ResponseSelector. Rasa's ResponseSelector is a transformer that trains for
minutes; this one is the project's logistic regression over the same
features (``RegularizedLogisticRegressionClassifier``), trained on the full
retrieval intents, and it writes its prediction where Rasa's does
(``response_selector`` in the parse data), so actions read it the usual way.

At prediction time:

- when the intent is a topic, the ranking holds only that topic's overview
  and entries, their probabilities renormalised within the topic (the topic
  was decided by the intent classifier, which learns from every way of
  asking the topic and so is the surer of the two);
- otherwise (a follow-up like "and how much does it cost?", a conversation
  label) the ranking holds every entry, so that an action can pick the best
  entry of the topic the conversation is about.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    RESPONSE_IDENTIFIER_DELIMITER,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.regularized_logistic_regression import RegularizedLogisticRegressionClassifier

#: Where Rasa's ResponseSelector puts its prediction in a message (rasa.nlu.selectors.response_selector).
RESPONSE_SELECTOR_PROPERTY_NAME = "response_selector"
SELECTOR_KEY = "default"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class EntrySelector(RegularizedLogisticRegressionClassifier):
    """Picks the entry (full retrieval intent) of a message; see the module docstring."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**RegularizedLogisticRegressionClassifier.get_default_config(), "ranking_length": 10, "open_ranking_length": 40}

    def _create_training_matrix(self, training_data: TrainingData) -> tuple[Any, list[str]]:
        """Features and full retrieval intents of the examples that have one."""
        examples = [e for e in training_data.intent_examples if e.get(INTENT_RESPONSE_KEY)]
        labels = [e.get(INTENT_RESPONSE_KEY) for e in examples]
        return self._create_X(examples), labels

    def process(self, messages: list[Message]) -> list[Message]:
        """Adds Rasa's ``response_selector`` property to each message."""
        if not hasattr(self.clf, "classes_"):
            return messages
        probabilities = self.clf.predict_proba(self._create_X(messages))
        for message, row in zip(messages, probabilities, strict=True):
            self._set_prediction(message, row)
        return messages

    def _set_prediction(self, message: Message, row: np.ndarray) -> None:
        classes = self.clf.classes_
        topic = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        prefix = f"{topic}{RESPONSE_IDENTIFIER_DELIMITER}"
        in_topic = np.fromiter((str(c).startswith(prefix) for c in classes), dtype=bool, count=len(classes))
        if topic and in_topic.any():
            scores = np.where(in_topic, row, 0.0)
            scores = scores / scores.sum() if scores.sum() > 0 else scores
            length = self.config["ranking_length"]
        else:
            scores = row
            length = self.config["open_ranking_length"]
        order = np.argsort(scores)[::-1][:length]
        ranking = [{INTENT_RESPONSE_KEY: str(classes[i]), PREDICTED_CONFIDENCE_KEY: float(scores[i])} for i in order if scores[i] > 0]
        top = ranking[0] if ranking else {INTENT_RESPONSE_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}
        prediction = {
            "response": {
                "responses": None,
                PREDICTED_CONFIDENCE_KEY: top[PREDICTED_CONFIDENCE_KEY],
                INTENT_RESPONSE_KEY: top[INTENT_RESPONSE_KEY],
                "utter_action": f"utter_{top[INTENT_RESPONSE_KEY]}" if top[INTENT_RESPONSE_KEY] else None,
            },
            "ranking": ranking,
        }
        retrieval_intents = sorted({str(c).split(RESPONSE_IDENTIFIER_DELIMITER)[0] for c in classes})
        message.set(
            RESPONSE_SELECTOR_PROPERTY_NAME,
            {"all_retrieval_intents": retrieval_intents, SELECTOR_KEY: prediction},
            add_to_output=True,
        )
