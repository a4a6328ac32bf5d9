"""Quality per language, measured: `python -m bot quality` (or `make quality`).

1. Language identification on `evaluation/language_id.yml` (short chat messages written for the
   benchmark): plain langdetect (all its profiles, what most projects use) against the project's
   detector (`bot.nlu.language_id`). A message under `keep` must not change the conversation language.
2. Intent accuracy per language on `evaluation/intents_<lang>.yml` (held-out messages, not in
   `data/`), parsed by the trained model through the real pipeline (`Agent.parse_message`).

Both sets live outside `data/`, so training never sees them.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from bot.content import fast_yaml
from bot.nlu.language_id import LanguageIdentifier

LANGUAGE_ID_FILE = Path("evaluation") / "language_id.yml"
INTENTS_PATTERN = "intents_*.yml"
LANGUAGE_ID_GOAL = 0.98
INTENT_GOAL_PER_LANGUAGE = 0.90
INTENT_GOAL_OVERALL = 0.95


@dataclass
class Score:
    """Right answers out of a number of cases, with the misses kept for the report."""

    right: int = 0
    total: int = 0
    misses: List[Tuple[str, str, str]] = field(default_factory=list)

    def add(self, ok: bool, case: str = "", expected: str = "", got: str = "") -> None:
        self.total += 1
        if ok:
            self.right += 1
        else:
            self.misses.append((case, expected, got))

    @property
    def rate(self) -> float:
        return self.right / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"{self.rate:6.1%} ({self.right}/{self.total})"


def _plain_langdetect() -> Callable[[str], Optional[str]]:
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0

    def run(text: str) -> Optional[str]:
        try:
            return detect(text)
        except LangDetectException:
            return None

    return run


@dataclass
class LanguageIdReport:
    languages: Sequence[str]
    plain: Dict[str, Score]
    detector: Dict[str, Score]
    plain_keep: Score
    detector_keep: Score

    @staticmethod
    def overall(scores: Dict[str, Score]) -> Score:
        total = Score()
        for score in scores.values():
            _add(total, score)
        return total


def language_id_benchmark(
    benchmark: Dict, identifier: LanguageIdentifier
) -> LanguageIdReport:
    """Runs plain langdetect and the detector on every message of the benchmark."""
    plain_detect = _plain_langdetect()
    supported = set(identifier.languages)
    plain: Dict[str, Score] = defaultdict(Score)
    detector: Dict[str, Score] = defaultdict(Score)
    for language, messages in benchmark["languages"].items():
        for message in messages:
            found_plain = plain_detect(message)
            plain[language].add(found_plain == language, message, language, str(found_plain))
            found = identifier.identify(message)
            detector[language].add(found == language, message, language, str(found))
    plain_keep, detector_keep = Score(), Score()
    for message in benchmark.get("keep") or ():
        found_plain = plain_detect(str(message))
        plain_keep.add(found_plain not in supported, str(message), "keep", str(found_plain))
        found = identifier.identify(str(message))
        detector_keep.add(found is None, str(message), "keep", str(found))
    return LanguageIdReport(list(benchmark["languages"]), plain, detector, plain_keep, detector_keep)


# Held-out sets that were used to choose data (tuned), and the blind ones written without seeing
# data/ (evaluation/blind/README.md): both are reported, side by side; only ever to report.
TUNED_FOLDER = Path("evaluation")
BLIND_FOLDER = Path("evaluation") / "blind"


def held_out_intents(project: Path, folder: Path = TUNED_FOLDER) -> Dict[str, List[Tuple[str, str]]]:
    """(text, intent) per language from `<folder>/intents_<lang>.yml`."""
    found: Dict[str, List[Tuple[str, str]]] = {}
    for path in sorted((project / folder).glob(INTENTS_PATTERN)):
        language = path.stem.split("_", 1)[1]
        data = fast_yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        found[language] = [
            (line.strip()[2:].strip(), block["intent"])
            for block in data.get("nlu") or ()
            for line in str(block.get("examples", "")).splitlines()
            if line.strip().startswith("- ")
        ]
    return found


def without_training_messages(
    project: Path, cases: Dict[str, List[Tuple[str, str]]]
) -> Dict[str, List[Tuple[str, str]]]:
    """The cases whose text is not, case aside, a training example of their language in
    `data/nlu/<lang>/`: a blind set written without seeing the data still shares short replies
    ("ja", "да", "haa") and now and then a longer message with it."""
    kept: Dict[str, List[Tuple[str, str]]] = {}
    for language, found in cases.items():
        trained = {
            line.strip()[2:].strip().casefold()
            for path in sorted((project / "data" / "nlu" / language).glob("*.yml"))
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip().startswith("- ")
        }
        kept[language] = [(text, intent) for text, intent in found if text.casefold() not in trained]
    return kept


FALLBACK_INTENT = "nlu_fallback"
# What-if thresholds for the FallbackClassifier, computed from the same parses (diagnostic).
WHAT_IF_THRESHOLDS = (0.0, 0.3)


@dataclass
class IntentScores:
    """Accuracy as the assistant behaves, and what it would be with other fallback thresholds."""

    actual: Score = field(default_factory=Score)
    what_if: Dict[float, Score] = field(default_factory=dict)


def _top_real_intent(result: Dict) -> Tuple[str, float]:
    for ranked in result.get("intent_ranking") or ():
        if ranked.get("name") != FALLBACK_INTENT:
            return ranked.get("name") or "", float(ranked.get("confidence") or 0.0)
    return "", 0.0


def intent_accuracy(
    cases: Dict[str, List[Tuple[str, str]]], parse: Callable[[str], Dict]
) -> Dict[str, IntentScores]:
    """Accuracy of `parse` (text → Rasa parse result) per language."""
    scores: Dict[str, IntentScores] = {}
    for language, examples in cases.items():
        score = IntentScores(what_if={t: Score() for t in WHAT_IF_THRESHOLDS})
        for text, intent in examples:
            result = parse(text)
            got = (result.get("intent") or {}).get("name") or ""
            score.actual.add(got == intent, text, intent, got)
            top, confidence = _top_real_intent(result)
            for threshold, what_if in score.what_if.items():
                what_if.add(top == intent and confidence >= threshold, text, intent, top)
        scores[language] = score
    return scores


def model_parser(model: Path) -> Callable[[str], Dict]:
    """A parse function running the trained model's NLU pipeline (the real one)."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    loop = asyncio.new_event_loop()

    def parse(text: str) -> Dict:
        return loop.run_until_complete(agent.parse_message(text))

    return parse


def _misses(score: Score, limit: int) -> Iterable[str]:
    for case, expected, got in score.misses[:limit]:
        yield f"      {case!r}: expected {expected}, got {got}"


NO_CASES = "no cases yet"


def print_report(
    language_id: LanguageIdReport,
    intents: Dict[str, Dict[str, IntentScores]],
    show_misses: int = 5,
    supported: Sequence[str] = (),
) -> bool:
    """Prints both reports; True when every goal is met. Every `supported` language is listed:
    one without language-ID cases says so, and one without held-out messages in any intent table
    fails the goal (a language that was not measured has not met it)."""
    ok = True
    print("Language identification (evaluation/language_id.yml)")
    print(f"  {'language':<10}{'plain langdetect':>24}{'project detector':>24}")
    for language in language_id.languages:
        print(
            f"  {language:<10}{str(language_id.plain[language]):>24}"
            f"{str(language_id.detector[language]):>24}"
        )
    for language in supported:
        if language not in language_id.languages:
            print(f"  {language:<10}{NO_CASES:>48}")
    plain_all = LanguageIdReport.overall(language_id.plain)
    detector_all = LanguageIdReport.overall(language_id.detector)
    print(f"  {'all':<10}{str(plain_all):>24}{str(detector_all):>24}")
    print(
        f"  {'keep':<10}{str(language_id.plain_keep):>24}{str(language_id.detector_keep):>24}"
        "   (must not switch: 'ok', '👍', Russian, ...)"
    )
    goal_met = detector_all.rate >= LANGUAGE_ID_GOAL
    ok &= goal_met
    print(f"  goal: detector >= {LANGUAGE_ID_GOAL:.0%} -> {'met' if goal_met else 'NOT MET'}")
    for language in language_id.languages:
        for line in _misses(language_id.detector[language], show_misses):
            print(line)
    for line in _misses(language_id.detector_keep, show_misses):
        print(line)

    for title, scores in intents.items():
        # A blind set's misses are not shown: read, they would steer the next change.
        ok &= _print_intent_table(title, scores, 0 if title.startswith("BLIND") else show_misses)
    unmeasured = [code for code in supported if not any(code in scores for scores in intents.values())]
    for language in unmeasured:
        print(f"  {language:<10}{NO_CASES:>24}   (no evaluation/intents_{language}.yml, tuned or blind)")
    return ok and not unmeasured


def _print_intent_table(title: str, intents: Dict[str, IntentScores], show_misses: int) -> bool:
    """One table of intent accuracy per language; True when the goals are met."""
    ok = True
    print(f"\nIntent accuracy on {title}")
    what_if_header = "".join(
        f"{'no fallback' if t == 0 else f'fallback {t}':>16}" for t in WHAT_IF_THRESHOLDS
    )
    print(f"  {'language':<10}{'as configured':>24}{what_if_header}   (what-if: diagnostic)")
    total = Score()
    what_if_totals = {t: Score() for t in WHAT_IF_THRESHOLDS}
    for language, score in intents.items():
        met = score.actual.rate >= INTENT_GOAL_PER_LANGUAGE
        ok &= met
        _add(total, score.actual)
        for threshold, what_if in score.what_if.items():
            _add(what_if_totals[threshold], what_if)
        columns = "".join(f"{f'{s.rate:.1%}':>16}" for s in score.what_if.values())
        note = "" if met else "below the goal"
        print(f"  {language:<10}{str(score.actual):>24}{columns}   {note}")
        for line in _misses(score.actual, show_misses):
            print(line)
    overall_met = total.rate >= INTENT_GOAL_OVERALL
    ok &= overall_met
    columns = "".join(f"{f'{s.rate:.1%}':>16}" for s in what_if_totals.values())
    print(f"  {'all':<10}{str(total):>24}{columns}")
    print(
        f"  goal: >= {INTENT_GOAL_PER_LANGUAGE:.0%} in every language, >= "
        f"{INTENT_GOAL_OVERALL:.0%} overall -> {'met' if ok else 'NOT MET'}"
    )
    return ok


def _add(total: Score, score: Score) -> None:
    total.right += score.right
    total.total += score.total


def run(project: Path, model: Path, show_misses: int = 5) -> int:
    """The `quality` command: both reports; exit code 1 when a goal is not met."""
    identifier = LanguageIdentifier.from_project(project)
    benchmark = fast_yaml.safe_load((project / LANGUAGE_ID_FILE).read_text(encoding="utf-8"))
    language_id = language_id_benchmark(benchmark, identifier)
    parse = model_parser(model)
    blind = held_out_intents(project, BLIND_FOLDER)
    intents = {
        "held-out messages, TUNED (evaluation/intents_<lang>.yml: used to choose data)":
            intent_accuracy(held_out_intents(project, TUNED_FOLDER), parse),
        "BLIND held-out messages (evaluation/blind/intents_<lang>.yml: report only)":
            intent_accuracy(blind, parse),
        "BLIND, without the messages that are also training examples":
            intent_accuracy(without_training_messages(project, blind), parse),
    }
    met = print_report(language_id, intents, show_misses, supported=identifier.languages)
    return 0 if met else 1
