"""What an office's or branch's e-mail address and web addresses may look like when staff type them.

The assistant shows these to users in chat and in the web widget, so a value
is held to a conservative shape before it reaches the draft: one plain e-mail
address, and web addresses without whitespace, quotes, angle brackets or
other characters that could close an attribute or start markup. That a web
address is an https:// address is the content's own rule (bot.core.urls, checked
when the draft is saved), so it is not repeated here.
"""

from __future__ import annotations

import re
from typing import Callable

MAX_EMAIL = 254
MAX_URL = 2000
# one address: a plain local part, a host name of letters, digits and hyphens, a top-level domain of letters
EMAIL = re.compile(r"^[A-Za-z0-9._+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}$")
# whitespace, quotes, angle brackets, backslashes and the other characters a URL never holds unencoded
UNSAFE_IN_URL = re.compile(r"""[\s"'<>\\`{}|^\x00-\x1f\x7f]""")


def is_email(value: str) -> bool:
    """One e-mail address of a conservative shape."""
    return len(value) <= MAX_EMAIL and bool(EMAIL.match(value))


def is_plain_url(value: str) -> bool:
    """A web address without whitespace, quotes, angle brackets, backslashes or control characters."""
    return len(value) <= MAX_URL and UNSAFE_IN_URL.search(value) is None


def problems(values: dict[str, object], gettext: Callable[[str], str]) -> list[str]:
    """What is wrong with the ``email``, ``website`` and ``booking`` values of a form (the ones present and not empty)."""
    _ = gettext
    found = []
    if str(values.get("email") or "") and not is_email(str(values["email"])):
        found.append(_("Enter one e-mail address, such as info@example.lv (letters, digits and . _ + - before the @)."))
    if str(values.get("website") or "") and not is_plain_url(str(values["website"])):
        found.append(_("Enter the website as one https:// address, without spaces, quotes or angle brackets."))
    if str(values.get("booking") or "") and not is_plain_url(str(values["booking"])):
        found.append(_("Enter the booking page as one https:// address, without spaces, quotes or angle brackets."))
    return found
