"""Charts as inline SVG, drawn on the server: no script, no style attribute, nothing fetched (the CSP stays strict).

Colours and sizes are SVG presentation attributes. Every chart has
``role="img"`` and a label that points to its data table (the page puts the
numbers beside each chart). A small number (1 to 4, shown as "<5") is drawn
at 2.5 and lighter, so that the picture tells no more than the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from bot.staff.insights.figures import SMALL, is_small

#: Okabe and Ito's colours, told apart with every common colour-vision deficiency.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7F7F7F", "#F0E442")
WIDTH = 400  # viewBox units: about a pixel each on a 390 px phone, larger on a wide screen
BARS_WIDTH = 320  # the bar charts' text is read more than the columns': larger on a phone
FONT = 12


@dataclass(frozen=True)
class Series:
    """One stacked series: its name as shown and a value per column."""

    label: str
    values: list[int]
    colour: str


def _drawn(value: int) -> float:
    return SMALL / 2 if is_small(value) else float(value)


def _svg(height: float, label: str, body: list[str], kind: str, width: float = WIDTH) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{kind}" viewBox="0 0 {width:.0f} {height:.0f}" width="100%" role="img" '
        f'aria-label="{escape(label)}" font-family="system-ui, sans-serif" font-size="{FONT}">'
    )
    return Markup(head + "".join(body) + "</svg>")


def _nice_max(value: float) -> float:
    """A round number at or above ``value`` for the top of the axis."""
    if value <= SMALL:
        return float(SMALL)
    step = 10 ** (len(str(int(value))) - 1)
    for factor in (1, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if value <= factor * step:
            return factor * step
    return 10.0 * step


def stacked_columns(columns: list[str], series: list[Series], label: str, legend_small: str) -> Markup:
    """One column per day (``columns``: their labels), stacked by series; a legend under it."""
    left, top, plot_h, right = 34.0, 8.0, 150.0, 6.0
    plot_w = WIDTH - left - right
    totals = [sum(_drawn(s.values[i]) for s in series) for i in range(len(columns))]
    peak = _nice_max(max(totals, default=0.0))
    step = plot_w / max(1, len(columns))
    bar = max(1.0, step * 0.75)
    body: list[str] = []
    for tick in (0.0, peak / 2, peak):
        y = top + plot_h - tick / peak * plot_h
        body.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        body.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{tick:g}</text>')
    for i in range(len(columns)):
        x, base = left + i * step + (step - bar) / 2, top + plot_h
        for s in series:
            value = s.values[i]
            if not value:
                continue
            height = _drawn(value) / peak * plot_h
            base -= height
            opacity = ' fill-opacity="0.4"' if is_small(value) else ""
            body.append(f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{height:.1f}" fill="{s.colour}"{opacity}/>')
    every = max(1, round(len(columns) / 6))
    for i, name in enumerate(columns):
        if i % every == 0:
            x = left + i * step + step / 2
            body.append(f'<text x="{x:.1f}" y="{top + plot_h + 14:.1f}" text-anchor="middle" fill="#333">{escape(name)}</text>')
    y = top + plot_h + 26
    x = left
    for s in series:
        width = 16 + len(s.label) * FONT * 0.6
        if x + width > WIDTH:
            x, y = left, y + 16
        body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="10" height="10" fill="{s.colour}"/>')
        body.append(f'<text x="{x + 14:.1f}" y="{y + 9:.1f}">{escape(s.label)}</text>')
        x += width + 10
    body.append(f'<text x="{left}" y="{y + 28:.1f}" fill="#555">{escape(legend_small)}</text>')
    return _svg(y + 36, label, body, "columns")


@dataclass(frozen=True)
class Bar:
    """One horizontal bar: its title, a secondary text (an id), its value and the text shown at its end."""

    title: str
    note: str
    value: float
    text: str
    small: bool = False
    marker: float | None = None  # a tick at this value (the previous period's)
    colour: str = PALETTE[0]


def horizontal_bars(bars: list[Bar], label: str, peak: float | None = None, percent: bool = False) -> Markup:
    """A title line and a bar under it for each item (titles fit on a phone); an optional tick per bar."""
    left, right, row = 4.0, 60.0, 36.0
    plot_w = BARS_WIDTH - left - right
    top_value = peak if peak is not None else _nice_max(max((b.value for b in bars), default=0.0))
    top_value = top_value or 1.0
    body: list[str] = []
    for i, item in enumerate(bars):
        y = 4 + i * row
        title = item.title if len(item.title) <= 40 else item.title[:39] + "…"
        body.append(f'<text x="{left}" y="{y + 11:.1f}" fill="#1d1d1d">{escape(title)}')
        room = int((BARS_WIDTH - left - len(title) * FONT * 0.55 - 6) / ((FONT - 2) * 0.55))  # characters of the note that fit
        note = item.note if len(item.note) <= room else item.note[: max(0, room - 1)] + "…"
        if item.note and room > 4:
            body.append(f' <tspan fill="#666" font-size="{FONT - 2}">{escape(note)}</tspan>')
        body.append("</text>")
        width = max(0.0, min(1.0, item.value / top_value)) * plot_w
        opacity = ' fill-opacity="0.4"' if item.small else ""
        body.append(f'<rect x="{left}" y="{y + 16:.1f}" width="{width:.1f}" height="12" fill="{item.colour}"{opacity}/>')
        if item.marker is not None:
            mx = left + max(0.0, min(1.0, item.marker / top_value)) * plot_w
            body.append(f'<line x1="{mx:.1f}" x2="{mx:.1f}" y1="{y + 13:.1f}" y2="{y + 31:.1f}" stroke="#1d1d1d" stroke-width="2"/>')
        body.append(f'<text x="{left + width + 4:.1f}" y="{y + 26:.1f}" fill="#333">{escape(item.text)}</text>')
    return _svg(8 + len(bars) * row, label, body, "bars", BARS_WIDTH)


def small_value(value: int) -> float:
    """How a count is drawn (a small one at 2.5)."""
    return _drawn(value)
