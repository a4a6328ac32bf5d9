"""The content team's page (bot/analytics/pages.py) in headless Chromium: an agent signs in, sees
the conversations of a REST run as charts per language and per topic, the tables, the unanswered
questions with personal data hidden, and the page passes axe."""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import WAIT_MS, serious_accessibility_violations
from tests.conftest import HELPDESK_AGENT_TOKEN

pytestmark = pytest.mark.server


@pytest.fixture
def agent_page(browser: Browser) -> Iterator[Page]:
    """A tab that lets axe in despite the page's Content-Security-Policy (no scripts allowed)."""
    context = browser.new_context(locale="en-GB", bypass_csp=True)
    context.set_default_timeout(WAIT_MS)
    yield context.new_page()
    context.close()


def counted_stats(assistant, check) -> dict:
    """GET /api/stats once `check` holds: the broker posts each turn's events after the answer."""
    deadline = time.monotonic() + 60
    while True:
        status, body = assistant.request(
            assistant.settings.web_url + "/api/stats", headers={"Authorization": f"Bearer {HELPDESK_AGENT_TOKEN}"}
        )
        assert status == 200, body
        report = json.loads(body)
        if check(report):
            return report
        assert time.monotonic() < deadline, "the conversations were not counted"
        time.sleep(0.2)


def test_an_agent_sees_charts_tables_and_unanswered_questions(agent_page: Page, assistant):
    def dutch_conversations(report) -> int:
        return sum(r["conversations"] for r in report["by_language"]
                   if r["language"] == "nl" and isinstance(r["conversations"], int))

    def football(report) -> int:
        return sum(g["count"] for g in report["unanswered"] if "voetbal" in " ".join(g["examples"]))

    # The stack is shared with other tests: wait until this test's conversations are counted.
    before = counted_stats(assistant, lambda r: True)
    for _ in range(5):
        assistant.say(f"page-nl-{uuid.uuid4().hex[:8]}", "Mag ik werken als asielzoeker?")
        assistant.say(f"page-en-{uuid.uuid4().hex[:8]}", "Can I work as an asylum seeker?")
    assistant.say(f"page-oos-{uuid.uuid4().hex[:8]}", "Wie wint het WK voetbal? mijn nummer 0612345678 bsn 628194821")
    report = counted_stats(assistant, lambda r: football(r) == football(before) + 1
                           and dutch_conversations(r) >= dutch_conversations(before) + 6)
    counted = dutch_conversations(report)
    page = agent_page
    content = assistant.settings.web_url + "/helpdesk/content"
    page.goto(content)
    expect(page.get_by_role("heading", name="Content: sign in")).to_be_visible()
    page.get_by_label("Password or agent token").fill(HELPDESK_AGENT_TOKEN)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(assistant.settings.web_url + "/helpdesk")
    page.goto(content)

    expect(page.get_by_role("heading", name="What users ask")).to_be_visible()
    chart = page.get_by_role("img", name="Conversations per language")
    expect(chart).to_be_visible()
    expect(page.get_by_role("img", name="Conversations per topic")).to_be_visible()
    assert chart.locator("polyline").count() >= 2, "one line per language"
    legend = page.locator("figure", has=chart).locator(".legend")
    expect(legend).to_contain_text("nl")
    expect(legend).to_contain_text("en")
    per_language = page.locator("table", has=page.locator("th", has_text="conversations")).first
    dutch = per_language.locator("tr", has=page.locator("th", has_text=re.compile("^nl$")))
    expect(dutch.locator("td").first).to_have_text(str(counted))
    questions = page.locator("ol li", has_text="voetbal")
    expect(questions).to_contain_text("[phone]")
    expect(questions).to_contain_text("[BSN]")
    expect(page.locator("body")).not_to_contain_text("628194821")
    assert serious_accessibility_violations(page) == []

    csv_link = page.get_by_role("link", name="Download the counts (CSV)")
    with page.expect_download() as download:
        csv_link.click()
    assert download.value.suggested_filename == "werkwijzer-stats.csv"
