"""The cross-validation copy of the NLU pipeline (bot/tools/nlu_crossval.py)."""

from bot.tools.nlu_crossval import Answer, Example, Features, cross_validate_added, fallback, summary

CONFIG = {
    "pipeline": [
        {"name": "bot.nlu.normalise.NormalisingTokenizer"},
        {"name": "CountVectorsFeaturizer"},
        {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 2, "max_ngram": 5},
        {"name": "LogisticRegressionClassifier"},
        {"name": "FallbackClassifier", "threshold": 0.45, "ambiguity_threshold": 0.02},
    ]
}


def _answer(intent: str, confidence: float, margin: float, language: str = "nl") -> Answer:
    return Answer(Example("tekst", "greet", language, "data/nlu/nl/conversation.yml"), intent, confidence, margin)


def test_low_or_ambiguous_answers_fall_back_as_the_fallback_classifier_does():
    assert fallback(CONFIG, _answer("greet", 0.44, 0.3))
    assert fallback(CONFIG, _answer("greet", 0.9, 0.01))
    assert not fallback(CONFIG, _answer("greet", 0.5, 0.3))
    assert not fallback(CONFIG, _answer("greet", 0.44, 0.3), threshold=0.4)


def test_summary_counts_right_wrong_and_fallback_per_language():
    answers = [_answer("greet", 0.9, 0.5), _answer("goodbye", 0.9, 0.5), _answer("greet", 0.2, 0.1, "en")]
    table = summary(CONFIG, answers)
    assert table["nl"]["right"] == 0.5 and table["nl"]["wrong"] == 0.5
    assert table["en"]["fallback"] == 1.0 and table["en"]["top1"] == 1.0
    assert round(table["all"]["right"], 3) == 0.333


def test_features_see_the_normalised_spelling_and_numbers_as_one_token():
    features = Features(CONFIG)
    assert features.tokens("Çalışma İzni 24 hafta") == "calisma izni __number__ hafta"  # as Rasa: __NUMBER__, then lower case
    matrix = features.fit(["calisma izni", "merhaba"]).transform(["Çalışma izni"])
    assert matrix.shape[0] == 1 and matrix.sum() > 0


def test_added_examples_are_trained_on_but_never_scored():
    old = [Example(f"{word} {n}", intent, "en", "data/nlu/en/conversation.yml")
           for intent, word in (("greet", "hello"), ("goodbye", "bye")) for n in range(5)]
    added = [Example("hello there friend", "greet", "en", "data/nlu/en/answer_terms.yml"),
             Example("bye bye friend", "goodbye", "en", "data/nlu/en/answer_terms.yml")]
    answers = cross_validate_added(CONFIG, [*old, *added], "answer_terms.yml", folds=5)
    for name in ("without", "with"):
        assert sorted(a.example.text for a in answers[name]) == sorted(e.text for e in old)
    assert all(a.intent == a.example.intent for a in answers["with"])
