"""Cross-validation of the intent classifier on `data/nlu`: `python -m bot.tools.nlu_crossval`.

The settings of the NLU pipeline and new training examples are chosen with this, never with the
held-out sets of `evaluation/` (README, "Languages"). It runs a scikit-learn copy of the
pipeline of `config.yml` (the project's tokenizer and spelling normalisation, the two count
featurizers, the logistic regression and the fallback threshold), which takes seconds per fold
where `rasa test nlu --cross-validation` takes minutes. Folds are stratified by language and
intent. `--check MODEL` compares the copy with a trained model on the held-out messages.
`--added FILE_NAME` tells whether a new data file helps: the other examples' out-of-fold answers
with the same folds, without and with its examples in training (README, "Languages", round 8).

It reports, for the out-of-fold answers: right / wrong intent / fallback per language, the
intents confused most, and the examples whose label the other folds contradict with high
confidence (candidates for a wrong label, to be read by a person).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
import scipy.sparse
import yaml

from bot.content import fast_yaml
from bot.runtime.settings import PROJECT_DIRECTORY


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    language: str
    path: str


def read_examples(project: Path) -> List[Example]:
    """Every NLU example of `data/nlu/<lang>/*.yml`."""
    examples = []
    for path in sorted((project / "data" / "nlu").glob("*/*.yml")):
        data = fast_yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or ():
            if "intent" not in block:
                continue
            for line in str(block.get("examples", "")).splitlines():
                if line.strip().startswith("- "):
                    examples.append(Example(line.strip()[2:].strip(), block["intent"], path.parent.name,
                                            str(path.relative_to(project))))
    return examples


def _pipeline_step(config: Dict[str, Any], name: str) -> Dict[str, Any]:
    return next((step for step in config["pipeline"] if step["name"] == name), {})


class Features:
    """What the pipeline's tokenizer and `CountVectorsFeaturizer`s make of a text (sentence features)."""

    def __init__(self, config: Dict[str, Any]) -> None:
        from rasa.shared.nlu.training_data.message import Message

        from bot.nlu.normalise import NormalisingTokenizer

        self._message = Message
        self._tokenizer = NormalisingTokenizer(NormalisingTokenizer.get_default_config())
        self._featurizers = [step for step in config["pipeline"] if step["name"] == "CountVectorsFeaturizer"]
        self._vectorizers: List[Any] = []

    def tokens(self, text: str) -> str:
        """The lemmas the featurizers see, joined by spaces (numbers as __NUMBER__, then lower case, as Rasa does)."""
        lemmas = [token.lemma for token in self._tokenizer.tokenize(self._message(data={"text": text}), "text")]
        return " ".join(re.sub(r"\b[0-9]+\b", "__NUMBER__", lemma).lower() for lemma in lemmas)

    def fit(self, texts: Sequence[str]) -> "Features":
        from sklearn.feature_extraction.text import CountVectorizer

        self._vectorizers = []
        for step in self._featurizers:
            analyzer = step.get("analyzer", "word")
            vectorizer = CountVectorizer(
                token_pattern=r"(?u)\b\w+\b" if analyzer == "word" else None,
                analyzer=analyzer,
                ngram_range=(step.get("min_ngram", 1), step.get("max_ngram", 1)),
                min_df=step.get("min_df", 1), max_df=step.get("max_df", 1.0),
                max_features=step.get("max_features"), lowercase=True,
            )
            vectorizer.fit(texts)
            self._vectorizers.append(vectorizer)
        return self

    def transform(self, texts: Sequence[str]) -> scipy.sparse.csr_matrix:
        return scipy.sparse.hstack([v.transform(texts) for v in self._vectorizers]).tocsr()


def classifier(config: Dict[str, Any]) -> Any:
    """The logistic regression as Rasa's `LogisticRegressionClassifier` builds it."""
    from sklearn.linear_model import LogisticRegression

    step = _pipeline_step(config, "LogisticRegressionClassifier")
    return LogisticRegression(
        solver=step.get("solver", "lbfgs"), max_iter=step.get("max_iter", 100), tol=step.get("tol", 1e-4),
        random_state=step.get("random_state", 42), class_weight="balanced", C=step.get("C", 1.0),
    )


@dataclass
class Answer:
    example: Example
    intent: str  # top intent
    confidence: float
    margin: float  # top minus second confidence


def fallback(config: Dict[str, Any], answer: Answer, threshold: Optional[float] = None) -> bool:
    """Would the `FallbackClassifier` of `config` replace this answer by nlu_fallback?"""
    step = _pipeline_step(config, "FallbackClassifier")
    threshold = step.get("threshold", 0.3) if threshold is None else threshold
    return answer.confidence < threshold or answer.margin < step.get("ambiguity_threshold", 0.1)


def fit_predict(config: Dict[str, Any], train: Sequence[Example], test: Sequence[Example],
                features: Features, tokens: Dict[str, str]) -> List[Answer]:
    features.fit([tokens[e.text] for e in train])
    model = classifier(config)
    model.fit(features.transform([tokens[e.text] for e in train]), [e.intent for e in train])
    probabilities = model.predict_proba(features.transform([tokens[e.text] for e in test]))
    answers = []
    for example, row in zip(test, probabilities):
        order = np.argsort(row)[::-1]
        answers.append(Answer(example, str(model.classes_[order[0]]), float(row[order[0]]),
                              float(row[order[0]] - row[order[1]])))
    return answers


def stratified_folds(examples: Sequence[Example], folds: int, seed: int) -> Iterable[Tuple[List[Example], List[Example]]]:
    """(training, test) examples of each fold, stratified by language and intent."""
    from sklearn.model_selection import StratifiedKFold

    strata = [f"{e.language}/{e.intent}" for e in examples]
    for train_index, test_index in StratifiedKFold(folds, shuffle=True, random_state=seed).split(examples, strata):
        yield [examples[i] for i in train_index], [examples[i] for i in test_index]


def _features_and_tokens(config: Dict[str, Any], examples: Sequence[Example]) -> Tuple[Features, Dict[str, str]]:
    features = Features(config)
    return features, {e.text: features.tokens(e.text) for e in examples}


def cross_validate(config: Dict[str, Any], examples: Sequence[Example], folds: int = 5,
                   seed: int = 0) -> List[Answer]:
    """Out-of-fold answers for every example (folds stratified by language and intent)."""
    features, tokens = _features_and_tokens(config, examples)
    answers: List[Answer] = []
    for train, test in stratified_folds(examples, folds, seed):
        answers += fit_predict(config, train, test, features, tokens)
    return answers


def cross_validate_added(config: Dict[str, Any], examples: Sequence[Example], added_file: str, folds: int = 5,
                         seed: int = 0) -> Dict[str, List[Answer]]:
    """Does a new data file help? The other examples are cross-validated with the same folds twice:
    without the file's examples, and with all of them in every training fold. They are never
    scored themselves, so both runs answer the same messages."""
    added = [e for e in examples if Path(e.path).name == added_file]
    scored = [e for e in examples if Path(e.path).name != added_file]
    features, tokens = _features_and_tokens(config, examples)
    answers: Dict[str, List[Answer]] = {"without": [], "with": []}
    for train, test in stratified_folds(scored, folds, seed):
        answers["without"] += fit_predict(config, train, test, features, tokens)
        answers["with"] += fit_predict(config, [*train, *added], test, features, tokens)
    return answers


def outcome(config: Dict[str, Any], answer: Answer, threshold: Optional[float] = None) -> str:
    if fallback(config, answer, threshold):
        return "fallback"
    return "right" if answer.intent == answer.example.intent else "wrong"


def summary(config: Dict[str, Any], answers: Sequence[Answer], threshold: Optional[float] = None) -> Dict[str, Dict[str, float]]:
    """Share of right / wrong / fallback per language and overall, plus top-1 without fallback."""
    counts: Dict[str, Counter] = defaultdict(Counter)
    for answer in answers:
        for key in (answer.example.language, "all"):
            counts[key][outcome(config, answer, threshold)] += 1
            counts[key]["top1"] += answer.intent == answer.example.intent
            counts[key]["n"] += 1
    return {key: {k: c[k] / c["n"] for k in ("right", "wrong", "fallback", "top1")} for key, c in counts.items()}


def print_summary(config: Dict[str, Any], answers: Sequence[Answer], thresholds: Sequence[float]) -> None:
    languages = sorted({a.example.language for a in answers}) + ["all"]
    print("| threshold | " + " | ".join(languages) + " | wrong (all) | fallback (all) |")
    print("|---" * (len(languages) + 3) + "|")
    for threshold in thresholds:
        table = summary(config, answers, threshold)
        print(f"| {threshold} | " + " | ".join(f"{table[k]['right']:.1%}" for k in languages)
              + f" | {table['all']['wrong']:.1%} | {table['all']['fallback']:.1%} |")
    table = summary(config, answers)
    print("| top-1 | " + " | ".join(f"{table[k]['top1']:.1%}" for k in languages) + " | | |")


def print_confusions(answers: Sequence[Answer], limit: int) -> None:
    pairs = Counter((a.example.intent, a.intent) for a in answers if a.intent != a.example.intent)
    print("\nConfused most (true -> top intent), out-of-fold:")
    for (true, got), count in pairs.most_common(limit):
        print(f"  {count:3d}  {true} -> {got}")


def print_suspects(answers: Sequence[Answer], confidence: float) -> None:
    """Examples that the other folds give another intent with high confidence."""
    suspects = sorted((a for a in answers if a.intent != a.example.intent and a.confidence >= confidence),
                      key=lambda a: -a.confidence)
    print(f"\nPossible wrong labels (other intent with confidence >= {confidence}): {len(suspects)}")
    for a in suspects:
        print(f"  {a.confidence:.2f} {a.example.language} {a.example.intent} -> {a.intent}: {a.example.text}")


def check_against_model(config: Dict[str, Any], examples: Sequence[Example], model: Path) -> None:
    """How often the copy and the trained Rasa model give the same top intent on the held-out sets."""
    from bot.tools.quality import _top_real_intent, held_out_intents, model_parser

    cases = [(text, intent) for pairs in held_out_intents(PROJECT_DIRECTORY).values() for text, intent in pairs]
    held_out = [Example(text, intent, "", "") for text, intent in cases]
    features = Features(config)
    tokens = {e.text: features.tokens(e.text) for e in [*examples, *held_out]}
    copy = fit_predict(config, examples, held_out, features, tokens)
    parse = model_parser(model)
    same, largest = 0, 0.0
    for answer in copy:
        intent, confidence = _top_real_intent(parse(answer.example.text))
        same += intent == answer.intent
        largest = max(largest, abs(confidence - answer.confidence))
    print(f"copy and model agree on {same}/{len(copy)} top intents; largest confidence difference {largest:.4f}")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="config.yml")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--thresholds", default="", help="extra fallback thresholds, comma-separated")
    parser.add_argument("--confusions", type=int, default=25)
    parser.add_argument("--suspects", type=float, default=None, help="list examples contradicted above this confidence")
    parser.add_argument("--check", type=Path, default=None, help="a trained model to compare the copy with")
    parser.add_argument("--added", default=None, metavar="FILE_NAME",
                        help="compare the other examples' answers without and with the files of this name "
                             "(e.g. answer_terms.yml), same folds")
    args = parser.parse_args(argv)
    config = yaml.safe_load((PROJECT_DIRECTORY / args.config).read_text(encoding="utf-8"))
    examples = read_examples(PROJECT_DIRECTORY)
    if args.check:
        check_against_model(config, examples, args.check)
        return 0
    started = time.monotonic()
    if args.added:
        compared = cross_validate_added(config, examples, args.added, args.folds, args.seed)
        print(f"{len(compared['with'])} examples scored, {args.folds} folds, {time.monotonic() - started:.0f} s")
        for name, answers in compared.items():
            print(f"\n{name} the examples of {args.added}:\n")
            print_summary(config, answers, [_pipeline_step(config, "FallbackClassifier").get("threshold", 0.3)])
        return 0
    answers = cross_validate(config, examples, args.folds, args.seed)
    print(f"{len(examples)} examples, {args.folds} folds, {time.monotonic() - started:.0f} s\n")
    configured = _pipeline_step(config, "FallbackClassifier").get("threshold", 0.3)
    extra = [float(t) for t in args.thresholds.split(",") if t]
    print_summary(config, answers, [configured, *extra])
    print_confusions(answers, args.confusions)
    if args.suspects is not None:
        print_suspects(answers, args.suspects)
    return 0


if __name__ == "__main__":
    sys.exit(main())
