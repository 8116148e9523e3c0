"""Rasa's logistic-regression intent classifier with its regularisation exposed.

Rasa 3.6 fixes scikit-learn's ``C`` at 1.0. With ~30 intents and a few
thousand sparse n-gram features that spreads probability thin: unseen but
clear questions came out below the fallback threshold. ``C`` sets how
strongly the model is regularised (larger: sharper probabilities).
docs/evaluation.md gives the figures behind the chosen value.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class RegularizedLogisticRegressionClassifier(LogisticRegressionClassifier):
    """``LogisticRegressionClassifier`` with a configurable ``C``."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "C": 1.0}

    def __init__(self, config: dict[str, Any], name: str, model_storage: ModelStorage, resource: Resource) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=float(self.config["C"]))
