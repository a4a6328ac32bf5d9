"""Patch: the intent classifier's coefficients kept in the memory order its product reads.

Replaces: `rasa.nlu.classifiers.logistic_regression_classifier.LogisticRegressionClassifier.load`,
which now stores `clf.coef_` in Fortran order after Rasa's own load.
Why: scikit-learn multiplies the sparse feature row by `coef_.T`; with `coef_` in C order it
copies all coefficients (37 intents x ~100k features) for every message first. In Fortran order
`coef_.T` is already C-ordered: the same numbers, the same predictions, no copy.
Measured gain: -4 ms CPU per message (docs/performance.md).
(7 Dec: leaving it out added 51 % CPU per message; `python -m bot.tools.bench.cpu --each`, docs/rasa-patches.md).
Pinned by: tests/test_rasa_patches.py::test_the_sequential_runner_parses_as_dask_does (the model
loaded twice, parses compared) and ::test_the_classifier_keeps_its_coefficients_in_product_order.
"""

from __future__ import annotations

from typing import Any

from bot.rasa_patches.replacements import Replacements


def install(replacements: Replacements, settings: Any) -> None:
    import numpy as np
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

    load_classifier = LogisticRegressionClassifier.load.__func__

    def load_for_prediction(cls, *args: Any, **kwargs: Any) -> Any:
        """Rasa's load; then the coefficients in Fortran order (`coef_.T` C-ordered)."""
        component = load_classifier(cls, *args, **kwargs)
        coefficients = getattr(getattr(component, "clf", None), "coef_", None)
        if coefficients is not None:
            component.clf.coef_ = np.asfortranarray(coefficients)
        return component

    replacements.replace(LogisticRegressionClassifier, "load", classmethod(load_for_prediction))
