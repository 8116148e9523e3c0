"""The one place that decides the language of a reply."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.language.detect import Detection

#: With no conversation language yet, an unsure detection at least this likely beats the default.
GUESS_PROBABILITY = 0.5


@dataclass(frozen=True)
class LanguageChoice:
    """The reply language and why it was chosen."""

    lang: str
    reason: str  # "request", "client", "chosen", "message", "conversation", "hint", "guess", "default"


def choose_reply_language(
    *,
    requested: str | None,
    client: str | None,
    chosen: str | None,
    detection: Detection | None,
    conversation: str | None,
    default: str,
    hint: str | None = None,
) -> LanguageChoice:
    """Decides the reply language, strongest reason first.

    Args:
        requested: a language the user asked for in this message ("in English, please").
        client: ``metadata.lang`` from a client where the user picked a language.
        chosen: a language the user asked for earlier in the conversation.
        detection: the language of this message, if it could be told.
        conversation: the language of the conversation so far.
        hint: the language the user's app is set to (Telegram's
            ``language_code``, as ``metadata.lang_hint``). Weaker than the
            message and the conversation: it is not a choice the user made
            here, and people often write in another language than their
            phone's. It answers what nothing else can: a first "/start" or
            button press, or a first message whose language is unsure.
        default: the pack's default language, for a first message whose
            language cannot even be guessed.
    """
    if requested:
        return LanguageChoice(requested, "request")
    if client:
        return LanguageChoice(client, "client")
    if chosen:
        return LanguageChoice(chosen, "chosen")
    if detection and detection.lang and detection.reliable:
        return LanguageChoice(detection.lang, "message")
    if conversation:
        return LanguageChoice(conversation, "conversation")
    if hint:
        return LanguageChoice(hint, "hint")
    if detection and detection.lang and detection.probability >= GUESS_PROBABILITY:
        # A first message that is Russian or Ukrainian but not surely which one is
        # better answered in the likelier of the two than in English.
        return LanguageChoice(detection.lang, "guess")
    return LanguageChoice(default, "default")
