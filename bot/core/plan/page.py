"""A person's plan for the move as a printable web page, and the answer to a plan link (``/widget/plan/<token>``).

The page is self-contained: one stylesheet inside it (for a phone and, with
``@media print``, for paper: each step has a box to tick with a pen), no
script, no image, no request to another site. Every text is escaped; the
answers' small Markdown subset (line breaks, "- " items, bold, links) is
turned into HTML by ``bot.core.markup.telegram_html``, which escapes the
rest. The interface strings come from the gettext catalogs, the plan's
texts from ``plan.yml`` and every step's text from the knowledge base
(``bot.core.plan.present``), so the page says what the chat and the PDF say.

The stylesheet is allowed by its hash in the Content-Security-Policy
(``PLAN_PAGE_CSP``): nothing else can run or load on the page.
"""

from __future__ import annotations

import base64
import hashlib
import html
from dataclasses import dataclass, field
from datetime import datetime

from bot.core.content.model import Pack
from bot.core.i18n import translator
from bot.core.markup import telegram_html
from bot.core.offices.dates import checked_on
from bot.core.offices.render import host_label
from bot.core.plan.build import build_plan
from bot.core.plan.links import PLAN_LINK_TTL_SECONDS, expired_plan_token_lang, read_plan_token
from bot.core.plan.present import PresentedPlan, PresentedStep, present_plan
from bot.core.urls import is_https_url

PLAN_STYLE = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; padding: 1rem; background: #fff; color: #1b1b1b; line-height: 1.5;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
main { max-width: 42rem; margin: 0 auto; }
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0.5rem 0 0.75rem; }
h2 { font-size: 1.2rem; margin: 1.75rem 0 0.25rem; padding-bottom: 0.2rem; border-bottom: 2px solid #1b1b1b; }
h3 { font-size: 1rem; margin: 0; }
p { margin: 0.4rem 0; }
a { color: #0b4fb3; overflow-wrap: anywhere; }
.actions { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; margin: 0.75rem 0; }
.pdf { display: inline-block; padding: 0.5rem 1rem; border: 2px solid #0b4fb3; border-radius: 6px;
  font-weight: 600; text-decoration: none; }
.expiry, .meta { font-size: 0.875rem; color: #4a4a4a; }
ol.steps { list-style: none; margin: 0; padding: 0; }
li.step { display: flex; gap: 0.75rem; padding: 0.85rem 0; border-bottom: 1px solid #d6d6d6; }
.box { flex: none; width: 1.15rem; height: 1.15rem; margin-top: 0.15rem; border: 2px solid #1b1b1b; border-radius: 3px; }
.body { flex: 1; min-width: 0; }
.conditional { font-style: italic; color: #4a4a4a; }
.office { margin: 0.5rem 0; padding: 0.5rem 0.75rem; background: #f2f4f7; border-radius: 6px; }
.office p { margin: 0.15rem 0; }
.office .name { font-weight: 600; }
@media print {
  body { padding: 0; font-size: 10.5pt; }
  main { max-width: none; }
  .actions { display: none; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; }
  li.step { break-inside: avoid; }
  .office { background: none; border: 1px solid #999; }
}
""".strip()
#: The Content-Security-Policy of the plan page: only its own stylesheet, no framing, no forms, no base.
PLAN_PAGE_CSP = (
    f"default-src 'none'; style-src 'sha256-{base64.b64encode(hashlib.sha256(PLAN_STYLE.encode('utf-8')).digest()).decode('ascii')}'; "
    "img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
#: The pages say "7 days" in so many words (a number of days would need plural forms): keep them true.
assert PLAN_LINK_TTL_SECONDS == 7 * 24 * 3600, "the plan page's strings say the link works for 7 days"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _link(url: str, label: str) -> str:
    """A link to ``url`` showing ``label``; an address that is not https:// is only its label, as text."""
    if not is_https_url(url):
        return _e(label)
    return f'<a href="{_e(url)}" rel="noopener noreferrer">{_e(label)}</a>'


def markup_html(markup: str) -> str:
    """The answers' Markdown subset as paragraphs with line breaks (bold and links kept, everything else escaped)."""
    paragraphs = telegram_html(markup).split("\n\n")
    return "\n".join(f"<p>{paragraph.replace(chr(10), '<br>')}</p>" for paragraph in paragraphs if paragraph.strip())


def _office(card: dict, lang: str) -> str:
    _ = translator(lang)
    lines = []
    if card.get("note"):
        lines.append(f'<p class="meta">{_e(card["note"])}</p>')
    lines.append(f'<p class="name">{_e(card["name"])}</p>')
    if card.get("address"):
        address = _e(card["address"])
        lines.append(f"<p>{_link(card['map_url'], card['address']) if card.get('map_url') else address}</p>")
    if card.get("address_note"):
        lines.append(f"<p>{_e(card['address_note'])}</p>")
    lines += [f"<p>{_e(line)}</p>" for line in card.get("hours", [])]
    contacts = []
    if card.get("phone"):
        phone = _e(card["phone"])
        tel = card.get("phone_url", "")
        contacts.append(f'☎ <a href="{_e(tel)}">{phone}</a>' if tel.startswith("tel:") else f"☎ {phone}")
    if card.get("email"):
        contacts.append(f'✉ <a href="mailto:{_e(card["email"])}">{_e(card["email"])}</a>')
    if contacts:
        lines.append(f"<p>{' · '.join(contacts)}</p>")
    links = []
    if card.get("booking"):
        links.append(_link(card["booking"], _("Book a visit")))
    if card.get("website"):
        links.append(_link(card["website"], host_label(card["website"])))
    if links:
        lines.append(f"<p>{' · '.join(links)}</p>")
    if card.get("accessibility"):
        lines.append(f"<p>♿ {_e(card['accessibility'])}</p>")
    return '<div class="office">\n' + "\n".join(lines) + "\n</div>"


def sources_html(step: PresentedStep, lang: str) -> str:
    """Where the step's facts come from (links showing their host, one per site) and when they were checked."""
    _ = translator(lang)
    when = _e(checked_on(step.reviewed, lang))
    first: dict[str, str] = {}
    for url in step.sources:
        first.setdefault(host_label(url), url)
    links = [_link(url, label) for label, url in first.items()]
    if not links:
        checked = _("Checked on {date}")
        return f'<p class="meta">{_e(checked).format(date=when)}</p>'
    template = _("Source: {links} · checked on {date}") if len(links) == 1 else _("Sources: {links} · checked on {date}")
    return f'<p class="meta">{_e(template).format(links=", ".join(links), date=when)}</p>'


def _step(step: PresentedStep, presented: PresentedPlan) -> str:
    parts = [f"<h3>{_e(step.title)}</h3>"]
    if step.conditional and presented.conditional_note:
        parts.append(f'<p class="conditional">{_e(presented.conditional_note)}</p>')
    parts.append(markup_html(step.answer))
    if step.office:
        parts.append(_office(step.office, presented.lang))
    parts.append(sources_html(step, presented.lang))
    body = "\n".join(parts)
    box = '<span class="box" aria-hidden="true"></span>'
    return f'<li class="step" id="step-{_e(step.id)}">\n{box}\n<div class="body">\n{body}\n</div>\n</li>'


def _document(lang: str, direction: str, title: str, body: str) -> str:
    return (
        f'<!doctype html>\n<html lang="{_e(lang)}" dir="{_e(direction)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n<meta name="robots" content="noindex, nofollow">\n'
        f"<title>{_e(title)}</title>\n<style>{PLAN_STYLE}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def plan_page(presented: PresentedPlan, direction: str, pack_name: str, pdf_href: str) -> str:
    """The plan as a self-contained HTML page in its language (see the module docstring)."""
    _ = translator(presented.lang)
    title = _("Your plan for the move")
    parts = [f"<header>\n<h1>{_e(title)}</h1>"]  # the pack's name is not translated: it stays in the tab's title only
    if presented.intro:
        parts.append(markup_html(presented.intro))
    download = _("Download PDF")
    expiry = _("This link works for 7 days. Download the PDF to keep your plan.")
    parts.append(
        f'<p class="actions"><a class="pdf" href="{_e(pdf_href)}" download>{_e(download)}</a>\n'
        f'<span class="expiry">{_e(expiry)}</span></p>\n</header>'
    )
    for phase, heading, steps in presented.phases:
        items = "\n".join(_step(step, presented) for step in steps)
        parts.append(f'<section id="phase-{_e(phase)}">\n<h2>{_e(heading)}</h2>\n<ol class="steps">\n{items}\n</ol>\n</section>')
    return _document(presented.lang, direction, f"{title} · {pack_name}", "\n".join(parts))


def expired_page(lang: str, direction: str, pack_name: str) -> str:
    """The page of a link that has expired or is not valid: what happened, and how to get a new one."""
    _ = translator(lang)
    title = _("This link to a plan no longer works")
    text = _("Links to a plan work for 7 days. Ask the assistant for a plan again, and it will give you a new link.")
    body = f"<h1>{_e(title)}</h1>\n<p>{_e(text)}</p>"
    return _document(lang, direction, f"{title} · {pack_name}", body)


@dataclass(frozen=True)
class PlanResponse:
    """What the plan routes answer: a status, a content type, the body and headers of its own (the PDF's file name)."""

    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


HTML_TYPE = "text/html; charset=utf-8"
PDF_TYPE = "application/pdf"


def render_plan_response(token: str, fmt: str, pack: Pack, secret: bytes, now: datetime) -> PlanResponse:
    """The answer to ``GET /widget/plan/<token>`` (``fmt`` "html") or ``<token>.pdf`` (``fmt`` "pdf").

    A valid token: the page or the PDF of its plan. An expired one: 410 and
    a page saying so, in the plan's language; anything else (changed, made
    with another secret, naming options the plan no longer has, a pack
    without a plan): 404 and the same page in the pack's default language.
    """
    stamp = int(now.timestamp())
    content = pack.plan
    read = read_plan_token(token, secret, plan=content, cities=pack.directory.cities, now=stamp) if content else None
    if content is None or read is None or read[1] not in pack.languages:
        expired_in = expired_plan_token_lang(token, secret, now=stamp) if content else None
        lang = expired_in if expired_in in pack.languages else pack.default_language
        page = expired_page(lang, pack.languages[lang].direction, pack.name)
        return PlanResponse(410 if expired_in else 404, HTML_TYPE, page.encode("utf-8"))
    answers, lang = read
    presented = present_plan(pack, build_plan(content, answers), lang, now)
    if fmt == "pdf":
        from bot.core.plan.pdf import plan_pdf  # fpdf2 is loaded when the first PDF is asked for

        body = plan_pdf(presented, pack.name)
        return PlanResponse(200, PDF_TYPE, body, {"Content-Disposition": f'attachment; filename="plan-{lang}.pdf"'})
    page = plan_page(presented, pack.languages[lang].direction, pack.name, f"{token}.pdf")
    return PlanResponse(200, HTML_TYPE, page.encode("utf-8"))
