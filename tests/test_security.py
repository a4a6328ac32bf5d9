"""Security: the Rasa HTTP API needs a token, no secret is in the repository, and the
dependency audit tells a missing vulnerability service from a clean result."""

from __future__ import annotations

import dataclasses
import math
import re
import subprocess
from collections import Counter
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest

from bot.runtime.api_token import with_api_token
from bot.runtime.processes import services
from bot.runtime.settings import Settings
from bot.tools.dependency_audit import AuditReport, accepted_ids, without_decision

# Token formats of the services a deployment may use; any match in a tracked file is a leak.
TOKEN_FORMATS = {
    "private key": r"-----BEGIN [A-Z ]*PRIVATE KEY-----",
    "AWS access key": r"\bAKIA[0-9A-Z]{16}\b",
    "GitHub token": r"\bgh[pousr]_[A-Za-z0-9]{36,}\b",
    "Slack token": r"\bxox[abprs]-[A-Za-z0-9-]{10,}",
    "Telegram bot token": r"\b\d{8,10}:[A-Za-z0-9_-]{35}\b",
    "Meta access token": r"\bEAA[A-Za-z0-9]{60,}",
    "Google API key": r"\bAIza[0-9A-Za-z_-]{35}\b",
    "JSON web token": r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",
}
# A value assigned to a secret-like name, in code or configuration.
ASSIGNED = re.compile(
    r"(?i)(secret|token|password|passwd|api[_-]?key|access[_-]?key)[\"']?\s*[:=]\s*[\"']([^\"'\s]{12,})[\"']"
)
# Values that say they are not real: test fixtures and examples.
PLACEHOLDER = re.compile(r"(?i)fake|test|example|dummy|placeholder|changeme|not-the|your[-_]|x{6}|\$\{|<")
WORDS_ONLY = re.compile(r"^[a-z]+(?:[-_][a-z0-9]+)*$")  # "webhook-secret": a name, not a secret
SECRET_FILES = re.compile(r"(^|/)(\.env(\..*)?|id_rsa|id_ed25519|.*\.pem|.*\.key|.*\.p12)$")


def entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def looks_secret(value: str) -> bool:
    """A random-looking value that nothing marks as a placeholder."""
    return not PLACEHOLDER.search(value) and not WORDS_ONLY.match(value) and entropy(value) >= 3.0


def secrets_in(text: str) -> Iterator[Tuple[str, str]]:
    for kind, pattern in TOKEN_FORMATS.items():
        for match in re.finditer(pattern, text):
            yield kind, match.group(0)
    for match in ASSIGNED.finditer(text):
        if looks_secret(match.group(2)):
            yield f"value of {match.group(1)}", match.group(2)


def tracked_files(project: Path) -> List[str]:
    return subprocess.run(["git", "ls-files"], cwd=project, capture_output=True, text=True, check=True).stdout.split()


def test_no_secret_in_any_tracked_file(project):
    found = []
    for name in tracked_files(project):
        assert not SECRET_FILES.search(name), f"{name} looks like a secrets file"
        try:
            text = (project / name).read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError):
            continue
        found += [f"{name}: {kind}: {value[:12]}..." for kind, value in secrets_in(text)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("planted", [
    "-----BEGIN RSA PRIVATE " + "KEY-----",
    "AKIA" + "Q" * 4 + "7ZP2N4XW5R3M",
    "gh" + "p_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5",
    "bot_token = '" + "7" * 10 + ":AAH" + "x9Kq2LmZ8vB4nR6tW1yP3sD5fG7hJ0kQ2" + "'",
    "WHATSAPP_APP_SECRET: '" + "9f8e7d6c5b4a" + "3f2e1d0c9b8a7f6e'",
])
def test_the_scan_finds_planted_secrets(planted):
    assert list(secrets_in(planted)), planted


def test_the_scan_leaves_test_fixtures_and_names_alone():
    for harmless in ('SECRET = "webhook-secret"', 'TOKEN = "agent-token-for-tests"',
                     'token: "${RASA_API_TOKEN}"', 'BOT_TOKEN = "123456:fake-telegram-bot-token"'):
        assert not list(secrets_in(harmless)), harmless


def test_the_rasa_api_is_only_ever_enabled_with_a_token_kept_off_the_command_line(tmp_path, project):
    settings = Settings.from_env({}).with_ports(5005, 5055, 8080)
    for environ in ({}, {"RASA_API_TOKEN": "a-token-set-by-the-operator-0123"}):
        configured = dataclasses.replace(settings, data_dir=tmp_path, extra_env=environ)
        rasa = next(s for s in services(configured, project / "model.tar.gz") if s.name == "rasa server")
        token = rasa.env["RASA_API_TOKEN"]
        assert "--enable-api" in rasa.command and len(token) >= 24
        assert not any(token in part or part.startswith("--auth-token") for part in rasa.command)  # `ps` shows it
        arguments = rasa.command[rasa.command.index("run"):]
        assert with_api_token(arguments, rasa.env)[-1] == f"--auth-token={token}"  # added inside the process
        if environ:
            assert token == environ["RASA_API_TOKEN"]


def test_the_api_token_can_come_from_a_file_and_the_api_never_opens_without_one(tmp_path):
    secret = tmp_path / "rasa-token"
    secret.write_text("a-token-from-a-mounted-secret-0123\n", encoding="utf-8")
    assert with_api_token(["run", "--enable-api"], {"RASA_API_TOKEN_FILE": str(secret)})[-1] == (
        "--auth-token=a-token-from-a-mounted-secret-0123"
    )
    with pytest.raises(SystemExit, match="needs a token"):
        with_api_token(["run", "--enable-api"], {})
    assert with_api_token(["run"], {}) == ["run"]  # no API, no token needed


@pytest.mark.server
@pytest.mark.parametrize("method,path", [
    ("GET", "/status"), ("GET", "/conversations/someone/tracker"),
    ("POST", "/model/parse"), ("POST", "/conversations/someone/trigger_intent"), ("PUT", "/model"),
    ("GET", "/domain"),
])
def test_the_rasa_api_refuses_requests_without_the_right_token(assistant, method, path):
    url = assistant.settings.rasa_url + path
    body = b'{"text": "hallo", "name": "greet"}' if method != "GET" else None
    for suffix in ("", "?token=wrong-token", "?token="):
        status, _ = assistant.request(url + suffix, body, {"Content-Type": "application/json"}, method)
        assert status in (401, 403), (path, suffix, status)
    token = assistant.stack.service("rasa server").env["RASA_API_TOKEN"]
    status, _ = assistant.request(f"{assistant.settings.rasa_url}/status?token={token}")
    assert status == 200


def test_the_audit_says_when_the_vulnerability_service_was_not_reached():
    unreachable = AuditReport.from_json({"dependencies": [
        {"name": "aiohttp", "skip_reason": "Dependency not found on PyPI and could not be audited"},
        {"name": "rasa", "skip_reason": "Dependency not found on PyPI and could not be audited"},
    ]})
    assert unreachable.service_unreachable
    reached = AuditReport.from_json({"dependencies": [
        {"name": "aiohttp", "version": "3.9.5", "vulns": [{"id": "GHSA-8qpw-xqxj-h4r2", "aliases": ["CVE-2024-52304"]}]},
        {"name": "rasa", "version": "3.6.21", "vulns": [{"id": "PYSEC-2099-1", "aliases": []}]},
    ]})
    assert not reached.service_unreachable
    open_ones = without_decision(reached, {"CVE-2024-52304"})
    assert [str(f) for f in open_ones] == ["PYSEC-2099-1 in rasa==3.6.21"]


def test_every_decision_in_security_md_has_an_id_and_a_reason(project):
    text = (project / "SECURITY.md").read_text(encoding="utf-8")
    ids = accepted_ids(project / "SECURITY.md")
    assert len(ids) >= 5
    for row in (line for line in text.splitlines() if line.startswith("| CVE-")):
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert len(cells) == 5 and all(cells), row
