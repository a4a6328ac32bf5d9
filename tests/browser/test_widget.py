"""The website widget on the demo page (and on another site) in headless Chromium, talking to a
running assistant over socket.io."""

from __future__ import annotations

from typing import Iterator

import pytest
import yaml
from aiohttp import web
from playwright.sync_api import Page, expect

from tests.browser.conftest import Widget
from tests.browser.proxy import CuttableProxy
from tests.fakes.rasa_socketio import FakeRasaSocketIO
from tests.fakes.server import FakeServer

pytestmark = pytest.mark.server

RLM = "\u200f"


def button_title(project, language: str, response: str, payload: str) -> str:
    """A button's title as the translations give it (the test does not hard-code texts)."""
    data = yaml.safe_load((project / "translations" / f"{language}.yml").read_text(encoding="utf-8"))
    return next(b["title"] for b in data["responses"][response]["buttons"] if b["payload"] == payload)


def widget_text(project, language: str, key: str) -> str:
    data = yaml.safe_load((project / "translations" / f"{language}.yml").read_text(encoding="utf-8"))
    return data["widget"][key]


@pytest.fixture
def demo(page: Page, assistant) -> Widget:
    page.goto(assistant.settings.web_url + "/")
    expect(page.locator(".ww-launcher")).to_be_visible()
    return Widget(page)


def test_ask_see_the_answer_click_a_button_and_keep_it_all_after_a_reload(demo, project):
    widget = demo.open()
    privacy = demo.page.locator(".ww-privacy")
    expect(privacy).to_have_text(widget_text(project, "nl", "privacy"))
    expect(widget.bot_messages).to_have_count(0)

    widget.ask("Mag ik werken als asielzoeker?", "6 maanden")
    expect(widget.log).to_contain_text("Bron:")
    menu = widget.ask("wat kun je allemaal", "Kies een onderwerp")
    expect(menu.locator(".ww-choice")).not_to_have_count(0)
    widget.choose(button_title(project, "nl", "utter_capabilities", "/ask_employer_subsidy"), "Bron:")

    shown = widget.log.locator(".ww-message").all_text_contents()
    demo.page.reload()
    expect(demo.page.locator(".ww-log .ww-message")).to_have_text(shown)
    expect(demo.page.locator("#ww-input")).to_be_visible()
    widget = Widget(demo.page)
    widget.ask("Geldt de 24 wekenregel nog?", "geldt niet meer")


def test_the_conversation_is_kept_per_tab_not_in_local_storage(demo, browser, assistant):
    demo.open().ask("hallo", "Hallo")
    assert demo.page.evaluate("() => window.localStorage.length") == 0
    other_tab = demo.page.context.new_page()
    other_tab.goto(assistant.settings.web_url + "/")
    expect(other_tab.locator(".ww-launcher")).to_be_visible()
    expect(other_tab.locator(".ww-log .ww-message")).to_have_count(0)


def test_user_and_bot_texts_are_shown_as_text_never_as_html(demo):
    widget = demo.open()
    typed = '<img src=x onerror="window.hacked=1"><b>vet</b>'
    widget.input.fill(typed)
    widget.input.press("Enter")
    expect(widget.user_texts.last).to_have_text(typed)
    expect(widget.log.locator("img, b")).to_have_count(0)
    assert demo.page.evaluate("() => window.hacked") is None


def test_web_addresses_in_answers_become_links(demo, project):
    widget = demo.open()
    widget.ask("Ik wil een mens spreken", "Is dat goed?")
    widget.choose(button_title(project, "nl", "utter_handoff_offer", "/deny"), "VluchtelingenWerk")
    link = widget.log.locator("a", has_text="vluchtelingenwerk.nl").last
    expect(link).to_have_attribute("href", "https://vluchtelingenwerk.nl")
    expect(link).to_have_attribute("rel", "noopener noreferrer")


def test_keyboard_only_use(demo):
    page = demo.page
    demo.launcher.focus()
    page.keyboard.press("Enter")
    expect(demo.input).to_be_focused()
    page.keyboard.type("Mag ik werken als asielzoeker?")
    page.keyboard.press("Enter")
    expect(demo.log).to_contain_text("6 maanden")
    page.keyboard.press("Escape")
    expect(demo.launcher).to_be_focused()
    expect(page.locator("#ww-panel")).to_be_hidden()


def test_no_serious_accessibility_violations(demo, project):
    widget = demo.open()
    widget.ask("wat kun je allemaal", "Kies een onderwerp")
    assert widget.serious_accessibility_violations() == []
    demo.page.select_option("#ww-language", "en")
    expect(widget.input).to_have_attribute("placeholder", widget_text(project, "en", "placeholder"))
    assert widget.serious_accessibility_violations() == []


def embedding_site(web_url: str, rasa_url: str) -> FakeServer:
    """Another website that embeds the widget with one tag (served from another origin)."""
    page = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Another site</title></head>"
        "<body><main><h1>Another site</h1></main>"
        f"<script src='{web_url}/static/widget.js' data-rasa-url='{rasa_url}' data-language='en' defer>"
        "</script></body></html>"
    )

    async def index(request: web.Request) -> web.Response:
        return web.Response(text=page, content_type="text/html")

    site = FakeServer()
    site.app.router.add_get("/index.html", index)
    return site.start()


@pytest.fixture
def foreign_site(assistant) -> Iterator[tuple]:
    """The other site, reaching Rasa through a proxy that the test can cut (a network drop)."""
    proxy = CuttableProxy(assistant.settings.rasa_port).start()
    site = embedding_site(assistant.settings.web_url, f"http://127.0.0.1:{proxy.port}")
    yield site, proxy
    site.stop()
    proxy.stop()


def test_embedded_on_another_site_it_survives_a_network_drop_without_losing_a_message(page, foreign_site):
    site, proxy = foreign_site
    page.goto(site.url + "/index.html")
    widget = Widget(page).open()
    widget.ask("Can I work during my asylum procedure?", "6 months")

    proxy.cut()
    expect(page.locator(".ww-status")).to_be_visible()
    widget.input.fill("Is the 24-week rule still valid?")
    widget.input.press("Enter")
    expect(widget.user_texts.last).to_have_text("Is the 24-week rule still valid?")

    answered = widget.bot_messages.count()
    proxy.restore()
    expect(widget.answers_after(answered).filter(has_text="no longer applies").first).to_be_visible()
    expect(page.locator(".ww-status")).to_be_hidden()
    expect(widget.log.locator(".ww-bot", has_text="no longer applies")).to_have_count(1)


def test_a_helpdesk_agents_reply_is_shown_as_a_message_from_a_person(demo, project, assistant):
    from tests.test_helpdesk_conversations import Desk, eventually

    desk = Desk(assistant)
    widget = demo.open()
    widget.ask("Ik wil een mens spreken", "Is dat goed?")
    widget.choose(button_title(project, "nl", "utter_handoff_offer", "/affirm"), "medewerker")
    session = demo.page.evaluate(
        "() => JSON.parse(Object.values({...sessionStorage})[0]).sessionId"
    )
    ticket = eventually(lambda: desk.ticket_of(session))
    assert ticket["channel"] == "socketio"
    desk.reply(ticket["id"], "Hallo, ik ben Sam van de helpdesk. <b>Ja</b>.", "nl")
    person = demo.page.locator(".ww-log .ww-person .ww-text")
    expect(person).to_have_text("Hallo, ik ben Sam van de helpdesk. <b>Ja</b>.")
    desk.close(ticket["id"])
    expect(widget.bot_messages.last).to_contain_text("helpdesk")
    expect(person).to_have_count(1)


def test_switching_to_a_right_to_left_language_turns_the_conversation_right_to_left(demo, project):
    languages = rtl_languages(project)
    assert languages, "a right-to-left language (Arabic or Farsi) is expected in translations/"
    widget = demo.open()
    widget.ask("hallo", "Hallo")
    expect(widget.root).to_have_attribute("dir", "ltr")
    language = "ar" if "ar" in languages else languages[0]
    demo.page.select_option("#ww-language", language)
    answer = widget.answers_after(1).last
    expect(answer).to_be_visible()
    expect(widget.root).to_have_attribute("dir", "rtl")
    assert answer.locator(".ww-text").text_content().startswith(RLM)
    expect(widget.log.locator(".ww-text").last).to_have_attribute("dir", "auto")
    expect(demo.page.locator("#ww-input")).to_have_attribute("placeholder", widget_text(project, language, "placeholder"))


def test_the_language_menu_follows_the_language_the_user_writes_in(demo, project):
    """Issue #22: after a switch made by writing in another language, the menu, the widget's own
    texts and the direction follow the conversation (the menu used to stay on Nederlands)."""
    widget = demo.open()
    menu = demo.page.locator("#ww-language")
    widget.ask("hallo", "Hallo")
    expect(menu).to_have_value("nl")

    def write(text: str) -> None:
        answered = widget.bot_messages.count()
        widget.input.fill(text)
        widget.input.press("Enter")
        expect(widget.answers_after(answered).first).to_be_visible()

    write("هل يمكنني العمل في هولندا؟")
    expect(menu).to_have_value("ar")
    expect(widget.root).to_have_attribute("dir", "rtl")
    expect(widget.input).to_have_attribute("placeholder", widget_text(project, "ar", "placeholder"))
    write("Я из Украины, можно ли мне работать?")
    expect(menu).to_have_value("ru")
    expect(widget.root).to_have_attribute("dir", "ltr")
    expect(widget.input).to_have_attribute("placeholder", widget_text(project, "ru", "placeholder"))
    assert widget.serious_accessibility_violations() == []
    demo.page.reload()
    expect(demo.page.locator("#ww-language")).to_have_value("ru")


def rtl_languages(project) -> list:
    return sorted(
        path.stem for path in (project / "translations").glob("*.yml")
        if (yaml.safe_load(path.read_text(encoding="utf-8"))["meta"].get("direction") == "rtl")
    )


def test_a_bot_message_that_starts_with_a_right_to_left_mark_turns_the_layout_right_to_left(page, assistant):
    """The widget's rule, with a scripted server: the languages' own answers are tested above."""
    rasa = FakeRasaSocketIO([
        {"text": RLM + "مرحبًا! كيف يمكنني مساعدتك؟", "quick_replies": [{"title": "English", "payload": "/x"}]},
        {"text": "Hello again."},
    ]).start()
    site = embedding_site(assistant.settings.web_url, rasa.server.url)
    try:
        page.goto(site.url + "/index.html")
        widget = Widget(page).open()
        expect(widget.root).to_have_attribute("dir", "ltr")
        widget.ask("مرحبا", "مرحبًا")
        expect(widget.root).to_have_attribute("dir", "rtl")
        expect(widget.log.locator(".ww-bot .ww-text").last).to_have_attribute("dir", "auto")
        assert widget.serious_accessibility_violations() == []
        widget.choose("English", "Hello again.")
        expect(widget.root).to_have_attribute("dir", "ltr")
        assert [m["metadata"]["language_hint"] for m in rasa.received] == ["nl", "nl"]
    finally:
        page.close()
        site.stop()
        rasa.stop()
