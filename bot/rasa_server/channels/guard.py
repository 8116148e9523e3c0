"""What every channel does to a message before Rasa sees it.

In this order: a messenger user's conversation is written only by its own
channel; a sender who writes too fast gets a polite message; the privacy
commands ("delete my conversation", "privacy") are answered here and never
stored; everything else is cleaned (``bot.core.payloads``) and its
personal data masked (``bot.core.privacy.masking``) before Rasa, the tracker
store, the logs or the staff inbox see it. When something was masked, the
user is told after the answer that it was not needed and not kept.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage

from bot.core.content.model import Pack
from bot.core.content.store import default_store
from bot.core.i18n import translator
from bot.core.payloads import sanitize_incoming
from bot.core.privacy.commands import command_of
from bot.core.privacy.masking import default_masker, mask_personal_data
from bot.rasa_server.channels.privacy import answer_command, reply_language
from bot.rasa_server.channels.ratelimit import SenderRateLimiter
from bot.rasa_server.channels.senders import may_use

#: Metadata keys a client may send; everything else is dropped. ``language`` is
#: rasa-webchat's (its ``customData: {language: "uk"}``) and means ``lang``.
CLIENT_METADATA_KEYS = ("lang", "language", "lang_hint")

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
logger = logging.getLogger(__name__)


def _pack_language(value: object, pack: Pack) -> str | None:
    """``value`` as one of the pack's language codes ("uk", "UK" and "uk-UA" are "uk"), else None."""
    if not isinstance(value, str) or len(value) > 35:  # the longest sensible language tag
        return None
    code = value.strip().lower().replace("_", "-").split("-", 1)[0]
    return code if code in pack.languages else None


def clean_metadata(metadata: object, pack: Pack) -> dict[str, Any]:
    """Keeps only metadata the assistant understands, with valid values.

    - ``lang``: the language the user picked in the client (our widget,
      ``make chat``, a REST backend). A strong reason: the reply is in it
      and it becomes the conversation's chosen language.
    - ``language``: rasa-webchat sends its ``customData`` as metadata, and
      its documented way to give the language is ``{language: "uk"}``; it is
      read as ``lang`` (``lang`` wins when both are sent).
    - ``lang_hint``: a language the user did not pick for this conversation
      but that their app is set to (Telegram's ``language_code``). A weak
      reason: it decides only when the message itself cannot tell (a first
      "/start", a button) and the conversation has no language yet
      (``bot.core.language.choose``), so a Ukrainian-language phone writing in
      Russian is still answered in Russian.

    Each is kept only when it names one of the pack's languages.
    """
    if not isinstance(metadata, dict):
        return {}
    cleaned: dict[str, Any] = {}
    lang = _pack_language(metadata.get("lang"), pack) or _pack_language(metadata.get("language"), pack)
    if lang:
        cleaned["lang"] = lang
    hint = _pack_language(metadata.get("lang_hint"), pack)
    if hint:
        cleaned["lang_hint"] = hint
    return cleaned


def guarded(on_new_message: OnNewMessage, channel_name: str) -> OnNewMessage:
    """Wraps Rasa's message handler so that every message is checked, cleaned and masked first."""
    limiter = SenderRateLimiter.from_settings()
    default_masker()  # its vocabulary (about 0.2 s) is read at start, not while a user waits

    async def handle(message: UserMessage) -> Any:
        if not may_use(channel_name, str(message.sender_id)):
            # e.g. a web client naming itself "telegram:<id>": never into a messenger user's conversation
            logger.warning("%s: message for another channel's conversation dropped", channel_name)
            return None
        pack = default_store().pack()
        message.metadata = clean_metadata(message.metadata, pack)
        message.input_channel = channel_name
        if not limiter.allow(str(message.sender_id)):
            lang = await reply_language(message, pack)
            _ = translator(lang)
            await message.output_channel.send_text_message(
                message.sender_id, _("You are sending messages very fast. Please wait a minute and try again.")
            )
            return None
        command = command_of(message.text)
        if command is not None:
            await answer_command(command, message, await reply_language(message, pack, command=True))
            return None
        text = sanitize_incoming(message.text, pack)
        masked = mask_personal_data(text) if not text.startswith("/") else None  # "/...": a button's payload
        message.text = masked.text if masked is not None else text
        result = await on_new_message(message)
        if masked is not None and masked.kinds:
            await _tell_masked(message, pack)
        return result

    return handle


async def _tell_masked(message: UserMessage, pack: Pack) -> None:
    lang = await reply_language(message, pack)
    _ = translator(lang)
    await message.output_channel.send_text_message(
        message.sender_id,
        _(
            "I removed personal details (such as names, phone or document numbers) from your message before "
            "keeping it. I do not need them: please do not send them here."
        ),
    )
