"""Command line: `python -m bot build | train | run | serve | webapp | check | content | po | purge | ...`."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import List, Optional

from bot.runtime.settings import Settings


def _build(settings: Settings) -> None:
    from bot.content.build import build

    path = build(settings.project, settings.mark_unreviewed)
    marked = " (texts no native speaker reviewed are marked)" if settings.mark_unreviewed else ""
    print(f"Built {path.relative_to(settings.project)} from translations/{marked}", flush=True)


def _content(settings: Settings) -> int:
    """Prints what content work waits: unreviewed texts per language, rules due for review."""
    from bot.tools.content_report import report

    report(settings.project, sys.stdout)
    return 0


def _po(settings: Settings, args: argparse.Namespace) -> int:
    """PO files for translators' tools: export every language, or import one reviewed file."""
    from pathlib import Path

    from bot.content.po import ImportRefused, export_all, import_po

    translations = settings.project / "translations"
    if args.po_command == "export":
        for path in export_all(translations, Path(args.out)):
            print(f"wrote {path}")
        return 0
    try:
        result = import_po(Path(args.file), translations, args.language)
    except ImportRefused as refused:
        print(refused, file=sys.stderr)
        return 1
    print(
        f"{result.language}: {len(result.changed)} texts changed, {len(result.reviewed)} marked reviewed, "
        f"{len(result.unreviewed)} unreviewed. Next: python -m bot build (and restart the assistant)."
    )
    return 0


REVIEW_HORIZON_DAYS = 60


def _check(settings: Settings, today: Optional[dt.date] = None, days: int = REVIEW_HORIZON_DAYS) -> int:
    """Checks the rules' data (every rule has a source, a date and a `review_by`) and lists the
    rules past their review date and those due for review in the next `days` days."""
    from bot.content.rulebook import Rulebook, RuleError

    try:
        book = Rulebook.load(settings.project / "actions" / "rules")
    except RuleError as problem:
        print(f"Rule data is invalid: {problem}", file=sys.stderr)
        return 1
    day = today or dt.date.today()
    for rule in book.overdue_reviews(on=day):
        print(f"overdue: {rule.id} was due for review on {rule.review_by} "
              f"(answers now say when it was last checked: {rule.last_checked})")
    for rule in book.due_within(days, on=day):
        print(f"due: {rule.id} is due for review on {rule.review_by}")
    print(f"{len(book.all_rules())} rules checked on {day}: all have a source, a date and a review date; "
          f"{len(book.overdue_reviews(on=day))} overdue, {len(book.due_within(days, on=day))} due "
          f"in the next {days} days.")
    return 0


def _purge(settings: Settings, days: Optional[float], now: Optional[str]) -> int:
    """Deletes conversations older than the retention period (`retention_days` in the endpoints)."""
    from datetime import datetime

    from rasa.core.tracker_store import TrackerStore
    from rasa.utils.endpoints import EndpointConfig

    from bot.privacy.retention import RetentionNotSupported, purge
    from bot.privacy.settings import PrivacySettings, inner_store_config, tracker_store_config
    from bot.runtime.processes import runtime_endpoints

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


def _serve(settings: Settings, part: str) -> int:
    """One process of the assistant in the foreground (containers, Kubernetes); see
    `bot.runtime.processes.serve_part`. The model must have been trained (`python -m bot train`)."""
    import os
    from pathlib import Path

    from bot.runtime.processes import serve_part, shared_tokens_missing
    from bot.runtime.training import model_path

    if os.environ.get("RASA_API_TOKEN_FILE") and not os.environ.get("RASA_API_TOKEN"):
        os.environ["RASA_API_TOKEN"] = Path(os.environ["RASA_API_TOKEN_FILE"]).read_text(encoding="utf-8").strip()
    missing = shared_tokens_missing(os.environ)
    if missing:
        print(f"Set {' and '.join(missing)} (the same value for every process) before serving one part.", file=sys.stderr)
        return 1
    model = model_path(settings.project)
    if part == "rasa" and not model.exists():
        print(f"No trained model at {model}: run `python -m bot train` first (the image does it when built).", file=sys.stderr)
        return 1
    serve_part(settings, part, model)
    return 0  # not reached: serve_part replaces this process


def _privacy_report(settings: Settings, blind: bool = False) -> int:
    """Measures redaction on the labelled set the rules were written with (goals: recall >= 99%,
    false redactions <= 1%), or on the blind set (`--blind`; the goals of issue 23: recall >=
    90%, ordinary texts changed <= 5%); exits non-zero when a goal is missed."""
    from bot.privacy.settings import PrivacySettings
    from bot.tools.privacy_report import BLIND_SET, LABELLED_SET, report

    redactor = PrivacySettings.from_endpoints(settings.endpoints, settings.project).redactor()
    measured = report(settings.project, redactor, BLIND_SET if blind else LABELLED_SET)
    print(f"{'BLIND set ' + str(BLIND_SET) if blind else 'tuned set ' + str(LABELLED_SET)}:")
    for line in measured.lines():
        print(line)
    for problem in measured.misses + measured.false:
        print(f"  {problem}")
    if blind:
        changed = measured.changed_ordinary / measured.ordinary if measured.ordinary else 0.0
        goals_met = measured.recall >= 0.90 and changed <= 0.05
        print("goals (recall >= 90%, ordinary texts changed <= 5%):", "met" if goals_met else "NOT met")
    else:
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
    check = commands.add_parser("check", help="check the rules' data and list the reviews due")
    check.add_argument("--days", type=int, default=REVIEW_HORIZON_DAYS, help="list reviews due within this many days")
    check.add_argument("--today", type=dt.date.fromisoformat, help="the day to check for (YYYY-MM-DD; default: today)")
    commands.add_parser("content", help="unreviewed texts per language and rules due for review")
    po = commands.add_parser("po", help="texts as gettext PO files for translators' tools")
    po_commands = po.add_subparsers(dest="po_command", required=True)
    po_export = po_commands.add_parser("export", help="write a POT template and one PO file per language")
    po_export.add_argument("--out", default="po", help="folder for the files (default: po/)")
    po_import = po_commands.add_parser("import", help="write a reviewed PO file back into translations/")
    po_import.add_argument("file", help="the PO file")
    po_import.add_argument("--language", help="its language (default: the PO header's Language)")
    serve = commands.add_parser("serve", help="run one process as `run` starts it (containers, Kubernetes)")
    serve.add_argument("part", choices=("rasa", "actions", "webapp"), help="which process")
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
    bench.add_argument("--no-patch-figures", action="store_true",
                       help="skip the Rasa patches' figures (off, on, each left out; ~4 min)")
    bench.add_argument("--out", default="reports/bench", help="folder of the report")
    commands.add_parser(
        "quality", help="language-identification benchmark and intent accuracy per language"
    )
    purge = commands.add_parser("purge", help="delete conversations older than the retention period")
    purge.add_argument("--days", type=float, help="retention in days (default: retention_days in the endpoints)")
    purge.add_argument("--now", help=argparse.SUPPRESS)  # an ISO time instead of the clock (tests)
    privacy = commands.add_parser("privacy-report", help="measure redaction on the labelled set")
    privacy.add_argument("--blind", action="store_true", help="on the blind set (evaluation/blind/redaction.yml)")
    args = parser.parse_args(argv)
    settings = Settings.from_env()

    if args.command == "build":
        _build(settings)
        return 0
    if args.command == "check":
        return _check(settings, args.today, args.days)
    if args.command == "content":
        return _content(settings)
    if args.command == "po":
        return _po(settings, args)
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
        from bot.runtime.training import train as train_model
        from bot.tools.quality import run as run_quality

        _build(settings)
        return run_quality(settings.project, train_model(settings.project))
    if args.command == "purge":
        return _purge(settings, args.days, args.now)
    if args.command == "privacy-report":
        return _privacy_report(settings, args.blind)
    if args.command == "serve":
        return _serve(settings, args.part)
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
