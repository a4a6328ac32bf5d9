"""Seven languages through a running assistant: answered in the user's language, with the right
facts, kept on short messages, switched on request, right-to-left for Arabic and Farsi."""

from __future__ import annotations

import uuid

import pytest

from bot.content.translations import RIGHT_TO_LEFT_MARK

pytestmark = pytest.mark.server


def new_user() -> str:
    return f"user-{uuid.uuid4().hex[:10]}"


@pytest.mark.parametrize(
    "question,expected",
    [
        ("هل يمكنني العمل كطالب لجوء في هولندا؟", "6 أشهر"),
        ("Sığınmacı olarak Hollanda'da çalışabilir miyim?", "en az 6 aydır"),
        ("ኣብ ሆላንድ ከም ሓታቲ ዑቕባ ክሰርሕ ይኽእል ድየ?", "6 ወርሒ"),
        ("آیا به عنوان پناهجو در هلند اجازه کار دارم؟", "6 ماه"),
        ("Чи можу я працювати в Нідерландах як шукач притулку?", "6 місяців"),
    ],
)
def test_a_question_in_each_language_is_answered_in_it_with_the_facts(assistant, question, expected):
    text = assistant.text(new_user(), question)
    assert expected in text, text
    assert "UWV" in text and "TWV" in text
    assert "29-11-2023" in text or "uwv.nl" in text  # the source and its date are shown


@pytest.mark.parametrize("question", ["مرحبا، هل يمكنني العمل؟", "سلام، آیا می‌توانم کار کنم؟"])
def test_arabic_and_farsi_replies_are_right_to_left_in_every_paragraph(assistant, question):
    messages = assistant.say(new_user(), question)
    assert messages
    for message in messages:
        paragraphs = [p for p in message["text"].split("\n") if p.strip()]
        assert all(p.startswith(RIGHT_TO_LEFT_MARK) for p in paragraphs), message["text"]


def test_the_conversation_keeps_its_language_on_short_messages_and_switches_on_request(assistant, project):
    user = new_user()
    assert "6 місяців" in assistant.text(user, "Чи можу я працювати як шукач притулку?")
    for short in ("ok", "👍", "TWV"):
        assert assistant.say(user, short), "every message gets an answer"
    assert "24" in assistant.text(user, "/ask_24_weeks")
    assert "Державна рада" in assistant.text(user, "/ask_24_weeks")
    menu = assistant.say(user, "Türkçe lütfen")
    assert "Türkçe" in menu[0]["text"]
    assert len(menu[0]["buttons"]) == len(list(project.glob("translations/*.yml")))  # every language
    assert "Danıştay" in assistant.text(user, "/ask_24_weeks")
    assistant.say(user, '/choose_language{"language":"ti"}')
    assert "ባይቶ መንግስቲ" in assistant.text(user, "/ask_24_weeks")


def test_writing_clearly_in_another_language_switches_it(assistant):
    user = new_user()
    assert "6 maanden" in assistant.text(user, "Mag ik werken als asielzoeker?")
    assert "6 ماه" in assistant.text(user, "من پناهجو هستم و می‌خواهم کار کنم")
    assert "Raad van State" in assistant.text(user, "Geldt de 24-wekenregel nog?")


def test_the_channel_hint_is_the_starting_language(assistant):
    user = new_user()
    reply = assistant.text(user, "👍", metadata={"language_hint": "uk"})
    assert any("\u0400" <= ch <= "\u04ff" for ch in reply), reply  # Ukrainian, not Dutch
    assert "6 місяців" in assistant.text(user, "/ask_asylum_work", metadata={"language_hint": "uk"})


def test_the_channel_hint_does_not_override_what_the_user_writes_or_chose(assistant):
    user = new_user()
    assert "6 months" in assistant.text(
        user, "Can I work as an asylum seeker?", metadata={"language_hint": "tr"}
    )
    assert "6 months" in assistant.text(user, "/ask_asylum_work", metadata={"language_hint": "tr"})
