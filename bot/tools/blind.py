"""Blind held-out sets: realistic messages per language, written by someone who has not seen
`data/`, run through the assistant over REST to report how often it answers right.

`python -m bot blind` runs every `answers_<language>.yml` of a folder (default `evaluation/blind/`)
against a running assistant (`--url`, with `--token` for the Rasa HTTP API) or one it starts, and
prints per-language and overall % correct (format: docs/evaluation.md). The sets are for
reporting: never tune training data or words on them.

A case says one or more messages (`say`); only the reply to the last one is judged. It is correct
when all of these hold:
- `expect.facts`: every group has one alternative in the reply (its messages joined, any case);
- `expect.person: true`: the reply offers a person (the handoff offer's buttons /affirm and /deny,
  or a /request_human button);
- `expect.no_question_about`: the reply does not ask for those facts (no slot of theirs is being
  requested in the tracker, and no button answers them);
- the reply is in the case's language (the project's language identifier).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence

from bot.content import fast_yaml

DEFAULT_DIRECTORY = Path("evaluation") / "blind"
SET_PATTERN = "answers_*.yml"
# The slots a fact named in `no_question_about` is asked with.
FACT_SLOTS: Mapping[str, Sequence[str]] = {
    "status": ("person_status", "sowis_employee", "teacher_status"),
    "months": ("months_in_procedure",),
    "hours": ("sowis_hours",),
    "people": ("sowis_people",),
    "contract": ("sowis_contract_months",),
    "in_service": ("sowis_months_in_service",),
    "kind": ("unpaid_kind",),
    "plan": ("sowis_activity_plan", "internship_plan"),
    # "I have an employer": read from the message (actions/fact_words), asked by no check.
    "has_employer": (),
}
HANDOFF_OFFER = {"/affirm", "/deny"}
PERSON_BUTTON = "/request_human"


@dataclass(frozen=True)
class Case:
    id: str
    language: str
    kind: str
    say: Sequence[str]
    topic: Optional[str] = None
    facts: Sequence[Sequence[str]] = ()
    person: Optional[bool] = None
    no_question_about: Sequence[str] = ()


@dataclass
class Verdict:
    case: Case
    text: str
    payloads: List[str]
    requested_slot: Optional[str]
    language: Optional[str]
    problems: List[str] = field(default_factory=list)

    @property
    def correct(self) -> bool:
        return not self.problems


def load_cases(directory: Path) -> List[Case]:
    """Every case of every `answers_<language>.yml` in `directory`."""
    cases: List[Case] = []
    for path in sorted(Path(directory).glob(SET_PATTERN)):
        data = fast_yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        language = str(data.get("language") or path.stem.split("_", 1)[1])
        for raw in data.get("cases") or ():
            expect = raw.get("expect") or {}
            say = raw["say"]
            cases.append(Case(
                id=str(raw.get("id") or f"{language}-{len(cases) + 1}"), language=language,
                kind=str(raw.get("kind") or ""), say=tuple([say] if isinstance(say, str) else say),
                topic=expect.get("topic"), facts=tuple(tuple(str(a) for a in group) for group in expect.get("facts") or ()),
                person=expect.get("person"), no_question_about=tuple(expect.get("no_question_about") or ()),
            ))
    return cases


def unknown_facts(cases: Iterable[Case]) -> List[str]:
    """Names in `no_question_about` that the runner cannot check (a typo in a set)."""
    return sorted({name for case in cases for name in case.no_question_about if name not in FACT_SLOTS})


def judge(case: Case, messages: Sequence[Mapping[str, Any]], requested_slot: Optional[str],
          identify: Callable[[str], Optional[str]]) -> Verdict:
    """Whether the reply to the case's last message is right (see the module's docstring)."""
    text = "\n".join(str(m.get("text") or "") for m in messages)
    payloads = [str(b.get("payload") or "") for m in messages for b in m.get("buttons") or ()]
    language = identify(text) if text.strip() else None
    verdict = Verdict(case, text, payloads, requested_slot, language)
    low = text.casefold()
    for group in case.facts:
        if not any(alternative.casefold() in low for alternative in group):
            verdict.problems.append(f"missing one of {list(group)}")
    if case.person and not (HANDOFF_OFFER <= set(payloads) or PERSON_BUTTON in payloads):
        verdict.problems.append("no person offered")
    for fact in case.no_question_about:
        slots = FACT_SLOTS.get(fact, ())
        if requested_slot in slots or any(f'"{slot}"' in payload for slot in slots for payload in payloads):
            verdict.problems.append(f"asks for {fact}")
    if language != case.language:
        verdict.problems.append(f"reply in {language}, not {case.language}")
    return verdict


def run_cases(client: Any, cases: Iterable[Case], identify: Callable[[str], Optional[str]]) -> List[Verdict]:
    """Each case in a new conversation; `client` is a bot.tools.evaluation.RestClient."""
    verdicts = []
    for case in cases:
        sender = f"blind-{uuid.uuid4().hex[:12]}"
        messages: List[Dict[str, Any]] = []
        for message in case.say:
            messages = client.messages(sender, message)
        requested = client.tracker(sender).get("slots", {}).get("requested_slot")
        verdicts.append(judge(case, messages, requested, identify))
    return verdicts


def report(verdicts: Sequence[Verdict], show_failures: bool = False) -> str:
    """Per language: cases, correct, % correct; then all languages (docs/evaluation.md)."""
    by_language: Dict[str, List[Verdict]] = {}
    for verdict in verdicts:
        by_language.setdefault(verdict.case.language, []).append(verdict)
    lines = ["language  cases  correct  % correct"]
    for language in sorted(by_language):
        found = by_language[language]
        right = sum(v.correct for v in found)
        lines.append(f"{language:<8}  {len(found):>5}  {right:>7}  {right / len(found):>9.1%}")
    right = sum(v.correct for v in verdicts)
    lines.append(f"{'ALL':<8}  {len(verdicts):>5}  {right:>7}  {right / (len(verdicts) or 1):>9.1%}")
    if show_failures:
        for verdict in verdicts:
            if not verdict.correct:
                lines.append(f"- {verdict.case.id} {list(verdict.case.say)!r}: {'; '.join(verdict.problems)}"
                             f"\n    {verdict.text[:300]!r}")
    return "\n".join(lines)


def blind(settings: Any, directory: Path, url: Optional[str] = None, token: Optional[str] = None,
          show_failures: bool = False) -> List[Verdict]:
    """Runs the sets of `directory` against `url` (or an assistant started for it); prints the table."""
    from bot.nlu.language_id import LanguageIdentifier
    from bot.tools.evaluation import assistant_client

    cases = load_cases(directory)
    if not cases:
        raise FileNotFoundError(f"no {SET_PATTERN} with cases in {directory}")
    unknown = unknown_facts(cases)
    if unknown:
        raise ValueError(f"no_question_about names facts the runner does not know: {unknown} (known: {sorted(FACT_SLOTS)})")
    identify = LanguageIdentifier.from_project(settings.project).detect
    with assistant_client(settings, url, token) as client:
        verdicts = run_cases(client, cases, identify)
    print(report(verdicts, show_failures), flush=True)
    return verdicts
