"""The intent classifier loads from a model built out of Rasa's training cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

from bot.rasa_server.components.regularized_logistic_regression import RegularizedLogisticRegressionClassifier


def _context(node: str) -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test", node_name=node)


def test_loads_after_the_cache_restored_it_under_another_node_name(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    trained_as = Resource("train_RegularizedLogisticRegressionClassifier3")
    config = RegularizedLogisticRegressionClassifier.get_default_config()
    component = RegularizedLogisticRegressionClassifier.create(config, storage, trained_as, _context(trained_as.name))
    component.clf.fit(np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 2.0], [2.0, 0.0]]), ["a", "b", "a", "b"])
    component.persist()
    # Rasa's cache restores the folder under the new graph's node name; the file inside keeps its name
    restored_as = Resource("train_RegularizedLogisticRegressionClassifier4")
    (tmp_path / trained_as.name).rename(tmp_path / restored_as.name)

    loaded = RegularizedLogisticRegressionClassifier.load(config, storage, restored_as, _context(restored_as.name))

    assert list(loaded.clf.predict(np.array([[0.0, 3.0], [3.0, 0.0]]))) == ["a", "b"]


def test_rasas_own_loader_misses_that_file(tmp_path: Path) -> None:
    """Why the fixed name exists: Rasa's loader looks for ``<node name>.skops``."""
    storage = LocalModelStorage(tmp_path)
    trained_as, restored_as = Resource("node3"), Resource("node4")
    config = RegularizedLogisticRegressionClassifier.get_default_config()
    component = LogisticRegressionClassifier.create(config, storage, trained_as, _context(trained_as.name))
    component.clf.fit(np.array([[0.0, 1.0], [1.0, 0.0]]), ["a", "b"])
    component.persist()
    (tmp_path / trained_as.name).rename(tmp_path / restored_as.name)

    with pytest.raises(FileNotFoundError):
        LogisticRegressionClassifier.load(config, storage, restored_as, _context(restored_as.name))
