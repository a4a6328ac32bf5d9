"""The conversations the benchmark sends: real training examples of the project, per language."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Dict, List

from bot.content import fast_yaml

# Intents that open or close a conversation; the others are the questions in between.
OPENING = "greet"
CLOSING = ("goodbye", "thank", "thanks")


def examples_by_language(project: Path) -> Dict[str, Dict[str, List[str]]]:
    """{language: {intent: [example, ...]}} from `data/nlu/<language>/*.yml`."""
    found: Dict[str, Dict[str, List[str]]] = {}
    for path in sorted((project / "data" / "nlu").glob("*/*.yml")):
        language = path.parent.name
        content = fast_yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in content.get("nlu") or []:
            if "intent" not in block or not isinstance(block.get("examples"), str):
                continue
            lines = [line.strip()[2:].strip() for line in block["examples"].splitlines()]
            texts = [text for text in lines if text and "[" not in text]  # no annotated entities
            if texts:
                found.setdefault(language, {}).setdefault(block["intent"], []).extend(texts)
    return found


def conversations(project: Path, count: int, turns: int = 4, seed: int = 7) -> List[List[str]]:
    """`count` conversations of `turns` messages, languages taken in turn: a greeting, questions
    on random topics, and (when the language has one) a closing message."""
    pool = examples_by_language(project)
    if not pool:
        raise ValueError(f"no training examples found under {project / 'data' / 'nlu'}")
    chooser = random.Random(seed)
    languages = sorted(pool)
    made: List[List[str]] = []
    for number in range(count):
        intents = pool[languages[number % len(languages)]]
        questions = [name for name in intents if name != OPENING and not name.startswith(CLOSING)]
        closings = [name for name in intents if name.startswith(CLOSING)]
        opening = [chooser.choice(intents[OPENING])] if OPENING in intents else []
        closing = [chooser.choice(intents[chooser.choice(closings)])] if closings else []
        middle = turns - len(opening) - len(closing)
        asked = [chooser.choice(intents[chooser.choice(questions)]) for _ in range(max(1, middle))]
        made.append(opening + asked + closing)
    return made
