"""Patch: the trained model's domain read once, with libyaml.

Replaces: `rasa.graph_components.providers.domain_provider.DomainProvider.load`.
Why: starting, Rasa read the trained model's domain (400 KB of YAML, seven languages) with
ruamel.yaml in pure Python, four times over, and checked it against the domain schema once more:
17 s of the start. It is now read once with libyaml under the same YAML 1.2 rules
(`bot.content.fast_yaml.rasa_load`); the schema check was done when the model was trained from
the same domain.
Measured gain: -17 s of the start (docs/performance.md).
(7 Dec: leaving it out made the start 134 % longer (+28 s); `python -m bot.tools.bench.cpu --each`, docs/rasa-patches.md).
Pinned by: tests/test_rasa_patches.py::test_the_model_loads_with_the_domain_rasa_would_read and
::test_the_fast_yaml_reader_reads_the_trained_domain_as_rasa_does.
"""

from __future__ import annotations

from typing import Any

from bot.rasa_patches.replacements import Replacements


def install(replacements: Replacements, settings: Any) -> None:
    from rasa.graph_components.providers.domain_provider import DomainProvider
    from rasa.shared.core.domain import Domain

    from bot.content import fast_yaml

    def load(cls, config, model_storage, resource, execution_context, **kwargs):  # noqa: ARG001
        """Rasa's `DomainProvider.load`, reading `domain.yml` once with libyaml."""
        with model_storage.read_from(resource) as directory:
            text = (directory / "domain.yml").read_text(encoding="utf-8")
        return cls(model_storage, resource, Domain.from_dict(fast_yaml.rasa_load(text)))

    replacements.replace(DomainProvider, "load", classmethod(load))
