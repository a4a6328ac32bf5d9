"""NLU pipelines compared on the same held-out split: intent accuracy, training time, parse time.

`python -m bot.tools.bench.pipelines [CONFIG ...]` splits `data/nlu` once (80/20, fixed seed), trains
the NLU part of each config (default: config.yml and config.yml with DIET instead of the
logistic regression, 50 and 100 epochs, on the same sparse features) and prints one Markdown row
per config. Used for the README table "what each choice buys"; slow (DIET trains for minutes).
"""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

import yaml

from bot.runtime.settings import PROJECT_DIRECTORY
from bot.tools.bench.conversations import examples_by_language
from bot.tools.bench.report import percentile

DIET = {"name": "DIETClassifier", "random_seed": 42, "entity_recognition": False, "constrain_similarities": True}


def with_classifier(config: Dict[str, Any], classifier: Dict[str, Any]) -> Dict[str, Any]:
    """The config with its intent classifier replaced (same tokenizer and features)."""
    changed = dict(config)
    changed["pipeline"] = [
        classifier if step["name"].endswith("Classifier") and step["name"] != "FallbackClassifier" else step
        for step in config["pipeline"]
    ]
    return changed


def _rasa(python: str, *args: str, cwd: Path) -> None:
    subprocess.run([python, "-m", "rasa", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


def parse_ms(model: Path, texts: List[str]) -> float:
    """Median time to parse one message with the trained model, in this process."""
    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)  # as `rasa run` does; debug logs cost time
    configure_structlog(logging.WARNING)
    agent = Agent.load(str(model))
    timings = []

    async def parse_all() -> None:
        for text in texts[:10]:
            await agent.parse_message(text)  # warm-up
        for text in texts:
            started = time.perf_counter()
            await agent.parse_message(text)
            timings.append((time.perf_counter() - started) * 1000.0)

    asyncio.run(parse_all())
    return percentile(timings, 50) or 0.0


def compare(project: Path, configs: Dict[str, Dict[str, Any]], python: str = sys.executable) -> List[Dict[str, Any]]:
    rows = []
    texts = [t for intents in examples_by_language(project).values() for ts in intents.values() for t in ts][:300]
    with tempfile.TemporaryDirectory(prefix="pipelines-") as scratch:
        folder = Path(scratch)
        _rasa(python, "data", "split", "nlu", "-u", str(project / "data" / "nlu"), "--training-fraction", "0.8",
              "--random-seed", "42", "--out", str(folder / "split"), cwd=project)
        train = next((folder / "split").glob("training_data.*"))
        test = next((folder / "split").glob("test_data.*"))
        for name, config in configs.items():
            config_file = folder / f"{name}.yml"
            config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
            started = time.monotonic()
            _rasa(python, "train", "nlu", "-c", str(config_file), "--nlu", str(train), "--out", str(folder / name),
                  "--fixed-model-name", name, cwd=project)
            seconds = time.monotonic() - started
            model = folder / name / f"{name}.tar.gz"
            _rasa(python, "test", "nlu", "-m", str(model), "--nlu", str(test), "--out", str(folder / f"{name}-results"), cwd=project)
            report = json.loads((folder / f"{name}-results" / "intent_report.json").read_text(encoding="utf-8"))
            rows.append({
                "config": name, "accuracy": round(report["accuracy"], 3),
                "weighted_f1": round(report["weighted avg"]["f1-score"], 3),
                "training_seconds": round(seconds), "parse_p50_ms": round(parse_ms(model, texts), 1),
            })
    return rows


def main(argv: List[str]) -> int:
    project = PROJECT_DIRECTORY
    base = yaml.safe_load((project / "config.yml").read_text(encoding="utf-8"))
    configs: Dict[str, Dict[str, Any]] = {"config.yml (logistic regression)": base}
    if argv:
        configs = {path: yaml.safe_load(Path(path).read_text(encoding="utf-8")) for path in argv}
    else:
        configs["DIET, 50 epochs"] = with_classifier(base, {**DIET, "epochs": 50})
        configs["DIET, 100 epochs"] = with_classifier(base, {**DIET, "epochs": 100})
    print("| pipeline | intent accuracy (held-out 20%) | weighted F1 | NLU training | parse p50 |")
    print("|---|---|---|---|---|")
    for row in compare(project, configs):
        print(f"| {row['config']} | {row['accuracy']} | {row['weighted_f1']} | {row['training_seconds']} s | {row['parse_p50_ms']} ms |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
