"""The plan's printable page and PDF, and the answer to a plan link: escaped, in the plan's language, no script."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import time
from datetime import date, datetime, timezone
from html.parser import HTMLParser

import pytest

from bot.core.i18n import translator
from bot.core.offices.dates import checked_on
from bot.core.offices.render import host_label
from bot.core.plan.build import build_plan
from bot.core.plan.links import plan_token
from bot.core.plan.page import PLAN_PAGE_CSP, PLAN_STYLE, expired_page, plan_page, render_plan_response
from bot.core.plan.pdf import plan_document, plan_pdf, printable
from bot.core.plan.present import PresentedPlan, PresentedStep, present_plan
from tests.conftest import real_languages

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc)
SECRET = b"k" * 48
ANSWERS = {"location": "abroad", "citizenship": "third_country", "purpose": "work", "city": "sigulda", "family": "children", "when": None}
HOSTILE = '<script>alert("x")</script> & "quotes" \'too\''
LATVIAN = "āčēģīķļņšūž ĀČĒĢĪĶĻŅŠŪŽ"
CYRILLIC = "Щука їжак ґанок Ёлка"


def first_per_host(urls) -> list[str]:
    """The sources as the chat's sources line shows them: the first address of each web site."""
    first: dict[str, str] = {}
    for url in urls:
        first.setdefault(host_label(url), url)
    return list(first.values())


def shown(pack, lang="lv", answers=ANSWERS):
    return present_plan(pack, build_plan(pack.plan, answers), lang, NOW)


def hostile_plan() -> PresentedPlan:
    step = PresentedStep(
        id="evil",
        entry="x.y",
        title=HOSTILE,
        answer=f"Go to **{HOSTILE}**\n- [click](https://example.lv/?a=1&b=2)\n- [bad](javascript:alert(1))",
        office={
            "id": "o",
            "office": "o",
            "name": HOSTILE,
            "address": '"><img src=x onerror=alert(1)>',
            "map_url": "javascript:alert(1)",
            "phone": '+371 1"2',
            "phone_url": 'tel:+3711"2',
            "email": "a@b.lv\"'><script>",
            "website": 'https://example.lv/"onmouseover=alert(1)',
            "hours": ["Mon <b>9</b>"],
            "note": HOSTILE,
        },
        sources=("javascript:alert(1)", "https://www.example.lv/a?x=<y>"),
        reviewed=date(2026, 11, 22),
        conditional=True,
    )
    return PresentedPlan(lang="en", intro=HOSTILE, key="0" * 16, phases=(("first_week", HOSTILE, (step,)),), conditional_note=HOSTILE)


class Collect(HTMLParser):
    """Every tag and attribute of a page, and its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text += data


def parsed(page: str) -> Collect:
    collect = Collect()
    collect.feed(page)
    collect.close()
    return collect


# ---- the page


@pytest.mark.parametrize("lang", real_languages())
def test_the_page_is_in_the_plans_language_with_every_step(pack, lang):
    plan = shown(pack, lang)
    page = plan_page(plan, pack.languages[lang].direction, pack.name, "TOKEN.pdf")
    assert page.startswith("<!doctype html>")
    assert f'<html lang="{lang}" dir="ltr">' in page
    text = parsed(page).text
    _ = translator(lang)
    for string in ("Your plan for the move", "Download PDF", "This link works for 7 days. Download the PDF to keep your plan."):
        assert _(string) in text
        assert lang == "en" or _(string) != string  # translated
    for phase, heading, steps in plan.phases:
        assert heading in text and f'id="phase-{phase}"' in page
        for step in steps:
            assert step.title in text
    assert text.count(checked_on(plan.steps()[0].reviewed, lang)) >= len(plan.steps())
    assert page.count('class="box"') == len(plan.steps())
    assert "<script" not in page.lower() and "javascript:" not in page


def test_the_page_shows_offices_and_sources_as_links(pack):
    plan = shown(pack, "en", {**ANSWERS, "location": "in_latvia", "city": "riga"})
    page = plan_page(plan, "ltr", pack.name, "TOKEN.pdf")
    tags = parsed(page).tags
    hrefs = [attrs["href"] for tag, attrs in tags if tag == "a"]
    assert "TOKEN.pdf" in hrefs
    for step in plan.steps():
        for url in first_per_host(step.sources):
            assert url in hrefs
        if step.office and step.office.get("phone"):
            assert step.office["phone"] in page and step.office["phone_url"] in hrefs
        for line in (step.office or {}).get("hours", []):
            assert html.escape(line) in page
    hosts = {text for text in re.findall(r'rel="noopener noreferrer">([^<]+)</a>', page)}
    assert "pmlp.gov.lv" in hosts  # a source shows its host, not its address


def test_a_conditional_step_says_so(pack):
    plan = shown(pack, "ru", {**ANSWERS, "citizenship": None})
    page = plan_page(plan, "ltr", pack.name, "t.pdf")
    conditional = [s for s in plan.steps() if s.conditional]
    assert conditional
    assert page.count(pack.plan.texts["conditional"]["ru"]) == len(conditional)


def test_every_text_is_escaped():
    page = plan_page(hostile_plan(), "rtl", "<b>pack</b>", 'x.pdf" onclick="alert(1)')
    assert '<html lang="en" dir="rtl">' in page
    assert "<script" not in page.lower()
    assert "<img" not in page and "<b>9</b>" not in page and "<b>pack</b>" not in page
    assert "&lt;script&gt;" in page
    collect = parsed(page)
    assert not re.search(r"""(href|src)=["']?javascript:""", page)  # "[bad](javascript:...)" stays text
    for tag, attrs in collect.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        for name in ("href", "src"):
            if name in attrs:
                assert attrs[name].startswith(("https://", "tel:", "mailto:", "x.pdf")), attrs[name]
    assert HOSTILE in collect.text  # shown as text, whole
    assert [a["href"] for t, a in collect.tags if t == "a" and a.get("href", "").startswith("https://example.lv/?")] == [
        "https://example.lv/?a=1&b=2"
    ]
    assert "<strong>" not in page and f"<b>{html.escape(HOSTILE, quote=False)}</b>" in page  # the answer's bold


def test_the_stylesheet_is_allowed_by_its_hash_and_nothing_else_runs():
    page = plan_page(hostile_plan(), "ltr", "Latvia", "x.pdf")
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    assert style == PLAN_STYLE
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in PLAN_PAGE_CSP
    assert "default-src 'none'" in PLAN_PAGE_CSP and "frame-ancestors 'none'" in PLAN_PAGE_CSP
    assert "script-src" not in PLAN_PAGE_CSP
    assert "@media print" in style


def test_the_expired_page_says_how_to_get_a_new_link():
    page = expired_page("uk", "ltr", "Latvia")
    assert '<html lang="uk"' in page
    assert translator("uk")("This link to a plan no longer works") in page
    assert "асистента" in page


# ---- the PDF


def test_the_pdf_is_a_pdf(pack):
    body = plan_pdf(shown(pack, "lv"), pack.name)
    assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")


def mapped_characters(pdf_bytes: bytes) -> set[str]:
    """Every character the PDF's fonts map a glyph to (their ToUnicode maps: what the text is made of)."""
    text = pdf_bytes.decode("latin-1")
    return {chr(int(code, 16)) for code in re.findall(r"<[0-9A-F]{4}> <([0-9A-F]{4})>", text)}


@pytest.mark.parametrize("lang", ["lv", "ru", "uk", "en"])
def test_the_pdf_draws_every_letter_of_the_plan(pack, lang):
    plan = shown(pack, lang)
    document = plan_document(plan, pack.name, compress=False)
    body = bytes(document.output())
    assert all(not font.missing_glyphs for font in document.fonts.values())
    letters = {c for s in plan.steps() for c in s.title + s.answer if c.isalpha()}
    assert letters <= mapped_characters(body)


def test_latvian_and_cyrillic_letters_render():
    step = PresentedStep(
        id="s", entry="a.b", title=LATVIAN, answer=CYRILLIC + " 📍", office=None, sources=(), reviewed=date(2026, 1, 5), conditional=True
    )
    plan = PresentedPlan(lang="lv", intro="Ievads", key="0" * 16, phases=(("first_week", "Pirmā nedēļa", (step,)),), conditional_note="Ja")
    document = plan_document(plan, "Latvija", compress=False)
    body = bytes(document.output())
    assert all(not font.missing_glyphs for font in document.fonts.values())  # the emoji was left out, not drawn as a box
    characters = mapped_characters(body)
    assert {c for c in LATVIAN + CYRILLIC if c.isalpha()} <= characters
    assert "📍" not in characters
    assert printable("Rīga 📍\nЩ") == "Rīga \nЩ"


def test_the_pdf_links_its_sources(pack):
    plan = shown(pack, "en")
    body = plan_pdf(plan, pack.name, compress=False).decode("latin-1")
    for url in {u for s in plan.steps() for u in first_per_host(s.sources)}:
        assert f"/URI ({url})" in body


# ---- the answer to a link


def test_a_valid_link_gets_the_page_and_the_pdf(pack):
    token = plan_token(ANSWERS, "ru", SECRET)
    page = render_plan_response(token, "html", pack, SECRET, NOW)
    assert (page.status, page.content_type) == (200, "text/html; charset=utf-8")
    text = page.body.decode()
    assert '<html lang="ru"' in text and f'href="{token}.pdf"' in text
    for step in shown(pack, "ru").steps():
        assert html.escape(step.title) in text
    pdf = render_plan_response(token, "pdf", pack, SECRET, NOW)
    assert (pdf.status, pdf.content_type) == (200, "application/pdf")
    assert pdf.body.startswith(b"%PDF")
    assert pdf.headers["Content-Disposition"] == 'attachment; filename="plan-ru.pdf"'


def test_an_expired_link_says_so_in_its_language(pack):
    token = plan_token(ANSWERS, "lv", SECRET, at_time=int(NOW.timestamp()) - 8 * 24 * 3600)
    for fmt in ("html", "pdf"):
        answer = render_plan_response(token, fmt, pack, SECRET, NOW)
        assert (answer.status, answer.content_type) == (410, "text/html; charset=utf-8")
        assert translator("lv")("This link to a plan no longer works") in answer.body.decode()


def test_a_link_that_is_not_valid_gets_the_default_language(pack):
    token = plan_token(ANSWERS, "lv", SECRET)
    for bad in (token[:40] + ("A" if token[40] != "A" else "B") + token[41:], "nonsense", ""):
        answer = render_plan_response(bad, "html", pack, SECRET, NOW)
        assert answer.status == 404
        assert f'<html lang="{pack.default_language}"' in answer.body.decode()
    other_secret = render_plan_response(token, "html", pack, b"z" * 48, NOW)
    assert other_secret.status == 404
    unknown_language = render_plan_response(plan_token(ANSWERS, "fr", SECRET), "html", pack, SECRET, NOW)
    assert unknown_language.status == 404


def test_the_link_answers_at_the_time_it_is_asked(pack):
    token = plan_token(ANSWERS, "en", SECRET, at_time=int(time.time()))
    assert render_plan_response(token, "html", pack, SECRET, datetime.now(timezone.utc)).status == 200
