r"""The reply text format, written out for each client that cannot read it as it is.

Every text the assistant sends is a small Markdown subset (the reply
contract, docs/reply-contract-draft.md): paragraphs separated by a blank
line; a single "\n" is a real line break (addresses, contacts); lines
starting with "- " are list items; ``**bold**``; links ``[label](https://url)``.
Nothing else is markup: a lone ``*``, ``_`` or ``#`` is text.

One function per client, so the rules live in one place and are tested once:

- ``telegram_html``: Telegram's ``parse_mode: HTML`` (``<b>``, ``<a href>``,
  "• " bullets, everything else escaped, line breaks kept);
- ``whatsapp_text``: WhatsApp's own ``*bold*``, "• " bullets, "label: url";
- ``plain_text``: Messenger (no formatting at all): "• " bullets, "label: url";
- ``commonmark``: rasa-webchat and other Markdown renderers, for which a
  single "\n" is only a space: a line break becomes "  \n" (CommonMark's
  hard break), a list is set off by blank lines, and what would be Markdown
  but is only text in our format ("1. " at a line's start, a lone ``*``) is
  escaped.

``split_markup`` cuts a long text for a platform's length limit at
paragraphs, then lines, then words, never inside a bold span or a link, so
each part renders on its own with balanced tags. Every renderer makes a text
no longer than its source in visible characters (``**`` and ``[](...)``
are dropped or shortened; an escaped ``&amp;`` counts as one character for
Telegram), so parts of the source within a limit render within it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

BULLET = "• "
LIST_MARK = "- "
BOLD_MARK = "**"
#: a link: a label without brackets or line breaks, an http(s) URL without spaces or parentheses
_LINK = re.compile(r"\[([^\[\]\n]+)\]\((https?://[^\s()<>\"]+)\)")
_BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")


@dataclass(frozen=True)
class _Link:
    label: str
    url: str


#: one line as pieces: text, a link, or a bold on/off switch (``True``)
_Piece = str | _Link | bool


def _pieces(line: str) -> list[_Piece]:
    """``line`` as text, links and paired bold switches; an unpaired ``**`` stays text."""
    raw: list[_Piece] = []
    at = 0
    for match in _LINK.finditer(line):
        raw += _bold_split(line[at : match.start()])
        raw.append(_Link(match.group(1).replace(BOLD_MARK, "").strip() or match.group(2), match.group(2)))
        at = match.end()
    raw += _bold_split(line[at:])
    switches = [i for i, piece in enumerate(raw) if piece is True]
    if len(switches) % 2:  # the last one has no partner: it was a literal "**"
        raw[switches[-1]] = BOLD_MARK
    return raw


def _bold_split(text: str) -> list[_Piece]:
    parts: list[_Piece] = []
    for i, chunk in enumerate(text.split(BOLD_MARK)):
        if i:
            parts.append(True)
        if chunk:
            parts.append(chunk)
    return parts


def _render_line(
    line: str,
    text: Callable[[str], str],
    link: Callable[[_Link], str],
    bold: Callable[[str], str],
) -> str:
    """A line with its bold spans given to ``bold`` (their inside already rendered)."""
    out: list[str] = []
    inside: list[str] | None = None
    for piece in _pieces(line):
        if piece is True:
            if inside is None:
                inside = []
            else:
                out.append(bold("".join(inside)))
                inside = None
            continue
        rendered = link(piece) if isinstance(piece, _Link) else text(piece)  # type: ignore[arg-type]
        (out if inside is None else inside).append(rendered)
    return "".join(out)


def _render(
    markup: str,
    text: Callable[[str], str],
    link: Callable[[_Link], str],
    bold: Callable[[str], str],
) -> str:
    """Every line of ``markup`` rendered, list marks turned into bullets, line breaks and blank lines kept."""
    lines = []
    for line in _normalised(markup).split("\n"):
        if line.startswith(LIST_MARK):
            lines.append(BULLET + _render_line(line[len(LIST_MARK) :].lstrip(), text, link, bold))
        else:
            lines.append(_render_line(line, text, link, bold))
    return "\n".join(lines)


def _normalised(markup: str) -> str:
    r"""Line ends made "\n", trailing spaces dropped, runs of blank lines made one."""
    lines = [line.rstrip() for line in markup.replace("\r\n", "\n").replace("\r", "\n").strip().split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines))


def _same_as_url(link: _Link) -> bool:
    """True when the label only repeats the address or its host (then "label: url" would say it twice)."""
    bare = link.url.split("://", 1)[1].rstrip("/")
    host = bare.split("/", 1)[0].split("?", 1)[0]
    label = link.label.rstrip("/").lower()
    return label in {link.url.rstrip("/").lower(), bare.lower(), host.lower(), host.lower().removeprefix("www.")}


def _label_and_url(link: _Link) -> str:
    return link.url if _same_as_url(link) else f"{link.label}: {link.url}"


def telegram_html(markup: str) -> str:
    """Text for Telegram's ``parse_mode: HTML``: <b>, <a href>, "• " bullets, the rest escaped."""

    def link(found: _Link) -> str:
        return f'<a href="{html.escape(found.url, quote=True)}">{html.escape(found.label, quote=False)}</a>'

    return _render(markup, lambda t: html.escape(t, quote=False), link, lambda inner: f"<b>{inner}</b>" if inner else "")


def whatsapp_text(markup: str) -> str:
    """Text for WhatsApp: ``*bold*``, "• " bullets, links as "label: url"."""

    def bold(inner: str) -> str:
        # WhatsApp makes bold only when the asterisks touch the words: " x " -> " *x* "
        core = inner.strip()
        if not core:
            return inner
        start = inner[: len(inner) - len(inner.lstrip())]
        end = inner[len(inner.rstrip()) :]
        return f"{start}*{core}*{end}"

    return _render(markup, lambda t: t, _label_and_url, bold)


def plain_text(markup: str) -> str:
    """Text without formatting (Messenger): "• " bullets, links as "label: url", bold as plain words."""
    return _render(markup, lambda t: t, _label_and_url, lambda inner: inner)


#: what starts a Markdown block at the beginning of a line, though our format has no such block:
#: "1. " or "22) " (an ordered list: "22. novembrī" at a line's start), "#", ">", "+ ", "* ", "---", "==="
_BLOCK_START = re.compile(r"^(\s*)(\d{1,9}(?=[.)](?:\s|$))|[#>]|[+*](?=\s)|[-=*_]{3,}\s*$)")
#: characters that are Markdown inside a line but only text in our format (``**`` aside)
_INLINE_SPECIAL = re.compile(r"[\\`]|(?<!\*)\*(?!\*)|(?<![\w])_|_(?![\w])")


def _escaped_text(text: str) -> str:
    """``text`` with the Markdown our format does not have escaped: a lone ``*``, an ``_`` at a word's edge, a backtick."""
    return _INLINE_SPECIAL.sub(lambda found: "\\" + found.group(), text)


def _escaped_line(line: str) -> str:
    """A line of our format as CommonMark that renders the same: links and ``**`` kept, everything else literal."""
    out, at = [], 0
    for match in _LINK.finditer(line):
        out.append(_escaped_text(line[at : match.start()]))
        out.append(f"[{_escaped_text(match.group(1))}]({match.group(2)})")
        at = match.end()
    out.append(_escaped_text(line[at:]))
    escaped = "".join(out)
    found = _BLOCK_START.match(escaped)
    if not found:
        return escaped
    if found.group(2)[0].isdigit():  # "1. " -> "1\. "
        cut = found.end(2)
        return escaped[:cut] + "\\" + escaped[cut:]
    return found.group(1) + "\\" + escaped[len(found.group(1)) :]


def commonmark(markup: str) -> str:
    r"""The text as CommonMark that Markdown renderers (rasa-webchat's react-markdown) show as our format means it.

    - A line break becomes a hard break ("  \n"): a renderer joins the lines
      of a paragraph with a space, so an address and its phone number ran
      into one line. A list's item lines are left alone (they are apart
      anyway), and a blank line before and after a list keeps a renderer
      from reading it as the end of the paragraph before it.
    - What is Markdown but not our format is escaped, so it shows as typed:
      a line starting "1. " or "22. novembrī" (an ordered list), "#", ">",
      a lone ``*``, an ``_`` at a word's edge, a backtick, a backslash.
    - ``**bold**``, links and "- " items are left as they are.
    """
    paragraphs = []
    for paragraph in _normalised(markup).split("\n\n"):
        out: list[str] = []
        previous_item: bool | None = None
        for line in paragraph.split("\n"):
            item = line.startswith(LIST_MARK)
            line = LIST_MARK + _escaped_line(line[len(LIST_MARK) :]) if item else _escaped_line(line)
            if previous_item is None:
                out.append(line)
            elif item != previous_item:
                out.append("\n\n" + line)
            elif item:
                out.append("\n" + line)
            else:
                out.append("  \n" + line)
            previous_item = item
        paragraphs.append("".join(out))
    return "\n\n".join(paragraphs)


def _protected(text: str) -> list[tuple[int, int]]:
    """The spans a cut may not fall inside: links and paired bold spans."""
    spans = [(m.start(), m.end()) for m in _LINK.finditer(text)]
    for line_match in re.finditer(r"[^\n]+", text):
        marks = [line_match.start() + m.start() for m in re.finditer(re.escape(BOLD_MARK), line_match.group())]
        marks = [m for m in marks if not any(s <= m < e for s, e in spans)]
        spans += [(marks[i], marks[i + 1] + len(BOLD_MARK)) for i in range(0, len(marks) - 1, 2)]
    return spans


def utf16_length(text: str) -> int:
    """The length Telegram counts: UTF-16 code units (an emoji outside the BMP is two)."""
    return len(text.encode("utf-16-le")) // 2


def _room(text: str, limit: int, measure: Callable[[str], int]) -> int:
    """How many characters of ``text`` fit in ``limit`` as ``measure`` counts them."""
    if measure is len:
        return min(limit, len(text))
    low, high = 0, min(limit, len(text))  # no measure counts a character as less than one
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if measure(text[:middle]) <= limit else (low, middle - 1)
    return low


def _cut_point(text: str, room: int) -> int:
    spans = _protected(text[: room + 2000])  # a span that starts within the room ends not far after it
    for separator in ("\n\n", "\n", " "):
        at = text.rfind(separator, 0, room + 1)
        while at > 0:
            if not any(start < at < end for start, end in spans):
                return at
            at = text.rfind(separator, 0, at)
    # a span longer than the limit (it never is with the platforms' limits): cut between its words, else anywhere
    at = text.rfind(" ", 0, room + 1)
    return at if at > 0 else max(room, 1)


def split_markup(markup: str, limit: int, measure: Callable[[str], int] = len) -> list[str]:
    """``markup`` in parts of at most ``limit`` (as ``measure`` counts), cut at paragraphs, lines or words, never inside a span."""
    parts: list[str] = []
    text = _normalised(markup)
    while measure(text) > limit:
        at = _cut_point(text, _room(text, limit, measure))
        parts.append(text[:at].rstrip())
        text = text[at:].strip()
    if text:
        parts.append(text)
    return parts
