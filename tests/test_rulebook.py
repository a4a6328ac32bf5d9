"""Rules as data: loading, checking and evaluating for a date."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from bot.content.rulebook import NoRuleInForce, RuleError, Rulebook


def write_rules(tmp_path, rules):
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"rules": rules}), encoding="utf-8")
    return tmp_path


BASE = {
    "id": "x.rule",
    "statement": "A rule.",
    "source": {"name": "Official page", "url": "https://example.org"},
    "confidence": "D",
    "valid_from": "2024-01-01",
    "values": {"n": 1},
}


def test_the_project_rules_load_and_every_rule_has_source_and_date(project):
    book = Rulebook.load(project / "actions" / "rules")
    assert book.ids()
    for rule in book.all_rules():
        assert rule.source_name and rule.valid_from and rule.statement


@pytest.mark.parametrize("field", ["source", "valid_from", "confidence", "statement"])
def test_a_rule_without_a_required_field_fails_the_check(tmp_path, field):
    broken = {k: v for k, v in BASE.items() if k != field}
    with pytest.raises(RuleError):
        Rulebook.load(write_rules(tmp_path, [broken]))


def test_the_version_in_force_on_a_date_is_chosen(tmp_path):
    old = {**BASE, "valid_until": "2024-06-30", "values": {"n": 1}}
    new = {**BASE, "valid_from": "2024-07-01", "values": {"n": 2}}
    book = Rulebook.load(write_rules(tmp_path, [new, old]))
    assert book.get("x.rule", on=dt.date(2024, 6, 30)).values["n"] == 1
    assert book.get("x.rule", on=dt.date(2024, 7, 1)).values["n"] == 2
    with pytest.raises(NoRuleInForce):
        book.get("x.rule", on=dt.date(2023, 12, 31))


def test_overlapping_versions_fail_the_check(tmp_path):
    with pytest.raises(RuleError):
        Rulebook.load(write_rules(tmp_path, [BASE, {**BASE, "valid_from": "2024-03-01"}]))


def test_an_overdue_review_is_reported(tmp_path):
    book = Rulebook.load(write_rules(tmp_path, [{**BASE, "review_by": "2025-01-01"}]))
    assert [r.id for r in book.overdue_reviews(on=dt.date(2025, 1, 2))] == ["x.rule"]
    assert book.overdue_reviews(on=dt.date(2024, 12, 31)) == []


def test_the_letters_flat_amount_is_history_and_the_published_scale_holds(project):
    book = Rulebook.load(project / "actions" / "rules")
    assert book.get("sowis.amounts", on=dt.date(2024, 4, 1)).values["scale"] == [6000] * 4
    published = book.get("sowis.amounts", on=dt.date(2025, 6, 2))
    assert published.values["scale"] == [8000, 6000, 5000, 5000]
    assert published.values["max_total"] == 24000
    assert published.confidence == "D"
    assert book.get("sowis.amounts", on=dt.date(2026, 11, 29)).confidence == "U"
