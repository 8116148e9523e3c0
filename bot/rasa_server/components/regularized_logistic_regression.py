"""Rasa's logistic-regression intent classifier with its regularisation exposed.

Rasa 3.6 fixes scikit-learn's ``C`` at 1.0. With ~30 intents and a few
thousand sparse n-gram features that spreads probability thin: unseen but
clear questions came out below the fallback threshold. ``C`` sets how
strongly the model is regularised (larger: sharper probabilities).
docs/evaluation.md gives the figures behind the chosen value.

Its input is ``bot.rasa_server.components.features.classifier_input``: the sparse n-gram
features, then a sentence encoder's dense features (if the pipeline has one)
multiplied by ``dense_weight``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix

from bot.rasa_server.components.features import classifier_input

#: the saved classifier's file name inside the component's model storage
CLASSIFIER_FILE = "classifier.skops"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class RegularizedLogisticRegressionClassifier(LogisticRegressionClassifier):
    """``LogisticRegressionClassifier`` with a configurable ``C`` (and ``dense_weight``)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "C": 1.0, "dense_weight": 1.0}

    def __init__(self, config: dict[str, Any], name: str, model_storage: ModelStorage, resource: Resource) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=float(self.config["C"]))

    def _create_X(self, messages: list[Message]) -> csr_matrix:
        """The classifier's input, in training (through Rasa's ``_create_training_matrix``) and in ``process``."""
        return classifier_input(messages, dense_weight=float(self.config.get("dense_weight", 1.0)))

    def train(self, training_data: TrainingData) -> Resource:
        """Trains as Rasa does, on one BLAS thread, then lays the weights out for fast prediction.

        OpenBLAS's worker threads only spin (sched_yield) around lbfgs's small
        dense steps: on CLINC150, 30 iterations took 42.1 s of wall time on one
        thread against 42.5–46.3 s on two, and 42 s of CPU against 57–61 s. On
        a 2-core server a model is trained beside the running assistant
        (publishing), so the second core stays with the servers.
        """
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            resource = super().train(training_data)
        self.lay_out_weights_for_prediction()
        return resource

    def lay_out_weights_for_prediction(self) -> None:
        """Stores the weight matrix column by column (Fortran order); the values do not change.

        scikit-learn predicts with ``X @ coef_.T``. For a sparse ``X`` scipy 1.10
        passes the dense operand to its C routine through ``ravel()``, which copies
        a transposed C-ordered matrix on every call: the whole intents × features
        matrix (33 intents × 40,000 features on the content, 151 × 40,000 on
        CLINC150) for each message. In Fortran order ``coef_.T`` is C-contiguous
        and is used in place. predict_proba on the content's model: 0.98 → 0.05 ms;
        on CLINC150 see docs/benchmarks.md.
        """
        if hasattr(self.clf, "coef_"):
            self.clf.coef_ = np.asfortranarray(self.clf.coef_)

    # Rasa names the saved file after the graph node ("train_<Component><index>"). A model
    # built from Rasa's training cache restores the file under the cached node's name, and
    # when the classifier sits at another index in the new config, Rasa's loader looks for
    # a file that is not there (the model then fails to load). One fixed name avoids that.
    def persist(self) -> None:
        """Saves the classifier under a name that does not depend on the graph node."""
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as model_dir:
            sio.dump(self.clf, model_dir / CLASSIFIER_FILE)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> RegularizedLogisticRegressionClassifier:
        """Loads the classifier saved by ``persist`` (or by Rasa's own naming, for older models)."""
        import skops.io as sio

        with model_storage.read_from(resource) as model_dir:
            candidates = [model_dir / CLASSIFIER_FILE, *sorted(model_dir.glob("*.skops"))]
            path = next(p for p in candidates if p.exists())
            untrusted = sio.get_untrusted_types(file=path)
            if untrusted:
                raise ValueError(f"untrusted types in {path.name}: {untrusted}")
            component = cls(config, execution_context.node_name, model_storage, resource)
            component.clf = sio.load(path, trusted=untrusted)
            component.lay_out_weights_for_prediction()
            return component
