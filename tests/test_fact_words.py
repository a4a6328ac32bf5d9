"""Facts read from a first message in every language (actions/fact_words/<lang>.yml), from a
table of real phrasings (tests/data/fact_phrasings.yml): a fact the user gave is never asked."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from actions import answer_parsing as parse

TABLE = yaml.safe_load((Path(__file__).parent / "data" / "fact_phrasings.yml").read_text(encoding="utf-8"))
LANGUAGES = ("nl", "en", "ar", "tr", "ti", "fa", "uk", "ru", "so")
CASES = [(language, case) for language, cases in TABLE.items() for case in cases]


def test_every_language_has_a_table_and_a_words_file():
    assert set(LANGUAGES) <= set(TABLE)
    assert set(LANGUAGES) <= set(parse.fact_word_files())
    assert all(len(TABLE[language]) >= 6 for language in LANGUAGES)


@pytest.mark.parametrize("language,case", CASES, ids=[f"{lang}-{i}" for i, (lang, _) in enumerate(CASES)])
def test_facts_of_a_first_message(language, case):
    found = parse.facts(case["say"], language)
    expected = {
        "status": case.get("status"),
        "months_in_procedure": case.get("months"),
        "hours_per_week": case.get("hours"),
        "people": case.get("people"),
        "contract_months": case.get("contract"),
        "has_employer": case.get("employer", False),
        "asks_for_check": case.get("check", False),
    }
    assert {name: getattr(found, name) for name in expected} == expected


@pytest.mark.parametrize("text,value", [("፰", 8), ("፲፪ ወርሒ", 12), ("፳፬ ሰዓት", 24), ("፻", 100)])
def test_ethiopic_numerals(text, value):
    assert parse.bare_number(text, "ti") == value or parse.duration_in_months(text, "ti") == value \
        or parse.hours_per_week(text, "ti") == value


def test_a_word_of_one_language_is_not_read_in_another():
    # "on" is ten in Turkish, not in English; "a" is one in English, not in Dutch
    assert parse.hours_per_week("on saat", "tr") == 10
    assert parse.hours_per_week("on saat", "en") is None


def test_an_unknown_status_in_the_words_file_is_refused():
    with pytest.raises(ValueError):
        parse.FactWords.from_mapping({"language": "xx", "status": {"refugee_king": ["x"]}})


@pytest.mark.parametrize("text,language,subject", [
    ("Statushouder'ım, Türkiye'de 10 yıl lisede matematik öğretmeniydim", "tr", "mathematics"),
    ("я вчитель фізики з Харкова, маю статус", "uk", "physics"),
    ("я учитель химии, у меня статус", "ru", "chemistry"),
    ("كنت مدرس رياضيات في سوريا 12 سنة", "ar", "mathematics"),
    ("در افغانستان معلم انگلیسی بودم", "fa", "english"),
    ("waxaan ahaa macallin xisaabta ah", "so", "mathematics"),
    ("ኣብ ኤርትራ መምህር ፊዚክስ ነይረ", "ti", "physics"),
    ("I was a biology teacher", "en", "other"),
])
def test_a_teacher_s_subject_in_every_language(text, language, subject):
    from actions.answer_parsing import subject as read_subject

    assert read_subject(text, language) == subject
