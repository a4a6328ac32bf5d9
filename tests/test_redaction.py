"""Redaction of personal data, measured on the labelled set, and kept out of the logs."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from bot.privacy import log_redaction
from bot.privacy.redaction import Redactor, is_bsn, is_iban, redact
from bot.privacy.settings import PrivacySettings, contacts_in_texts
from bot.tools.privacy_report import LABELLED_SET, LabelledSet, assistant_texts, report


@pytest.fixture(scope="module")
def redactor(project):
    return PrivacySettings.from_endpoints(project / "endpoints.yml", project).redactor()


def test_the_labelled_set_has_at_least_200_strings_of_every_kind(project):
    labelled = LabelledSet.load(project / LABELLED_SET)
    assert len(labelled) >= 200
    kinds = [kind for _, pieces in labelled.personal for kind, _ in pieces]
    for kind in ("bsn", "v_number", "phone", "email", "iban"):
        assert kinds.count(kind) >= 20, kind
    for text, pieces in labelled.personal:
        for _, value in pieces:
            assert value in text, (value, text)


def test_redaction_meets_its_goals_on_the_labelled_set(project, redactor):
    measured = report(project, redactor)
    assert measured.recall >= 0.99, measured.misses
    assert measured.false_redaction_rate <= 0.01, measured.false
    assert measured.own_texts >= 50


def test_the_assistants_own_texts_are_never_redacted(project, redactor):
    for text in assistant_texts(project):
        assert redactor.redact(text) == text


def test_public_contacts_in_the_assistants_texts_are_known(project):
    public = contacts_in_texts(project)
    assert "postbusSOWIS@minszw.nl" in public
    assert any("315 21 11" in contact for contact in public)


def test_a_public_helpdesk_number_stays_but_the_users_own_number_goes(redactor):
    text = "Ik belde 070-315 21 11, mijn nummer is 06-12345678"
    assert redactor.redact(text) == "Ik belde 070-315 21 11, mijn nummer is [phone]"
    assert "070-315 21 11" not in Redactor().redact(text), "only public when configured or in the texts"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Mijn BSN is 628194821.", "Mijn BSN is [BSN]."),
        ("V-nummer 2345678901", "V-nummer [V-number]"),
        ("V3012345678", "[V-number]"),
        ("mail ahmad.k@gmail.com!", "mail [e-mail]!"),
        ("IBAN NL58 ASNB 1345 1177 42 graag", "IBAN [IBAN] graag"),
        ("رقمي ٠٦٨٧٦٥٤٣٢١", "رقمي [phone]"),
        ("De uitspraak was op 29-11-2023", "De uitspraak was op 29-11-2023"),
        ("€8.000 voor 20 uur per week, 1.000.000 euro", "€8.000 voor 20 uur per week, 1.000.000 euro"),
    ],
)
def test_redaction_examples(text, expected):
    assert redact(text) == expected


def test_checks_of_bsn_and_iban():
    assert is_bsn("628194821") and not is_bsn("123456789")
    assert is_iban("NL58 ASNB 1345 1177 42") and not is_iban("NL12ABNA0123456789")


def test_log_records_are_redacted_whatever_the_handler(caplog):
    log_redaction.install(Redactor())
    try:
        with caplog.at_level(logging.DEBUG, logger="any.library"):
            logging.getLogger("any.library").debug("Received user message '%s'", "mijn bsn is 628194821")
            logging.getLogger("any.library").info("mail %s", "ahmad.k@gmail.com")
    finally:
        log_redaction.uninstall()
    assert "628194821" not in caplog.text and "ahmad.k@gmail.com" not in caplog.text
    assert "[BSN]" in caplog.text and "[e-mail]" in caplog.text


def test_privacy_report_command_prints_the_figures(project):
    done = subprocess.run(
        [sys.executable, "-m", "bot", "privacy-report"], cwd=project, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "recall: " in done.stdout and "precision: " in done.stdout and "goals" in done.stdout
