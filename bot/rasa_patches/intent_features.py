"""Patch: the intent classifier's feature row put together directly.

Replaces: `rasa.nlu.classifiers.logistic_regression_classifier.LogisticRegressionClassifier._create_X`
(Rasa's own stays as `rasa_create_X`, used for anything this patch does not handle).
Why: the classifier builds the row it classifies from the sentence features of the two count
featurizers with two deep copies and three scipy `hstack`/`vstack` calls, ~2 ms for a one-row
matrix. The row is now put together directly: the same columns in the same order with the same
values (float64, as `hstack` made them). Messages with dense features (none in this pipeline),
or rows of different widths, go Rasa's way.
Measured gain: ~2 ms CPU per message (docs/performance.md; `make bench` measures it again).
(7 Dec: switching it off added 6.6 % CPU per message; `python -m bot.tools.bench.cpu --each`, docs/rasa-patches.md).
Pinned by: tests/test_rasa_patches.py::test_the_intent_classifier_gets_the_feature_rows_rasa_built.
"""

from __future__ import annotations

from typing import Any, List

from bot.rasa_patches.replacements import Replacements


def intent_feature_rows(self: Any, messages: List[Any]) -> Any:
    """`LogisticRegressionClassifier._create_X` without the copies (see above)."""
    import numpy as np
    from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
    from scipy.sparse import csr_matrix

    columns: List[Any] = []
    values: List[Any] = []
    row_ends = [0]
    stored = 0
    width = None
    for message in messages:
        offset = 0
        for features in message.features:
            if features.attribute != TEXT or features.type != FEATURE_TYPE_SENTENCE:
                continue
            if not features.is_sparse() or features.features.shape[0] != 1:
                return self.rasa_create_X(messages)
            matrix = features.features.tocoo()
            columns.append(matrix.col.astype(np.int64) + offset)
            values.append(matrix.data.astype(np.float64))
            stored += len(matrix.data)
            offset += matrix.shape[1]
        if offset == 0 or (width is not None and offset != width):
            return self.rasa_create_X(messages)  # no features, or rows of different widths: Rasa's error
        width = offset
        row_ends.append(stored)
    return csr_matrix(
        (np.concatenate(values), np.concatenate(columns), np.asarray(row_ends)),
        shape=(len(messages), width),
    )


def install(replacements: Replacements, settings: Any) -> None:
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

    replacements.add(LogisticRegressionClassifier, "rasa_create_X", LogisticRegressionClassifier._create_X)
    replacements.replace(LogisticRegressionClassifier, "_create_X", intent_feature_rows)
