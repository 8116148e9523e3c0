"""Office branches in the user's language: hours, open-now status, the office card and its text.

Weekday names, times and lists come from Babel (CLDR) for the reply's locale;
whole sentences come from the gettext catalogs, one per weekday where the
grammar needs it ("opens on Monday" is "atver pirmdien", "откроется в
понедельник"), so nothing is assembled from English fragments.

A card is a dict (``office_card``); the web widget draws it, every other
client reads the same card as text (``office_card_text``) in the reply's
Markdown subset (docs/reply-contract-draft.md, 2): the name in bold, one
line each for the address, the hours and the contacts, and short
``[label](url)`` links instead of raw addresses.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote_plus, urlsplit

from babel.dates import format_time, get_day_names
from babel.lists import format_list

from bot.core.content.model import Office
from bot.core.i18n import translator
from bot.core.offices.directory import Branch
from bot.core.offices.hours import Interval, Status, WeeklyHours

#: Babel locale per language where the bare code would pick the wrong
#: conventions (English as written in the EU: 24-hour clock).
BABEL_LOCALE = {"en": "en_GB"}


def babel_locale(lang: str) -> str:
    """The Babel locale for a reply language."""
    return BABEL_LOCALE.get(lang, lang)


def _interval(interval: Interval, lang: str) -> str:
    locale = babel_locale(lang)
    return f"{format_time(interval.start, 'short', locale=locale)}–{format_time(interval.end, 'short', locale=locale)}"


def hours_lines(hours: WeeklyHours, lang: str) -> list[str]:
    """One line per run of weekdays with the same hours, e.g. "Mon–Thu 08:30–17:00"."""
    _ = translator(lang)
    names = get_day_names("abbreviated", locale=babel_locale(lang))
    lines: list[str] = []
    day = 0
    while day < 7:
        last = day
        while last + 1 < 7 and hours.days[last + 1] == hours.days[day]:
            last += 1
        days = names[day] if last == day else f"{names[day]}–{names[last]}"
        times = format_list([_interval(i, lang) for i in hours.days[day]], locale=babel_locale(lang)) if hours.days[day] else _("closed")
        lines.append(f"{days} {times}")
        day = last + 1
    return lines


def status_line(status: Status, now: datetime, lang: str) -> str:
    """Whether the branch is open, in ``lang``: "Open now, until 17:00", "Closed now; opens on Monday at 08:30"."""
    _ = translator(lang)
    locale = babel_locale(lang)
    if status.open and status.until:
        return _("Open now, until {time}").format(time=format_time(status.until, "short", locale=locale))
    if status.opens is None:
        return _("Closed now")
    local_now = now.astimezone(status.opens.tzinfo)  # the office's time zone (the pack's): "today" is the office's day
    time_text = format_time(status.opens, "short", locale=locale)
    if status.opens.date() == local_now.date():
        return _("Closed now; opens today at {time}").format(time=time_text)
    if status.opens.date() == local_now.date() + timedelta(days=1):
        return _("Closed now; opens tomorrow at {time}").format(time=time_text)
    on_weekday = (
        _("Closed now; opens on Monday at {time}"),
        _("Closed now; opens on Tuesday at {time}"),
        _("Closed now; opens on Wednesday at {time}"),
        _("Closed now; opens on Thursday at {time}"),
        _("Closed now; opens on Friday at {time}"),
        _("Closed now; opens on Saturday at {time}"),
        _("Closed now; opens on Sunday at {time}"),
    )
    return on_weekday[status.opens.weekday()].format(time=time_text)


def address_map_url(address: str) -> str:
    """A map search for a street address (OpenStreetMap: no key, no tracking script)."""
    street = re.sub(r"\s*\([^)]*\)", "", address)  # "(entrance from ...)" notes do not help a search
    return f"https://www.openstreetmap.org/search?query={quote_plus(street)}"


def map_url(branch: Branch) -> str:
    """A map of the branch.

    The pack's coordinates are approximate (good enough to find the nearest
    branch, not to pin a door), so a branch with a street address is shown by
    searching that address. Without an address the map only shows the area
    around the coordinates, with no pin that would pretend to know the door.
    """
    if branch.address:
        return address_map_url(branch.address)
    lat, lon = branch.coordinates
    return f"https://www.openstreetmap.org/#map=14/{lat:.4f}/{lon:.4f}"


def host_label(url: str) -> str:
    """The short label of a link: the host name without "www." ("https://www.pmlp.gov.lv/lv/x" is "pmlp.gov.lv")."""
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


def markdown_link(url: str, label: str | None = None) -> str:
    """``[label](url)``, labelled by the host name unless a label is given (never a raw URL in the text)."""
    return f"[{label or host_label(url)}]({url})"


def office_card(branch: Branch, lang: str, now: datetime) -> dict[str, Any]:
    """The branch as the web widget's office card (one of the reply's ``custom.office_cards``)."""
    card: dict[str, Any] = {
        "id": branch.id,
        "office": branch.office,
        "name": branch.name_in(lang),
        "address": branch.address,
        "address_note": branch.address_note_in(lang),
        "map_url": map_url(branch),
        "phone": branch.phone,
        "phone_url": f"tel:{branch.phone.replace(' ', '')}" if branch.phone else None,
        "email": branch.email,
        "website": branch.website,
        "booking": branch.booking,
        "hours": hours_lines(branch.hours, lang) if branch.hours else [],
        "status": status_line(branch.hours.status(now), now, lang) if branch.hours else None,
        "accessibility": branch.accessibility.get(lang),
    }
    return {key: value for key, value in card.items() if value not in (None, [])}


def office_card_text(card: dict[str, Any], lang: str) -> str:
    """The same card as text, in the reply's Markdown subset (one line per fact, short links).

    A card's ``note`` ("The nearest branch is 12 km from Sigulda:") comes first.
    """
    _ = translator(lang)
    lines = [card["note"]] if card.get("note") else []
    lines.append(f"**{card['name']}**")
    if card.get("address"):
        lines.append(f"📍 {card['address']}")
    if card.get("address_note"):
        lines.append(card["address_note"])
    if card.get("status"):
        lines.append(f"🕘 {card['status']}")
    lines += card.get("hours", [])
    contacts = [f"☎ {card['phone']}" if card.get("phone") else "", f"✉ {card['email']}" if card.get("email") else ""]
    if any(contacts):
        lines.append(" · ".join(c for c in contacts if c))
    links = [markdown_link(card["booking"], _("Book a visit")) if card.get("booking") else ""]
    links.append(markdown_link(card["website"]) if card.get("website") else "")
    if any(links):
        lines.append(" · ".join(link for link in links if link))
    if card.get("accessibility"):
        lines.append(f"♿ {card['accessibility']}")
    return "\n".join(lines)


def national_card(office: Office, lang: str) -> dict[str, Any]:
    """An office's national contacts as an office card (the same keys as a branch's, ``bot.core.offices.render.office_card``)."""
    name = office.name_in(lang)
    # an acronym helps find the office ("PMLP"); a word ("pašvaldība") would be Latvian in another language, "112 (112)" says nothing
    if office.short and office.short.isupper() and office.short not in name:
        name = f"{name} ({office.short})"
    card: dict[str, Any] = {
        "id": office.id,
        "office": office.id,
        "name": name,
        "address": office.address,
        "address_note": office.address_note_in(lang),
        "map_url": address_map_url(office.address) if office.address else None,
        "phone": office.phone,
        "phone_url": f"tel:{office.phone.replace(' ', '')}" if office.phone else None,
        "email": office.email,
        "website": office.website,
    }
    return {key: value for key, value in card.items() if value is not None}
