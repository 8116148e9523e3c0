"""Real conversations for the staff app's insights test (tests/staff/test_insights.py): run with the assistant's Python.

``.venv/bin/python -m tests.e2e.insights_traffic --workdir DIR --out transcript.json``
starts the real action server and Rasa server (the current content's model,
trained if needed) with every channel on, holds conversations in four
languages over REST, the web widget's socket.io channel and Telegram (against
tests/e2e/platforms.FakePlatform), stops the servers, and writes what each
reply's ``meta`` said. Rasa's event broker has written every event into
``DIR/events.db`` by then, and the conversations are in ``DIR/tracker.db``.

The transcript holds, per conversation, its channel, its sender id and the
texts sent (so that the staff test can prove they are not in the figures),
and the meta of every reply: on REST and socket.io as the client received it,
on Telegram as the bot event in the tracker (``metadata.meta``), since
messengers never receive it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

from bot.core.payloads import feedback_payload
from bot.core.settings import PROJECT_ROOT
from bot.tools.train import ensure_model
from tests.e2e.platforms import FakePlatform, next_id, post_telegram, telegram_message
from tests.e2e.servers import Assistant
from tests.e2e.test_socketio import WidgetSocket

#: What people ask over REST, per language: a fee question, then (some of them) "this did not help" or the weather.
REST_QUESTIONS = {
    "en": ("How much does a residence permit cost?", "What will the weather be like tomorrow?"),
    "lv": ("Cik maksā uzturēšanās atļauja?", "Kāds rīt būs laiks?"),
    "ru": ("Сколько стоит вид на жительство?", "Какая завтра будет погода?"),
    "uk": ("Скільки коштує посвідка на проживання?", "Яка завтра буде погода?"),
}
WIDGET_QUESTION = ("lv", "Kā deklarēt dzīvesvietu?")
TELEGRAM_QUESTION = ("uk", "Як отримати посвідку на проживання?")
PER_LANGUAGE = 5


def _meta(messages: list[dict[str, Any]]) -> dict[str, Any]:
    metas = [m["custom"]["meta"] for m in messages if isinstance(m.get("custom"), dict) and "meta" in m["custom"]]
    assert len(metas) == 1, messages
    return metas[0]


def rest_conversations(assistant: Assistant) -> list[dict[str, Any]]:
    found = []
    for lang, (question, weather) in REST_QUESTIONS.items():
        for n in range(PER_LANGUAGE):
            sender = f"insights-{uuid.uuid4().hex}"
            texts = [question] + ([feedback_payload()] if n < 2 else [weather] if n == 2 else [])
            metas = [_meta(assistant.send(sender, text, metadata={"lang": lang})) for text in texts]
            found.append({"channel": "rest", "sender": sender, "lang": lang, "texts": texts, "metas": metas})
    return found


async def widget_conversations(assistant: Assistant) -> list[dict[str, Any]]:
    lang, question = WIDGET_QUESTION
    found = []
    for _ in range(PER_LANGUAGE):
        async with WidgetSocket(assistant.url) as socket:
            _ack, replies = await socket.ask(question, metadata={"lang": lang})
            found.append({"channel": "socketio", "sender": socket.session_id, "lang": lang, "texts": [question], "metas": [_meta(replies)]})
    return found


def telegram_conversations(assistant: Assistant) -> list[dict[str, Any]]:
    lang, question = TELEGRAM_QUESTION
    found = []
    for _ in range(PER_LANGUAGE):
        chat = next_id()
        assert post_telegram(assistant.url, telegram_message(chat, question, language_code=lang)).status_code == 200
        sender = f"telegram:{chat}"
        events = assistant.tracker(sender)["events"]
        metas = [e["metadata"]["meta"] for e in events if e["event"] == "bot" and "meta" in (e.get("metadata") or {})]
        assert len(metas) == 1, events
        found.append({"channel": "telegram", "sender": sender, "lang": lang, "texts": [question], "metas": metas})
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    model = ensure_model(PROJECT_ROOT / "config.yml", PROJECT_ROOT / "models")
    platform = FakePlatform().start()
    assistant = Assistant(model=model, workdir=args.workdir, extra_env=platform.channel_env())
    try:
        assistant.start_actions()
        assistant.start_rasa()
        conversations = rest_conversations(assistant)
        conversations += asyncio.run(widget_conversations(assistant))
        conversations += telegram_conversations(assistant)
    finally:
        assistant.stop_all()
        platform.stop()
    args.out.write_text(json.dumps({"conversations": conversations}, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
