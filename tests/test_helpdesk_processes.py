"""How the processes get the helpdesk's tokens."""

from __future__ import annotations

import argparse

from bot.runtime.api_token import with_api_token
from bot.runtime.processes import services
from bot.runtime.settings import Settings


def rasa_argument(command, name: str) -> str:
    parser = argparse.ArgumentParser()
    parser.add_argument(name)
    known, _ = parser.parse_known_args(command)
    return getattr(known, name.lstrip("-").replace("-", "_"))


def test_a_token_that_starts_with_a_dash_reaches_rasa_intact(tmp_path, monkeypatch):
    monkeypatch.setenv("RASA_API_TOKEN", "-token-with-a-dash")
    rasa = next(s for s in services(Settings(data_dir=tmp_path), tmp_path / "model.tar.gz") if s.name == "rasa server")
    assert "--enable-api" in rasa.command
    assert rasa_argument(with_api_token(rasa.command, rasa.env), "--auth-token") == "-token-with-a-dash"


def test_without_tokens_every_run_gets_fresh_ones_shared_by_the_processes(tmp_path, monkeypatch):
    monkeypatch.delenv("RASA_API_TOKEN", raising=False)
    monkeypatch.delenv("HELPDESK_SERVICE_TOKEN", raising=False)
    first = services(Settings(data_dir=tmp_path), tmp_path / "model.tar.gz")
    second = services(Settings(data_dir=tmp_path), tmp_path / "model.tar.gz")
    tokens = {s.env["RASA_API_TOKEN"] for s in first}
    assert len(tokens) == 1 and len(tokens.pop()) >= 32
    assert first[0].env["HELPDESK_SERVICE_TOKEN"] != second[0].env["HELPDESK_SERVICE_TOKEN"]
    assert {s.env["HELPDESK_URL"] for s in first} == {Settings(data_dir=tmp_path).web_url}
