"""Names, addresses, postcodes, dates of birth and document numbers are hidden in every language;
ordinary questions about the same subjects stay as they are (bot/privacy/identity.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Dict

import pytest
from aiohttp import web

from bot import helpdesk
from bot.content import fast_yaml
from bot.helpdesk.config import database_url
from bot.privacy.identity import KEYS, PersonalWords
from bot.privacy.redaction import PLACEHOLDERS, Redactor
from bot.privacy.settings import PrivacySettings
from bot.runtime.settings import Settings
from tests.helpdesk_support import agent_headers, config_for, handoff_body, service_headers

TABLE = fast_yaml.safe_load((Path(__file__).parent / "data" / "redaction_identity.yml").read_text(encoding="utf-8"))
LANGUAGES = ("nl", "en", "ar", "tr", "ti", "fa", "uk")
IDENTITY_KINDS = ("name", "address", "birth_date", "document")
PERSONAL = [(language, case) for language, cases in TABLE["personal"].items() for case in cases]
ORDINARY = [(language, text) for language, texts in TABLE["ordinary"].items() for text in texts]
NAMES = [(language, case) for language, cases in TABLE["names_personal"].items() for case in cases]
NAMES_ORDINARY = [(language, text) for language, texts in TABLE["names_ordinary"].items() for text in texts]
GAZETTEER = fast_yaml.safe_load(
    (Path(__file__).parents[1] / "bot" / "privacy" / "personal_words" / "given_names.yml").read_text(encoding="utf-8")
)


@pytest.fixture(scope="module")
def redactor(project) -> Redactor:
    return PrivacySettings.from_endpoints(project / "endpoints.yml", project).redactor()


def test_every_new_kind_is_in_the_table_for_every_language():
    kinds: Dict[str, set] = {}
    for language, case in PERSONAL:
        kinds.setdefault(language, set()).update(kind for piece in case["data"] for kind in piece)
    for language in LANGUAGES:
        assert set(IDENTITY_KINDS) <= kinds[language], language
    assert "name" in kinds["ru"] and "name" in kinds["so"]


@pytest.mark.parametrize(
    "language,case",
    PERSONAL + NAMES,
    ids=[f"{lang}-{i}" for i, (lang, _) in enumerate(PERSONAL)] + [f"name-{lang}-{i}" for i, (lang, _) in enumerate(NAMES)],
)
def test_personal_data_is_hidden(redactor, language, case):
    text: str = case["text"]
    redacted = redactor.redact(text)
    for piece in case["data"]:
        (kind, value), = piece.items()
        assert value in text
        for part in value.replace(",", " ").split():
            assert part not in redacted, (kind, value, redacted)
        placeholder = PLACEHOLDERS["address" if kind == "postcode" else kind]
        assert placeholder in redacted, (placeholder, redacted)


@pytest.mark.parametrize(
    "language,text",
    ORDINARY + NAMES_ORDINARY,
    ids=[f"{lang}-{i}" for i, (lang, _) in enumerate(ORDINARY)]
    + [f"name-{lang}-{i}" for i, (lang, _) in enumerate(NAMES_ORDINARY)],
)
def test_ordinary_texts_stay(redactor, language, text):
    assert redactor.redact(text) == text


def test_names_without_a_trigger_word_are_in_the_table_for_every_language():
    assert {language for language, _ in NAMES} == set(LANGUAGES + ("ru", "so"))
    assert {language for language, _ in NAMES_ORDINARY} == set(LANGUAGES + ("ru", "so"))


def test_the_gazetteer_has_names_of_every_group_of_users_in_their_own_script():
    given = GAZETTEER["given_names"]
    for group in ("arabic", "arabic_latin", "persian", "persian_latin", "tigrinya", "tigrinya_latin", "somali",
                  "turkish", "cyrillic", "cyrillic_latin", "dutch_english"):
        assert len(given[group]) >= 40, group
    assert {"محمد", "Mohammed", "Mohamed", "Muhammad", "فاطمة", "Fatima", "Мария", "ዮናስ", "ሰናይት"} <= {
        name for names in given.values() for name in names
    }


def test_a_name_is_either_a_given_name_or_a_second_name():
    given = {name.lower() for names in GAZETTEER["given_names"].values() for name in names}
    second = {name.lower() for names in GAZETTEER["second_names"].values() for name in names}
    assert not given & second


@pytest.mark.parametrize("name", [name for names in GAZETTEER["second_names"].values() for name in names])
def test_a_name_that_is_also_a_word_is_no_name_on_its_own(redactor, name):
    """"أمل" is "hope", "صالح" is "valid", "Will" is a verb: without a given name, relation word or
    sign-off before them they stay."""
    for text in (f"{name}", f"{name}?", f"عندي {name} كبير", f"ik heb {name}", f"{name.lower()} is here"):
        assert redactor.redact(text) == text


def test_a_given_name_in_the_gazetteer_needs_no_trigger_word():
    assert Redactor().redact("Ahmed wil werken") == "[name] wil werken"
    assert Redactor().redact("وفاطمة يوسف تريدان العمل") == "و[name] تريدان العمل"


def test_the_example_of_the_issue():
    redacted = Redactor().redact(
        "Mijn naam is Ahmed Al-Hassan, ik woon op Stationsstraat 12, 1234 AB Amsterdam, geboren 12-03-1990, "
        "paspoort nummer NXC3J7K21"
    )
    assert redacted == (
        "Mijn naam is [name], ik woon op [address], geboren [date of birth], paspoort nummer [document number]"
    )


def test_every_language_has_a_words_file_with_known_keys():
    directory = Path(__file__).parents[1] / "bot" / "privacy" / "personal_words"
    for language in LANGUAGES + ("ru", "so"):
        data = fast_yaml.safe_load((directory / f"{language}.yml").read_text(encoding="utf-8"))
        assert data["name_is"] and data["birth"] and data["document"] and data["address"], language
        assert data["sign_offs"] and (data.get("relations") or data.get("introductions")), language
        assert set(data) <= set(KEYS)


def test_a_new_language_needs_only_a_words_file(tmp_path):
    (tmp_path / "de.yml").write_text('name_is: ["ich heiße"]\n', encoding="utf-8")
    redactor = Redactor(words=PersonalWords.load(tmp_path))
    assert redactor.redact("Ich heiße Jonas Weber") == "Ich heiße [name]"
    assert redactor.redact("Mijn naam is Jonas") == "Mijn naam is Jonas", "only the words given"


def test_an_unknown_key_in_a_words_file_is_refused(tmp_path):
    (tmp_path / "de.yml").write_text('nam_is: ["ich heiße"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match="nam_is"):
        PersonalWords.load(tmp_path)


async def test_an_agent_sees_names_hidden_and_the_assistants_own_contacts_kept(aiohttp_client, tmp_path):
    """Tickets are redacted with the deployment's public contacts: IND's number stays."""
    app = web.Application()
    helpdesk.setup(app, Settings(data_dir=tmp_path), config_for(database_url(None, tmp_path), "http://127.0.0.1:9"))
    client = await aiohttp_client(app)
    said = "Ik heet Ahmed Al-Hassan en belde 088 043 0430 en 0800 51 51; mail postbusSOWIS@minszw.nl"
    body = handoff_body(transcript=[{"author": "user", "text": said, "at": 990.0}])
    opened = await (await client.post("/internal/helpdesk/handoffs", json=body, headers=service_headers())).json()
    ticket = await (await client.get(f"/api/tickets/{opened['ticket_id']}", headers=agent_headers())).json()
    assert ticket["transcript"][0]["text"] == (
        "Ik heet [name] en belde 088 043 0430 en 0800 51 51; mail postbusSOWIS@minszw.nl"
    )


@pytest.mark.parametrize(
    "text,expected",
    [
        ("bel +31 6 1234 5678", "bel [phone]"),
        ("London +44 20 7946 0958", "London [phone]"),
        ("my Syrian number 00963 944 123 456", "my Syrian number [phone]"),
        ("regel +31 12345678901234", "regel +31 12345678901234"),  # too long for a Dutch number
    ],
)
def test_international_numbers_follow_each_countrys_numbering_plan(text, expected):
    assert Redactor().redact(text) == expected
