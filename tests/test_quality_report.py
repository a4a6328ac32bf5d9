"""The quality report: language-ID benchmark scoring and per-language intent accuracy."""

from __future__ import annotations

from bot.nlu.language_id import project_identifier
from bot.tools.quality import BLIND_FOLDER, held_out_intents, intent_accuracy, language_id_benchmark, print_report


def test_the_benchmark_scores_plain_langdetect_and_the_detector_per_language(project):
    benchmark = {
        "languages": {
            "ti": ["ክሰርሕ ይኽእል ድየ?"],
            "nl": ["mag ik al werken in het azc?"],
            "ru": ["Можно ли мне работать?"],
        },
        "keep": ["👍", "Hallo, ich möchte hier arbeiten"],
    }
    report = language_id_benchmark(benchmark, project_identifier(project))
    assert report.detector["ti"].rate == 1.0 and report.plain["ti"].rate == 0.0  # no ti profile
    assert report.detector["nl"].rate == 1.0
    assert report.detector["ru"].rate == 1.0
    assert report.detector_keep.rate == 1.0


def test_the_report_lists_every_language_and_a_missing_set_fails_the_goal(project, capsys):
    benchmark = {"languages": {"nl": ["mag ik al werken in het azc?"]}, "keep": []}
    report = language_id_benchmark(benchmark, project_identifier(project))
    nl = {"nl": [("mag ik werken", "ask_asylum_work")]}
    scores = {"tuned": intent_accuracy(nl, lambda text: {"intent": {"name": "ask_asylum_work"}})}
    assert print_report(report, scores, supported=["nl"]) is True
    assert print_report(report, scores, supported=["nl", "ru"]) is False
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert ["ru", "no", "cases", "yet"] in rows
    assert ["ru", "no", "cases", "yet", "(no", "evaluation/intents_ru.yml,", "tuned", "or", "blind)"] in rows


def test_intent_accuracy_counts_fallbacks_as_misses_and_reports_what_if(project):
    cases = {"en": [("hello", "greet"), ("hmm", "greet")]}
    results = {
        "hello": {"intent": {"name": "greet"}, "intent_ranking": [{"name": "greet", "confidence": 0.9}]},
        "hmm": {
            "intent": {"name": "nlu_fallback"},
            "intent_ranking": [
                {"name": "nlu_fallback", "confidence": 0.5},
                {"name": "greet", "confidence": 0.4},
            ],
        },
    }
    score = intent_accuracy(cases, results.__getitem__)["en"]
    assert (score.actual.right, score.actual.total) == (1, 2)
    assert score.what_if[0.0].right == 2 and score.what_if[0.3].right == 2


def test_every_language_has_a_held_out_set_outside_the_training_data(project):
    """Every language is measured on messages outside the training data: a tuned held-out set
    (evaluation/), and for a language without one its blind set (evaluation/blind/), none of
    whose messages is a training example of that language; every language has a blind set."""
    tuned, blind = held_out_intents(project), held_out_intents(project, BLIND_FOLDER)
    languages = {p.stem for p in (project / "translations").glob("*.yml")}
    assert set(tuned) | set(blind) == languages and set(blind) == languages
    trained = set()
    for path in (project / "data" / "nlu").rglob("*.yml"):
        trained |= {line.strip()[2:].strip() for line in path.read_text(encoding="utf-8").splitlines()}
    for language, examples in tuned.items():
        assert len(examples) >= 100, language
        assert not {text for text, _ in examples} & trained, f"{language}: held-out text in data/"
    for language in languages - set(tuned):
        own = set()
        for path in (project / "data" / "nlu" / language).rglob("*.yml"):
            own |= {line.strip()[2:].strip() for line in path.read_text(encoding="utf-8").splitlines()}
        assert len(blind[language]) >= 76 and not {text for text, _ in blind[language]} & own, language
