"""Measuring redaction on the labelled set: `python -m bot privacy-report`.

- recall: the share of labelled pieces of personal data that are redacted completely;
- precision: the share of redactions that cover labelled personal data;
- false redactions: the share of ordinary texts (the labelled ones and every text the assistant
  itself says) that redaction changes.
The redactor is the one the running assistant uses (public contacts from the endpoints file).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

from bot.content import fast_yaml
from bot.content.translations import Translations
from bot.privacy.redaction import Redactor
from bot.privacy.settings import assistant_text_files

LABELLED_SET = Path("tests") / "data" / "redaction_labelled.yml"


@dataclass
class LabelledSet:
    """Texts with personal data (and where it stands) and ordinary texts."""

    personal: List[Tuple[str, List[Tuple[str, str]]]]
    ordinary: List[str]

    @classmethod
    def load(cls, path: Path) -> "LabelledSet":
        data = fast_yaml.safe_load(path.read_text(encoding="utf-8"))
        personal = [
            (item["text"], [next(iter(piece.items())) for piece in item["data"]])
            for item in data["personal"]
        ]
        return cls(personal, [str(text) for text in data["ordinary"]])

    def __len__(self) -> int:
        return len(self.personal) + len(self.ordinary)


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def assistant_texts(project: Path) -> Iterator[str]:
    """Every text the assistant says, in every language (button titles included), and every
    string in the rule data that answers show (sources, values, referrals)."""
    translations = Translations.load(project / "translations")
    for language in translations.languages.values():
        for text in language.responses.values():
            yield text.text
            yield from (button.title for button in text.buttons)
    for path in assistant_text_files(project):
        if path.parent.name != "translations":
            yield from _strings(fast_yaml.safe_load(path.read_text(encoding="utf-8")))


@dataclass
class Measurement:
    """The figures of one run over the labelled set."""

    pieces: int = 0
    redacted_pieces: int = 0
    spans: int = 0
    true_spans: int = 0
    ordinary: int = 0
    changed_ordinary: int = 0
    own_texts: int = 0
    changed_own_texts: int = 0
    misses: List[str] = field(default_factory=list)
    false: List[str] = field(default_factory=list)
    by_kind: Dict[str, List[int]] = field(default_factory=dict)

    @property
    def recall(self) -> float:
        return self.redacted_pieces / self.pieces if self.pieces else 1.0

    @property
    def precision(self) -> float:
        return self.true_spans / self.spans if self.spans else 1.0

    @property
    def false_redaction_rate(self) -> float:
        total = self.ordinary + self.own_texts
        return (self.changed_ordinary + self.changed_own_texts) / total if total else 0.0

    def lines(self) -> List[str]:
        kinds = ", ".join(f"{kind} {done}/{total}" for kind, (done, total) in sorted(self.by_kind.items()))
        return [
            f"recall: {self.recall:.1%} ({self.redacted_pieces} of {self.pieces} pieces of personal data redacted; {kinds})",
            f"precision: {self.precision:.1%} ({self.true_spans} of {self.spans} redactions are personal data)",
            f"false redactions: {self.false_redaction_rate:.1%} ({self.changed_ordinary} of {self.ordinary} "
            f"ordinary texts, {self.changed_own_texts} of {self.own_texts} of the assistant's own texts changed)",
        ]


def _covered(spans, start: int, end: int, text: str) -> bool:
    return all(
        any(span.start <= index < span.end for span in spans)
        for index in range(start, end)
        if not text[index].isspace()
    )


def measure(labelled: LabelledSet, redactor: Redactor, own_texts: List[str]) -> Measurement:
    result = Measurement()
    for text, pieces in labelled.personal:
        spans = redactor.find(text)
        result.spans += len(spans)
        located = []
        for kind, value in pieces:
            start = text.index(value)
            located.append((start, start + len(value)))
            done, total = result.by_kind.setdefault(kind, [0, 0])
            covered = _covered(spans, start, start + len(value), text)
            result.by_kind[kind] = [done + covered, total + 1]
            result.pieces += 1
            result.redacted_pieces += covered
            if not covered:
                result.misses.append(f"{kind} {value!r} in {text!r}")
        result.true_spans += sum(
            any(span.start < end and start < span.end for start, end in located) for span in spans
        )
    for text in labelled.ordinary:
        result.ordinary += 1
        result.spans += len(redactor.find(text))
        if redactor.redact(text) != text:
            result.changed_ordinary += 1
            result.false.append(f"{text!r} -> {redactor.redact(text)!r}")
    for text in own_texts:
        result.own_texts += 1
        result.spans += len(redactor.find(text))
        if redactor.redact(text) != text:
            result.changed_own_texts += 1
            result.false.append(f"(own text) {text!r} -> {redactor.redact(text)!r}")
    return result


# Written without seeing the redaction rules (evaluation/blind/README.md): to report, never to tune.
BLIND_SET = Path("evaluation") / "blind" / "redaction.yml"


def report(project: Path, redactor: Redactor, labelled_set: Path = LABELLED_SET) -> Measurement:
    labelled = LabelledSet.load(project / labelled_set)
    return measure(labelled, redactor, list(assistant_texts(project)))

