"""Measures the insights job (bot/staff/insights/aggregate.py) on 100,000 generated conversations.

    .venv-staff/bin/python -m benchmarks.insights [--conversations 100000] [--days 90] [--no-doc]

Runs in the staff app's environment, where the job runs. It writes an event
broker database (SQLite) with the rows Rasa's tracker store publishes for
each conversation, shaped and sized like the rows of a real run
(tests/e2e/insights_traffic.py: a user event with its intent ranking and
response selector ranking, about 2.4 KB; the bot's messages, the reply's
meta, the slots, the actions), spread over ``--days`` days, in four
languages and five channels, with fallbacks, "did not help" presses,
out-of-scope questions, people asking for a person and returning senders.
Then it runs ``python -m bot.staff insights`` as the operator would, in a
process of its own, and measures its wall time and peak memory (maximum
resident set size): the first run over everything, a run after 1,000 more
conversations (what the hourly run costs), and a run with nothing new.
Prints the table and writes it into docs/benchmarks.md (section
``insights``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.report import Clock, command_line, cpu_model, load_average, memory_gb, now, os_name, table, write_section
from bot.core.settings import PROJECT_ROOT

LANGUAGES = ("en", "lv", "ru", "uk")
CHANNELS = ("rest", "socketio", "telegram", "messenger", "whatsapp")
TOPICS = (
    "visa_short_stay", "visa_long_stay", "residence_permit", "permanent_residence", "work_permit", "blue_card", "study",
    "family_reunification", "international_protection", "qualification_recognition", "language_courses", "job_search",
    "address_registration", "healthcare", "children_education", "housing", "taxes", "social_support", "business_startup",
    "citizenship", "anti_discrimination", "integration_programmes", "emergency", "driving_licence", "banking",
)  # fmt: skip
ENTRIES = ("fee", "documents", "how_to_apply", "processing_time", "where", "eligibility")
TEXT = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore. " * 6


class Writer:
    """Writes broker rows (the columns of bot/core/event_log.py) in batches."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY AUTOINCREMENT, sender_id VARCHAR(255), data TEXT,"
            " type_name VARCHAR(64), timestamp FLOAT, intent_name VARCHAR(255))"
        )
        self.db.execute("CREATE INDEX IF NOT EXISTS ix_events_sender_id ON events (sender_id)")
        self.db.execute("CREATE INDEX IF NOT EXISTS ix_events_timestamp ON events (timestamp)")
        self.rows: list[tuple[str, str, str, float, str | None]] = []
        self.count = 0

    def add(self, sender: str, at: float, event: dict) -> None:
        event = {
            "sender_id": sender,
            "timestamp": at,
            "metadata": {"model_id": "0" * 32, "assistant_id": "migrant-info-assistant"},
            **event,
        }
        intent = event["parse_data"]["intent"]["name"] if event["event"] == "user" else None
        self.rows.append((sender, json.dumps(event), event["event"], at, intent))
        if len(self.rows) >= 20000:
            self.flush()

    def flush(self) -> None:
        self.db.executemany("INSERT INTO events (sender_id, data, type_name, timestamp, intent_name) VALUES (?, ?, ?, ?, ?)", self.rows)
        self.db.commit()
        self.count += len(self.rows)
        self.rows = []

    def close(self) -> None:
        self.flush()
        self.db.close()


def _user(rng: random.Random, text: str, intent: str, channel: str, lang: str, entities: list) -> dict:
    ranking = [{"name": intent, "confidence": 0.9}] + [{"name": t, "confidence": 0.01} for t in rng.sample(TOPICS, 9)]
    selector = {"ranking": [{"intent_response_key": f"{intent}/{e}", "confidence": 0.1} for e in ENTRIES] * 2}
    parse = {
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities,
        "text": text,
        "message_id": f"{rng.getrandbits(128):032x}",
        "metadata": {"lang": lang},
        "text_tokens": [[i, i + 4] for i in range(0, 40, 5)],
        "intent_ranking": ranking,
        "response_selector": {"all_retrieval_intents": list(TOPICS), "default": selector},
    }
    return {"event": "user", "text": text, "parse_data": parse, "input_channel": channel, "message_id": parse["message_id"]}


def conversation(out: Writer, rng: random.Random, sender: str, start: float) -> None:
    """One conversation (a Rasa session): its events as the tracker store publishes them."""
    lang, channel = rng.choice(LANGUAGES), "rest" if sender.startswith("r") else rng.choice(CHANNELS)
    if sender.startswith("telegram:"):
        channel = "telegram"
    at = start
    out.add(sender, at, {"event": "action", "name": "action_session_start", "policy": None, "confidence": None})
    out.add(sender, at, {"event": "session_started"})
    out.add(sender, at, {"event": "action", "name": "action_listen", "policy": None, "confidence": None})
    last = None
    for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
        at += rng.uniform(5, 120)
        roll, topic = rng.random(), rng.choice(TOPICS)
        entry = f"{topic}.{rng.choice(ENTRIES)}" if rng.random() < 0.7 else None
        entities: list = []
        if roll < 0.10:
            label, intent, entry = "fallback", "nlu_fallback", None
        elif roll < 0.15:
            label, intent, entry = "out_of_scope", "out_of_scope", None
        elif roll < 0.18:
            label, intent, entry = "ask_human", "ask_human", None
        elif roll < 0.23 and last:
            label, intent, entry = "ask_human", "ask_human", None
            entities = [{"entity": "feedback", "value": "unhelpful", "start": 0, "end": 0}]
        else:
            label, intent = topic, topic
            last = topic
        out.add(sender, at, _user(rng, TEXT[:60], intent, channel, lang, entities))
        out.add(sender, at + 1, {"event": "user_featurization", "use_text_for_featurization": False})
        out.add(sender, at + 1, {"event": "action", "name": "action_answer_topic", "policy": "RulePolicy", "confidence": 1.0})
        meta = {"label": label, "entry": entry, "lang": lang, "offices": ["ocma"], "sources": ["https://www.pmlp.gov.lv/lv/"]}
        if channel in ("rest", "socketio"):
            out.add(sender, at + 1, {"event": "bot", "text": TEXT, "data": {"buttons": None}})
            out.add(sender, at + 1, {"event": "bot", "text": None, "data": {"custom": {"meta": meta, "direction": "ltr"}}})
        else:
            out.add(sender, at + 1, {"event": "bot", "text": TEXT, "data": {"buttons": None}, "metadata": {"lang": lang, "meta": meta}})
        for slot, value in (("language", lang), ("topic", last)):
            out.add(sender, at + 1, {"event": "slot", "name": slot, "value": value})
        out.add(sender, at + 1, {"event": "action", "name": "action_listen", "policy": "RulePolicy", "confidence": 1.0})


def generate(path: Path, conversations: int, days: int, end: float, seed: int, senders: list[str], prefix: str = "") -> int:
    """Writes ``conversations`` conversations over ``days`` days up to ``end``; 15% by ``senders`` seen before (the list grows)."""
    rng = random.Random(seed)
    out = Writer(path)
    starts = sorted(end - rng.uniform(3600, days * 86400) for _ in range(conversations))
    for n, start in enumerate(starts):
        if senders and rng.random() < 0.15:
            sender = rng.choice(senders)
        else:
            sender = f"{rng.choice('rst')}{prefix}{n:07d}{rng.getrandbits(48):012x}"
            sender = f"telegram:{n}{prefix}" if sender.startswith("t") else sender
            senders.append(sender)
        conversation(out, rng, sender, start)  # a sender seen before: the job finds their earlier session
    rows = out.count + len(out.rows)
    out.close()
    return rows


def run_job(staff_url: str, events_url: str) -> tuple[float, float, str]:
    """``python -m bot.staff insights`` once: wall seconds, peak memory (MB) and what it printed."""
    env = {
        **os.environ,
        "MIGRANT_BOT_STAFF_DATABASE_URL": staff_url,
        "MIGRANT_BOT_EVENTS_URL": events_url,
        "MIGRANT_BOT_DATABASE_URL": events_url.replace("events.db", "tracker.db"),
        "MIGRANT_BOT_STAFF_VAR_DIR": str(Path(events_url.removeprefix("sqlite:///")).parent),
    }
    code = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "done = subprocess.run([sys.executable, '-m', 'bot.staff', 'insights', '--settle-seconds', '0'], capture_output=True, text=True)\n"
        "took = time.perf_counter() - start\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(f'{took:.3f} {peak:.1f} {done.returncode}'); print(done.stdout.strip()); print(done.stderr[-2000:], file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=True)
    first, *rest = done.stdout.strip().splitlines()
    took, peak, returncode = first.split()
    if returncode != "0":
        raise SystemExit(f"the insights job failed: {done.stderr}")
    return float(took), float(peak), " ".join(rest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--no-doc", action="store_true", help="print only; do not write docs/benchmarks.md")
    args = parser.parse_args()
    clock = Clock()
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="bench-insights-") as folder:
        root = Path(folder)
        events, staff = root / "events.db", root / "staff.db"
        end = time.time() - 3600
        started = time.perf_counter()
        senders: list[str] = []
        rows = generate(events, args.conversations, args.days, end, seed=1, senders=senders)
        generated_s = time.perf_counter() - started
        size_mb = events.stat().st_size / 1e6
        print(
            f"generated {args.conversations:,} conversations: {rows:,} broker rows, {size_mb:,.0f} MB, in {generated_s:.0f} s", flush=True
        )
        staff_url, events_url = f"sqlite:///{staff}", f"sqlite:///{events}"
        first = run_job(staff_url, events_url)
        print(f"first run: {first}", flush=True)
        more = generate(events, 1000, 1, time.time() - 1, seed=2, senders=senders, prefix="x")
        hourly = run_job(staff_url, events_url)
        print(f"after 1,000 more conversations ({more:,} rows): {hourly}", flush=True)
        idle = run_job(staff_url, events_url)
        print(f"nothing new: {idle}", flush=True)
        with sqlite3.connect(staff) as db:
            cells = db.execute("SELECT count(*) FROM staff_insights_cells").fetchone()[0]
            day_rows = db.execute("SELECT count(*) FROM staff_insights_days").fetchone()[0]
        staff_mb = staff.stat().st_size / 1e6
    rows_table = [
        [
            f"first run: {args.conversations:,} conversations ({rows:,} broker rows, {size_mb:,.0f} MB)",
            f"{first[0]:.1f} s",
            f"{first[1]:.0f} MB",
        ],
        [f"the next hourly run: 1,000 new conversations ({more:,} rows)", f"{hourly[0]:.1f} s", f"{hourly[1]:.0f} MB"],
        ["a run with nothing new", f"{idle[0]:.1f} s", f"{idle[1]:.0f} MB"],
    ]
    text = table(["run of `python -m bot.staff insights`", "wall time", "peak memory (max RSS)"], rows_table)
    machine = f"{cpu_model()}, {os.cpu_count()} cores, {memory_gb():.1f} GB RAM, {os_name()}, Python {sys.version.split()[0]}"
    body = "\n".join(
        [
            f"## The insights job ({args.conversations:,} conversations)",
            "",
            f"`{command_line().replace('.venv/bin/python', '.venv-staff/bin/python')}`, {now()}; {machine}; "
            f"load average before the run {load_before}.",
            "",
            text,
            "",
            f"The counts take {cells:,} cell rows and {day_rows:,} day rows ({staff_mb:.1f} MB of the staff database, SQLite) for "
            f"{args.days} days. Generating the events took {generated_s:.0f} s and is not in the figures; wall time includes "
            "starting Python and importing the staff app (about 1 s, the whole of the run with nothing new).",
        ]
    )
    print()
    print(body)
    print(f"\n(total {clock.elapsed():.0f} s)")
    if not args.no_doc:
        write_section("insights", body)


if __name__ == "__main__":
    main()
