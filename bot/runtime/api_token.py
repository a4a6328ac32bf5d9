"""The Rasa HTTP API's token: from the environment or a file, never from the command line.

Rasa 3.6 takes the token only as `--auth-token`, and a process's command line is readable by
every user of the machine (`ps`, `/proc/<pid>/cmdline`). `bot.runtime.rasa_server` is started
without it and adds it to Rasa's arguments inside its own process (`with_api_token`); the command
line the kernel shows stays the one the process was started with.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Mapping

API_TOKEN_VARIABLE = "RASA_API_TOKEN"
API_TOKEN_FILE_VARIABLE = "RASA_API_TOKEN_FILE"


def with_api_token(argv: List[str], environ: Mapping[str, str]) -> List[str]:
    """Rasa's arguments with `--auth-token` from `RASA_API_TOKEN`, or from the file named by
    `RASA_API_TOKEN_FILE` (e.g. a mounted Kubernetes secret). `--enable-api` without any token is
    refused: the API would be open to anyone who reaches the port."""
    if "--enable-api" not in argv or any(a == "--auth-token" or a.startswith("--auth-token=") for a in argv):
        return argv
    token = environ.get(API_TOKEN_VARIABLE, "").strip()
    if not token and environ.get(API_TOKEN_FILE_VARIABLE):
        token = Path(environ[API_TOKEN_FILE_VARIABLE]).read_text(encoding="utf-8").strip()
    if not token:
        raise SystemExit(
            f"--enable-api needs a token: set {API_TOKEN_VARIABLE} or {API_TOKEN_FILE_VARIABLE} "
            "(never --auth-token on the command line, where every local user can read it)"
        )
    return [*argv, f"--auth-token={token}"]
