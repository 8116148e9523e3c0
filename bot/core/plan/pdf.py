"""A person's plan for the move as a PDF to keep and print: the same plan as the page (``bot.core.plan.page``).

Written with fpdf2 in DejaVu Sans, which has every letter of Latvian,
Russian and Ukrainian. The font is not downloaded and not shipped by the
project: matplotlib, a dependency of Rasa, installs it in
``matplotlib/mpl-data/fonts/ttf``, found here without importing matplotlib.
A character the font has no glyph for (an emoji in a text) is left out
rather than printed as an empty box.

Each step has a box to tick with a pen, its title, short answer, office
and sources with the date they were checked; links (sources, websites,
booking) stay links in the PDF.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from typing import Any, cast

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

from bot.core.i18n import translator
from bot.core.markup import plain_text
from bot.core.offices.dates import checked_on
from bot.core.offices.render import host_label
from bot.core.plan.present import PresentedPlan, PresentedStep
from bot.core.urls import is_https_url

FAMILY = "DejaVu"
#: fpdf2 style -> the DejaVu file of it
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
MARGIN_MM = 18.0
BOX_MM = 4.2
INDENT_MM = 8.0
#: the space between two steps (a thin line in its middle)
STEP_GAP_MM = 4.0
INK = (27, 27, 27)
GREY = (80, 80, 80)
LINK = (11, 79, 179)
PANEL = (242, 244, 247)


class FontMissingError(RuntimeError):
    """matplotlib's DejaVu fonts are not installed where they should be."""


@cache
def font_dir() -> Path:
    """The folder of matplotlib's TrueType fonts, found without importing matplotlib."""
    spec = importlib.util.find_spec("matplotlib")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        folder = Path(location) / "mpl-data" / "fonts" / "ttf"
        if all((folder / name).is_file() for name in FONT_FILES.values()):
            return folder
    raise FontMissingError("DejaVu Sans was not found in matplotlib/mpl-data/fonts/ttf (is matplotlib installed?)")


@cache
def _covered() -> frozenset[int]:
    """The characters every style of the font has a glyph for."""
    from fontTools.ttLib import TTFont

    sets = []
    for name in FONT_FILES.values():
        with TTFont(font_dir() / name, lazy=True) as font:
            sets.append(set(font.getBestCmap()))
    return frozenset(set.intersection(*sets))


def printable(text: str) -> str:
    """``text`` without the characters the font cannot draw (line breaks kept)."""
    covered = _covered()
    return "".join(c for c in text if c == "\n" or ord(c) in covered)


class _Writer:
    """Writes a presented plan into an FPDF document."""

    def __init__(self, presented: PresentedPlan, pack_name: str, compress: bool) -> None:
        self.presented = presented
        self.lang = presented.lang
        self._ = translator(presented.lang)
        self.pdf = FPDF(orientation="portrait", unit="mm", format="A4")
        self.pdf.set_compression(compress)
        self.pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        self.pdf.set_auto_page_break(True, margin=MARGIN_MM)
        for style, name in FONT_FILES.items():
            self.pdf.add_font(FAMILY, style, str(font_dir() / name))
        self.pdf.set_lang(presented.lang)
        self.pdf.set_title(printable(self._("Your plan for the move")))
        self.pdf.set_creator(printable(pack_name))
        self.pack_name = pack_name
        #: the height of what is drawn so far while a step is only measured; None: drawing
        self.measured: float | None = None

    # ---- pieces: each draws, or only adds its height while a step is measured (``self.measured``)

    def font(self, size: float, style: str = "", color: tuple[int, int, int] = INK) -> None:
        self.pdf.set_font(FAMILY, style, size)
        self.pdf.set_text_color(*color)

    def space(self, height: float) -> None:
        if self.measured is not None:
            self.measured += height
        else:
            self.pdf.ln(height)

    def _text_height(self, text: str, line: float) -> float:
        return float(cast(float, self.pdf.multi_cell(0, line, text, align="L", dry_run=True, output=MethodReturnValue.HEIGHT)))

    def paragraph(self, text: str, size: float = 10, style: str = "", color: tuple[int, int, int] = INK, gap: float = 1.2) -> None:
        text = printable(text).strip()
        if not text:
            return
        self.font(size, style, color)
        if self.measured is not None:
            self.measured += self._text_height(text, size * 0.5) + gap
            return
        self.pdf.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(gap)

    def link_line(self, pieces: list[tuple[str, str | None]], size: float = 9, color: tuple[int, int, int] = GREY) -> None:
        """One flowing line (wrapped as needed) of text pieces, each a link when it has an https:// address."""
        height = size * 0.5
        pieces = [(printable(text), url) for text, url in pieces if printable(text)]
        if self.measured is not None:
            self.font(size)
            self.measured += self._text_height("".join(text for text, _url in pieces), height) + 1.2
            return
        for text, url in pieces:
            if url and is_https_url(url):
                self.font(size, "", LINK)
                self.pdf.write(height, text, link=url)
            else:
                self.font(size, "", color)
                self.pdf.write(height, text)
        self.pdf.ln(height)
        self.pdf.ln(1.2)

    # ---- the plan

    def header(self) -> None:
        self.paragraph(self._("Your plan for the move"), size=18, style="B", gap=3)  # no pack name: it is not translated
        if self.presented.intro:
            self.paragraph(plain_text(self.presented.intro), size=10, gap=2)

    def phase(self, heading: str) -> None:
        if self.pdf.will_page_break(30):
            self.pdf.add_page()
        self.pdf.ln(3)
        self.paragraph(heading, size=14, style="B", gap=0.5)
        y = self.pdf.get_y()
        self.pdf.set_draw_color(*INK)
        self.pdf.set_line_width(0.5)
        self.pdf.line(MARGIN_MM, y, self.pdf.w - MARGIN_MM, y)
        self.pdf.ln(3)

    def office(self, card: dict[str, Any]) -> None:
        lines: list[tuple[str, str, tuple[int, int, int]]] = []  # (text, style, colour)
        if card.get("note"):
            lines.append((card["note"], "I", GREY))
        lines.append((card["name"], "B", INK))
        for key in ("address", "address_note"):
            if card.get(key):
                lines.append((card[key], "", INK))
        lines += [(line, "", INK) for line in card.get("hours", [])]
        contacts = [f"☎ {card['phone']}" if card.get("phone") else "", f"✉ {card['email']}" if card.get("email") else ""]
        if any(contacts):
            lines.append((" · ".join(c for c in contacts if c), "", INK))
        if card.get("accessibility"):
            lines.append((f"♿ {card['accessibility']}", "", INK))
        self.space(0.5)
        for text, style, color in lines:
            self.paragraph(text, size=9, style=style, color=color, gap=0.3)
        links: list[tuple[str, str | None]] = []
        if card.get("booking"):
            links.append((self._("Book a visit"), card["booking"]))
        if card.get("website"):
            links += [(" · ", None)] if links else []
            links.append((host_label(card["website"]), card["website"]))
        if links:
            self.link_line(links)
        self.space(0.8)

    def sources(self, step: PresentedStep) -> None:
        when = checked_on(step.reviewed, self.lang)
        first: dict[str, str] = {}
        for url in step.sources:
            first.setdefault(host_label(url), url)
        if not first:
            self.link_line([(self._("Checked on {date}").format(date=when), None)])
            return
        template = self._("Source: {links} · checked on {date}") if len(first) == 1 else self._("Sources: {links} · checked on {date}")
        before, _sep, after = template.partition("{links}")
        pieces: list[tuple[str, str | None]] = [(before.format(date=when), None)]
        for index, (label, url) in enumerate(first.items()):
            pieces += [(", ", None)] if index else []
            pieces.append((label, url))
        pieces.append((after.format(date=when), None))
        self.link_line(pieces)

    def step_body(self, step: PresentedStep) -> None:
        self.paragraph(step.title, size=11, style="B", gap=0.8)
        if step.conditional and self.presented.conditional_note:
            self.paragraph(self.presented.conditional_note, size=9, style="I", color=GREY, gap=0.8)
        self.paragraph(plain_text(step.answer), size=10, gap=1)
        if step.office:
            self.office(step.office)
        self.sources(step)

    def step(self, step: PresentedStep) -> None:
        """A step: its box, then its text beside it; on a new page when it would not fit on this one (and fits on one)."""
        pdf = self.pdf
        pdf.set_left_margin(MARGIN_MM + INDENT_MM)
        pdf.set_x(MARGIN_MM + INDENT_MM)
        try:
            self.measured = 0.0
            try:
                self.step_body(step)
                height = self.measured + STEP_GAP_MM
            finally:
                self.measured = None
            if pdf.will_page_break(height) and height < pdf.eph and pdf.get_y() > pdf.t_margin + 1:
                pdf.add_page()
                pdf.set_x(MARGIN_MM + INDENT_MM)
            pdf.set_draw_color(*INK)
            pdf.set_line_width(0.4)
            pdf.rect(MARGIN_MM, pdf.get_y() + 0.6, BOX_MM, BOX_MM)
            self.step_body(step)
        finally:
            pdf.set_left_margin(MARGIN_MM)
            pdf.set_x(MARGIN_MM)
        y = pdf.get_y() + 1
        pdf.set_draw_color(214, 214, 214)
        pdf.set_line_width(0.2)
        pdf.line(MARGIN_MM, y, pdf.w - MARGIN_MM, y)
        pdf.set_y(y + STEP_GAP_MM - 1)

    def write(self) -> FPDF:
        self.pdf.add_page()
        self.header()
        for _phase, heading, steps in self.presented.phases:
            self.phase(heading)
            for step in steps:
                self.step(step)
        return self.pdf


def plan_document(presented: PresentedPlan, pack_name: str, compress: bool = True) -> FPDF:
    """The plan as an FPDF document, not yet output (tests read its fonts' missing glyphs)."""
    return _Writer(presented, pack_name, compress).write()


def plan_pdf(presented: PresentedPlan, pack_name: str, compress: bool = True) -> bytes:
    """The plan as a PDF file; ``compress=False`` leaves its content streams readable (tests)."""
    return bytes(plan_document(presented, pack_name, compress).output())
