"""The translations and the domain responses built from them."""

from __future__ import annotations

import yaml

from bot.content.build import GENERATED_HEADER, RASA_RESPONSES, render
from bot.content.translations import Translations


def load(project):
    return Translations.load(project / "translations")


def test_every_text_exists_in_every_language(project):
    translations = load(project)
    keys = set(translations.keys())
    phrases = set(translations.languages[translations.default].helpdesk_phrases)
    for code, language in translations.languages.items():
        missing = keys - set(language.responses)
        assert not missing, f"{code} lacks {sorted(missing)}"
        assert phrases <= set(language.helpdesk_phrases), f"{code} lacks helpdesk phrases {sorted(phrases - set(language.helpdesk_phrases))}"


def test_placeholders_and_buttons_match_the_default_language(project):
    translations = load(project)
    for key in translations.keys():
        source = translations.text(key, translations.default)
        for code in translations.codes:
            text = translations.languages[code].responses[key]
            assert text.placeholders() == source.placeholders(), (code, key)
            assert [b.payload for b in text.buttons] == [b.payload for b in source.buttons], (code, key)
            assert all(b.title.strip() for b in text.buttons), (code, key)


def test_generated_responses_are_up_to_date(project):
    generated = (project / "domain" / "responses.generated.yml").read_text(encoding="utf-8")
    assert generated.startswith(GENERATED_HEADER), "the generated file must say that it is generated"
    assert generated == render(load(project)), "run `python -m bot build` and commit the result"


def test_no_channel_variation_can_override_the_language(project):
    """Rasa prefers a channel-specific variation over a language condition: there must be none."""
    for path in (project / "domain").glob("*.yml"):
        for key, variations in (yaml.safe_load(path.read_text(encoding="utf-8")).get("responses") or {}).items():
            unconditioned = [v for v in variations if not v.get("condition")]
            assert len(unconditioned) <= 1, f"{key}: more than one default variation"
            for variation in variations:
                assert "channel" not in variation, f"{path.name}: {key} has a channel variation"
                for condition in variation.get("condition") or []:
                    assert condition["name"] == "language", f"{key}: condition on {condition['name']}"


def test_each_language_file_says_who_made_it(project):
    for language in load(project).languages.values():
        assert language.produced_by, language.code
        assert language.direction in ("ltr", "rtl"), language.code


def test_build_gives_each_language_its_own_variation_and_a_default(project):
    translations = load(project)
    built = yaml.safe_load(render(translations))
    variations = built["responses"]["utter_greet"]
    languages = [v["condition"][0]["value"] for v in variations if v.get("condition")]
    assert sorted(languages) == sorted(translations.codes)
    default = [v for v in variations if not v.get("condition")][0]
    assert default["text"] == translations.text("utter_greet", translations.default).text
    assert built["slots"]["language"]["values"] == translations.codes


def test_buttons_send_the_translations_payloads_without_templating_errors(project, monkeypatch):
    """Rasa fills `{slot}` into every response it sends; a JSON payload must come out as written,
    and without Rasa logging an error with a traceback for each button."""
    import rasa.core.nlg.interpolator as interpolator

    errors = []
    monkeypatch.setattr(interpolator.structlogger, "exception", lambda *a, **k: errors.append((a, k)))
    translations = load(project)
    generated = yaml.safe_load((project / "domain" / "responses.generated.yml").read_text(encoding="utf-8"))
    checked = 0
    for key, variations in generated["responses"].items():
        for variation in variations:
            if not variation.get("buttons"):
                continue
            code = (variation.get("condition") or [{"value": translations.default}])[0]["value"]
            text = translations.text(RASA_RESPONSES.get(key, key), code)
            sent = interpolator.interpolate(variation, {**{name: "x" for name in text.placeholders()}, "language": code})
            expected = text.buttons
            assert [b["payload"] for b in sent["buttons"]] == [b.payload for b in expected], (key, code)
            checked += any("{" in b.payload for b in expected)
    assert checked > 0, "some buttons carry JSON payloads"
    assert errors == []
