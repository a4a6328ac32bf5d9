"""Knowledge evaluation: realistic questions end to end through the REST channel.

`python -m bot evaluate` starts its own assistant (free ports, a temporary data folder; the model
is trained first if the inputs changed), or talks to a running one (`--url`, and `--token` for
the Rasa HTTP API that reports the recognised intent). For every question of
`evaluation/questions.yml` it opens a new conversation, sends the question and any follow-up
answers, and counts per topic:

- intent accuracy: the first message's intent is one of the topic's intents;
- correct: right intent AND every fact group found in the reply to the last message.

The question set is kept outside `data/` so that it never becomes training data.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import secrets
import socket
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence

from bot.content import fast_yaml

DEFAULT_QUESTIONS = Path("evaluation") / "questions.yml"


@dataclass(frozen=True)
class Question:
    topic: str
    text: str
    then: Sequence[str]
    intents: Sequence[str]
    facts: Sequence[Sequence[str]]


@dataclass
class Result:
    question: Question
    intent: Optional[str]
    reply: str

    @property
    def intent_ok(self) -> bool:
        return self.intent in self.question.intents

    @property
    def missing_facts(self) -> List[Sequence[str]]:
        low = self.reply.casefold()
        return [group for group in self.question.facts if not any(alt.casefold() in low for alt in group)]

    @property
    def correct(self) -> bool:
        return self.intent_ok and not self.missing_facts


@dataclass
class TopicScore:
    topic: str
    results: List[Result] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.results)

    @property
    def intent_accuracy(self) -> float:
        return sum(r.intent_ok for r in self.results) / self.count if self.count else 0.0

    @property
    def correct_share(self) -> float:
        return sum(r.correct for r in self.results) / self.count if self.count else 0.0


def load_questions(path: Path) -> List[Question]:
    """The questions of the set; a question is a string or a mapping with q, then, facts."""
    data = fast_yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    questions: List[Question] = []
    for topic, spec in (data.get("topics") or {}).items():
        for item in spec.get("questions") or ():
            item = {"q": item} if isinstance(item, str) else item
            questions.append(Question(
                topic=topic, text=item["q"], then=tuple(item.get("then") or ()),
                intents=tuple(spec["intents"]), facts=tuple(tuple(g) for g in item.get("facts") or spec["facts"]),
            ))
    return questions


class RestClient:
    """Talks to the assistant like a chat client, and reads the recognised intent from the API."""

    def __init__(self, rasa_url: str, token: Optional[str], timeout: float = 60.0):
        self.rasa_url = rasa_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def messages(self, sender: str, message: str) -> List[Dict[str, Any]]:
        """The assistant's messages (text, buttons) in reply to one message."""
        body = json.dumps({"sender": sender, "message": message}).encode()
        request = urllib.request.Request(
            f"{self.rasa_url}/webhooks/rest/webhook", data=body,
            headers={"Content-Type": "application/json"}, method="POST",
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as reply:
            return json.loads(reply.read())

    def say(self, sender: str, message: str) -> str:
        return "\n".join(m.get("text") or "" for m in self.messages(sender, message))

    def tracker(self, sender: str) -> Dict[str, Any]:
        if not self.token:
            return {}
        query = urllib.parse.urlencode({"token": self.token})
        url = f"{self.rasa_url}/conversations/{urllib.parse.quote(sender)}/tracker?{query}"
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as reply:
                return json.loads(reply.read())
        except (urllib.error.URLError, OSError, ValueError):
            return {}

    def in_a_check(self, sender: str) -> bool:
        """Whether a check (form) is still asking; without the API, assume it is."""
        tracker = self.tracker(sender)
        return not tracker or bool((tracker.get("active_loop") or {}).get("name"))

    def first_intent(self, sender: str) -> Optional[str]:
        tracker = self.tracker(sender)
        for event in tracker.get("events") or []:
            if event.get("event") == "user":
                return ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        return None


def run_questions(client: RestClient, questions: Iterable[Question]) -> List[Result]:
    results = []
    for question in questions:
        sender = f"eval-{uuid.uuid4().hex[:12]}"
        reply = client.say(sender, question.text)
        intent = client.first_intent(sender)
        for answer in question.then:
            if not client.in_a_check(sender):
                break  # a user answers only the questions the assistant still asks
            reply = client.say(sender, answer)
        results.append(Result(question, intent, reply))
    return results


def score(results: Iterable[Result]) -> List[TopicScore]:
    topics: Dict[str, TopicScore] = {}
    for result in results:
        topics.setdefault(result.question.topic, TopicScore(result.question.topic)).results.append(result)
    return list(topics.values())


def report(scores: Sequence[TopicScore], show_failures: bool = False) -> str:
    width = max(len(s.topic) for s in scores) if scores else 10
    lines = [f"{'topic':<{width}}  questions  intent  correct"]
    for s in scores:
        lines.append(f"{s.topic:<{width}}  {s.count:>9}  {s.intent_accuracy:>6.0%}  {s.correct_share:>7.0%}")
    results = [r for s in scores for r in s.results]
    total = len(results) or 1
    lines.append(
        f"{'ALL':<{width}}  {len(results):>9}  {sum(r.intent_ok for r in results) / total:>6.1%}"
        f"  {sum(r.correct for r in results) / total:>7.1%}"
    )
    if show_failures:
        for r in results:
            if not r.correct:
                problem = f"intent {r.intent}" if not r.intent_ok else f"missing {r.missing_facts}"
                lines.append(f"- [{r.question.topic}] {r.question.text!r}: {problem}\n    {r.reply[:300]!r}")
    return "\n".join(lines)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def assistant_client(settings: Any, url: Optional[str] = None, token: Optional[str] = None) -> Iterator[RestClient]:
    """A client of the running assistant at `url`, or of one started for the purpose (free
    ports, a temporary data folder, the model trained first if its inputs changed), stopped after."""
    if url:
        yield RestClient(url, token)
        return
    from bot.runtime.processes import Stack, services
    from bot.runtime.training import train

    model = train(settings.project)
    token = secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory(prefix="werkwijzer-eval-") as data_dir:
        local = dataclasses.replace(
            settings.with_ports(_free_port(), _free_port(), _free_port()),
            data_dir=Path(data_dir), extra_env={**settings.extra_env, "RASA_API_TOKEN": token},
        )
        stack = Stack(services(local, model), settings.project, log_dir=Path(data_dir) / "logs")
        stack.start(timeout=300)
        try:
            yield RestClient(local.rasa_url, token)
        finally:
            stack.stop()


def evaluate(settings: Any, questions_path: Path, url: Optional[str] = None, token: Optional[str] = None,
             show_failures: bool = False) -> List[TopicScore]:
    """Runs the set against `url`, or against an assistant started for the purpose; prints the table."""
    questions = load_questions(questions_path)
    with assistant_client(settings, url, token) as client:
        scores = score(run_questions(client, questions))
    print(report(scores, show_failures), flush=True)
    return scores
