"""Fitting text and button titles into the platforms' limits without losing meaning.

Titles are cut at a word boundary with an ellipsis; titles made equal by the
cut get a number, because a user must still tell the buttons apart (WhatsApp
also refuses equal titles). Payloads are never cut: a cut payload would
choose another thing. Long texts are split by ``bot.core.markup.split_markup``,
which knows not to cut inside a link or a bold span.
"""

from __future__ import annotations

ELLIPSIS = "…"


def shorten(title: str, limit: int) -> str:
    """``title`` in at most ``limit`` characters, cut after a whole word when it can be."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    room = title[: limit - 1]
    space = room.rfind(" ")
    # cut after the last whole word, if that keeps at least half of the room
    if title[limit - 1] != " " and space >= limit // 2:
        room = room[:space]
    return room.rstrip(" ,;:-–(") + ELLIPSIS


def distinct_titles(titles: list[str], limit: int) -> list[str]:
    """Every title shortened to ``limit``; duplicates made by the cut are numbered."""
    short = [shorten(t, limit) for t in titles]
    seen: dict[str, int] = {}
    result = []
    for title in short:
        count = seen.get(title, 0) + 1
        seen[title] = count
        if count > 1:
            suffix = f" {count}"
            title = shorten(title, limit - len(suffix)) + suffix if len(title) + len(suffix) > limit else title + suffix
        result.append(title)
    return result


def chunks(items: list, size: int) -> list[list]:
    """``items`` in consecutive groups of at most ``size``."""
    return [items[i : i + size] for i in range(0, len(items), size)]
