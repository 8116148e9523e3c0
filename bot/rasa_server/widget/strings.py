"""The web widget's own interface strings, translated through the gettext catalogs.

The English text here is the message id; ``make messages-extract`` puts it
into ``locales/messages.pot`` and every language's catalog, and
``make messages-check`` fails while a translation is missing. The widget
never carries text of its own: it asks ``GET /widget/strings/<lang>.json``
for this table in the chosen language, keyed by the names below.

Strings that name the country (the widget's title) are the content pack's
(``pack.yml``'s ``texts``, docs/packs.md), not the catalogs': another
country's pack brings its own.
"""

from __future__ import annotations

from typing import Any

from bot.core.content.model import Language, Pack
from bot.core.content.store import default_store
from bot.core.i18n import translator


def N_(message: str) -> str:
    """Marks ``message`` for extraction (gettext's "mark now, translate later"); translated per request."""
    return message


#: Key (used by widget.js) -> English message id.
WIDGET_STRINGS: dict[str, str] = {
    "open": N_("Open the chat"),
    "close": N_("Close the chat"),
    "language": N_("Language"),
    "conversation": N_("Conversation"),
    "welcome": N_("Hello! Ask a question in your own words, for example: How do I get a residence permit?"),
    "input_label": N_("Your question"),
    "placeholder": N_("Type your question…"),
    "send": N_("Send"),
    "you_said": N_("You:"),
    "assistant_said": N_("Assistant:"),
    "typing": N_("The assistant is typing…"),
    "offline": N_("You are offline. Your messages will be sent when the connection is back."),
    "connecting": N_("Connecting to the assistant…"),
    "online_again": N_("Connected again."),
    "waiting_to_send": N_("Waiting to send"),
    "suggestions": N_("Suggested answers"),
    "new_tab": N_("(opens in a new tab)"),
    "office_card": N_("Office"),
    "address": N_("Address"),
    "show_on_map": N_("Show on the map"),
    "call": N_("Call {phone}"),
    "email": N_("Write to {email}"),
    "hours": N_("Opening hours"),
    "book": N_("Book a visit"),
    "website": N_("Website"),
    "accessibility": N_("Accessibility"),
    "clear": N_("Start a new conversation"),
    "no_reply": N_("No answer came. Please try again."),
    "menu": N_("Menu"),
    "delete_conversation": N_("Delete my conversation"),
    "privacy": N_("Privacy"),
    "delete_confirm": N_("Delete this conversation? The assistant forgets it at once. This cannot be undone."),
    "delete_yes": N_("Delete"),
    "cancel": N_("Cancel"),
    "delete_offline": N_("You are offline. Try again when the connection is back."),
    # a personal plan for the move, shown as a checklist (docs/widget.md); no plural forms: "3 of 12 done"
    "plan_progress": N_("{done} of {total} done"),
    "plan_printable": N_("Printable version"),
    "plan_pdf": N_("Download PDF"),  # the same words as on the printable page (bot/core/plan/page.py)
    "plan_details": N_("More about this step"),
    "plan_sources": N_("Sources:"),
}


#: Key (used by widget.js) -> the pack's text (``pack.yml``'s ``texts``) that fills it.
PACK_STRINGS: dict[str, str] = {
    "title": "widget_title",
}


def widget_strings(lang: str, pack: Pack | None = None) -> dict[str, str]:
    """The widget's strings in ``lang`` (English where a catalog lacks one), with ``pack``'s (the process's pack by default)."""
    pack = pack or default_store().pack()
    _ = translator(lang)
    strings = {key: _(message) for key, message in WIDGET_STRINGS.items()}
    for key, text in PACK_STRINGS.items():
        strings[key] = pack.settings.text(text, lang, pack.default_language) or pack.name
    return strings


def language_list(languages: dict[str, Language], default: str) -> dict[str, Any]:
    """The picker's languages with their names and text direction, and the pack's default."""
    return {
        "default": default,
        "languages": [{"code": lang.code, "name": lang.name, "direction": lang.direction} for lang in languages.values()],
    }
