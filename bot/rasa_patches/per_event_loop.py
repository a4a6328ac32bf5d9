"""Things made once per event loop (each Sanic worker, each test, has its own loop)."""

from __future__ import annotations

import asyncio
from typing import Any, Callable, Dict, Tuple


def of_this_loop(
    made: Dict[Any, Tuple[Any, Any]], key: Any, make: Callable[[], Any], usable: Callable[[Any], bool] = lambda _: True
) -> Any:
    """What `make()` gave for the running event loop under `key` (made again when not `usable`)."""
    loop = asyncio.get_running_loop()
    made_in, thing = made.get((id(loop), key), (None, None))
    if thing is None or made_in is not loop or not usable(thing):  # an id may come back for a new loop
        thing = make()
        made[(id(loop), key)] = (loop, thing)
    return thing
