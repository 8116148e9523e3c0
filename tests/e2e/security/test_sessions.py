"""A socket.io conversation is reached only by who holds its session key.

The review found that the conversation id was the only secret: a second
connection sending ``session_request`` with someone's id received their
replies live and could write into their conversation, and a socket could
claim a REST sender's id. Now ``session_confirm`` gives
``{"session_id", "session_key"}`` and an existing id is joined only with its
key (bot/core/session_keys.py).
"""

from __future__ import annotations

import asyncio
import re
import uuid

from tests.e2e.test_socketio import WidgetSocket


def user_texts(tracker: dict) -> list[str]:
    return [e.get("text") for e in tracker["events"] if e["event"] == "user"]


def labels(replies: list[dict]) -> list[str]:
    """The reply contract's labels of the replies a socket received."""
    return [r["custom"]["meta"]["label"] for r in replies if "meta" in (r.get("custom") or {})]


async def test_session_confirm_gives_an_id_and_its_key(assistant):
    async with WidgetSocket(assistant.url) as widget:
        confirmed = await widget.request_session({})
    assert set(confirmed) == {"session_id", "session_key"}
    assert re.fullmatch(r"[0-9a-f]{32}", confirmed["session_id"])
    assert re.fullmatch(r"[0-9a-f]{64}", confirmed["session_key"])


async def test_an_id_without_its_key_is_not_someone_elses_conversation(assistant):
    """The attack of the review: a second connection names the victim's id."""
    async with WidgetSocket(assistant.url) as victim:
        await victim.ask("hello", metadata={"lang": "en"})
        for stolen in ({"session_id": victim.session_id}, {"session_id": victim.session_id, "session_key": "0" * 64}):
            async with WidgetSocket(assistant.url) as thief:
                confirmed = await thief.request_session(stolen)
                assert confirmed["session_id"] != victim.session_id
                ack, _ = await thief.ask("I am writing into your conversation", metadata={"lang": "en"})
                assert ack == {"ok": True}  # into the thief's own, new conversation
                ack, replies = await victim.ask("How do I get a residence permit?", metadata={"lang": "en"})
                assert ack == {"ok": True} and labels(replies) == ["residence_permit"]
                await asyncio.sleep(0.5)
                # the thief got none of the victim's replies, and wrote nothing into the victim's conversation
                assert "residence_permit" not in labels(thief.replies)
                assert "I am writing into your conversation" not in user_texts(assistant.tracker(victim.session_id))
                # nor can it address the victim's id in a message
                ack, _ = await thief.ask("and now?", session_id=victim.session_id)
                assert ack["ok"] is False


async def test_the_owner_with_the_key_continues_and_sees_replies_live(assistant):
    async with WidgetSocket(assistant.url) as first:
        await first.ask("hello", metadata={"lang": "en"})
        async with WidgetSocket(assistant.url, session_id=first.session_id, session_key=first.session_key) as second:
            assert second.session_id == first.session_id
            _, replies = await second.ask("How do I get a residence permit?", metadata={"lang": "en"})
            await asyncio.sleep(0.5)
            assert replies and all(r in first.replies for r in replies)  # both tabs of the owner see the reply
    assert user_texts(assistant.tracker(first.session_id)) == ["hello", "How do I get a residence permit?"]


async def test_a_socket_cannot_claim_a_rest_senders_id(assistant):
    sender = uuid.uuid4().hex  # looks exactly like a widget's session id
    assistant.send(sender, "hello")
    async with WidgetSocket(assistant.url, session_id=sender) as socket:
        assert socket.session_id != sender
        await socket.ask("written by a socket", metadata={"lang": "en"})
    assert user_texts(assistant.tracker(sender)) == ["hello"]
