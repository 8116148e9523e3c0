"""Answers the privacy commands in every channel, before Rasa sees them.

"delete my conversation" deletes every stored event and seen-update record of
the sender at once and confirms it; nothing of the command itself is stored.
"privacy" answers with the privacy notice. The reply language is the one the
command was typed in, else the client's, else the conversation's.
"""

from __future__ import annotations

import logging

from rasa.core.channels.channel import UserMessage

from bot.dialogue import SLOT_LANGUAGE
from bot.i18n import translator
from bot.privacy.commands import Command, command_language
from bot.privacy.notice import privacy_notice
from bot.tracker_store import process_tracker_store

logger = logging.getLogger(__name__)


async def _conversation_language(sender_id: str) -> str | None:
    store = process_tracker_store()
    if store is None:
        return None
    tracker = await store.retrieve(sender_id)
    value = tracker.get_slot(SLOT_LANGUAGE) if tracker else None
    return value if isinstance(value, str) else None


async def reply_language(message: UserMessage, languages: tuple[str, ...] | list[str], *, command: bool = False) -> str:
    """The language to answer in: a typed command's own, else the client's, the conversation's, the platform's hint, English."""
    typed = command_language(message.text or "") if command else None
    metadata = message.metadata or {}
    conversation = await _conversation_language(message.sender_id)
    for candidate in (typed, metadata.get("lang"), conversation, metadata.get("lang_hint")):
        if candidate in languages:
            return candidate
    return "en"


def delete_conversation(sender_id: str) -> int:
    """Deletes the conversation of ``sender_id`` from the tracker store; the number of events deleted."""
    store = process_tracker_store()
    if store is None:
        raise RuntimeError("the tracker store is not ready")
    return store.delete_conversation(sender_id)


async def answer_command(command: Command, message: UserMessage, lang: str) -> None:
    """Carries out ``command`` for the message's sender and tells them so in ``lang``."""
    _ = translator(lang)
    output = message.output_channel
    if command is Command.PRIVACY:
        await output.send_text_message(message.sender_id, "\n\n".join(privacy_notice(lang)))
        return
    try:
        deleted = delete_conversation(message.sender_id)
    except Exception:  # the user must know it did not happen
        logger.exception("deleting a conversation failed")
        await output.send_text_message(
            message.sender_id, _("Sorry, your conversation could not be deleted just now. Please try again in a minute.")
        )
        return
    logger.info("a conversation was deleted at its user's request (%d events)", deleted)
    await output.send_text_message(
        message.sender_id,
        _("Your conversation has been deleted: nothing of it is stored any more. You can start again at any time."),
    )
