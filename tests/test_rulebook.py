"""Rules as data: loading, checking and evaluating for a date."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from bot.content.rulebook import NoRuleInForce, Rulebook, RuleError


def write_rules(tmp_path, rules):
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"rules": rules}), encoding="utf-8")
    return tmp_path


BASE = {
    "id": "x.rule",
    "statement": "A rule.",
    "source": {"name": "Official page", "url": "https://example.org"},
    "confidence": "D",
    "valid_from": "2024-01-01",
    "review_by": "2027-01-01",
    "values": {"n": 1},
}


def test_the_project_rules_load_and_every_rule_has_source_and_date(project):
    book = Rulebook.load(project / "actions" / "rules")
    assert book.ids()
    for rule in book.all_rules():
        assert rule.source_name and rule.valid_from and rule.statement and rule.review_by
        assert rule.checked_on, f"{rule.id}: say when it was last checked against facts.md"


@pytest.mark.parametrize("field", ["source", "valid_from", "confidence", "statement", "review_by"])
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


def test_a_rule_with_an_unknown_start_shows_the_date_it_was_confirmed(tmp_path):
    book = Rulebook.load(write_rules(tmp_path, [
        BASE,
        {**BASE, "id": "y.rule", "confirmed_on": "2025-11-03", "checked_on": "2026-12-07"},
    ]))
    since, confirmed = book.get("x.rule", on=dt.date(2025, 1, 1)), book.get("y.rule", on=dt.date(2025, 1, 1))
    assert (since.confirmed_on, since.shown_date, since.last_checked) == (None, dt.date(2024, 1, 1), dt.date(2024, 1, 1))
    assert (confirmed.shown_date, confirmed.last_checked) == (dt.date(2025, 11, 3), dt.date(2026, 12, 7))


def test_due_within_lists_the_reviews_of_the_next_days_soonest_first(tmp_path):
    book = Rulebook.load(write_rules(tmp_path, [
        {**BASE, "id": "a", "review_by": "2027-02-05"},
        {**BASE, "id": "b", "review_by": "2027-01-10"},
        {**BASE, "id": "c", "review_by": "2027-03-01"},
        {**BASE, "id": "d", "review_by": "2026-12-01"},
    ]))
    today = dt.date(2026, 12, 7)
    assert [r.id for r in book.due_within(60, on=today)] == ["b", "a"]
    assert [r.id for r in book.overdue_reviews(on=today)] == ["d"]
    assert book.get("d", on=today).stale_on(today) and not book.get("b", on=today).stale_on(today)


def test_every_project_rule_in_force_has_a_future_review_on_the_day_facts_md_was_reviewed(project):
    """facts.md was reviewed on 7 December 2026: no rule in force then was left overdue."""
    book = Rulebook.load(project / "actions" / "rules")
    day = dt.date(2026, 12, 7)
    in_force = [r for r in book.all_rules() if r.holds_on(day)]
    assert in_force and not [r.id for r in in_force if r.stale_on(day)]


def test_bot_check_lists_the_reviews_due_in_the_next_60_days(project, capsys):
    from bot.cli import main

    assert main(["check", "--today", "2026-12-07"]) == 0
    out = capsys.readouterr().out
    assert "due: asylum.pact_2026 is due for review on 2027-01-15" in out
    assert "due: programme.meedoenbalie" not in out  # review_by 2027-03-01: more than 60 days away
    assert "0 overdue" in out
    assert main(["check", "--today", "2027-02-01"]) == 0
    later = capsys.readouterr().out
    assert "overdue: asylum.work.waiting_period was due for review on 2027-01-15" in later
    assert "due: programme.meedoenbalie is due for review on 2027-03-01" in later
