"""Translators and reviewers in their own tools: every text as gettext PO and back, losslessly, with
review status per text; a reviewer's edit reaches the assistant's answer (docs/content.md)."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import polib
import pytest

from bot.content import po, review
from bot.content.translations import Translations
from bot.tools.content_report import language_reports
from tests.conftest import start_assistant

ARABIC_QUESTION = "هل يمكنني العمل كطالب لجوء؟"
ASYLUM_ANSWER = "responses.utter_asylum_work.text"
# A reviewer's word choice: "رب العمل" for "the employer" instead of "صاحب العمل".
REVIEWERS_EDIT = ("صاحب العمل", "ربّ العمل")


@pytest.fixture
def texts(tmp_path, project) -> Path:
    """A copy of the project's translations to export from and import into."""
    copy = tmp_path / "translations"
    shutil.copytree(project / "translations", copy)
    return copy


def languages(directory: Path):
    return sorted(p.stem for p in directory.glob("*.yml") if p.stem != "nl")


def test_export_then_import_changes_no_byte_in_any_language(texts, tmp_path):
    before = {p.name: p.read_bytes() for p in texts.glob("*.yml")}
    written = po.export_all(texts, tmp_path / "po")
    assert {p.name for p in written} == {"werkwijzer.pot", *(f"{c}.po" for c in languages(texts))}
    for code in languages(texts):
        po.import_po(tmp_path / "po" / f"{code}.po", texts)
    assert {p.name: p.read_bytes() for p in texts.glob("*.yml")} == before


def test_every_string_is_an_entry_with_its_dutch_source_context_and_flags(texts):
    source = Translations.load(texts)
    for code in languages(texts):
        entries = {e.msgctxt: e for e in po.export_language(texts, code)}
        for key, text in source.languages["nl"].responses.items():
            entry = entries.get(f"responses.{key}.text") or entries[f"responses.{key}"]  # or a plain string
            assert entry.msgid == text.text
            assert ("python-brace-format" in entry.flags) == bool(text.placeholders()), key
            for index, button in enumerate(text.buttons):
                assert entries[f"responses.{key}.buttons.{index}.title"].msgid == button.title
        assert not [c for c in entries if c.endswith(".payload")], "payloads are not texts"
        # Machine-written texts are unreviewed: 'fuzzy' (needs review) in every translator's tool.
        assert all("fuzzy" in e.flags for e in entries.values() if e.msgstr), code
        assert entries["widget.send"].msgstr


def test_a_reviewer_who_approves_a_text_marks_that_text_reviewed_and_no_other(texts, tmp_path):
    exported = po.export_language(texts, "fa")
    approved = next(e for e in exported if e.msgctxt == "widget.send")
    approved.flags.remove("fuzzy")
    exported.save(str(tmp_path / "fa.po"))
    result = po.import_po(tmp_path / "fa.po", texts)
    assert result.reviewed == ["widget.send"] and result.changed == []
    status = Translations.load(texts).review_status("fa")
    assert status["widget.send"] and sum(status.values()) == 1
    before = {r.code: r.unreviewed for r in language_reports(Translations.load(texts))}
    assert before["fa"] == len(status) - 1
    # When the Dutch source changes, the approval no longer holds: it is unreviewed again.
    dutch = (texts / "nl.yml").read_text(encoding="utf-8").replace('send: "Verstuur"', 'send: "Versturen"')
    (texts / "nl.yml").write_text(dutch, encoding="utf-8")
    assert not Translations.load(texts).review_status("fa")["widget.send"]


@pytest.mark.parametrize("edit, problem", [
    (lambda s: s.replace("{months}", "6"), "placeholders differ"),
    (lambda s: s.replace("18", "16"), "numbers of the Dutch text missing"),
    (lambda s: s + " uwv.nl/nep", "links differ"),
    (lambda s: s + " " + s + " " + s, "characters, more than"),
])
def test_an_import_that_breaks_a_text_is_refused_whole_and_writes_nothing(texts, tmp_path, edit, problem):
    exported = po.export_language(texts, "ar")
    harmless = next(e for e in exported if e.msgctxt == "widget.send")
    harmless.msgstr = "أرسِل"
    entry = next(e for e in exported if e.msgctxt == ASYLUM_ANSWER)
    entry.msgstr = edit(entry.msgstr)
    exported.save(str(tmp_path / "ar.po"))
    before = (texts / "ar.yml").read_bytes()
    with pytest.raises(po.ImportRefused) as refused:
        po.import_po(tmp_path / "ar.po", texts)
    assert any(problem in p and "utter_asylum_work" in p for p in refused.value.problems), refused.value.problems
    assert (texts / "ar.yml").read_bytes() == before


def test_an_entry_whose_dutch_source_changed_or_that_names_no_text_is_refused(texts, tmp_path):
    exported = po.export_language(texts, "tr")
    next(e for e in exported if e.msgctxt == "widget.send").msgid = "Stuur"
    exported.append(polib.POEntry(msgctxt="responses.utter_nothing.text", msgid="x", msgstr="y"))
    exported.save(str(tmp_path / "tr.po"))
    with pytest.raises(po.ImportRefused) as refused:
        po.import_po(tmp_path / "tr.po", texts)
    assert any("changed since" in p for p in refused.value.problems)
    assert any("no such text" in p for p in refused.value.problems)


def test_a_new_text_in_dutch_is_exported_empty_and_imported_with_its_payloads(texts, tmp_path):
    dutch = (texts / "nl.yml").read_text(encoding="utf-8").replace(
        "responses:\n",
        'responses:\n  utter_test_new:\n    text: "Nieuwe tekst"\n'
        '    buttons:\n      - {title: "Ja", payload: /affirm}\n', 1)
    (texts / "nl.yml").write_text(dutch, encoding="utf-8")
    exported = po.export_language(texts, "uk")
    for entry in exported:
        if entry.msgctxt.startswith("responses.utter_test_new."):
            assert entry.msgstr == ""
            entry.msgstr = {"text": "Новий текст", "title": "Так"}[entry.msgctxt.rsplit(".", 1)[1]]
    exported.save(str(tmp_path / "uk.po"))
    po.import_po(tmp_path / "uk.po", texts)
    text = Translations.load(texts).text("utter_test_new", "uk")
    assert text.text == "Новий текст" and [(b.title, b.payload) for b in text.buttons] == [("Так", "/affirm")]


@pytest.mark.server
def test_a_reviewers_edit_in_a_po_file_reaches_the_answer_in_arabic(texts, tmp_path):
    """The documented path (docs/content.md): export, edit in the translator's tool, import,
    reload the assistant; with BOT_MARK_UNREVIEWED=1 the reviewed answer carries no label."""
    exported = po.export_language(texts, "ar")
    entry = next(e for e in exported if e.msgctxt == ASYLUM_ANSWER)
    old, new = REVIEWERS_EDIT
    assert old in entry.msgstr, "the reviewer's word is in the Arabic answer"
    entry.msgstr = entry.msgstr.replace(old, new)
    # The reviewer approves every Arabic text but the answer about taxes, which waits.
    for string in exported:
        if "fuzzy" in string.flags and not string.msgctxt.startswith("responses.utter_taxes"):
            string.flags.remove("fuzzy")
    exported.save(str(tmp_path / "ar.po"))
    result = po.import_po(tmp_path / "ar.po", texts)
    assert result.changed == ["responses.utter_asylum_work"]
    assert result.unreviewed == ["responses.utter_taxes"]

    running = start_assistant(
        tmp_path / "assistant", env={"BOT_TRANSLATIONS_DIR": str(texts), "BOT_MARK_UNREVIEWED": "1"}
    )
    try:
        label = review.texts(Translations.load(texts).languages["ar"].data)["labels.unreviewed"][0][1]
        reply = running.text(f"po-{uuid.uuid4().hex[:8]}", ARABIC_QUESTION)
        assert new in reply and old not in reply, reply
        assert label not in reply, "an answer whose texts are all reviewed is not marked"
        other = running.text(f"po-{uuid.uuid4().hex[:8]}", "هل يجب أن أدفع الضرائب إذا عملت؟")
        assert other.count(label) == 1, "an answer that uses an unreviewed text says so, once"
    finally:
        running.stack.stop()
