"""The intent classifier predicts without copying its weight matrix, with the same results."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa_server.components.regularized_logistic_regression import RegularizedLogisticRegressionClassifier

FEATURES = 400
INTENTS = ["greet", "thanks", "visa", "work"]


def _message(intent: str | None, seed: int) -> Message:
    """A message with sparse sentence features as Rasa's count vectorisers give them."""
    rng = np.random.default_rng(seed)
    columns = rng.choice(FEATURES // 4, size=6, replace=False) + (FEATURES // 4) * INTENTS.index(intent or "visa")
    row = sp.coo_matrix((np.ones(6), (np.zeros(6, dtype=int), columns)), shape=(1, FEATURES))
    message = Message(data={TEXT: f"text {seed}", **({"intent": intent} if intent else {})})
    message.add_features(Features(row, "sentence", TEXT, "CountVectorsFeaturizer"))
    return message


def _trained(tmp_path: Path) -> tuple[RegularizedLogisticRegressionClassifier, LocalModelStorage, Resource]:
    storage, resource = LocalModelStorage(tmp_path), Resource("classifier")
    config = {**RegularizedLogisticRegressionClassifier.get_default_config(), "C": 50.0}
    context = ExecutionContext(GraphSchema({}), "test", node_name=resource.name)
    component = RegularizedLogisticRegressionClassifier.create(config, storage, resource, context)
    examples = [_message(intent, seed) for seed in range(10) for intent in INTENTS]
    component.train(TrainingData(training_examples=examples))
    return component, storage, resource


def _load(storage: LocalModelStorage, resource: Resource) -> RegularizedLogisticRegressionClassifier:
    config = {**RegularizedLogisticRegressionClassifier.get_default_config(), "C": 50.0}
    context = ExecutionContext(GraphSchema({}), "test", node_name=resource.name)
    return RegularizedLogisticRegressionClassifier.load(config, storage, resource, context)


def test_trained_and_loaded_weights_are_used_in_place(tmp_path: Path) -> None:
    """Without this layout scipy copies ``coef_.T`` for every sparse product."""
    trained, storage, resource = _trained(tmp_path)
    loaded = _load(storage, resource)

    for component in (trained, loaded):
        assert component.clf.coef_.T.flags.c_contiguous
        weights = component.clf.coef_.T
        assert np.shares_memory(weights.ravel(), weights)  # what scipy hands to its C routine


def test_predictions_are_those_of_rasas_layout(tmp_path: Path) -> None:
    trained, storage, resource = _trained(tmp_path)
    loaded = _load(storage, resource)
    questions = [_message(None, seed) for seed in range(100, 120)]
    X = trained._create_X(questions)

    fast = loaded.clf.predict_proba(X)
    loaded.clf.coef_ = np.ascontiguousarray(loaded.clf.coef_)  # Rasa's own layout
    assert not loaded.clf.coef_.T.flags.c_contiguous
    np.testing.assert_allclose(fast, loaded.clf.predict_proba(X), rtol=1e-12, atol=1e-15)

    ranked = loaded.process([_message(None, 200)])[0]
    assert ranked.get("intent")["name"] == "visa"
    assert len(ranked.get("intent_ranking")) == len(INTENTS)


def test_training_runs_on_one_blas_thread(tmp_path: Path, monkeypatch) -> None:
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_info

    seen: list[list[int]] = []
    fit = LogisticRegression.fit

    def recording_fit(self, *args, **kwargs):
        seen.append([pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"])
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(LogisticRegression, "fit", recording_fit)
    _trained(tmp_path)
    assert seen and seen[0], "no BLAS library found"
    assert all(threads == 1 for threads in seen[0])
