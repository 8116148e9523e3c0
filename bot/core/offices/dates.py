"""The date in "checked on <date>", written by Babel in the form that sentence needs in each language.

A date after "checked on" takes a grammatical case, and CLDR's long date gives
the one each language needs there, except Latvian:

- en: ``format_date(d, "long", locale="en_GB")`` gives "22 November 2026";
- ru: ``format_date(d, "long", locale="ru")`` gives "22 ноября 2026 г." (genitive, as "проверено 22 ноября" needs);
- uk: ``format_date(d, "long", locale="uk")`` gives "22 листопада 2026 р." (genitive, as "перевірено 22 листопада" needs);
- lv: the long date is "2026. gada 22. novembris", a nominative, while "pārbaudīts"
  needs the locative "novembrī", which CLDR does not have (its Latvian month names,
  format and stand-alone alike, are all nominative). The numeric date has no case:
  ``format_skeleton("yMd", d, locale="lv")`` gives "22.11.2026." (CLDR's "d.MM.y.",
  so "5.01.2026."), the form Latvian official texts use ("pārbaudīts 22.11.2026.").

Russian and Ukrainian long dates have a narrow no-break space before "г."/"р."
(CLDR's typography), kept as Babel writes it.

The sentence around it is a catalog entry ("checked on {date}": "pārbaudīts
{date}", "проверено {date}", "перевірено {date}"); nothing here is assembled from
words. A language added later gets its long date until someone who speaks it
checks the sentence and, if needed, lists it in ``NUMERIC``.
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_date, format_skeleton

#: Babel locale per language where the bare code would pick the wrong conventions (English as written in the EU).
BABEL_LOCALE = {"en": "en_GB"}
#: Languages whose long date is in a case "checked on <date>" cannot take: their numeric date instead.
NUMERIC = frozenset({"lv"})


def checked_on(day: date, lang: str) -> str:
    """``day`` as the date of "checked on <date>" in ``lang``: "22 November 2026", "22.11.2026.", "22 ноября 2026 г."."""
    locale = BABEL_LOCALE.get(lang, lang)
    if lang in NUMERIC:
        return format_skeleton("yMd", day, locale=locale)
    return format_date(day, format="long", locale=locale)
