"""`python -m bot.runtime.rasa_server run ...`: Rasa's own `rasa run ...`, set up for this project.

Before handing the command line to Rasa, the process
1. sets Rasa's environment (no telemetry unless `RASA_TELEMETRY_ENABLED` says so;
   `bot.runtime.settings.rasa_environment`);
2. installs the Rasa patches (`bot.rasa_patches`: speed fixes for Rasa 3.6, each in its own module,
   refused on any other Rasa version), unless `BOT_RASA_PATCHES=off`;
3. installs the safeguards (`bot.runtime.safeguards`: log redaction, the action-server fallback,
   the retention job), always;
4. gives this start of the server an id, so that its Sanic workers share state in shared memory.
`make run` (`bot.runtime.processes`) and the Helm chart (`deploy/helm/values.rasa.yaml`) start it.
"""

from __future__ import annotations

import atexit
import os
import secrets
import sys
from pathlib import Path
from typing import List, Optional

from bot import rasa_patches
from bot.runtime import safeguards
from bot.runtime.settings import PROJECT_DIRECTORY, rasa_environment


def share_state_between_workers(shared_memory: Optional[Path] = None) -> Optional[str]:
    """Gives this start of the server an id, so that its Sanic workers share state in files in
    shared memory (`bot.stores.shared_state`); removes them when the server stops, and those of servers
    that stopped without removing theirs. Returns the id (None without a shared memory)."""
    from bot.stores import shared_state

    folder = shared_state.SHARED_MEMORY if shared_memory is None else shared_memory
    shared_state.remove_files_of_stopped_servers(folder)
    server_id = f"{os.getpid()}-{secrets.token_hex(4)}"
    if not shared_state.usable(folder):
        return None
    os.environ[shared_state.SERVER_VARIABLE] = server_id
    server = os.getpid()
    atexit.register(lambda: os.getpid() == server and shared_state.remove_files_of(server_id, folder))
    return server_id


def endpoints_argument(argv: List[str]) -> Optional[Path]:
    """The endpoints file Rasa will read: `--endpoints PATH` (or `=PATH`), else `endpoints.yml`."""
    for position, argument in enumerate(argv):
        if argument == "--endpoints" and position + 1 < len(argv):
            return Path(argv[position + 1])
        if argument.startswith("--endpoints="):
            return Path(argument.split("=", 1)[1])
    return Path("endpoints.yml")


def main(argv: Optional[List[str]] = None) -> None:
    """Sets up the process (this module's docstring), then runs Rasa's command line with the API
    token added from the environment (`bot.runtime.api_token`) and `/metrics` served."""
    from bot.runtime import metrics
    from bot.runtime.api_token import with_api_token

    arguments = with_api_token(list(sys.argv[1:] if argv is None else argv), os.environ)
    for name, value in rasa_environment().items():
        os.environ[name] = value  # no telemetry unless RASA_TELEMETRY_ENABLED says so
    patch_settings = rasa_patches.PatchSettings.from_env(os.environ)
    patches = rasa_patches.install(patch_settings)
    project = Path(os.environ.get("BOT_PROJECT_DIR", PROJECT_DIRECTORY))
    safeguards.install(endpoints_argument(arguments), project)
    server_id = share_state_between_workers()
    metrics.serve_from_rasa_server(server_id or str(os.getpid()))
    from rasa.__main__ import main as rasa_main

    print(f"Rasa patches: {len(patches.names())} replacements of Rasa {rasa_patches.RASA_VERSION} internals"
          if patch_settings.enabled else f"Rasa patches: off ({rasa_patches.SWITCH}=off): plain Rasa",
          file=sys.stderr, flush=True)
    sys.argv = ["rasa", *arguments]  # this process's copy: /proc/<pid>/cmdline keeps what exec got
    rasa_main()


if __name__ == "__main__":
    main()
