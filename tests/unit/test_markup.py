"""The reply text format written out for Telegram, WhatsApp, Messenger and Markdown renderers."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from bot.core.markup import commonmark, plain_text, split_markup, telegram_html, utf16_length, whatsapp_text

#: an answer as the actions write it: a paragraph, a list, bold, an address block, a sources line
ANSWER = (
    "Apply at **PMLP** before your visa ends & bring <originals>.\n"
    "\n"
    "- a valid passport\n"
    "- a photo **3×4 cm**\n"
    "\n"
    "**PMLP Riga 1st division**\n"
    "Čiekurkalna 1. līnija 1, Rīga\n"
    "Phone: +371 67219191 · [book a visit](https://pmlp.qticket.app/lv/)\n"
    "\n"
    "Sources: [pmlp.gov.lv](https://www.pmlp.gov.lv/lv/uzturesanas-atlaujas?a=1&b=2) · checked on 22 November 2026"
)


class TagChecker(HTMLParser):
    """Collects the tags of Telegram HTML and fails on any that is not balanced or not allowed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.tags: list[str] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        assert tag in ("b", "a"), tag
        if tag == "a":
            assert [name for name, _ in attrs] == ["href"] and dict(attrs)["href"].startswith("https://")
        self.open.append(tag)
        self.tags.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open.pop() == tag, tag

    def handle_data(self, data):
        self.text += data


def parsed(html_text: str) -> TagChecker:
    checker = TagChecker()
    checker.feed(html_text)
    checker.close()
    assert checker.open == [], "every tag is closed"
    return checker


# --- Telegram


def test_telegram_html_bold_links_bullets_and_escaped_text():
    got = telegram_html(ANSWER)
    assert got.splitlines() == [
        "Apply at <b>PMLP</b> before your visa ends &amp; bring &lt;originals&gt;.",
        "",
        "• a valid passport",
        "• a photo <b>3×4 cm</b>",
        "",
        "<b>PMLP Riga 1st division</b>",
        "Čiekurkalna 1. līnija 1, Rīga",
        'Phone: +371 67219191 · <a href="https://pmlp.qticket.app/lv/">book a visit</a>',
        "",
        'Sources: <a href="https://www.pmlp.gov.lv/lv/uzturesanas-atlaujas?a=1&amp;b=2">pmlp.gov.lv</a> · checked on 22 November 2026',
    ]
    checker = parsed(got)
    assert checker.tags == ["b", "b", "b", "a", "a"]
    assert "<originals>" in checker.text and "**" not in checker.text


@pytest.mark.parametrize(
    ("markup", "html_text"),
    [
        ("**unclosed bold", "**unclosed bold"),
        ("**a** and **b** and **", "<b>a</b> and <b>b</b> and **"),
        ("**see [the list](https://example.org/x)**", '<b>see <a href="https://example.org/x">the list</a></b>'),
        ("[**bold label**](https://example.org)", '<a href="https://example.org">bold label</a>'),
        ("[click](javascript:alert(1))", "[click](javascript:alert(1))"),
        ('[x](https://e.org/"onmouseover=alert(1))', '[x](https://e.org/"onmouseover=alert(1))'),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("a * b _c_ #d", "a * b _c_ #d"),
        ("-not a list item\n - nor this", "-not a list item\n - nor this"),
        ("line one   \r\nline two", "line one\nline two"),
        ("a\n\n\n\nb", "a\n\nb"),
        ("****", ""),
    ],
)
def test_telegram_html_edge_cases_stay_balanced_and_escaped(markup, html_text):
    assert telegram_html(markup) == html_text
    parsed(telegram_html(markup))


def test_bold_never_crosses_a_line():
    assert telegram_html("**a\nb**") == "**a\nb**"
    parsed(telegram_html("**a\nb** **c**\n**d"))


# --- WhatsApp and Messenger


def test_whatsapp_text():
    got = whatsapp_text(ANSWER).splitlines()
    assert got[0] == "Apply at *PMLP* before your visa ends & bring <originals>."
    assert got[2:4] == ["• a valid passport", "• a photo *3×4 cm*"]
    assert got[5] == "*PMLP Riga 1st division*"
    assert got[7] == "Phone: +371 67219191 · book a visit: https://pmlp.qticket.app/lv/"
    # a label that is the link's own host is not said twice
    assert got[9] == "Sources: https://www.pmlp.gov.lv/lv/uzturesanas-atlaujas?a=1&b=2 · checked on 22 November 2026"


def test_whatsapp_bold_touches_its_words():
    assert whatsapp_text("** spaced **") == " *spaced* "
    assert whatsapp_text("a **b** c") == "a *b* c"


def test_messenger_plain_text_has_no_markup_left():
    got = plain_text(ANSWER)
    assert "**" not in got and "](" not in got and "<b>" not in got
    assert "• a photo 3×4 cm" in got.splitlines()
    assert "PMLP Riga 1st division\nČiekurkalna 1. līnija 1, Rīga\nPhone:" in got
    assert "book a visit: https://pmlp.qticket.app/lv/" in got


def test_no_renderer_makes_a_text_longer_than_its_source():
    for render in (plain_text, whatsapp_text, lambda m: parsed(telegram_html(m)).text):
        assert len(render(ANSWER)) <= len(ANSWER)


# --- Markdown for rasa-webchat


def test_commonmark_keeps_line_breaks_and_sets_lists_apart():
    got = commonmark(ANSWER)
    assert "**PMLP Riga 1st division**  \nČiekurkalna 1. līnija 1, Rīga  \nPhone: +371 67219191" in got
    assert "- a valid passport\n- a photo **3×4 cm**" in got, "list items stay one per line, without trailing spaces"
    assert "[pmlp.gov.lv](https://www.pmlp.gov.lv/lv/uzturesanas-atlaujas?a=1&b=2)" in got
    assert commonmark("Bring:\n- a\n- b\nThen go.") == "Bring:\n\n- a\n- b\n\nThen go."
    assert commonmark("one\ntwo\n\nthree") == "one  \ntwo\n\nthree"
    assert commonmark("") == ""


@pytest.mark.parametrize(
    ("markup", "markdown"),
    [
        ("1. solis: piesakieties", "1\\. solis: piesakieties"),  # not an ordered list
        ("Termiņš:\n22. novembrī", "Termiņš:  \n22\\. novembrī"),
        ("- 2) step", "- 2\\) step"),
        ("# 1", "\\# 1"),
        ("> quoted", "\\> quoted"),
        ("+ plus", "\\+ plus"),
        ("---", "\\---"),
        ("3 * 4 and *note*", "3 \\* 4 and \\*note\\*"),
        ("snake_case and _em_", "snake_case and \\_em\\_"),
        ("a `tick` and a \\ backslash", "a \\`tick\\` and a \\\\ backslash"),
        ("**kept** [a_b](https://x.org/a_b*c)", "**kept** [a_b](https://x.org/a_b*c)"),
        ("2026. gada 22. novembrī", "2026\\. gada 22. novembrī"),  # only at a line's start
        ("v1.2 and 3.5 EUR", "v1.2 and 3.5 EUR"),
    ],
)
def test_commonmark_escapes_what_is_markdown_but_not_our_format(markup, markdown):
    assert commonmark(markup) == markdown


# --- splitting


def test_split_markup_at_paragraphs_then_lines_then_words():
    text = "First paragraph.\n\nSecond paragraph is longer than the first one."
    assert split_markup(text, 30) == ["First paragraph.", "Second paragraph is longer", "than the first one."]
    assert split_markup("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    assert split_markup("  ", 10) == []


def test_split_markup_never_cuts_inside_bold_or_a_link():
    text = "intro **bold words here** and [a long label](https://example.org/path) end"
    for limit in range(40, len(text)):  # from the longest span, the link (40 characters)
        parts = split_markup(text, limit)
        assert all(len(p) <= limit for p in parts)
        for part in parts:
            assert part.count("**") % 2 == 0, (limit, parts)
            assert ("[" in part) == ("](" in part), (limit, parts)
            parsed(telegram_html(part))
        assert " ".join(parts) == text


def test_split_markup_counts_as_telegram_does():
    emoji = "🇱🇻 " * 900  # 2,700 characters, 4,500 UTF-16 units (a flag is 4)
    parts = split_markup(emoji, 4096, utf16_length)
    assert len(parts) == 2 and all(utf16_length(p) <= 4096 for p in parts)
    assert split_markup(emoji, 4096) == [emoji.strip()], "counted in characters, it would be one message too long"
    assert utf16_length("😀") == 2
