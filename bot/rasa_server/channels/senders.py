"""Conversation ids of messenger users: ``<channel>:<platform user id>``.

Each platform numbers its users on its own, so ids are namespaced: a
Telegram user and a WhatsApp user never share a conversation. The REST
channel refuses these prefixes, so that a web client can neither write into
nor read a messenger user's conversation.
"""

from __future__ import annotations

#: The messenger channels' names, which are also their sender id prefixes.
MESSENGER_CHANNELS = ("telegram", "messenger", "whatsapp")


def namespaced(channel: str, user_id: str) -> str:
    """The conversation id of ``user_id`` on ``channel``."""
    return f"{channel}:{user_id}"


def platform_user_id(channel: str, sender_id: str) -> str:
    """The platform's own user id inside a conversation id of ``channel``."""
    prefix = f"{channel}:"
    return sender_id[len(prefix) :] if sender_id.startswith(prefix) else sender_id


def is_reserved(sender_id: str) -> bool:
    """True when ``sender_id`` belongs to a messenger channel (any letter case)."""
    lowered = sender_id.lower()
    return any(lowered.startswith(f"{channel}:") for channel in MESSENGER_CHANNELS)


def may_use(channel: str, sender_id: str) -> bool:
    """True when ``channel`` may write into conversation ``sender_id`` (messenger ids only their own)."""
    return not is_reserved(sender_id) or sender_id.startswith(f"{channel}:")
