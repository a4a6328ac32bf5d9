"""The agents' inbox in a real headless Chromium (issue 21, point 3): an agent signs in with a
password, opens a Farsi ticket, reads it in Dutch, answers with a macro chosen in Dutch, closes
it; every page passes axe's serious and critical checks."""

from __future__ import annotations

import json
import urllib.request
import uuid
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from bot.content.translations import Translations
from bot.runtime.settings import PROJECT_DIRECTORY
from tests.browser.conftest import WAIT_MS, serious_accessibility_violations
from tests.conftest import HELPDESK_AGENT_TOKEN
from tests.test_helpdesk_conversations import Desk, eventually

pytestmark = pytest.mark.server
TRANSLATIONS = Translations.load(PROJECT_DIRECTORY / "translations")
PASSWORD = "a long password for noor"


@pytest.fixture
def agent_page(browser: Browser) -> Iterator[Page]:
    """A tab that may add axe to pages whose Content-Security-Policy forbids any script."""
    context = browser.new_context(locale="nl-NL", bypass_csp=True)
    context.set_default_timeout(WAIT_MS)
    tab = context.new_page()
    yield tab
    context.close()


def add_agent(web: str, name: str) -> None:
    body = json.dumps({"name": name, "password": PASSWORD}).encode()
    request = urllib.request.Request(
        f"{web}/api/agents", data=body, method="POST",
        headers={"Authorization": f"Bearer {HELPDESK_AGENT_TOKEN}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        assert reply.status == 201


def test_an_agent_reads_a_farsi_ticket_in_dutch_and_answers_it_in_farsi(assistant, agent_page):
    desk = Desk(assistant)
    user = f"inbox-{uuid.uuid4().hex[:8]}"
    assistant.say(user, "من پناهجو هستم و می‌خواهم کار کنم")
    assistant.say(user, "می‌خواهم با یک انسان صحبت کنم")
    assistant.say(user, "/affirm")
    ticket = eventually(lambda: desk.ticket_of(user))
    name = f"noor-{uuid.uuid4().hex[:6]}"
    add_agent(desk.web, name)

    page = agent_page
    page.goto(f"{desk.web}/helpdesk")
    assert serious_accessibility_violations(page) == []
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password or agent token").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {name}")).to_be_visible()
    assert serious_accessibility_violations(page) == []

    page.get_by_role("link", name=f"Ticket #{ticket['id']}").click()
    transcript = page.locator("table.transcript")
    expect(transcript).to_contain_text("Mag ik werken als asielzoeker?")
    expect(transcript).to_contain_text("Wil een mens spreken.")
    expect(transcript.locator('td[lang="fa"][dir="rtl"]').first).to_be_visible()
    expect(page.get_by_text("Waiting:")).to_be_visible()
    assert serious_accessibility_violations(page) == []

    page.get_by_label("Text (chosen in Dutch)").select_option(label="Helpdesk: " + TRANSLATIONS.helpdesk_phrase("greeting", "nl").text)
    page.get_by_role("button", name="Send").click()
    farsi = TRANSLATIONS.helpdesk_phrase("greeting", "fa").text
    expect(transcript.locator("tr.agent td").first).to_have_text(farsi)
    expect(transcript.locator("tr.agent td").nth(1)).to_have_text(TRANSLATIONS.helpdesk_phrase("greeting", "nl").text)
    eventually(lambda: farsi in desk.bot_texts(user))

    page.get_by_role("button", name="Close and give back to the assistant").click()
    expect(page.get_by_text("No open tickets.").or_(page.locator("table"))).to_be_visible()
    assert desk.ticket(ticket["id"])["status"] == "closed"
    log = json.loads(urllib.request.urlopen(urllib.request.Request(
        f"{desk.web}/api/audit?ticket_id={ticket['id']}", headers={"Authorization": f"Bearer {HELPDESK_AGENT_TOKEN}"},
    ), timeout=30).read())["entries"]
    assert [(e["agent"], e["action"]) for e in log if e["agent"] == name] == [
        (name, "read"), (name, "answered"), (name, "read"), (name, "closed"),
    ]
