"""Patch: a slot copied directly instead of through `copy`'s generic `__reduce_ex__` path.

Replaces: adds `rasa.shared.core.slots.Slot.__copy__` (Rasa's `Slot` has none, so `copy.copy`
took the long way).
Why: Rasa copies every slot of the domain each time it makes a tracker (reading a conversation,
and for every prior state the policies look at). The `__copy__` does what `copy.copy` did (a new
object of the slot's class with a shallow copy of its attributes) directly.
Measured gain: ~3 % of the Rasa process's CPU per message (docs/performance.md).
Pinned by: tests/test_rasa_patches.py::test_a_slot_copies_as_copy_copy_did.
"""

from __future__ import annotations

from typing import Any

from bot.rasa_patches.replacements import Replacements


def copy_slot(slot: Any) -> Any:
    """A new slot of the same class with the same attributes (what `copy.copy` made)."""
    new = slot.__class__.__new__(slot.__class__)
    new.__dict__.update(slot.__dict__)
    return new


def install(replacements: Replacements, settings: Any) -> None:
    from rasa.shared.core.slots import Slot

    replacements.add(Slot, "__copy__", copy_slot)
