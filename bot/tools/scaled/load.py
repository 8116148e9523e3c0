"""Conversations as fast as the replies come, over the REST channel, and what each request met.

Used by the scaled tests (tests/e2e/test_scaled.py) and the benchmark (benchmarks/scaled.py):
each conversation sends its messages one after another, each as soon as the previous
reply arrived, and every request is recorded (status, time, the replica nginx chose).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp


@dataclass
class Request:
    """One message of one conversation and what came back."""

    sender: str
    index: int
    text: str
    started: float
    ended: float = 0.0
    status: int = 0  # 0: no HTTP answer at all
    upstream: str = ""  # the replica nginx sent it to (X-Upstream), "" when unknown
    lang: str | None = None  # the reply contract's meta.lang
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 200 and not self.error

    @property
    def seconds(self) -> float:
        return self.ended - self.started


@dataclass
class Conversation:
    """One sender's messages, in the order they are sent, and the requests made."""

    sender: str
    lang: str
    messages: list[str]
    requests: list[Request] = field(default_factory=list)


def questions_by_language(path: Path) -> dict[str, list[str]]:
    """The held-out questions of ``path`` (JSON lines with ``text`` and ``lang``), per language, in file order."""
    found: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            found.setdefault(item["lang"], []).append(item["text"])
    return found


def reply_lang(messages: list[dict]) -> str | None:
    for message in messages:
        custom = message.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get("meta"), dict):
            return custom["meta"].get("lang")
    return None


async def _send(session: aiohttp.ClientSession, url: str, conversation: Conversation, index: int) -> Request:
    text = conversation.messages[index]
    request = Request(conversation.sender, index, text, started=time.monotonic())
    try:
        async with session.post(f"{url}/webhooks/rest/webhook", json={"sender": conversation.sender, "message": text}) as response:
            request.status = response.status
            request.upstream = response.headers.get("X-Upstream", "")
            body = await response.text()
            if response.status == 200:
                request.lang = reply_lang(json.loads(body))
            else:
                request.error = body[:200]
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        request.error = repr(error)
    request.ended = time.monotonic()
    return request


async def _converse(
    session: aiohttp.ClientSession, url: str, conversation: Conversation, think_s: float, until: asyncio.Event | None
) -> None:
    sent = 0
    while sent < len(conversation.messages) or (until is not None and not until.is_set()):
        conversation.requests.append(await _send(session, url, conversation, sent % len(conversation.messages)))
        sent += 1
        if until is not None and until.is_set():
            return
        if think_s:
            await asyncio.sleep(think_s)


async def run(
    url: str, conversations: list[Conversation], think_s: float = 0.0, timeout_s: float = 120, until: asyncio.Event | None = None
) -> float:
    """Runs every conversation at once; returns the wall time in seconds.

    Each conversation sends its messages once; with ``until``, it goes on (from its first
    message again) until the event is set, and stops after the request in flight.
    """
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    connector = aiohttp.TCPConnector(limit=0, force_close=True)  # a new connection per request: nothing sticks
    started = time.monotonic()
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        await asyncio.gather(*(_converse(session, url, c, think_s, until) for c in conversations))
    return time.monotonic() - started


def plan(questions: dict[str, list[str]], conversations: int, messages: int, prefix: str) -> list[Conversation]:
    """``conversations`` conversations spread over the languages in turn, each with ``messages`` distinct questions."""
    langs = sorted(questions)
    planned = []
    for number in range(conversations):
        lang = langs[number % len(langs)]
        pool = questions[lang]
        if len(pool) < messages:
            raise ValueError(f"{lang}: {len(pool)} questions, {messages} needed per conversation")
        start = (number // len(langs)) * 3 % len(pool)  # each conversation its own rotation of the pool
        texts = [pool[(start + i) % len(pool)] for i in range(messages)]
        planned.append(Conversation(f"{prefix}-{number:03d}-{lang}", lang, texts))
    return planned


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0
