"""Patch: the import order at start (skops before TensorFlow; TensorFlow's optional JAX left out).

Replaces: `sys.modules["jax"]` (set to None, so `import jax` fails as if JAX were not installed),
and imports `skops.io` before anything of Rasa's loads TensorFlow.
Why: skops, which loads the intent classifier, looks up hundreds of scikit-learn types in every
module loaded so far when it is imported: 2 s before TensorFlow is loaded, 10-15 s after.
TensorFlow imports JAX, if installed, only to convert JAX models to TensorFlow Lite, which Rasa
never does; it goes on without it.
Measured gain: -10 to -14 s of the start, -65 MB and -0.6 s per Rasa process (docs/performance.md).
(7 Dec: leaving it out made the start 42 % longer and the process 64 MB larger; `python -m bot.tools.bench.cpu --each`, docs/rasa-patches.md).
Pinned by: tests/test_rasa_patches.py::test_the_model_loads_with_the_domain_rasa_would_read (the
model loads and predicts as with Rasa's own start) and the benchmark's start time.
"""

from __future__ import annotations

import sys

from bot.rasa_patches.replacements import Replacements


def install(replacements: Replacements, settings: object) -> None:
    if "jax" not in sys.modules:
        replacements.replace_item(sys.modules, "jax", None)
    import skops.io  # noqa: F401  (before anything of Rasa's, which loads TensorFlow)
