"""Reading REST replies the way a client of the reply contract does."""

from __future__ import annotations

import uuid


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def meta(messages: list[dict]) -> dict:
    """The reply contract's meta, asserting there is exactly one."""
    metas = [m["custom"]["meta"] for m in messages if isinstance(m.get("custom"), dict) and "meta" in m["custom"]]
    assert len(metas) == 1, messages
    assert set(metas[0]) == {"label", "entry", "lang", "offices", "sources"}, metas[0]
    return metas[0]


def texts(messages: list[dict]) -> list[str]:
    return [m["text"] for m in messages if m.get("text")]


def buttons(messages: list[dict]) -> list[dict]:
    return [b for m in messages for b in m.get("buttons") or []]
