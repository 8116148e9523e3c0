"""Chooses the knowledge-base entry that answers a message, within the topic the intent classifier chose.

Rasa's convention for FAQs is a retrieval intent per topic
(``residence_permit/fee``, ``residence_permit/overview``) answered through a
ResponseSelector. Rasa's ResponseSelector is a transformer that trains for
minutes; this component is the project's logistic regression over the same
features as the intent classifier, one small model per topic, trained on the
topic's ways of asking labelled with their full retrieval intent. It writes
its prediction where Rasa's ResponseSelector does (``response_selector`` in
the parse data), so actions read it the usual way.

One model per topic rather than one over every entry: the topic is decided
by the intent classifier (which learns from every way of asking the topic,
so it is the surer of the two), and only the topic's own entries compete.
Each model also sees only the feature columns its topic's examples use
(a topic's n-grams are a small part of the pack's): training costs about
the examples times the classes times the columns of each model, so 25
models of 5-10 classes over their own columns train in seconds, where one
model of 175 classes over every column took minutes.

At prediction time:

- when the intent is a topic, the ranking holds that topic's overview and
  entries with the topic model's probabilities;
- when the intent is one of ``open_intents`` (a follow-up: "and how much
  does it cost?"), the ranking holds every topic model's entries, each with
  its probability within its topic, so that an action can pick the best
  entry of the topic the conversation is about (NLU does not know it);
- otherwise the ranking is empty.

A question of two parts ("how long does it take and how much does it
cost?") is split where a joining word (``join_words``) or a question mark
stands between its words; each part is ranked on its own words' features
(the count vectorisers' sentence feature is the sum of their token rows, so
a part's is the sum of its tokens' rows), and the parts whose best entries
differ are listed under ``parts`` beside the ranking. One softmax over the
whole question gives nearly all its probability to one of the two entries,
so the ranking alone cannot tell that both were asked.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    RESPONSE_IDENTIFIER_DELIMITER,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.base import clone

from bot.rasa_server.components.regularized_logistic_regression import RegularizedLogisticRegressionClassifier

#: Where Rasa's ResponseSelector puts its prediction in a message (rasa.nlu.selectors.response_selector).
RESPONSE_SELECTOR_PROPERTY_NAME = "response_selector"
SELECTOR_KEY = "default"
#: the saved models' file name inside the component's model storage
MODELS_FILE = "entry_models.skops"
#: in an open ranking, entries less likely than this within their topic are left out
OPEN_RANKING_MIN = 0.02


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class EntrySelector(RegularizedLogisticRegressionClassifier):
    """Picks the entry (full retrieval intent) of a message; see the module docstring."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **RegularizedLogisticRegressionClassifier.get_default_config(),
            "ranking_length": 10,
            "open_intents": ["follow_up"],
            # the response key of a topic's broad answer, and whether it competes with the entries
            "overview_key": "overview",
            "learn_overview": True,
            # words that join the parts of a two-part question, in the pack's languages
            "join_words": ["and", "also", "plus", "un", "arī", "и", "также", "а", "і", "й", "та", "також"],
            # a part names its entry only when the part's model gives it at least this probability
            "part_confidence": 0.55,
        }

    def __init__(self, config: dict[str, Any], name: str, model_storage: ModelStorage, resource: Resource) -> None:
        super().__init__(config, name, model_storage, resource)
        #: topic → its model (classes: the topic's retrieval intents)
        self.models: dict[str, Any] = {}
        #: topic → the feature columns its model reads (those its examples use)
        self.columns: dict[str, np.ndarray] = {}

    def train(self, training_data: TrainingData) -> Resource:
        """Trains one model per topic on its examples (on one BLAS thread, see the parent class)."""
        from threadpoolctl import threadpool_limits

        overview = f"{RESPONSE_IDENTIFIER_DELIMITER}{self.config['overview_key']}"
        examples = [
            e
            for e in training_data.intent_examples
            if e.get(INTENT_RESPONSE_KEY) and (self.config["learn_overview"] or not e.get(INTENT_RESPONSE_KEY).endswith(overview))
        ]
        if not examples:  # no retrieval intents (CLINC150): nothing to choose among
            self.persist()
            return self._resource
        features = self._create_X(examples)
        rows: dict[str, list[int]] = defaultdict(list)
        for index, example in enumerate(examples):
            rows[example.get(INTENT)].append(index)
        with threadpool_limits(limits=1, user_api="blas"):
            for topic, indices in sorted(rows.items()):
                labels = [examples[i].get(INTENT_RESPONSE_KEY) for i in indices]
                if len(set(labels)) < 2:
                    continue
                rows_of_topic = features[indices]
                columns = np.unique(rows_of_topic.indices)
                model = clone(self.clf)
                model.fit(rows_of_topic[:, columns], labels)
                model.coef_ = np.asfortranarray(model.coef_)
                self.models[topic], self.columns[topic] = model, columns
        self.persist()
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        """Adds Rasa's ``response_selector`` property to each message."""
        if not self.models:
            return messages
        features = self._create_X(messages)
        for index, message in enumerate(messages):
            self._set_prediction(message, features[index])
        return messages

    def _probabilities(self, topic: str, row: Any) -> list[tuple[str, float]]:
        model = self.models[topic]
        return list(zip(model.classes_, model.predict_proba(row[:, self.columns[topic]])[0], strict=True))

    def _ranking(self, topic: str | None, row: Any) -> list[tuple[str, float]]:
        if topic in self.models:
            return sorted(self._probabilities(topic, row), key=lambda item: -item[1])[: self.config["ranking_length"]]
        if topic not in self.config["open_intents"]:
            return []
        ranked = [(c, p) for each in self.models for c, p in self._probabilities(each, row) if p >= OPEN_RANKING_MIN]
        return sorted(ranked, key=lambda item: -item[1])

    def _part_spans(self, message: Message) -> list[tuple[int, int]]:
        """Token ranges of the parts of a two-part question (empty for a question of one part)."""
        tokens = message.get(TOKENS_NAMES[TEXT]) or []
        text = message.get(TEXT) or ""
        joins = {w.lower() for w in self.config["join_words"]}
        spans, start = [], 0
        for index, token in enumerate(tokens):
            if token.text.lower() in joins:
                spans.append((start, index))
                start = index + 1
            elif index + 1 < len(tokens) and "?" in text[token.end : tokens[index + 1].start]:
                spans.append((start, index + 1))
                start = index + 1
        spans.append((start, len(tokens)))
        spans = [(a, b) for a, b in spans if b - a >= 2]
        return spans if len(spans) == 2 else []  # a long post of many sentences is not a two-part question

    def _parts(self, topic: str | None, message: Message, row: Any) -> list[tuple[str, float]]:
        """The best entry of each part of a two-part question about ``topic``, when the parts ask for different entries."""
        spans = self._part_spans(message) if topic in self.models else []
        sequence = message.get_sparse_features(TEXT)[0] if spans else None
        if sequence is None:
            return []
        tokens = sequence.features.tocsr()
        whole = message.get_sparse_features(TEXT)[1].features
        parts: list[tuple[str, float]] = []
        width = whole.shape[1]  # the sparse part of the classifier's input; dense features (if any) follow
        for start, end in spans:
            part = sp.hstack([sp.csr_matrix(tokens[start:end].sum(axis=0)), row[:, width:]], format="csr")
            key, confidence = max(self._probabilities(topic, part.tocsr()), key=lambda item: item[1])
            if confidence >= self.config["part_confidence"] and key not in [k for k, _ in parts]:
                parts.append((str(key), round(float(confidence), 4)))
        return parts if len(parts) > 1 else []

    def _set_prediction(self, message: Message, row: Any) -> None:
        topic = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        ranking = [{INTENT_RESPONSE_KEY: str(key), PREDICTED_CONFIDENCE_KEY: round(float(p), 4)} for key, p in self._ranking(topic, row)]
        top = ranking[0] if ranking else {INTENT_RESPONSE_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}
        prediction = {
            "response": {
                "responses": None,
                PREDICTED_CONFIDENCE_KEY: top[PREDICTED_CONFIDENCE_KEY],
                INTENT_RESPONSE_KEY: top[INTENT_RESPONSE_KEY],
                "utter_action": f"utter_{top[INTENT_RESPONSE_KEY]}" if top[INTENT_RESPONSE_KEY] else None,
            },
            "ranking": ranking,
            "parts": [{INTENT_RESPONSE_KEY: key, PREDICTED_CONFIDENCE_KEY: p} for key, p in self._parts(topic, message, row)],
        }
        message.set(
            RESPONSE_SELECTOR_PROPERTY_NAME,
            {"all_retrieval_intents": sorted(self.models), SELECTOR_KEY: prediction},
            add_to_output=True,
        )

    def persist(self) -> None:
        """Saves the per-topic models."""
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as model_dir:
            sio.dump({"models": self.models, "columns": self.columns}, model_dir / MODELS_FILE)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> EntrySelector:
        """Loads the models saved by ``persist`` (none when the training data had no retrieval intents)."""
        import skops.io as sio

        component = cls(config, execution_context.node_name, model_storage, resource)
        with model_storage.read_from(resource) as model_dir:
            path = model_dir / MODELS_FILE
            untrusted = sio.get_untrusted_types(file=path)
            if untrusted:
                raise ValueError(f"untrusted types in {path.name}: {untrusted}")
            saved = sio.load(path, trusted=untrusted)
            component.models, component.columns = saved["models"], saved["columns"]
        return component
