"""A record of every attribute of Rasa that a patch replaced, so that it can be put back.

Like pytest's `monkeypatch`: each replacement says what it replaced, and `undo()` restores the
originals in reverse order (tests run patched code and leave plain Rasa behind them).
"""

from __future__ import annotations

import types
from dataclasses import dataclass, field
from typing import Any, Callable, List, MutableMapping, Tuple

_MISSING = object()


@dataclass
class Replacements:
    """What the patches replaced: `(target, attribute)` pairs with their former values."""

    done: List[Tuple[Any, str, Any]] = field(default_factory=list)
    undo_steps: List[Callable[[], None]] = field(default_factory=list)

    def replace(self, target: Any, name: str, value: Any) -> Any:
        """Sets `target.name = value`; returns what `target.name` gave before (raises if there
        was nothing: a patch replaces what Rasa has, it does not add to it by surprise)."""
        if not hasattr(target, name):
            raise AttributeError(f"{target!r} has no attribute {name!r} to replace")
        before = getattr(target, name)
        self.done.append((target, name, vars(target).get(name, _MISSING)))
        setattr(target, name, value)
        return before

    def add(self, target: Any, name: str, value: Any) -> None:
        """Sets a new attribute `target.name` (such as Rasa's own method kept under another name)."""
        self.done.append((target, name, target.__dict__.get(name, _MISSING)))
        setattr(target, name, value)

    def replace_item(self, mapping: MutableMapping[Any, Any], key: Any, value: Any) -> None:
        """Sets `mapping[key] = value` (such as an entry of `sys.modules`)."""
        self.undo_steps.append(_item_restorer(mapping, key, mapping.get(key, _MISSING)))
        mapping[key] = value

    def on_undo(self, step: Callable[[], None]) -> None:
        """Runs `step` when the replacements are undone (e.g. removing an event listener)."""
        self.undo_steps.append(step)

    def names(self) -> List[str]:
        """`module.Class.attribute` of every replacement, in order."""
        return [f"{_dotted(target)}.{name}" for target, name, _ in self.done]

    def undo(self) -> None:
        """Puts back everything replaced, newest first."""
        while self.undo_steps:
            self.undo_steps.pop()()
        while self.done:
            target, name, former = self.done.pop()
            if former is _MISSING:
                delattr(target, name)
            else:
                setattr(target, name, former)


def _dotted(target: Any) -> str:
    if isinstance(target, types.ModuleType):
        return target.__name__
    return f"{target.__module__}.{target.__qualname__}"


def _item_restorer(mapping: MutableMapping[Any, Any], key: Any, former: Any) -> Callable[[], None]:
    def restore() -> None:
        if former is _MISSING:
            mapping.pop(key, None)
        else:
            mapping[key] = former

    return restore
