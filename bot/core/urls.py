"""What counts as a web address in the content: an https:// URL (one definition for topics, offices and branches)."""

from __future__ import annotations

import re

# no white space, quotes, angle brackets or backslashes: nothing that could close an attribute or open markup
HTTPS_URL = re.compile(r"^https://[^\s/$.?#\"'<>\\][^\s\"'<>\\]*$")


def is_https_url(value: str) -> bool:
    return bool(HTTPS_URL.match(value))
