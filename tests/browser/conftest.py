"""Chromium (Debian's /usr/bin/chromium, never a downloaded browser) and the widget on a page."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, Playwright, expect, sync_playwright

CHROMIUM = os.environ.get("BOT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-background-networking", "--disable-gpu",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
AXE = Path(__file__).parent / "axe.min.js"
# A guard against hanging on a broken widget, not a speed requirement.
WAIT_MS = 60_000


# Module scope: Playwright's synchronous API keeps an event loop running in this thread while it
# is started, which would stop the asyncio tests that run after these.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh tab with its own sessionStorage, in Dutch like the demo page's visitors."""
    context = browser.new_context(locale="nl-NL")
    context.set_default_timeout(WAIT_MS)
    expect.set_options(timeout=WAIT_MS)
    tab = context.new_page()
    yield tab
    context.close()


class Widget:
    """The widget on a page, used the way a visitor uses it."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.root = page.locator("#werkwijzer-widget")
        self.launcher = page.locator(".ww-launcher")
        self.log = page.locator(".ww-log")
        self.input = page.locator("#ww-input")
        self.bot_messages = page.locator(".ww-log .ww-bot")
        self.user_texts = page.locator(".ww-log .ww-user .ww-text")

    def open(self) -> "Widget":
        self.launcher.click()
        expect(self.input).to_be_focused()
        return self

    def answers_after(self, count: int) -> Locator:
        """The assistant's messages after the first `count`."""
        return self.page.locator(f"xpath=(//div[contains(@class, 'ww-bot')])[position() > {count}]")

    def ask(self, question: str, expected: str) -> Locator:
        """Types a question, sends it with Enter; waits for an answer containing `expected`."""
        return self._answered(lambda: (self.input.fill(question), self.input.press("Enter")), expected)

    def choose(self, title: str, expected: str) -> Locator:
        """Clicks the latest quick-reply button `title`; waits for an answer containing `expected`."""
        return self._answered(lambda: self.page.locator(".ww-choice", has_text=title).last.click(), expected)

    def _answered(self, act, expected: str) -> Locator:
        answers = self.answers_after(self.bot_messages.count())
        act()
        answer = answers.filter(has_text=expected).first
        expect(answer).to_be_visible()
        self.wait_until_acknowledged()
        return answer

    def wait_until_acknowledged(self) -> None:
        """Until the server acknowledged every message (it does so after sending all answers)."""
        self.page.wait_for_function(
            "() => Object.values({...sessionStorage}).every(s => JSON.parse(s).pending.length === 0)"
        )

    def serious_accessibility_violations(self) -> list:
        return serious_accessibility_violations(self.page)


def serious_accessibility_violations(page: Page) -> list:
    """What axe-core finds serious or critical on `page` (WCAG 2.1 A/AA and best practice)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["html"][:120] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
