"""Insights (everyone signed in): figures of a period as charts with their tables, CSV files, and the monthly report.

The figures come from the insights job's daily counts (bot/staff/insights/),
never from conversations: what the page shows outlives the conversations'
retention. Topics and entries are named by their titles in the interface
language (from the draft content), their ids beside them. The top unanswered
questions come from the inbox (bot/staff/inbox.py) and link to it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from markupsafe import Markup

from bot.core.content.model import Pack
from bot.staff import conversations, inbox
from bot.staff.insights import charts
from bot.staff.insights.figures import (
    CHANNEL_ORDER,
    Figures,
    Period,
    Rate,
    TopicRates,
    change_points,
    figures,
    is_small,
    month,
    percent_change,
    period,
    shown,
)
from bot.staff.templating import render
from bot.staff.views.content import title_for
from bot.staff.web import CONFIG, DRAFT, ENGINE, error_page, requires

routes = web.RouteTableDef()
CHARTS = ("languages", "channels", "topics", "entries", "rates")
CSS = Path(__file__).resolve().parent.parent / "static" / "insights.css"
UNANSWERED = 10  # question groups listed


def _channel_names(_: Any) -> dict[str, str]:
    return {
        "rest": _("REST (websites and apps)"),
        "socketio": _("Web chat widget"),
        "telegram": "Telegram",
        "messenger": "Messenger",
        "whatsapp": "WhatsApp",
        "other": _("Other"),
    }


def _title(pack: Pack, item: str, lang: str) -> str:
    """A topic's, entry's or conversation label's title in ``lang``; the id when the content has no such item."""
    if item in pack.topics:
        return title_for(pack.topics[item], lang) or item
    found = pack.entry(item)
    if found is not None:
        return title_for(found, lang) or item
    label = pack.labels.get(item)
    if label is not None:
        tr = label.translations.get(lang) or label.translations.get(pack.default_language)
        if tr is not None and tr.title:
            return tr.title
    return item


def _language_name(pack: Pack, code: str) -> str:
    return pack.languages[code].name if code in pack.languages else code


@dataclass
class Table:
    """A chart's numbers: the header row and the rows, as the page, the CSV and the report show them."""

    header: list[str]
    rows: list[list[str]]


def _change(now: int, before: int) -> str:
    value = percent_change(now, before)
    return "–" if value is None else f"{value:+.0f}%"


def _points(now: Rate, before: Rate) -> str:
    value = change_points(now, before)
    return "–" if value is None else f"{value:+.1f}"


def _by_day(figs: Figures, which: str, keys: list[str], names: dict[str, str], _: Any) -> tuple[Table, list[charts.Series]]:
    source = figs.by_language if which == "languages" else figs.by_channel
    days = [d.isoformat() for d in figs.period.days]
    values = {key: [source.get(day, {}).get(key, 0) for day in days] for key in keys}
    header = [_("Day"), *(names.get(k, k) for k in keys), _("Total")]
    rows = [[day, *(shown(values[k][i]) for k in keys), shown(sum(values[k][i] for k in keys))] for i, day in enumerate(days)]
    series = [charts.Series(names.get(k, k), values[k], charts.PALETTE[n % len(charts.PALETTE)]) for n, k in enumerate(keys)]
    return Table(header, rows), series


def _order(found: dict[str, int], preferred: list[str] | tuple[str, ...]) -> list[str]:
    keys = [k for k in preferred if found.get(k)]
    return keys + sorted(k for k in found if found[k] and k not in keys)


@dataclass
class Context:
    """Everything the page and the report render for one period."""

    now: Figures
    before: Figures
    tables: dict[str, Table]
    svgs: dict[str, Markup]
    summary: list[tuple[str, str, str, str]]  # (what, this period, previous period, change)


async def _context(request: web.Request, span: Period) -> Context:
    _ = request["_"]
    lang = request["ui_lang"]
    pack: Pack = await request.app[DRAFT].pack()
    staff = request.app[ENGINE]
    now, before = await figures(staff, span), await figures(staff, span.previous())
    small = _("Lighter: fewer than 5 conversations, drawn at 2.5.")
    tables: dict[str, Table] = {}
    svgs: dict[str, Markup] = {}
    columns = [f"{d.day}.{d.month}." for d in span.days]

    languages = _order(now.languages, list(pack.languages))
    names = {code: _language_name(pack, code) for code in languages}
    tables["languages"], series = _by_day(now, "languages", languages, names, _)
    svgs["languages"] = charts.stacked_columns(
        columns, series, _("Conversations per day by language; the table below has the numbers."), small
    )

    channel_names = _channel_names(_)
    channels = _order(now.channels, CHANNEL_ORDER)
    tables["channels"], series = _by_day(now, "channels", channels, channel_names, _)
    svgs["channels"] = charts.stacked_columns(
        columns, series, _("Conversations per day by channel; the table below has the numbers."), small
    )

    top = now.top_topics(set(pack.topics))
    header = [_("Topic"), _("Id"), _("Conversations"), _("Previous period"), _("Change")]
    tables["topics"] = Table(
        header, [[_title(pack, t, lang), t, shown(n), shown(before.topics.get(t, 0)), _change(n, before.topics.get(t, 0))] for t, n in top]
    )
    bars = [charts.Bar(_title(pack, t, lang), t, charts.small_value(n), shown(n), is_small(n)) for t, n in top]
    svgs["topics"] = charts.horizontal_bars(bars, _("Top topics by conversations; the table below has the numbers."))

    top_entries = now.top_entries()
    header = [_("Entry"), _("Id"), _("Conversations"), _("Previous period"), _("Change")]
    rows = [
        [_title(pack, e, lang), e, shown(n), shown(before.entries.get(e, 0)), _change(n, before.entries.get(e, 0))] for e, n in top_entries
    ]
    tables["entries"] = Table(header, rows)
    bars = [
        charts.Bar(_title(pack, e, lang), e, charts.small_value(n), shown(n), is_small(n), colour=charts.PALETTE[2]) for e, n in top_entries
    ]
    svgs["entries"] = charts.horizontal_bars(bars, _("Top entries by conversations; the table below has the numbers."))

    topics = [t for t in pack.topics if t in now.rates or t in before.rates]
    topics.sort(key=lambda t: (-(now.rates[t].answered + now.rates[t].fallback) if t in now.rates else 0, t))
    header = [
        _("Topic"), _("Id"), _("Answered"), _("Fallback"), _("Fallback rate"), _("Previous period"), _("Change (points)"),
        _("Did not help"), _("Did-not-help rate"), _("Previous period"), _("Change (points)"), _("Handed to an office"),
    ]  # fmt: skip
    rows, fallback_bars, unhelpful_bars = [], [], []
    for topic in topics:
        r, p = now.rates.get(topic) or TopicRates(), before.rates.get(topic) or TopicRates()
        title = _title(pack, topic, lang)
        rows.append(
            [
                title, topic, shown(r.answered), shown(r.fallback), r.fallback_rate.shown(), p.fallback_rate.shown(),
                _points(r.fallback_rate, p.fallback_rate), shown(r.did_not_help), r.unhelpful_rate.shown(), p.unhelpful_rate.shown(),
                _points(r.unhelpful_rate, p.unhelpful_rate), shown(r.handed_to_office),
            ]
        )  # fmt: skip
        for rate, previous, target, colour in (
            (r.fallback_rate, p.fallback_rate, fallback_bars, charts.PALETTE[5]),
            (r.unhelpful_rate, p.unhelpful_rate, unhelpful_bars, charts.PALETTE[3]),
        ):
            if rate.value is not None or previous.value is not None:
                value = (rate.value or 0) * 100
                marker = previous.value * 100 if previous.value is not None else None
                target.append(charts.Bar(title, topic, value, rate.shown(), rate.value is None, marker, colour))
    tables["rates"] = Table(header, rows)
    svgs["fallback"] = charts.horizontal_bars(
        fallback_bars, _("Fallback rate per topic, with a tick at the previous period's rate; the table below has the numbers."), peak=100
    )
    svgs["unhelpful"] = charts.horizontal_bars(
        unhelpful_bars,
        _("Did-not-help rate per topic, with a tick at the previous period's rate; the table below has the numbers."),
        peak=100,
    )

    summary = [
        (_("Conversations"), shown(now.conversations), shown(before.conversations), _change(now.conversations, before.conversations)),
        (_("Messages answered"), shown(now.messages), shown(before.messages), _change(now.messages, before.messages)),
        (_("New conversations"), shown(now.new), shown(before.new), _change(now.new, before.new)),
        (_("Returning conversations"), shown(now.returning), shown(before.returning), _change(now.returning, before.returning)),
        (_("Fallback rate"), now.fallback_rate.shown(), before.fallback_rate.shown(), _points(now.fallback_rate, before.fallback_rate)),
        (
            _("Did-not-help rate"),
            now.unhelpful_rate.shown(),
            before.unhelpful_rate.shown(),
            _points(now.unhelpful_rate, before.unhelpful_rate),
        ),
        (
            _("Handed to an office"),
            shown(now.outcomes["handed_to_office"]),
            shown(before.outcomes["handed_to_office"]),
            _change(now.outcomes["handed_to_office"], before.outcomes["handed_to_office"]),
        ),
        (
            _("Out of scope"),
            shown(now.outcomes["out_of_scope"]),
            shown(before.outcomes["out_of_scope"]),
            _change(now.outcomes["out_of_scope"], before.outcomes["out_of_scope"]),
        ),
    ]
    return Context(now, before, tables, svgs, summary)


def _today(request: web.Request) -> date:
    return datetime.now(ZoneInfo(request.app[CONFIG].timezone)).date()


async def _unanswered(request: web.Request, span: Period) -> tuple[list[inbox.Group], str]:
    """The largest groups of unanswered questions asked in ``span`` (masked), and a note when the store cannot be read."""
    zone = ZoneInfo(request.app[CONFIG].timezone)
    start = datetime.combine(span.start, time(), zone).timestamp()
    end = datetime.combine(span.end + timedelta(days=1), time(), zone).timestamp()
    days = max(1, (_today(request) - span.start).days + 1)
    questions, note = await inbox.unanswered(conversations.events_store(request.app), request.app[ENGINE], days=days)
    return inbox.group([q for q in questions if start <= q.at < end])[:UNANSWERED], note


@routes.get("/insights")
@requires("read")
async def insights_page(request: web.Request) -> web.StreamResponse:
    span = period(request.query, _today(request))
    found = await _context(request, span)
    groups, note = await _unanswered(request, span)
    values = {"span": span, "previous": span.previous(), "c": found, "groups": groups, "note": note, "shown": shown, "query": request.query}
    values["last_month"] = month(None, _today(request)).start.strftime("%Y-%m")
    return render(request, "insights.html", values)


@routes.get("/insights/{chart}.csv")
@requires("read")
async def chart_csv(request: web.Request) -> web.StreamResponse:
    """The numbers of one chart, as its table shows them ("<5" for small numbers)."""
    _ = request["_"]
    chart = request.match_info["chart"]
    if chart not in CHARTS:
        return error_page(request, 404, _("There is no such chart."))
    span = period(request.query, _today(request))
    table = (await _context(request, span)).tables[chart]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.header)
    writer.writerows(table.rows)
    name = f"insights-{chart}-{span.start.isoformat()}-{span.end.isoformat()}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return web.Response(text=buffer.getvalue(), content_type="text/csv", charset="utf-8", headers=headers)


@routes.get("/insights/report")
@requires("read")
async def report(request: web.Request) -> web.StreamResponse:
    """The monthly report (``month=YYYY-MM``, default the last whole month); ``download=1`` as a file to send on."""
    span = month(request.query.get("month"), _today(request))
    found = await _context(request, span)
    groups, note = await _unanswered(request, span)
    download = request.query.get("download") == "1"
    values = {
        "span": span,
        "previous": span.previous(),
        "c": found,
        "groups": [g for g in groups if g.count >= 5],
        "note": note,
        "download": download,
        "css": Markup(CSS.read_text(encoding="utf-8")) if download else "",
        "month_value": span.start.strftime("%Y-%m"),
    }
    response = render(request, "insights_report_file.html" if download else "insights_report.html", values)
    if download:
        name = f"insights-report-{span.start.strftime('%Y-%m')}-{request['ui_lang']}.html"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
