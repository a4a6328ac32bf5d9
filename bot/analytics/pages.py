"""The web side of analytics: the endpoint the event broker posts to, the JSON and CSV for agents,
and the content team's page.

  POST /internal/analytics/events   {"events": [...]}      the assistant (service token)
  GET  /api/stats                   JSON (report.stats)     agents (agent token)
  GET  /api/stats.csv               CSV of the finest cells agents (agent token)
  GET  /helpdesk/content            the page: charts over time per language and per topic, tables,
                                    helpfulness per topic, the unanswered questions (signed in
                                    like the inbox)
  GET  /helpdesk/content/stats.csv  the CSV for a signed-in agent

The page draws its charts as inline SVG (no script, no external library), each with a title and
a table of the same numbers, so a screen reader gets them too.
"""

from __future__ import annotations

from html import escape
from typing import Any, Dict, List, Sequence

from aiohttp import web

from bot.analytics.report import SMALL, cells_csv, group_questions, stats
from bot.analytics.service import ANALYTICS
from bot.helpdesk import inbox
from bot.helpdesk.api import BadRequest, agent_only, json_body, service_only

MAX_EVENTS = 1000
COLOURS = ("#1b5e20", "#0d47a1", "#b71c1c", "#4a148c", "#e65100", "#006064", "#3e2723", "#880e4f", "#33691e", "#263238")
CHART_WIDTH, CHART_HEIGHT, MARGIN = 640, 220, 40
CHART_STYLE = """
figure{margin:1rem 0}svg{max-width:100%;height:auto;border:1px solid #ccc;background:#fff}
.legend span{display:inline-block;margin-right:1rem}.swatch{display:inline-block;width:1rem;height:.6rem;margin-right:.3rem}
details{margin:.5rem 0}
"""


async def _report(request: web.Request) -> Dict[str, Any]:
    analytics = request.app[ANALYTICS]
    groups = group_questions(await analytics.store.questions())
    return stats(await analytics.store.counts(request.query.get("since", "")), groups)


@service_only
async def receive_events(request: web.Request) -> web.Response:
    body = await json_body(request)
    events = body.get("events")
    if not isinstance(events, list) or len(events) > MAX_EVENTS or not all(isinstance(e, dict) for e in events):
        raise BadRequest(f"the field 'events' must be a list of at most {MAX_EVENTS} objects")
    await request.app[ANALYTICS].take(events)
    return web.json_response({"counted": len(events)})


@agent_only
async def stats_json(request: web.Request) -> web.Response:
    return web.json_response(await _report(request), headers={"Cache-Control": "no-store"})


def _csv_response(report: Dict[str, Any]) -> web.Response:
    return web.Response(
        text=cells_csv(report),
        content_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="werkwijzer-stats.csv"', "Cache-Control": "no-store"},
    )


@agent_only
async def stats_csv(request: web.Request) -> web.Response:
    return _csv_response(await _report(request))


def line_chart(title: str, rows: List[Dict[str, Any]], series_key: str, measure: str) -> str:
    """An SVG line chart of `measure` per day, one line per value of `series_key`, and its table.

    Hidden small cells ("< 5") are drawn as 0 and shown as "< 5" in the table."""
    days = sorted({row["day"] for row in rows})
    series = sorted({row[series_key] for row in rows})
    if not days:
        return f"<h2>{escape(title)}</h2><p>No conversations counted yet.</p>"
    value = {(row["day"], row[series_key]): row[measure] for row in rows}
    numbers = [v for v in value.values() if isinstance(v, int)]
    top = max(numbers + [5])
    width, height = CHART_WIDTH - 2 * MARGIN, CHART_HEIGHT - 2 * MARGIN

    def x(index: int) -> float:
        return MARGIN + (width * index / (len(days) - 1) if len(days) > 1 else width / 2)

    def y(number: Any) -> float:
        return MARGIN + height - height * (number if isinstance(number, int) else 0) / top

    slug = "chart-" + "".join(ch if ch.isalnum() else "-" for ch in title.lower())
    lines = []
    for index, name in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        points = " ".join(f"{x(i):.1f},{y(value.get((day, name), 0)):.1f}" for i, day in enumerate(days))
        lines.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"></polyline>')
        lines.extend(
            f'<circle cx="{x(i):.1f}" cy="{y(value.get((day, name), 0)):.1f}" r="3" fill="{colour}"></circle>'
            for i, day in enumerate(days)
        )
    axes = (
        f'<line x1="{MARGIN}" y1="{MARGIN + height}" x2="{MARGIN + width}" y2="{MARGIN + height}" stroke="#555"></line>'
        f'<line x1="{MARGIN}" y1="{MARGIN}" x2="{MARGIN}" y2="{MARGIN + height}" stroke="#555"></line>'
        f'<text x="{MARGIN - 6}" y="{MARGIN + 4}" text-anchor="end" font-size="11">{top}</text>'
        f'<text x="{MARGIN - 6}" y="{MARGIN + height + 4}" text-anchor="end" font-size="11">0</text>'
        f'<text x="{x(0):.1f}" y="{CHART_HEIGHT - 12}" font-size="11">{escape(days[0])}</text>'
        + (f'<text x="{x(len(days) - 1):.1f}" y="{CHART_HEIGHT - 12}" text-anchor="end" font-size="11">'
           f"{escape(days[-1])}</text>" if len(days) > 1 else "")
    )
    svg = (
        f'<svg role="img" aria-labelledby="{slug}-title" viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" '
        f'width="{CHART_WIDTH}" height="{CHART_HEIGHT}"><title id="{slug}-title">{escape(title)}</title>'
        f'{axes}{"".join(lines)}</svg>'
    )
    legend = "".join(
        f'<span><span class="swatch" style="background:{COLOURS[i % len(COLOURS)]}"></span>{escape(name)}</span>'
        for i, name in enumerate(series)
    )
    header = "".join(f'<th scope="col">{escape(name)}</th>' for name in series)
    body = "".join(
        f'<tr><th scope="row">{escape(day)}</th>'
        + "".join(f"<td>{escape(str(value.get((day, name), 0)))}</td>" for name in series)
        + "</tr>"
        for day in days
    )
    table = f'<details><summary>The numbers of "{escape(title)}"</summary><table><tr><th scope="col">Day</th>{header}</tr>{body}</table></details>'
    return f'<h2 id="{slug}">{escape(title)}</h2><figure aria-labelledby="{slug}">{svg}<p class="legend">{legend}</p>{table}</figure>'


def summary_table(title: str, rows: List[Dict[str, Any]], key: str, measures: Sequence[str]) -> str:
    """The measures per `key` over every day shown (days with "< 5" count as such)."""
    totals: Dict[str, Dict[str, Any]] = {}
    for row in rows:
        total = totals.setdefault(row[key], {measure: 0 for measure in measures})
        for measure in measures:
            if isinstance(row[measure], int) and isinstance(total[measure], int):
                total[measure] += row[measure]
            elif not isinstance(row[measure], int):
                total[measure] = f"{total[measure]} + {SMALL}" if total[measure] else SMALL
    header = "".join(f'<th scope="col">{escape(m.replace("_", " "))}</th>' for m in measures)
    body = "".join(
        f'<tr><th scope="row">{escape(name)}</th>' + "".join(f"<td>{escape(str(v[m]))}</td>" for m in measures) + "</tr>"
        for name, v in sorted(totals.items())
    )
    return f'<h2>{escape(title)}</h2><table><tr><th scope="col">{escape(key)}</th>{header}</tr>{body}</table>'


def helpfulness_html(rows: List[Dict[str, Any]]) -> str:
    """Answers to "Was this helpful?" per topic and language, over the days shown."""
    totals: Dict[tuple, List[Any]] = {}
    for row in rows:
        total = totals.setdefault((row["topic"], row["language"]), [0, 0])
        for index, measure in enumerate(("helpful", "not_helpful")):
            total[index] = total[index] + row[measure] if isinstance(row[measure], int) and isinstance(total[index], int) else SMALL
    body = "".join(
        f'<tr><th scope="row">{escape(topic)}</th><td>{escape(language)}</td><td>{helpful}</td><td>{not_helpful}</td></tr>'
        for (topic, language), (helpful, not_helpful) in sorted(totals.items())
    )
    if not body:
        return "<h2>Was the answer helpful?</h2><p>No answers counted yet.</p>"
    return (
        '<h2>Was the answer helpful?</h2><table><tr><th scope="col">topic</th><th scope="col">language</th>'
        f'<th scope="col">helpful</th><th scope="col">not helpful</th></tr>{body}</table>'
    )


def unanswered_html(groups: List[Dict[str, Any]]) -> str:
    if not groups:
        return "<h2>Questions without an answer</h2><p>None in the retention period.</p>"
    items = "".join(
        f"<li><strong>{group['count']}×</strong> ({escape(group['language'])}): "
        + " · ".join(f"<q>{escape(text)}</q>" for text in group["examples"])
        + "</li>"
        for group in groups
    )
    return f"<h2>Questions without an answer</h2><p>Similar questions grouped, the most asked first; personal data hidden.</p><ol>{items}</ol>"


async def content_page(request: web.Request) -> web.Response:
    if not await inbox.signed_in(request):
        return inbox.page("Content: sign in", inbox.sign_in_form(), status=401)
    report = await _report(request)
    measures = report["measures"]
    body = (
        f'<style>{CHART_STYLE}</style><p><a href="/helpdesk">Inbox</a> · '
        '<a href="/helpdesk/content/stats.csv">Download the counts (CSV)</a></p>'
        f'<p class="meta">Counts without people: a day, language, channel or topic with fewer than '
        f"{report['small_cell']} conversations shows “{SMALL}”.</p>"
        + line_chart("Conversations per language", report["by_language"], "language", "conversations")
        + line_chart("Conversations per topic", report["by_topic"], "topic", "conversations")
        + summary_table("Per language", report["by_language"], "language", measures)
        + summary_table("Per topic", report["by_topic"], "topic", measures)
        + summary_table("Per channel", report["by_channel"], "channel", measures)
        + helpfulness_html(report["by_topic_and_language"])
        + unanswered_html(report["unanswered"])
    )
    return inbox.page("What users ask", body)


async def content_csv(request: web.Request) -> web.Response:
    if not await inbox.signed_in(request):
        return inbox.page("Content: sign in", inbox.sign_in_form(), status=401)
    return _csv_response(await _report(request))


def add_routes(app: web.Application) -> None:
    app.router.add_post("/internal/analytics/events", receive_events)
    app.router.add_get("/api/stats", stats_json)
    app.router.add_get("/api/stats.csv", stats_csv)
    app.router.add_get("/helpdesk/content", content_page)
    app.router.add_get("/helpdesk/content/stats.csv", content_csv)
