"""Patch: Rasa's prediction graph run by a runner that calls the nodes in order, without dask.

Replaces: `rasa.core.processor.DaskGraphRunner` (the runner Rasa loads a model with) by
`SequentialGraphRunner`.
Why: Rasa 3.6 runs the trained graph with dask for every message parse and every action prediction:
it cuts the graph down to the targets, builds a dask graph and lets dask's scheduler order it,
each time. The prediction graph is small and runs in one thread, so `SequentialGraphRunner`
works the order out once per set of targets and then calls the same `GraphNode`s with the same
inputs as dask would: each node gets the `(name, output)` pairs of the nodes it needs, and the
placeholders (`__message__`, `__tracker__`) come in as `(name, value)` pairs.
Measured gain: -2 ms CPU per message (docs/performance.md; `make bench` measures it again).
(7 Dec: leaving it out added 20 % CPU per message; `python -m bot.tools.bench.cpu --each`, docs/rasa-patches.md).
Pinned by: tests/test_rasa_patches.py::test_the_sequential_runner_parses_as_dask_does and
::test_the_sequential_runner_predicts_as_dask_does.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

from bot.rasa_patches.replacements import Replacements

_Plan = List[Tuple[Text, Tuple[Text, ...]]]


class SequentialGraphRunner(DaskGraphRunner):
    """Same nodes, same inputs and outputs as `DaskGraphRunner`; the order is planned once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: Dict[Tuple[Text, ...], _Plan] = {}

    def _plan(self, targets: Tuple[Text, ...]) -> _Plan:
        plan = self._plans.get(targets)
        if plan is None:
            schema = self._graph_schema.minimal_graph_schema(list(targets))
            plan, done = [], set()

            def visit(name: Text, path: Tuple[Text, ...]) -> None:
                if name in done or name not in schema.nodes:
                    return  # a placeholder input, or planned already
                if name in path:
                    raise GraphRunError(f"The graph has a cycle through '{name}'.")
                needs = tuple(schema.nodes[name].needs.values())
                for parent in needs:
                    visit(parent, path + (name,))
                done.add(name)
                plan.append((name, needs))

            for target in targets:
                visit(target, ())
            self._plans[targets] = plan
        return plan

    def run(self, inputs: Optional[Dict[Text, Any]] = None, targets: Optional[List[Text]] = None) -> Dict[Text, Any]:
        """Runs the graph (see `GraphRunner.run`)."""
        run_targets = tuple(targets if targets else self._graph_schema.target_names)
        plan = self._plan(run_targets)
        outputs: Dict[Text, Any] = {}
        for name, value in (inputs or {}).items():
            if name in self._graph_schema.nodes:
                raise GraphRunError(
                    f"Input '{name}' clashes with a node name. Make sure that none of the input "
                    f"names passed to the `run` method are the same as node names in the graph schema."
                )
            outputs[name] = (name, value)
        try:
            for name, needs in plan:
                # A missing input reaches the node as its bare name, as with dask: the node says so.
                outputs[name] = self._instantiated_nodes[name](*(outputs.get(need, need) for need in needs))
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error
        return dict(outputs[target] for target in run_targets)


def install(replacements: Replacements, settings: Any) -> None:
    import rasa.core.processor as processor

    replacements.replace(processor, "DaskGraphRunner", SequentialGraphRunner)
