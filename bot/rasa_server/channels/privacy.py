"""Answers the privacy commands in every channel, before Rasa sees them.

"delete my conversation" deletes every stored event and seen-update record of
the sender at once and confirms it; nothing of the command itself is stored.
"privacy" answers with the privacy notice. The reply language is decided by
``bot.core.language.choose`` like every other, the command's own language counting
as asked for.
"""

from __future__ import annotations

import logging

from rasa.core.channels.channel import UserMessage

from bot.core.content.model import Pack
from bot.core.dialogue import SLOT_CHOSEN_LANGUAGE, SLOT_LANGUAGE
from bot.core.i18n import translator
from bot.core.language.choose import choose_reply_language
from bot.core.privacy.commands import Command, command_language
from bot.core.privacy.notice import privacy_notice
from bot.rasa_server.tracker_store import process_tracker_store

logger = logging.getLogger(__name__)


async def _slots(sender_id: str) -> dict[str, str]:
    """The conversation's language slots (empty for a new one)."""
    store = process_tracker_store()
    tracker = await store.retrieve(sender_id) if store is not None else None
    if tracker is None:
        return {}
    return {name: value for name in (SLOT_LANGUAGE, SLOT_CHOSEN_LANGUAGE) if isinstance(value := tracker.get_slot(name), str)}


async def reply_language(message: UserMessage, pack: Pack, *, command: bool = False) -> str:
    """The language to answer in, decided as for every reply (``bot.core.language.choose``).

    A typed command's own language counts as asked for ("izdzēst manu sarunu"
    is answered in Latvian); guard has already checked the metadata's languages.
    """
    typed = command_language(message.text or "") if command else None
    metadata = message.metadata or {}
    slots = await _slots(message.sender_id)
    return choose_reply_language(
        requested=typed if typed in pack.languages else None,
        client=metadata.get("lang"),
        chosen=slots.get(SLOT_CHOSEN_LANGUAGE),
        detection=None,
        conversation=slots.get(SLOT_LANGUAGE),
        default=pack.default_language,
        hint=metadata.get("lang_hint"),
    ).lang


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
