"""The Insights page, its CSV files and the monthly report, from a real event stream: exact counts, two languages, Chromium.

The conversations are real: tests/e2e/insights_traffic.py (run with the
assistant's Python) starts the Rasa server and the action server, holds 30
conversations in four languages over REST, the web widget's socket.io channel
and Telegram, and writes what each reply's ``meta`` said. Rasa's SQL event
broker has written their events into the broker's database; the staff app
runs ``python -m bot.staff insights`` over it, and every figure is compared
with the one computed here from the transcript, independently of the job.
The job itself is tested on a hand-made stream in test_insights_job.py.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
from collections import Counter, defaultdict
from datetime import datetime
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import async_playwright, expect

from bot.core.content.loader import load_pack
from bot.core.payloads import feedback_payload
from bot.core.settings import PROJECT_ROOT, Settings
from tests.staff.harness import PASSWORD, Browser, StaffServer, add_staff

RASA_PYTHON = PROJECT_ROOT / ".venv" / "bin" / "python"
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = PROJECT_ROOT / "tests" / "screenshots"
CHARTS = ("languages", "channels", "topics", "entries", "rates")


class _Tables(HTMLParser):
    """The text of every table cell, per ``<section id=...>`` (a chart's section holds one table)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.section = ""
        self.row: list[str] | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self.section = dict(attrs).get("id") or ""
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.row is not None and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables.setdefault(self.section, []).append(self.row)
            self.row = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def tables(page: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(page)
    return parser.tables


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


# --- the conversations and what they must add up to


@pytest.fixture(scope="module")
def traffic(tmp_path_factory) -> tuple[Path, dict]:
    """The broker's and the tracker store's databases after real conversations, and their transcript."""
    if not RASA_PYTHON.exists():
        pytest.fail("the assistant's environment (.venv) is missing: make setup")
    workdir = tmp_path_factory.mktemp("traffic")
    out = workdir / "transcript.json"
    ran = subprocess.run(
        [str(RASA_PYTHON), "-m", "tests.e2e.insights_traffic", "--workdir", str(workdir), "--out", str(out)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert ran.returncode == 0, ran.stderr[-4000:]
    return workdir, json.loads(out.read_text(encoding="utf-8"))


def expected(transcript: dict) -> dict:
    """The figures of today, computed from the replies' meta (each conversation is new, and all are today's)."""
    languages, channels = Counter(), Counter()
    topics, entries = defaultdict(set), defaultdict(set)
    outcomes = defaultdict(lambda: defaultdict(set))  # topic -> outcome -> conversations
    messages = 0
    for n, conversation in enumerate(transcript["conversations"]):
        metas = conversation["metas"]
        languages[metas[0]["lang"]] += 1
        channels[conversation["channel"]] += 1
        last = ("", "")
        for text, meta in zip(conversation["texts"], metas, strict=True):
            messages += 1
            label, entry = meta["label"], meta["entry"] or ""
            assert label != "fallback", conversation  # the scripted questions are all understood
            if text == feedback_payload():
                outcomes[last[0]]["did_not_help"].add(n)
            elif label == "out_of_scope":
                outcomes["out_of_scope"]["out_of_scope"].add(n)
            elif label == "ask_human":
                outcomes[last[0]]["handed_to_office"].add(n)
            else:
                outcomes[label]["answered"].add(n)
                topics[label].add(n)
                if entry:
                    entries[entry].add(n)
                last = (label, entry)
    return {
        "languages": languages,
        "channels": channels,
        "topics": {t: len(c) for t, c in topics.items()},
        "entries": {e: len(c) for e, c in entries.items()},
        "outcomes": {t: {o: len(c) for o, c in by.items()} for t, by in outcomes.items()},
        "conversations": len(transcript["conversations"]),
        "messages": messages,
    }


def shown(n: int) -> str:
    return "<5" if 0 < n < 5 else str(n)


def rate(part: int, whole: int) -> str:
    return "–" if whole < 5 or 0 < part < 5 else f"{part / whole * 100:.1f}%"


@pytest.fixture(scope="module")
async def insights(traffic, tmp_path_factory):
    """A staff app reading the conversations' databases, after one run of the insights job; signed-in browsers."""
    workdir, transcript = traffic
    root = tmp_path_factory.mktemp("staff-insights")
    env = {
        "MIGRANT_BOT_EVENTS_URL": f"sqlite:///{workdir / 'events.db'}",
        "MIGRANT_BOT_DATABASE_URL": f"sqlite:///{workdir / 'tracker.db'}",
    }
    server = StaffServer(root=root, database_url=f"sqlite:///{root / 'staff.db'}", extra_env=env).start()
    ran = server.command("insights", "--settle-seconds", "0")
    assert ran.returncode == 0 and f"Counted {expected(transcript)['messages']} answered messages" in ran.stdout, ran.stdout + ran.stderr
    browsers = await add_staff(server)
    yield server, browsers, transcript
    for browser in browsers.values():
        await browser.close()
    server.stop()


def _pack():
    return load_pack(Settings(data_dir=PROJECT_ROOT / "data", pack="latvia", database_url=""))


def _today() -> str:
    return datetime.now(ZoneInfo("Europe/Riga")).date().isoformat()


def expected_tables(transcript: dict, lang: str = "en") -> dict[str, list[list[str]]]:
    """The tables of the page (header and rows) as they must read for today's conversations."""
    want, pack = expected(transcript), _pack()
    names = {code: pack.languages[code].name for code in pack.languages}
    languages = [code for code in pack.languages if want["languages"][code]]
    channel_names = {"rest": "REST (websites and apps)", "socketio": "Web chat widget", "telegram": "Telegram"}
    if lang == "lv":
        channel_names.update(rest="REST (tīmekļa vietnes un lietotnes)", socketio="Tīmekļa tērzēšanas logs")
    channels = [c for c in ("rest", "socketio", "telegram") if want["channels"][c]]
    total = str(want["conversations"])

    def title(item: str) -> str:
        answer = pack.topics.get(item) or pack.entry(item)
        return answer.text_in(lang).title

    topics = sorted(want["topics"].items(), key=lambda kv: (-kv[1], kv[0]))
    entries = sorted(want["entries"].items(), key=lambda kv: (-kv[1], kv[0]))
    rates = []
    for topic, _n in topics:
        by = want["outcomes"][topic]
        answered, unhelpful, handed = by.get("answered", 0), by.get("did_not_help", 0), by.get("handed_to_office", 0)
        fallback = [shown(answered), "0", rate(0, answered), "–", "–"]  # nothing fell back; no previous period
        rates.append([title(topic), topic, *fallback, shown(unhelpful), rate(unhelpful, answered), "–", "–", shown(handed)])
    return {
        "languages": [[_today(), *(shown(want["languages"][c]) for c in languages), total]],
        "languages_header": [names[c] for c in languages],
        "channels": [[_today(), *(shown(want["channels"][c]) for c in channels), total]],
        "channels_header": [channel_names[c] for c in channels],
        "topics": [[title(t), t, shown(n), "0", "–"] for t, n in topics],
        "entries": [[title(e), e, shown(n), "0", "–"] for e, n in entries],
        "rates": rates,
    }


def _rows_of_today(table: list[list[str]]) -> list[list[str]]:
    return [row for row in table[1:] if row[0] == _today()]


# --- the tests


def test_the_conversations_went_through_every_channel_in_four_languages(traffic):
    _, transcript = traffic
    want = expected(transcript)
    assert set(want["languages"]) == {"en", "lv", "ru", "uk"}
    assert set(want["channels"]) == {"rest", "socketio", "telegram"}
    assert want["outcomes"]["out_of_scope"]["out_of_scope"] == 4
    assert sum(by.get("did_not_help", 0) for by in want["outcomes"].values()) == 8


async def test_the_page_shows_exactly_the_counts_of_the_conversations(insights):
    _, browsers, transcript = insights
    want, tables_wanted = expected(transcript), expected_tables(transcript)
    status, page, _ = await browsers["translator"].get("/insights")
    assert status == 200
    found = tables(page)
    languages = found["chart-languages"]
    assert languages[0] == ["Day", *tables_wanted["languages_header"], "Total"]
    assert _rows_of_today(languages) == tables_wanted["languages"]
    assert all(row[1:] == ["0"] * (len(row) - 1) for row in languages[1:] if row[0] != _today())
    channels = found["chart-channels"]
    assert channels[0] == ["Day", *tables_wanted["channels_header"], "Total"]
    assert _rows_of_today(channels) == tables_wanted["channels"]
    assert found["chart-topics"][1:] == tables_wanted["topics"]
    assert found["chart-entries"][1:] == tables_wanted["entries"]
    assert found["chart-rates"][1:] == tables_wanted["rates"]
    unhelpful = sum(by.get("did_not_help", 0) for by in want["outcomes"].values())
    answered = sum(by.get("answered", 0) for topic, by in want["outcomes"].items() if topic != "out_of_scope")
    summary = {row[0]: row[1:] for row in found["summary"][1:]}
    assert summary["Conversations"] == [str(want["conversations"]), "0", "–"]
    assert summary["Messages answered"] == [str(want["messages"]), "0", "–"]
    assert summary["New conversations"] == [str(want["conversations"]), "0", "–"]
    assert summary["Returning conversations"] == ["0", "0", "–"]
    assert summary["Did-not-help rate"] == [rate(unhelpful, answered), "–", "–"]
    assert summary["Out of scope"] == ["<5", "0", "–"]  # four conversations asked about the weather
    # the top unanswered questions are the inbox's, linked to it
    unanswered = unescape(page.split('id="unanswered"', 1)[1])
    assert 'href="/inbox"' in unanswered
    assert "What will the weather be like tomorrow?" in unanswered and "(asked <5 times, en, out_of_scope)" in unanswered


async def test_every_csv_has_the_numbers_of_its_table(insights):
    _, browsers, transcript = insights
    _, page, _ = await browsers["publisher"].get("/insights?range=7")
    found = tables(page)
    for chart in CHARTS:
        status, text, answer = await browsers["publisher"].get(f"/insights/{chart}.csv?range=7")
        assert status == 200 and answer.headers["Content-Type"].startswith("text/csv")
        assert answer.headers["Content-Disposition"].startswith(f'attachment; filename="insights-{chart}-')
        assert csv_rows(text) == found[f"chart-{chart}"][:1] + found[f"chart-{chart}"][1:], chart
    _, text, _ = await browsers["publisher"].get("/insights/languages.csv?range=7")
    assert _rows_of_today(csv_rows(text)) == expected_tables(transcript)["languages"]
    _, text, _ = await browsers["publisher"].get("/insights/topics.csv?range=7")
    assert csv_rows(text)[1:] == expected_tables(transcript)["topics"]


async def test_the_monthly_report_has_the_same_figures_and_prints_and_downloads(insights):
    _, browsers, transcript = insights
    month = _today()[:7]
    wanted = expected_tables(transcript)
    status, page, _ = await browsers["editor"].get(f"/insights/report?month={month}")
    assert status == 200
    found = tables(page)
    assert _rows_of_today(found["chart-languages"]) == wanted["languages"]
    assert _rows_of_today(found["chart-channels"]) == wanted["channels"]
    assert found["chart-topics"][1:] == wanted["topics"]
    assert found["chart-entries"][1:] == wanted["entries"]
    assert found["chart-rates"][1:] == wanted["rates"]
    want = expected(transcript)
    assert f"Conversations: {want['conversations']} (previous month 0, change –)" in unescape(page)
    assert '<link rel="stylesheet" href="/static/insights.css">' in page and "<style>" not in page  # the CSP allows no inline style
    status, file, answer = await browsers["editor"].get(f"/insights/report?month={month}&download=1")
    assert status == 200 and answer.headers["Content-Disposition"] == f'attachment; filename="insights-report-{month}-en.html"'
    assert "<style>" in file and "@media print" in file and "<nav>" not in file  # one file that prints well on its own
    assert tables(file)["chart-topics"][1:] == wanted["topics"]
    status, css, _ = await browsers["editor"].get("/static/insights.css")
    assert status == 200 and "@media print" in css and "display: none" in css


async def test_the_page_and_the_report_in_latvian(insights):
    server, _, transcript = insights
    browser = Browser(server)
    browser.session.cookie_jar.update_cookies({"staff_lang": "lv"})
    assert await browser.sign_in("translator@example.lv") == 303
    status, page, _ = await browser.get("/insights")
    wanted = expected_tables(transcript, "lv")
    found = tables(page)
    assert status == 200 and "<h1>Rādītāji</h1>" in page
    assert found["chart-topics"][0] == ["Tēma", "Identifikators", "Sarunas", "Iepriekšējais periods", "Izmaiņas"]
    assert found["chart-topics"][1:] == wanted["topics"]  # titles in Latvian, ids beside them
    assert found["chart-channels"][0][1:-1] == wanted["channels_header"]
    status, report, _ = await browser.get(f"/insights/report?month={_today()[:7]}&download=1")
    assert status == 200 and f"Mēneša pārskats: {_today()[:7]}" in report and 'lang="lv"' in report
    await browser.close()


async def test_no_message_text_or_sender_id_is_in_the_counts(insights):
    server, _, transcript = insights
    with sqlite3.connect(server.root / "staff.db") as db:
        rows = [row for table in ("staff_insights_cells", "staff_insights_days") for row in db.execute(f"SELECT * FROM {table}")]
    assert rows
    stored = json.dumps(rows, ensure_ascii=False)
    for conversation in transcript["conversations"]:
        assert conversation["sender"] not in stored and conversation["sender"].split(":")[-1] not in stored
        for text in conversation["texts"]:
            assert text not in stored
    assert (server.root / "staff.db").read_bytes().count(b"insights-") == 0  # no REST sender id anywhere in the staff database


async def test_running_the_job_again_changes_nothing(insights):
    server, browsers, _ = insights
    _, before, _ = await browsers["admin"].get("/insights")
    ran = server.command("insights", "--settle-seconds", "0")
    assert ran.returncode == 0 and "Counted 0 answered messages from 0 new events" in ran.stdout
    _, after, _ = await browsers["admin"].get("/insights")
    assert tables(after) == tables(before)


# --- in Chromium


@pytest.fixture
async def chromium():
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: apt-get install chromium (Debian's package; no browser is downloaded)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("insights-*.png"):
        old.unlink()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        await browser.close()


async def test_charts_and_their_tables_render_in_chromium_wide_and_on_a_phone(insights, chromium):
    server, _, _ = insights
    for width, name in ((1280, "wide"), (390, "phone")):
        context = await chromium.new_context(viewport={"width": width, "height": 900}, locale="en-GB")
        page = await context.new_page()
        blocked: list[str] = []
        page.on("console", lambda message, seen=blocked: seen.append(message.text) if "Content Security Policy" in message.text else None)
        await page.goto(server.base + "/sign-in?next=/insights")
        await page.fill("input[name=email]", "publisher@example.lv")
        await page.fill("input[name=password]", PASSWORD)
        await page.click("main button[type=submit]")
        await expect(page.locator("h1")).to_have_text("Insights")
        for chart in CHARTS:
            section = page.locator(f"#chart-{chart}")
            await expect(section.locator("figure svg[role=img]").first).to_be_visible()
            await expect(section.locator("table.figures")).to_be_visible()
            assert await section.locator("svg rect").count() > 0, chart
            label = await section.locator("svg").first.get_attribute("aria-label")
            assert label and "table below" in label
        box = await page.locator("#chart-languages svg").bounding_box()
        assert box and box["width"] <= width and box["height"] > 100
        assert await page.evaluate("document.documentElement.scrollWidth") <= width  # nothing wider than the screen
        await page.screenshot(path=SHOTS / f"insights-{name}.png", full_page=True)
        await page.locator("#chart-rates").screenshot(path=SHOTS / f"insights-{name}-rates.png")
        await page.click("header button[value=lv]")  # the interface in Latvian: longer words, the same width
        await expect(page.locator("h1")).to_have_text("Rādītāji")
        assert await page.evaluate("document.documentElement.scrollWidth") <= width
        await page.screenshot(path=SHOTS / f"insights-{name}-lv.png", full_page=True)
        await page.click("header button[value=en]")
        await page.goto(server.base + f"/insights/report?month={_today()[:7]}")
        await expect(page.locator("h1")).to_contain_text("Monthly report")
        await page.emulate_media(media="print")
        assert await page.locator("header").is_hidden() and await page.locator("form.period").is_hidden()
        await page.screenshot(path=SHOTS / f"insights-{name}-report-print.png", full_page=True)
        assert blocked == []
        await context.close()
