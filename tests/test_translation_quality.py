"""Translations that can be trusted: each is in its own language, keeps what must not change
(placeholders, links, numbers, button payloads), fits a phone screen, and says who made it."""

from __future__ import annotations

from typing import Iterator, Tuple

import pytest
import yaml

from bot.content.text_checks import LINK, PLACEHOLDER, kept_from_source, length_problems
from bot.content.translations import RIGHT_TO_LEFT_MARK, Text, Translations
from bot.nlu.language_id import LanguageIdentifier, words

# Texts with fewer letters than this may be too short to tell; they must not look like another
# language, though.
MIN_LETTERS_TO_TELL = 25


@pytest.fixture(scope="module")
def translations(project) -> Translations:
    """Every text a user may see: the responses and the helpdesk's phrases (as `helpdesk.<key>`)."""
    loaded = Translations.load(project / "translations")
    for language in loaded.languages.values():
        language.responses.update({f"helpdesk.{k}": v for k, v in language.helpdesk_phrases.items()})
    return loaded


@pytest.fixture(scope="module")
def identifier(project) -> LanguageIdentifier:
    """The project's detector, but knowing only the words of the training data: a translation
    must not pass because its own words taught the detector."""
    return LanguageIdentifier.from_files(
        project / "translations", project / "data" / "nlu", words_of_translations=False
    )


def pairs(translations: Translations) -> Iterator[Tuple[str, str, Text, Text]]:
    """(language, key, translation, Dutch source) for every translated text."""
    for key in translations.keys():
        source = translations.text(key, translations.default)
        for code in translations.codes:
            if code != translations.default and key in translations.languages[code].responses:
                yield code, key, translations.languages[code].responses[key], source


def test_every_translation_is_detected_as_its_own_language(translations, identifier):
    wrong = []
    for code, language in translations.languages.items():
        for key, text in language.responses.items():
            source = translations.text(key, translations.default)
            if code != translations.default and text.text.lstrip(RIGHT_TO_LEFT_MARK) == source.text:
                continue  # a name that is the same in every language
            plain = LINK.sub(" ", PLACEHOLDER.sub(" ", text.text))
            # Names that every language copies (UWV, VluchtelingenWerk) say nothing about it.
            copied = set().union(*(
                words(other.responses[key].text)
                for other_code, other in translations.languages.items()
                if other_code != code and key in other.responses
            ))
            plain = " ".join(w for w in words(plain) if w not in copied)
            found = identifier.detect(plain)
            too_short = len("".join(words(plain))) < MIN_LETTERS_TO_TELL
            if found != code and not (too_short and found is None):
                wrong.append(f"{code}/{key}: detected as {found}")
    assert not wrong, wrong


def test_links_and_numbers_of_the_source_are_kept(translations):
    wrong = [(code, key, kept_from_source(text, source)) for code, key, text, source in pairs(translations)]
    assert not [w for w in wrong if w[2]], [w for w in wrong if w[2]]


def test_translations_fit_a_phone_screen(translations):
    wrong = [(code, key, length_problems(text, source)) for code, key, text, source in pairs(translations)]
    assert not [w for w in wrong if w[2]], [w for w in wrong if w[2]]
    for code, language in translations.languages.items():
        for key, text in language.responses.items():
            assert not length_problems(text, text), (code, key, len(text.text))


def test_each_file_says_who_made_it_and_whether_a_native_speaker_reviewed_it(project):
    for path in sorted((project / "translations").glob("*.yml")):
        meta = yaml.safe_load(path.read_text(encoding="utf-8"))["meta"]
        assert meta["produced_by"].strip(), path.name
        # Review status is per text (bot/content/review.py): a mapping, empty until reviewed.
        assert isinstance(meta.get("reviewed", {}), dict), f"{path.name}: meta.reviewed maps text -> fingerprint"
        assert "native_review" not in meta, f"{path.name}: review status is per text (meta.reviewed)"


def test_the_language_menu_offers_every_language_in_every_language(translations):
    expected = sorted(f'/choose_language{{"language":"{code}"}}' for code in translations.codes)
    for code in translations.codes:
        menu = translations.text("utter_language_menu", code)
        assert sorted(b.payload for b in menu.buttons) == expected, code
        names = {b.title for b in menu.buttons}
        assert translations.languages[code].name in names, code


@pytest.mark.parametrize("code", ["ar", "fa"])
def test_right_to_left_texts_start_every_paragraph_with_a_right_to_left_mark(translations, code):
    assert translations.direction(code) == "rtl"
    for key, text in translations.languages[code].responses.items():
        paragraphs = [p for p in text.text.split("\n") if p]
        assert paragraphs and all(p.startswith(RIGHT_TO_LEFT_MARK) for p in paragraphs), key


def test_left_to_right_texts_carry_no_direction_mark(translations):
    for code, language in translations.languages.items():
        if language.direction == "ltr":
            assert not any(RIGHT_TO_LEFT_MARK in t.text for t in language.responses.values()), code
