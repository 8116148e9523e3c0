"""The input matrix of the intent classifiers: sparse sentence features, then dense ones.

Rasa's featurisers put on each message a sparse sentence feature (the count
vectorisers' n-grams, combined) and, when a dense featuriser such as
``bot.rasa_server.components.sentence_encoder.SentenceEncoder`` is in the pipeline, a
dense sentence feature (the sentence embedding). A linear classifier gets both
side by side, one row per message.

The two parts are on different scales: a message's n-gram counts run into
the dozens, an L2-normalised embedding has length 1. ``dense_weight``
multiplies the dense part so that the classifier's regularisation does not
all but ignore it (docs/evaluation.md, "Sentence encoder", gives the figures
behind the default).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message


def classifier_input(messages: list[Message], dense_weight: float = 1.0) -> sp.csr_matrix:
    """One row per message: its sparse sentence features, then ``dense_weight`` × its dense ones.

    Without dense features the matrix is exactly the one Rasa's
    ``LogisticRegressionClassifier._create_X`` builds. With them, every
    message must have the same dense dimension (as Rasa requires too).
    """
    sparse_rows, dense_rows = [], []
    for message in messages:
        # get_*_features returns (sequence, sentence); each is None when absent
        sparse = message.get_sparse_features(attribute=TEXT)[1]
        dense = message.get_dense_features(attribute=TEXT)[1]
        sparse_rows.append(sp.csr_matrix(sparse.features) if sparse is not None else None)
        dense_rows.append(np.asarray(dense.features, dtype=np.float64).reshape(1, -1) if dense is not None else None)

    if not messages:
        return sp.csr_matrix((0, 0))
    sparse_width = max((row.shape[1] for row in sparse_rows if row is not None), default=0)
    dense_width = max((row.shape[1] for row in dense_rows if row is not None), default=0)
    empty_sparse = sp.csr_matrix((1, sparse_width))
    sparse_part = sp.vstack([row if row is not None else empty_sparse for row in sparse_rows], format="csr", dtype=np.float64)
    if dense_width == 0:
        return sparse_part
    dense_part = np.vstack([row if row is not None else np.zeros((1, dense_width)) for row in dense_rows])
    if dense_weight != 1.0:
        dense_part = dense_part * float(dense_weight)
    return sp.hstack([sparse_part, sp.csr_matrix(dense_part)], format="csr")
