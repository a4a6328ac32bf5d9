"""Command line: `python -m bot build | train | run | webapp | check | purge | privacy-report`."""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from bot.runtime.settings import Settings


def _build(settings: Settings) -> None:
    from bot.content.build import build

    path = build(settings.project)
    print(f"Built {path.relative_to(settings.project)} from translations/", flush=True)


def _check(settings: Settings) -> int:
    """Checks the rules' data: every rule has a source and a date; warns on overdue reviews."""
    from bot.content.rulebook import Rulebook, RuleError

    try:
        book = Rulebook.load(settings.project / "actions" / "rules")
    except RuleError as problem:
        print(f"Rule data is invalid: {problem}", file=sys.stderr)
        return 1
    for rule in book.overdue_reviews():
        print(f"warning: rule {rule.id} was due for review on {rule.review_by}", file=sys.stderr)
    print(f"{len(book.all_rules())} rules checked: all have a source and a date.")
    return 0


def _purge(settings: Settings, days: Optional[float], now: Optional[str]) -> int:
    """Deletes conversations older than the retention period (`retention_days` in the endpoints)."""
    from datetime import datetime

    from rasa.core.tracker_store import TrackerStore
    from rasa.utils.endpoints import EndpointConfig

    from bot.privacy.settings import PrivacySettings, inner_store_config, tracker_store_config
    from bot.runtime.processes import runtime_endpoints
    from bot.privacy.retention import RetentionNotSupported, purge

    config = tracker_store_config(runtime_endpoints(settings))
    retention = days if days is not None else PrivacySettings.from_config(config).retention_days
    clock = (lambda: datetime.fromisoformat(now).timestamp()) if now else None
    store = TrackerStore.create(EndpointConfig.from_dict(inner_store_config(config)))
    try:
        result = purge(store, retention, clock) if clock else purge(store, retention)
    except RetentionNotSupported as problem:
        print(problem, file=sys.stderr)
        return 1
    print(f"Deleted {result} older than {retention:g} days.")
    return 0


def _privacy_report(settings: Settings) -> int:
    """Measures redaction on the labelled set; exits non-zero when a goal is missed."""
    from bot.privacy.settings import PrivacySettings
    from bot.tools.privacy_report import report

    redactor = PrivacySettings.from_endpoints(settings.endpoints, settings.project).redactor()
    measured = report(settings.project, redactor)
    for line in measured.lines():
        print(line)
    for problem in measured.misses + measured.false:
        print(f"  {problem}")
    goals_met = measured.recall >= 0.99 and measured.false_redaction_rate <= 0.01
    print("goals (recall >= 99%, false redactions <= 1%):", "met" if goals_met else "NOT met")
    return 0 if goals_met else 1


def _with_agent_token(settings: Settings) -> Settings:
    """The helpdesk inbox needs an agent token: a fresh one per run unless HELPDESK_AGENT_TOKEN is set."""
    import dataclasses
    import os
    import secrets

    inbox = f"{settings.web_url}/helpdesk"
    if os.environ.get("HELPDESK_AGENT_TOKEN"):
        print(f"Helpdesk inbox for agents: {inbox} (sign in with HELPDESK_AGENT_TOKEN)", flush=True)
        return settings
    token = secrets.token_urlsafe(18)
    print(
        f"Helpdesk inbox for agents: {inbox} (sign in with {token}; "
        "set HELPDESK_AGENT_TOKEN to keep one token across runs)",
        flush=True,
    )
    return dataclasses.replace(settings, extra_env={**settings.extra_env, "HELPDESK_AGENT_TOKEN": token})


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("build", help="build the domain's responses from translations/")
    train = commands.add_parser("train", help="build, then train unless the model is up to date")
    train.add_argument("--force", action="store_true", help="train even if the model is up to date")
    commands.add_parser("run", help="build, train if needed, and run all processes")
    commands.add_parser("webapp", help="run only the web app")
    commands.add_parser("check", help="check the rules' data")
    evaluate = commands.add_parser("evaluate", help="run the knowledge evaluation set end to end (REST)")
    evaluate.add_argument("--questions", default="evaluation/questions.yml", help="the question set")
    evaluate.add_argument("--url", help="a running assistant (default: start one on free ports)")
    evaluate.add_argument("--token", help="its Rasa API token, to read the recognised intents")
    evaluate.add_argument("--min-correct", type=float, default=0.0, help="fail below this share (0-1)")
    evaluate.add_argument("--show-failures", action="store_true", help="list the questions answered wrongly")
    blind = commands.add_parser("blind", help="run the blind held-out sets (evaluation/blind/answers_<lang>.yml) over REST")
    blind.add_argument("--dir", default="evaluation/blind", help="the folder of the sets")
    blind.add_argument("--url", help="a running assistant (default: start one on free ports)")
    blind.add_argument("--token", help="its Rasa API token, to read the question being asked")
    blind.add_argument("--show-failures", action="store_true", help="list the cases answered wrongly")
    bench = commands.add_parser("bench", help="benchmark against a plain `rasa init` assistant")
    bench.add_argument("--levels", default="1,10,20,50", help="conversations at once, comma-separated")
    bench.add_argument("--max-seconds", type=float, default=45.0, help="time limit per level")
    bench.add_argument("--workers", type=int, default=0, help="SANIC_WORKERS for this assistant (default: one per core, at most 2)")
    bench.add_argument("--endpoints", help="endpoints file for this assistant (e.g. endpoints.scale.yml)")
    bench.add_argument("--no-accuracy", action="store_true", help="skip `python -m bot evaluate` / `quality`")
    bench.add_argument("--out", default="reports/bench", help="folder of the report")
    commands.add_parser(
        "quality", help="language-identification benchmark and intent accuracy per language"
    )
    purge = commands.add_parser("purge", help="delete conversations older than the retention period")
    purge.add_argument("--days", type=float, help="retention in days (default: retention_days in the endpoints)")
    purge.add_argument("--now", help=argparse.SUPPRESS)  # an ISO time instead of the clock (tests)
    commands.add_parser("privacy-report", help="measure redaction on the labelled set")
    args = parser.parse_args(argv)
    settings = Settings.from_env()

    if args.command == "build":
        _build(settings)
        return 0
    if args.command == "check":
        return _check(settings)
    if args.command == "evaluate":
        from bot.tools.evaluation import evaluate as run_evaluation

        _build(settings)
        scores = run_evaluation(
            settings, settings.project / args.questions, args.url, args.token, args.show_failures
        )
        results = [r for s in scores for r in s.results]
        share = sum(r.correct for r in results) / (len(results) or 1)
        return 0 if share >= args.min_correct else 1
    if args.command == "blind":
        from bot.tools.blind import blind as run_blind

        _build(settings)
        run_blind(settings, settings.project / args.dir, args.url, args.token, args.show_failures)
        return 0  # a report, not a gate: the sets are never used to choose data
    if args.command == "bench":
        from bot.tools.bench.run import bench_from_arguments

        return bench_from_arguments(settings, args)
    if args.command == "quality":
        from bot.tools.quality import run as run_quality
        from bot.runtime.training import train as train_model

        _build(settings)
        return run_quality(settings.project, train_model(settings.project))
    if args.command == "purge":
        return _purge(settings, args.days, args.now)
    if args.command == "privacy-report":
        return _privacy_report(settings)
    if args.command == "webapp":
        from bot.web.app import serve

        serve(settings)
        return 0
    if args.command in ("train", "run"):
        from bot.runtime.training import train as train_model

        _build(settings)
        if _check(settings):
            return 1
        model = train_model(settings.project, force=getattr(args, "force", False))
        if args.command == "train":
            return 0
        from bot.runtime.processes import Stack, run_forever, services

        settings = _with_agent_token(settings)

        stack = Stack(services(settings, model), settings.project)
        return run_forever(stack)
    return 2
